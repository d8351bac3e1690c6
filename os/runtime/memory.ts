/**
 * Memory pressure as a state the runtime knows (issue 10): the JS heap is "under pressure"
 * when what the engine counts in use passes a fraction of its limit. Layers that take memory
 * on behalf of a peer (the TCP stack for a new connection, the HTTP server for a new request)
 * ask first and refuse with an answer (RST, 503) instead of growing into out-of-memory.
 */
import type { Hw } from '../hw/hw.ts';
import { currentLoop } from './loop.ts';

/** Above this share of the JS heap limit, new work is refused. */
export const MEMORY_PRESSURE_SHARE = 0.85;

/** True when `hw`'s JS heap use is above MEMORY_PRESSURE_SHARE of its limit (false without statistics). */
export function memoryPressureOf(hw: Partial<Pick<Hw, 'memoryUsage'>>): boolean {
  const m = hw.memoryUsage?.();
  return m !== undefined && m.jsLimit > 0 && m.jsUsed > MEMORY_PRESSURE_SHARE * m.jsLimit;
}

/** memoryPressureOf the running program's hw. */
export function underMemoryPressure(): boolean {
  return memoryPressureOf(currentLoop().hw);
}

/** Bytes the JS heap may use: the engine's limit, or guest RAM without statistics. */
export function memoryBudget(hw: Partial<Pick<Hw, 'memoryUsage'>> & Pick<Hw, 'memSize'>): number {
  return hw.memoryUsage?.().jsLimit ?? hw.memSize;
}
