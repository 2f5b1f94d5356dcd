import { lstatSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { writeFileAtomic } from '../io/atomic-write.js';

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
  readonly edits: readonly Edit[];
}

/** Why one file was not written; the others still are. */
export interface WriteRefusal {
  readonly file: string;
  readonly reason: string;
}

/**
 * The single writer of `pod2wi fix`. Every change was applied and verified by the planner (re-parsed, the intended
 * semantic change checked); here each file is checked again against the disk and the root before it is touched:
 * - the path resolves (through real paths) inside the scanned root; symlinks are never written through;
 * - the file on disk still holds exactly the text that was scanned (no one edited it since);
 * - writes are atomic (temporary file + rename) and keep the file mode; the BOM is restored;
 * - a file left empty is deleted.
 * Returns the files refused, with why; nothing is written for them.
 */
export function writeChanges(root: string, changes: readonly FileChange[]): WriteRefusal[] {
  const refusals: WriteRefusal[] = [];
  const realRoot = realpathSync(root);
  for (const change of changes) {
    const problem = checkTarget(realRoot, change);
    if (problem) {
      refusals.push({ file: change.file, reason: problem });
      continue;
    }
    const target = join(realRoot, ...change.file.split('/'));
    if (change.action === 'delete') {
      rmSync(target);
      continue;
    }
    writeFileAtomic(target, `${change.bom ? '\ufeff' : ''}${change.after}`);
  }
  return refusals;
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/** Why a change must not be written, or null when it may. */
function checkTarget(realRoot: string, change: FileChange): string | null {
  if (change.file.split('/').some((part) => part === '..' || part === '') || isAbsolute(change.file)) {
    return `${change.file}: not a plain path inside the scanned root`;
  }
  const target = join(realRoot, ...change.file.split('/'));
  if (!inside(realRoot, target)) return `${change.file}: outside the scanned root`;
  let parent: string;
  try {
    parent = realpathSync(dirname(target));
  } catch {
    return `${change.file}: its folder does not exist`;
  }
  if (parent !== realRoot && !inside(realRoot, parent)) return `${change.file}: its folder resolves outside the scanned root`;
  let stat: ReturnType<typeof lstatSync> | null = null;
  try {
    stat = lstatSync(target);
  } catch {
    stat = null;
  }
  if (change.action === 'create') {
    return stat ? `${change.file}: already exists` : null;
  }
  if (!stat) return `${change.file}: no longer exists`;
  if (stat.isSymbolicLink()) return `${change.file}: is a symbolic link; pod2wi does not write through links`;
  if (!stat.isFile()) return `${change.file}: not a regular file`;
  const current = readFileSync(target, 'utf8');
  const expected = `${change.bom ? '\ufeff' : ''}${change.before}`;
  if (current !== expected) return `${change.file}: changed on disk since it was scanned`;
  return null;
}
