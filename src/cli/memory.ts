import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Heap in use above which a run collects garbage between its stages. */
const threshold = 160 * 1024 * 1024;

/**
 * Collects the garbage of the reading stages before the output is built, when the heap is large. V8 grows its heap
 * rather than collect while memory is plentiful, so a repository of tens of thousands of objects would otherwise hold
 * every syntax tree it has read while it writes a large report: this keeps the peak near what the report needs.
 */
export function relieveMemory(): void {
  if (process.memoryUsage().heapUsed < threshold) return;
  setFlagsFromString('--expose_gc');
  const collect: unknown = runInNewContext('gc');
  if (typeof collect === 'function') (collect as () => void)();
}
