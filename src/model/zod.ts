import { createRequire } from 'node:module';
import type * as Zod from 'zod';

let loaded: typeof Zod | null = null;

/** The `z` namespace of zod, which schemas are built from. */
export type ZodApi = typeof Zod.z;

/**
 * The zod package, loaded on first use. Only a file the user gives is validated at run time (`.pod2wi.yaml`, a
 * baseline, a report to merge), and zod is about a hundred modules: a run without such a file never loads it. (The
 * rule files are validated by the build: see rules/load.ts.)
 */
export function zod(): typeof Zod {
  loaded ??= createRequire(import.meta.url)('zod') as typeof Zod;
  return loaded;
}

/** What `build` makes from zod, made on the first call (so zod loads only when a schema is first used). */
export function onFirstUse<T>(build: (z: ZodApi) => T): () => T {
  let built: { readonly value: T } | null = null;
  return () => {
    built ??= { value: build(zod().z) };
    return built.value;
  };
}
