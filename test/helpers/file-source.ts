import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileSource, type FileSource } from '../../src/k8s/files.js';

/** Every file under `root` as a FileSource (paths relative to `root`, `/` separators). */
export function directorySource(root: string): FileSource {
  const paths: string[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      const rel = prefix === '' ? name : `${prefix}/${name}`;
      if (statSync(full).isDirectory()) walk(full, rel);
      else paths.push(rel);
    }
  };
  walk(root, '');
  return fileSource(paths, (path) => {
    try {
      return readFileSync(join(root, ...path.split('/')), 'utf8').replace(/^\uFEFF/, '');
    } catch {
      return null;
    }
  });
}

/** In-memory files as a FileSource. */
export function memorySource(files: Readonly<Record<string, string>>): FileSource {
  return fileSource(Object.keys(files), (path) => files[path] ?? null);
}
