import { createHash } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { decodeUtf8, readRegularFile } from '../io/read-file.js';
import { UsageError } from '../model/errors.js';
import { toPosix } from '../walk/walk.js';

/** The largest repositories file read (a list of paths; anything larger is not one). */
export const maxReposFileBytes = 4 * 1024 * 1024;

/** One repository named in a repositories file: the path as written and its 1-based line. */
export interface RepositoryEntry {
  readonly line: number;
  readonly path: string;
}

/** A repositories file: where it is (relative paths resolve against `folder`) and what it lists. */
export interface ReposFile {
  /** As given on the command line, for messages (`repos.txt:4`). */
  readonly display: string;
  /** Absolute folder of the file. */
  readonly folder: string;
  readonly entries: readonly RepositoryEntry[];
}

/**
 * Reads the lines of a repositories file: one path a line; blank lines and lines starting with `#` are skipped, and
 * so is a trailing ` # comment` (a `#` after a space or tab). Surrounding whitespace is trimmed; CRLF and a UTF-8 BOM
 * are accepted. Nothing is resolved here.
 */
export function parseReposFile(text: string): RepositoryEntry[] {
  const entries: RepositoryEntry[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n|\r/);
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index] ?? '';
    const comment = /(^|[ \t])#/.exec(raw);
    const path = (comment ? raw.slice(0, comment.index) : raw).trim();
    if (path !== '') entries.push({ line: index + 1, path });
  }
  return entries;
}

/** Reads and parses `--repos-file FILE`; a file that cannot be read or lists nothing is a usage error naming it. */
export function readReposFile(option: string, path: string, cwd: string): ReposFile {
  const absolute = resolve(cwd, path);
  const read = readRegularFile(absolute, { maxBytes: maxReposFileBytes, checkFilesystem: true });
  if (!read.ok) throw new UsageError(`${option} ${path}: ${read.reason === 'not-found' ? 'no such file' : read.detail}`);
  const decoded = decodeUtf8(read.bytes);
  if (decoded.lossy) throw new UsageError(`${path}:${decoded.lossyLine ?? 1}: not UTF-8 text`);
  const entries = parseReposFile(decoded.text);
  if (entries.length === 0) throw new UsageError(`${option} ${path}: lists no repository (one path a line; # starts a comment)`);
  return { display: path, folder: dirname(absolute), entries };
}

/**
 * The repository's name in a fleet: its path as written in the list, with `/` separators, without `./` and
 * trailing `/`. Scanning from the list's folder makes it the report's `root`, which is what `pod2wi merge` keys on.
 */
export function repositoryName(path: string): string {
  const posix = toPosix(path).replace(/\/+/g, '/');
  const trimmed = posix.length > 1 ? posix.replace(/\/$/, '') : posix;
  return trimmed.replace(/^(\.\/)+(?=.)/, '') || '.';
}

/** NAME_MAX less room for `.json` and a hash suffix. */
const maxStem = 200;

/**
 * A stable file name (without extension) for a repository's report: its name with `/` written `__`, every
 * character outside `A-Z a-z 0-9 . _ -` written `-`, `.` and `..` segments written `_` and `__up`, and no leading
 * dot (no hidden files). Names longer than 200 bytes keep 190 and add 8 hex digits of the name's SHA-256. Two names
 * can still meet (`a/b` and `a__b`): the caller refuses that, naming both lines.
 */
export function reportStem(name: string): string {
  const segments = name.split('/').map((segment) => {
    if (segment === '') return '';
    if (segment === '.') return '_';
    if (segment === '..') return '_up';
    return segment.replace(/[^A-Za-z0-9._-]/g, '-');
  });
  let stem = segments.join('__').replace(/^\./, '_');
  if (stem === '') stem = '_';
  if (Buffer.byteLength(stem) > maxStem) {
    const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
    stem = `${stem.slice(0, 190)}-${hash}`;
  }
  return stem;
}
