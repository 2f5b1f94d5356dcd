import { sortEdits, type Edit } from './edit.js';

/**
 * Edits made one after the other, each against the text the previous ones left, expressed as one set of edits of the
 * original text: the report shows every change as a splice of the file as scanned, with why it was made.
 */

interface Placed {
  readonly edit: Edit;
  /** Where the edit's new text sits in the current text. */
  readonly start: number;
  readonly end: number;
}

/** Prior edits (original offsets) placed in the current text, in order. */
function place(prior: readonly Edit[]): Placed[] {
  let delta = 0;
  return sortEdits(prior).map((edit) => {
    const start = edit.start + delta;
    delta += edit.text.length - (edit.end - edit.start);
    return { edit, start, end: start + edit.text.length };
  });
}

/** A current offset outside every prior edit, in original offsets. */
function toOriginal(placed: readonly Placed[], offset: number): number {
  let delta = 0;
  for (const item of placed) {
    if (offset < item.start) break;
    delta += item.edit.text.length - (item.edit.end - item.edit.start);
  }
  return offset - delta;
}

/**
 * `prior`: edits of `original` (already applied, giving `current`); `next`: edits of `current`. Returns edits of
 * `original` giving the text both sets give. An edit that touches text a prior edit wrote is merged with it.
 */
export function composeEdits(original: string, current: string, prior: readonly Edit[], next: readonly Edit[]): Edit[] {
  let edits = [...prior];
  let text = current;
  // Last first: each edit leaves the offsets of the ones before it as they were.
  for (const edit of [...next].sort((a, b) => b.start - a.start || b.end - a.end)) {
    edits = composeOne(original, text, edits, edit);
    text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
  }
  return sortEdits(edits);
}

/** One edit of `current` composed onto the edits of `original` that gave it. */
function composeOne(original: string, current: string, prior: readonly Edit[], edit: Edit): Edit[] {
  const placed = place(prior);
  const involved = placed.filter((item) => item.start <= edit.end && edit.start <= item.end);
  if (involved.length === 0) {
    const start = toOriginal(placed, edit.start);
    const end = start + (edit.end - edit.start);
    return [...prior, { ...edit, start, end, expect: original.slice(start, end) }];
  }
  // The edit touches text a prior edit wrote: one edit covers both.
  const first = involved[0] as Placed;
  const last = involved[involved.length - 1] as Placed;
  const currentStart = Math.min(edit.start, first.start);
  const currentEnd = Math.max(edit.end, last.end);
  const start = edit.start < first.start ? toOriginal(placed, edit.start) : first.edit.start;
  const end = edit.end > last.end ? toOriginal(placed, edit.end) : last.edit.end;
  const text = current.slice(currentStart, edit.start) + edit.text + current.slice(edit.end, currentEnd);
  const why = [...new Set([...involved.map((item) => item.edit.why), edit.why])].join('; ');
  return [...prior.filter((item) => !involved.some((other) => other.edit === item)), { file: edit.file, start, end, expect: original.slice(start, end), text, why }];
}
