import { accessSync, constants, existsSync, lstatSync, realpathSync, rmSync, type Stats } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { writeFileAtomic } from '../io/atomic-write.js';
import { readRegularFile } from '../io/read-file.js';

/**
 * One splice of one file: replace the text between `start` and `end` (UTF-16 offsets into the file's text as read,
 * without its BOM) by `text`. `expect` is the text the edit was computed against; an edit whose `expect` no longer
 * matches is refused, never applied. An insertion has `start === end` and `expect === ''`.
 */
export interface Edit {
  /** Root-relative path with `/` separators. */
  readonly file: string;
  readonly start: number;
  readonly end: number;
  readonly expect: string;
  readonly text: string;
  /** Why the edit is made, for `--format json` and the report. */
  readonly why: string;
}

/** Edits that cannot be applied: they overlap, or the file no longer holds the text they expect. */
export class EditConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EditConflictError';
  }
}

/** An insertion that starts a new document (`---`): at one offset it goes after every other insertion. */
function startsDocument(edit: Edit): boolean {
  return edit.start === edit.end && /^(\r?\n)?---(\r?\n|$)/.test(edit.text);
}

/** How far an insertion's first line is indented (block lines added to a map). */
function indentOf(edit: Edit): number {
  if (edit.start !== edit.end) return 0;
  const text = edit.text.replace(/^\r?\n/, '');
  return text.length - text.trimStart().length;
}

/**
 * Edits in application order: by start; at one offset insertions before a replacement, deeper-indented lines before
 * shallower ones (a map nested in another ends where the outer one does: its new lines must come first), a new
 * document after every other insertion, otherwise as given.
 */
export function sortEdits(edits: readonly Edit[]): Edit[] {
  return edits
    .map((edit, order) => ({ edit, order }))
    .sort(
      (a, b) =>
        a.edit.start - b.edit.start ||
        (a.edit.end - a.edit.start) - (b.edit.end - b.edit.start) ||
        Number(startsDocument(a.edit)) - Number(startsDocument(b.edit)) ||
        indentOf(b.edit) - indentOf(a.edit) ||
        a.order - b.order,
    )
    .map((item) => item.edit);
}

/** Two identical edits (same range, same text) are one: two workloads sharing a ServiceAccount ask for the same line. */
export function dedupeEdits(edits: readonly Edit[]): Edit[] {
  const seen = new Set<string>();
  return edits.filter((edit) => {
    const key = `${edit.file}\u0000${edit.start}\u0000${edit.end}\u0000${edit.text}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The first pair of edits that overlap, or null. Replacements overlap when their ranges intersect; an insertion
 * overlaps a replacement that strictly contains its offset. Several insertions at one offset do not overlap: they
 * are applied in the order given.
 */
export function findOverlap(edits: readonly Edit[]): [Edit, Edit] | null {
  const sorted = sortEdits(edits);
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i] as Edit;
    for (let j = i + 1; j < sorted.length; j++) {
      const b = sorted[j] as Edit;
      if (b.start > a.end) break;
      const aEmpty = a.start === a.end;
      const bEmpty = b.start === b.end;
      const overlaps = aEmpty && bEmpty
        ? false
        : aEmpty
          ? b.start < a.start && a.start < b.end
          : bEmpty
            ? a.start < b.start && b.start < a.end
            : a.start < b.end && b.start < a.end;
      if (overlaps) return [a, b];
    }
  }
  return null;
}

/**
 * Applies edits of one file to its text: checks each `expect`, refuses overlaps, splices from the end so earlier
 * offsets stay valid. Throws EditConflictError and changes nothing when any edit cannot be applied.
 */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  const overlap = findOverlap(edits);
  if (overlap) {
    const [a, b] = overlap;
    throw new EditConflictError(`${a.file}: overlapping edits at ${a.start}-${a.end} (${a.why}) and ${b.start}-${b.end} (${b.why})`);
  }
  const sorted = sortEdits(edits);
  for (const edit of sorted) {
    if (edit.start < 0 || edit.end < edit.start || edit.end > text.length) {
      throw new EditConflictError(`${edit.file}: edit ${edit.start}-${edit.end} is outside the file (${text.length} characters)`);
    }
    const found = text.slice(edit.start, edit.end);
    if (found !== edit.expect) {
      throw new EditConflictError(`${edit.file}: expected ${JSON.stringify(edit.expect)} at ${edit.start}, found ${JSON.stringify(found)} (${edit.why})`);
    }
  }
  const parts: string[] = [];
  let cursor = 0;
  for (const edit of sorted) {
    parts.push(text.slice(cursor, edit.start), edit.text);
    cursor = edit.end;
  }
  parts.push(text.slice(cursor));
  return parts.join('');
}

/** A file pod2wi is about to change: its text before and after, as planned and verified. */
export interface FileChange {
  /** Root-relative path with `/` separators. */
  readonly file: string;
  readonly action: 'edit' | 'create' | 'delete';
  /** Text before, without BOM ('' for a new file). */
  readonly before: string;
  /** Text after, without BOM ('' for a deleted file). */
  readonly after: string;
  /** The file starts with a UTF-8 BOM, restored on write. */
  readonly bom: boolean;
  /**
   * `cr`: the file breaks lines with a lone CR; `before` and `after` show them as LF (see TextFile.lineBreaks) and
   * the writer turns every LF back into CR. Absent for LF and CRLF files.
   */
  readonly lineBreaks?: 'cr';
  readonly edits: readonly Edit[];
}

/** Why a run wrote nothing: a file that failed the checks, or the write that failed and was rolled back. */
export interface WriteRefusal {
  readonly file: string;
  readonly reason: string;
}

/** Linux NAME_MAX and PATH_MAX, in bytes: a longer name fails at open or rename, after other files were written. */
const nameMax = 255;
const pathMax = 4095;

/** The bytes a change's text stands for on disk: BOM restored, lone-CR line breaks restored. */
export function bytesOf(change: Pick<FileChange, 'bom' | 'lineBreaks'>, text: string): Buffer {
  const body = change.lineBreaks === 'cr' ? text.replace(/\n/g, '\r') : text;
  return Buffer.from(`${change.bom ? '\ufeff' : ''}${body}`, 'utf8');
}

/** A change checked against the disk, with what it takes to undo it. */
interface Prepared {
  readonly change: FileChange;
  readonly target: string;
  /** The file's bytes and mode before the run (null for a new file). */
  readonly original: { readonly bytes: Buffer; readonly mode: number } | null;
}

/** Test seam: called before each file is written; a throw stands for a failing disk. */
export interface WriteHooks {
  readonly beforeWrite?: (file: string) => void;
}

/**
 * The single writer of `pod2wi fix` (and `pod2wi pr`), all or nothing per run. Every change was applied and verified
 * by the planner; here every target is checked against the disk before any is touched:
 * - a plain path inside the scanned root, each name within NAME_MAX, the path within PATH_MAX;
 * - no symbolic link anywhere on the way, dangling ones included; folders exist and are writable;
 * - a file to edit or delete is a regular file holding exactly the bytes that were scanned; a new file's name is free.
 * Only then is each file written atomically (temporary file + rename, mode kept, BOM and line breaks restored) or
 * deleted. When a write fails, every file already written is restored from its original bytes and every new file is
 * removed. Returns why the run wrote nothing; an empty list means every change was written.
 */
export function writeChanges(root: string, changes: readonly FileChange[], hooks: WriteHooks = {}): WriteRefusal[] {
  const realRoot = realpathSync(root);
  const refusals: WriteRefusal[] = [];
  const prepared: Prepared[] = [];
  const targets = new Set<string>();
  for (const change of changes) {
    if (targets.has(change.file)) {
      refusals.push({ file: change.file, reason: `${change.file}: two changes to one file` });
      continue;
    }
    targets.add(change.file);
    const checked = prepare(realRoot, change);
    if ('reason' in checked) refusals.push({ file: change.file, reason: checked.reason });
    else prepared.push(checked);
  }
  if (refusals.length > 0) return refusals;

  const done: Prepared[] = [];
  for (const item of prepared) {
    try {
      hooks.beforeWrite?.(item.change.file);
      if (item.change.action === 'delete') rmSync(item.target);
      else writeFileAtomic(item.target, bytesOf(item.change, item.change.after));
      done.push(item);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return [
        { file: item.change.file, reason: `${item.change.file}: ${message}; every file of this run was put back, nothing was written` },
        ...rollBack(done),
      ];
    }
  }
  return [];
}

/** Undoes written changes, newest first; returns the files that could not be put back (with why). */
function rollBack(done: readonly Prepared[]): WriteRefusal[] {
  const failures: WriteRefusal[] = [];
  for (const item of [...done].reverse()) {
    try {
      if (item.original === null) rmSync(item.target, { force: true });
      else writeFileAtomic(item.target, item.original.bytes, { mode: item.original.mode });
    } catch (error) {
      failures.push({ file: item.change.file, reason: `${item.change.file}: could not be put back (${error instanceof Error ? error.message : String(error)}): restore it from version control` });
    }
  }
  return failures;
}

/** Whether `path` is below `root` (a name starting with `..`, such as `..data`, is below it). */
function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** Checks one change against the disk; what it takes to undo it, or why it must not be written. */
function prepare(realRoot: string, change: FileChange): Prepared | { reason: string } {
  const parts = change.file.split('/');
  if (isAbsolute(change.file) || parts.some((part) => part === '' || part === '.' || part === '..' || part.includes('\0'))) {
    return { reason: `${change.file}: not a plain path inside the scanned root` };
  }
  const long = parts.find((part) => Buffer.byteLength(part) > nameMax);
  if (long !== undefined) return { reason: `${change.file}: the name ${long.slice(0, 40)}… is longer than ${nameMax} bytes` };
  const target = join(realRoot, ...parts);
  if (Buffer.byteLength(target) > pathMax) return { reason: `${change.file}: the path is longer than ${pathMax} bytes` };
  if (!inside(realRoot, target)) return { reason: `${change.file}: outside the scanned root` };

  // Every folder on the way: present, a real folder (not a link, dangling or not), and the last one writable.
  let folder = realRoot;
  for (const part of parts.slice(0, -1)) {
    folder = join(folder, part);
    let stat: Stats;
    try {
      stat = lstatSync(folder);
    } catch {
      return { reason: `${change.file}: its folder ${relative(realRoot, folder)} does not exist` };
    }
    if (stat.isSymbolicLink()) {
      let resolved: string | null = null;
      try {
        resolved = realpathSync(folder);
      } catch {
        resolved = null;
      }
      if (resolved !== null && !inside(realRoot, resolved)) return { reason: `${change.file}: its folder resolves outside the scanned root` };
      return { reason: `${change.file}: ${relative(realRoot, folder)} is a symbolic link; pod2wi does not write through links` };
    }
    if (!stat.isDirectory()) return { reason: `${change.file}: ${relative(realRoot, folder)} is not a folder` };
  }
  try {
    accessSync(folder, constants.W_OK | constants.X_OK);
  } catch {
    return { reason: `${change.file}: its folder is not writable` };
  }

  let stat: Stats | null;
  try {
    stat = lstatSync(target);
  } catch {
    stat = null;
  }
  if (stat?.isSymbolicLink()) return { reason: `${change.file}: is a symbolic link${existsSync(target) ? '' : ' (dangling)'}; pod2wi does not write through links` };
  if (change.action === 'create') {
    return stat ? { reason: `${change.file}: already exists` } : { change, target, original: null };
  }
  if (!stat) return { reason: `${change.file}: no longer exists` };
  if (!stat.isFile()) return { reason: `${change.file}: not a regular file` };
  const expected = bytesOf(change, change.before);
  const read = readRegularFile(target, { maxBytes: expected.length, noFollow: true, checkFilesystem: false });
  if (!read.ok && read.reason !== 'too-large') return { reason: `${change.file}: ${read.detail}` };
  if (!read.ok || !read.bytes.equals(expected)) return { reason: `${change.file}: changed on disk since it was scanned` };
  return { change, target, original: { bytes: read.bytes, mode: stat.mode & 0o7777 } };
}
