import { accessSync, constants, mkdirSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { pseudoFilesystemOf } from '../io/read-file.js';
import { UsageError } from '../model/errors.js';
import type { OutputSpec } from './formats.js';

/** Linux NAME_MAX: a longer file name fails at open, after the whole scan ran. */
const nameMax = 255;

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK | constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The problem with writing into `folder` (it must exist, be a folder on ordinary storage, and be writable), or null. */
function folderProblem(folder: string): string | null {
  const stat = statOrNull(folder);
  if (!stat) return `the folder ${folder} does not exist`;
  if (!stat.isDirectory()) return `${folder} is not a folder`;
  const pseudo = pseudoFilesystemOf(folder);
  if (pseudo) return `${folder} is on the ${pseudo} kernel filesystem`;
  if (!writable(folder)) return `the folder ${folder} is not writable`;
  return null;
}

/**
 * Checks an output file named by `option` before any work starts: its folder exists, is a folder on ordinary storage
 * and is writable; the file itself, when present, is a regular file (not a folder, FIFO or device); its name fits.
 * A usage error (exit 2) naming the option and the path otherwise.
 */
export function checkOutputFile(option: string, path: string, cwd: string): void {
  // `--format sarif=` names its file without a space; other options take it as their argument.
  const shown = option.endsWith('=') ? `${option}${path}` : `${option} ${path}`;
  const absolute = resolve(cwd, path);
  if (/[\\/]$/.test(path)) throw new UsageError(`${shown}: names a folder; give a file name`);
  if (Buffer.byteLength(basename(absolute)) > nameMax) throw new UsageError(`${shown}: the file name is longer than ${nameMax} bytes`);
  const problem = folderProblem(dirname(absolute));
  if (problem) throw new UsageError(`${shown}: ${problem}`);
  const stat = statOrNull(absolute);
  if (stat?.isDirectory()) throw new UsageError(`${shown}: is a folder; give a file name`);
  if (stat && !stat.isFile()) throw new UsageError(`${shown}: not a regular file (a FIFO, socket or device)`);
}

/** {@link checkOutputFile} for every output given a file (`-o FILE`, `--format FORMAT=FILE`). */
export function checkOutputs(specs: readonly OutputSpec[], output: string | undefined, cwd: string): void {
  for (const spec of specs) {
    if (spec.file === null || spec.file === '-') continue;
    checkOutputFile(output !== undefined && spec.file === output ? '--output' : `--format ${spec.format}=`, spec.file, cwd);
  }
}

/**
 * Checks an output folder (`plan -d DIR`) before any work starts: an existing one must be a writable folder on
 * ordinary storage; a new one needs such a parent (only the last folder is created, never a chain: a mistyped path
 * fails here instead of growing folders somewhere unexpected). Returns the absolute path.
 */
export function checkOutputFolder(option: string, path: string, cwd: string): string {
  const absolute = resolve(cwd, path);
  const stat = statOrNull(absolute);
  if (stat) {
    if (!stat.isDirectory()) throw new UsageError(`${option} ${path}: exists and is not a folder`);
    const problem = folderProblem(absolute);
    if (problem) throw new UsageError(`${option} ${path}: ${problem}`);
    return absolute;
  }
  if (Buffer.byteLength(basename(absolute)) > nameMax) throw new UsageError(`${option} ${path}: the folder name is longer than ${nameMax} bytes`);
  const problem = folderProblem(dirname(absolute));
  if (problem) throw new UsageError(`${option} ${path}: ${problem}`);
  return absolute;
}

/** Creates the checked output folder when it does not exist yet (the last component only). */
export function makeOutputFolder(option: string, absolute: string): void {
  if (statOrNull(absolute)?.isDirectory()) return;
  try {
    mkdirSync(absolute);
  } catch (error) {
    throw new UsageError(`${option} ${absolute}: cannot create the folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}
