import { realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { pseudoFilesystemOf } from '../io/read-file.js';
import { UsageError } from '../model/errors.js';
import { isInside, toPosix } from './walk.js';

/** The scan root and the sub-paths to walk: one folder is the root; several paths share their common folder. */
export function resolveRoot(paths: readonly string[], cwd: string): { root: string; display: string; only: string[] } {
  const given = paths.length > 0 ? paths : ['.'];
  const targets = given.map((path) => {
    const absolute = isAbsolute(path) ? path : resolve(cwd, path);
    let real: string;
    try {
      real = realpathSync(absolute);
    } catch {
      throw new UsageError(`${path}: no such file or directory`);
    }
    const pseudo = pseudoFilesystemOf(real);
    if (pseudo) throw new UsageError(`${path}: on the ${pseudo} kernel filesystem, not a repository`);
    const stat = statSync(real);
    if (!stat.isFile() && !stat.isDirectory()) throw new UsageError(`${path}: not a regular file or folder (a FIFO, socket or device)`);
    return { given: path, real, isFile: stat.isFile() };
  });
  const folders = targets.map((target) => (target.isFile ? dirname(target.real) : target.real));
  let root = folders[0] ?? cwd;
  for (const folder of folders.slice(1)) {
    while (!isInside(root, folder)) root = dirname(root);
  }
  const only = targets.length === 1 && !targets[0]?.isFile ? [] : targets.map((target) => toPosix(relative(root, target.real)));
  const single = targets.length === 1 ? targets[0] : undefined;
  const display = single && !single.isFile
    ? toPosix(single.given).replace(/\/+$/, '') || '.'
    : toPosix(relative(cwd, root)) || '.';
  return { root, display: display.split(sep).join('/'), only };
}

/** The real path of an `--app` folder; a usage error for anything but a folder on ordinary storage. */
export function resolveApp(path: string, cwd: string): string {
  let real: string;
  try {
    real = realpathSync(resolve(cwd, path));
  } catch {
    throw new UsageError(`--app ${path}: no such folder`);
  }
  const pseudo = pseudoFilesystemOf(real);
  if (pseudo) throw new UsageError(`--app ${path}: on the ${pseudo} kernel filesystem, not an application checkout`);
  if (!statSync(real).isDirectory()) throw new UsageError(`--app ${path}: not a folder (give the application's checkout)`);
  return real;
}

