/** node:v8: heap statistics from the core's allocator (process.memoryUsage); the rest throws ERR_NIMBUS_UNSUPPORTED. */
import { unsupportedFunction } from './unsupported.ts';

const mem = () => (globalThis.process as unknown as { memoryUsage(): { heapTotal: number; heapUsed: number; rss: number } }).memoryUsage();
export function getHeapStatistics() {
  const m = mem();
  return {
    total_heap_size: m.heapTotal, total_heap_size_executable: 0, total_physical_size: m.rss, total_available_size: m.heapTotal - m.heapUsed,
    used_heap_size: m.heapUsed, heap_size_limit: m.heapTotal, malloced_memory: m.rss, peak_malloced_memory: m.rss, does_zap_garbage: 0,
    number_of_native_contexts: 1, number_of_detached_contexts: 0, total_global_handles_size: 0, used_global_handles_size: 0, external_memory: 0,
  };
}
export const getHeapSpaceStatistics = () => [];
export const getHeapCodeStatistics = () => ({ code_and_metadata_size: 0, bytecode_and_metadata_size: 0, external_script_source_size: 0, cpu_profiler_metadata_size: 0 });
export const cachedDataVersionTag = (): number => 0;
export const setFlagsFromString = (_f: string): void => {};
const why = 'the image runs QuickJS, not V8';
export const serialize = unsupportedFunction('v8.serialize', why);
export const deserialize = unsupportedFunction('v8.deserialize', why);
export const writeHeapSnapshot = unsupportedFunction('v8.writeHeapSnapshot', why);
export const getHeapSnapshot = unsupportedFunction('v8.getHeapSnapshot', why);
export default { getHeapStatistics, getHeapSpaceStatistics, getHeapCodeStatistics, cachedDataVersionTag, setFlagsFromString, serialize, deserialize, writeHeapSnapshot, getHeapSnapshot };
