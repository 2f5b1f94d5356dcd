import { randomBytes } from 'node:crypto';
import { chmodSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The temporary name beside a target: short and fixed in length (24 characters), so a target whose own name is near
 * NAME_MAX (255 bytes) still gets one, and never derived from the target's name.
 */
export function temporaryNameFor(path: string): string {
  return join(dirname(path), `.pod2wi-${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Writes a file atomically: a temporary file in the same folder, then a rename over the target, so a reader sees
 * the old content or the new, never half. An existing file keeps its mode; `mode` sets it for a new one.
 */
export function writeFileAtomic(path: string, content: string | Uint8Array, options: { readonly mode?: number } = {}): void {
  const temporary = temporaryNameFor(path);
  let mode: number | undefined = options.mode;
  try {
    mode = statSync(path).mode & 0o7777;
  } catch {
    // A new file: the given mode, or the process default.
  }
  try {
    writeFileSync(temporary, content, { flag: 'wx', ...(mode === undefined ? {} : { mode }) });
    if (mode !== undefined) chmodSync(temporary, mode);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
