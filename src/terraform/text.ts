import type { LineIndex } from '../k8s/line-index.js';
import type { Origin, RNode, ScalarPart, Unknown } from '../k8s/rendered.js';
import { unknownClose, unknownOpen, type OutputMap } from '../k8s/yaml-tree.js';

/**
 * Text assembled from pieces with origins: the value of a template (an HCL string, a heredoc, a `templatefile`
 * template) as it will be rendered, where each character came from, and which parts pod2wi cannot know.
 */

/** A run of rendered text and where it came from. */
export interface TextPiece {
  readonly kind: 'text';
  readonly text: string;
  readonly origin: Origin;
  /** When the text is a verbatim copy of its file from this offset (character for character), else null. */
  readonly sourceStart: number | null;
  /** Line index of `origin.file`, to place offsets inside the piece. */
  readonly lines: LineIndex | null;
  /** Where the text lands in the template (the interpolation) when it was substituted from elsewhere. */
  readonly at?: Origin;
}

/** A value pod2wi cannot know, inside text. `block`: alone on its line (an included map or list). */
export interface UnknownPiece {
  readonly kind: 'unknown';
  readonly unknown: Unknown;
  readonly block: boolean;
  /** The interpolation in the template that produced it. */
  readonly at?: Origin;
}

export type Piece = TextPiece | UnknownPiece;

/** The pieces as one scalar: a string with parts when assembled, an unknown when any part is unknown. */
export function scalarOfPieces(pieces: readonly Piece[], origin: Origin): RNode {
  const parts: ScalarPart[] = [];
  let known = true;
  for (const piece of pieces) {
    if (piece.kind === 'unknown') {
      known = false;
      parts.push({ unknown: piece.unknown });
      continue;
    }
    const last = parts[parts.length - 1];
    if (piece.text === '') continue;
    if (last && 'text' in last && last.origin === piece.origin) parts[parts.length - 1] = { text: last.text + piece.text, origin: last.origin };
    else parts.push({ text: piece.text, origin: piece.origin });
  }
  if (!known) return { kind: 'unknown', parts, origin };
  const value = parts.map((part) => ('text' in part ? part.text : '')).join('');
  return parts.length > 1 ? { kind: 'scalar', value, origin, parts } : { kind: 'scalar', value, origin };
}

/** Rendered text with its map back to the sources, for readTree. */
export interface MappedText {
  readonly text: string;
  readonly map: OutputMap;
}

interface Placed {
  readonly start: number;
  readonly end: number;
  readonly piece: TextPiece | (TextPiece & { readonly unknownAt: Origin });
}

const quotes = /^["']+|["']+$/g;

/**
 * Joins pieces into text; unknowns become `\uE000n\uE001` tokens (as a `#` comment when alone on a line, so the YAML
 * reader attaches them to the enclosing map). The map places every output range in its source.
 */
export function mapPieces(pieces: readonly Piece[], fallback: Origin): MappedText {
  const unknowns: Unknown[] = [];
  const placed: Placed[] = [];
  let text = '';
  pieces.forEach((piece, index) => {
    if (piece.kind === 'text') {
      if (piece.text === '') return;
      placed.push({ start: text.length, end: text.length + piece.text.length, piece });
      text += piece.text;
      return;
    }
    const alone = piece.block && /(^|\n)[ \t]*$/.test(text) && startsLine(pieces, index + 1);
    const token = `${alone ? '#' : ''}${unknownOpen}${unknowns.length}${unknownClose}`;
    const at = piece.at ?? piece.unknown.origin;
    placed.push({ start: text.length, end: text.length + token.length, piece: { kind: 'text', text: token, origin: { ...at, span: null }, sourceStart: null, lines: null } });
    text += token;
    unknowns.push(piece.unknown);
  });
  const find = (offset: number): Placed | null => {
    let lo = 0;
    let hi = placed.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const item = placed[mid];
      if (!item) break;
      if (offset < item.start) hi = mid - 1;
      else if (offset >= item.end) lo = mid + 1;
      else return item;
    }
    return null;
  };
  const originOf = (start: number, end: number): Origin => {
    const inside = (from: number, to: number): Origin | null => {
      const item = find(from);
      if (!item || to > item.end) return null;
      const { piece } = item;
      if (piece.sourceStart !== null && piece.lines) {
        const source = piece.sourceStart + (from - item.start);
        const { line, column } = piece.lines.position(source);
        return { ...piece.origin, line, column, span: [source, source + (to - from)] };
      }
      if (from === item.start && to === item.end) return piece.origin;
      return { ...piece.origin, span: null };
    };
    const direct = inside(start, Math.max(start, end));
    if (direct) return direct;
    if (end <= start) return fallback;
    // A quoted YAML scalar around one substituted value: the value's own origin.
    const raw = text.slice(start, end);
    const lead = raw.length - raw.replace(/^["']+/, '').length;
    const trail = raw.length - raw.replace(/["']+$/, '').length;
    if (lead + trail > 0 && lead + trail < raw.length && raw.replace(quotes, '') !== raw) {
      const trimmed = inside(start + lead, end - trail);
      if (trimmed) return trimmed;
    }
    const first = find(start);
    return first ? { ...(first.piece.at ?? first.piece.origin), span: null, via: 'template' } : { ...fallback, span: null };
  };
  return { text, map: { originOf, unknown: (index) => unknowns[index] ?? null } };
}

function startsLine(pieces: readonly Piece[], from: number): boolean {
  for (let i = from; i < pieces.length; i++) {
    const piece = pieces[i];
    if (!piece) break;
    if (piece.kind === 'unknown') return false;
    if (piece.text === '') continue;
    return /^[ \t]*(\r?\n|$)/.test(piece.text);
  }
  return true;
}
