/**
 * Memory pressure as a state the runtime knows (issue 10): the JS heap is "under pressure"
 * when what the engine counts in use passes a fraction of its limit. Layers that take memory
 * on behalf of a peer (the TCP stack for a new connection, the HTTP server for a new request)
 * ask first and refuse with an answer (RST, 503) instead of growing into out-of-memory.
 */
import type { Hw } from '../hw/hw.ts';
import { currentLoop } from './loop.ts';

/** Above this share of the JS heap limit, new work is refused (the core's jsPressure line when it reports one). */
export const MEMORY_PRESSURE_SHARE = 0.85;

type MemoryHw = Partial<Pick<Hw, 'memoryUsage'>>;

/** The pressure line in bytes: the core's (memoryUsage().jsPressure), else MEMORY_PRESSURE_SHARE of the limit. */
function pressureLine(m: ReturnType<Hw['memoryUsage']>): number {
  return m.jsPressure !== undefined && m.jsPressure > 0 ? m.jsPressure : MEMORY_PRESSURE_SHARE * m.jsLimit;
}

/** True when `hw`'s JS heap use is above the pressure line (false without statistics). */
export function memoryPressureOf(hw: MemoryHw): boolean {
  const m = hw.memoryUsage?.();
  return m !== undefined && m.jsLimit > 0 && m.jsUsed > pressureLine(m);
}

/**
 * Bytes the program may still take before memory is under pressure (0 at or above the line,
 * Infinity without statistics): the TCP stack shares it among its receive windows.
 */
export function memoryHeadroomOf(hw: MemoryHw): number {
  const m = hw.memoryUsage?.();
  if (m === undefined || !(m.jsLimit > 0)) return Infinity;
  return Math.max(0, pressureLine(m) - m.jsUsed);
}

/** memoryPressureOf the running program's hw. */
export function underMemoryPressure(): boolean {
  return memoryPressureOf(currentLoop().hw);
}

/**
 * Bytes the JS heap may still take for new work, asked once at start-up to size caps (the TCP
 * connection limit): the room below the pressure line now, so that what the OS and the program
 * already hold (an 8 MB guest idles at 60% of its limit) is not counted as room; guest RAM
 * without statistics.
 */
export function memoryBudget(hw: Partial<Pick<Hw, 'memoryUsage'>> & Pick<Hw, 'memSize'>): number {
  const m = hw.memoryUsage?.();
  if (m === undefined || !(m.jsLimit > 0)) return hw.memSize;
  return Math.max(0, pressureLine(m) - m.jsUsed);
}
