/**
 * Line wrapping for the terminal reports. Text breaks only at spaces, so a token (a path, a `file:line`, a template
 * expression without spaces) is never cut: a token wider than the line stands on a line of its own and overflows it.
 * Widths count visible characters: ANSI colour sequences take no room.
 */

export { defaultWidth, minimumWidth, resolveWidth, type WidthSource } from '../model/width.js';
import { defaultWidth } from '../model/width.js';

// eslint-disable-next-line no-control-regex
const ansi = /\u001b\[[0-9;]*m/g;

/** Characters a terminal shows for `text`: ANSI colour sequences are not counted. */
export function visibleLength(text: string): number {
  return text.replace(ansi, '').length;
}

/**
 * `text` broken at spaces into lines no wider than `width` (visible characters): the first line starts with
 * `first`, the others with `rest`. Spaces inside a line are kept as written; the spaces at a break are dropped. A
 * token that does not fit on an empty line is put on a line of its own, whole; when the first token does not fit after
 * a label in `first`, the label stands on its own line. Newlines in `text` start new lines.
 */
export function wrap(text: string, width: number, first = '', rest = first): string[] {
  const lines: string[] = [];
  for (const [index, paragraph] of text.split('\n').entries()) {
    lines.push(...wrapParagraph(paragraph, width, index === 0 ? first : rest, rest));
  }
  return lines;
}

function wrapParagraph(text: string, width: number, first: string, rest: string): string[] {
  const lines: string[] = [];
  // Pieces alternate: token, spaces, token, spaces, ...; leading spaces stay with the first token.
  const pieces = text.split(/( +)/);
  let line = first;
  let lineHasToken = false;
  let pendingSpaces = '';
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i] ?? '';
    if (i % 2 === 1) {
      pendingSpaces = piece;
      continue;
    }
    if (piece === '') {
      // A leading run of spaces (empty first token) is kept as indentation.
      if (i === 0 && pieces.length > 1) {
        line += pieces[1] ?? '';
        i++;
      }
      continue;
    }
    if (!lineHasToken) {
      // A label before the text (`pod identity   `) stands alone when the first token would overflow after it.
      if (line.trim() !== '' && visibleLength(line) + visibleLength(piece) > width) {
        lines.push(line.trimEnd());
        line = rest;
      }
      line += piece;
      lineHasToken = true;
    } else if (visibleLength(line) + pendingSpaces.length + visibleLength(piece) <= width) {
      line += pendingSpaces + piece;
    } else {
      lines.push(line);
      line = rest + piece;
    }
    pendingSpaces = '';
  }
  lines.push(line);
  return lines;
}

/**
 * Lines that end with a location: `text` wrapped as by {@link wrap}, then `location` right-aligned on its last line
 * when it fits there with two spaces before it, else on a line of its own (right-aligned, or after `rest` when even
 * that is too narrow). `location` is never broken.
 */
export function wrapWithLocation(text: string, location: string | null, width: number, first = '', rest = first): string[] {
  const lines = wrap(text, width, first, rest);
  if (location === null || location === '') return lines;
  const last = lines[lines.length - 1] ?? '';
  const room = width - visibleLength(last) - visibleLength(location);
  if (room >= 2) {
    lines[lines.length - 1] = `${last}${' '.repeat(room)}${location}`;
    return lines;
  }
  const own = width - visibleLength(location);
  lines.push(own >= visibleLength(rest) ? `${' '.repeat(own)}${location}` : `${rest}${location}`);
  return lines;
}
