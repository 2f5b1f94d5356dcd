import { createRequire } from 'node:module';
import type * as Zod from 'zod';

let loaded: typeof Zod | null = null;

/**
 * The zod package, loaded on first use. Only a file the user gives is validated at run time (`.pod2wi.yaml`, a
 * baseline, a report to merge), and zod is about a hundred modules: a run without such a file never loads it. (The
 * rule files are validated by the build: see rules/load.ts.)
 */
export function zod(): typeof Zod {
  loaded ??= createRequire(import.meta.url)('zod') as typeof Zod;
  return loaded;
}
