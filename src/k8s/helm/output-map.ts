import { LineIndex } from '../line-index.js';
import type { Condition, Origin, Unknown } from '../rendered.js';
import type { OutputMap } from '../yaml-tree.js';
import type { Output } from './gotemplate/exec.js';
import type { ActionRef, Segment, SegmentSource, UnknownTable } from './gotemplate/values.js';

/**
 * A template's output as text plus the map back to its sources: for any range of the text, the one source that
 * produced exactly it (a template literal, a values scalar, inside quotes or not) with its verbatim span, else the
 * action that computed it; the unknown behind each token; the branches taken around each offset, relative to the
 * document they are in.
 */

interface Chunk {
  readonly start: number;
  readonly end: number;
  readonly seg: Segment;
  readonly action: ActionRef | null;
}

/** The text of a rendered template, and how its offsets map back. */
export interface RenderedText {
  readonly text: string;
  readonly map: OutputMap;
  /** Branches taken around the first content of the document that holds `offset` (outermost first). */
  documentConditions(offset: number): readonly Condition[];
}

const noValue = '<no value>';

/** Helm's post-processing, on segments: "<no value>" removed; an unknown alone on its line written as a comment. */
function finalChunks(output: Output): { segs: Segment[]; actions: (ActionRef | null)[] } {
  const segs: Segment[] = [];
  const actions: (ActionRef | null)[] = [];
  output.chunks.forEach((seg, i) => {
    const action = output.actions[i] ?? null;
    if (!seg.text.includes(noValue)) {
      segs.push(seg);
      actions.push(action);
      return;
    }
    let cursor = 0;
    for (let at = seg.text.indexOf(noValue); at >= 0; at = seg.text.indexOf(noValue, cursor)) {
      if (at > cursor) {
        segs.push(slice(seg, cursor, at));
        actions.push(action);
      }
      cursor = at + noValue.length;
    }
    if (cursor < seg.text.length) {
      segs.push(slice(seg, cursor, seg.text.length));
      actions.push(action);
    }
  });
  // Unknowns alone on their line become comments (`#\uE000n\uE001`), which readTree attaches to the collection.
  const text = segs.map((seg) => seg.text).join('');
  const out: Segment[] = [];
  const outActions: (ActionRef | null)[] = [];
  let offset = 0;
  segs.forEach((seg, i) => {
    const start = offset;
    offset += seg.text.length;
    if (seg.src.k === 'unknown') {
      const lineStart = text.lastIndexOf('\n', start - 1) + 1;
      let lineEnd = text.indexOf('\n', offset);
      if (lineEnd < 0) lineEnd = text.length;
      if (text.slice(lineStart, start).trim() === '' && text.slice(offset, lineEnd).trim() === '') {
        out.push(seg.cond ? { text: '#', src: seg.src, cond: seg.cond } : { text: '#', src: seg.src });
        outActions.push(actions[i] ?? null);
      }
    }
    out.push(seg);
    outActions.push(actions[i] ?? null);
  });
  return { segs: out, actions: outActions };
}

function slice(seg: Segment, a: number, b: number): Segment {
  const src: SegmentSource = seg.src.k === 'file' ? { ...seg.src, start: seg.src.start + a, node: undefined } : seg.src;
  const clean: SegmentSource = src.k === 'file' && src.node === undefined ? withoutNode(src) : src;
  return seg.cond ? { text: seg.text.slice(a, b), src: clean, cond: seg.cond } : { text: seg.text.slice(a, b), src: clean };
}

function withoutNode(src: Extract<SegmentSource, { k: 'file' }>): SegmentSource {
  return src.path ? { k: 'file', source: src.source, file: src.file, start: src.start, path: src.path } : { k: 'file', source: src.source, file: src.file, start: src.start };
}

/** Builds the text and map of one template's output. */
export function renderedText(output: Output, unknowns: UnknownTable, lineIndex: (file: string) => LineIndex | null, fallback: Origin): RenderedText {
  const { segs, actions } = finalChunks(output);
  const chunks: Chunk[] = [];
  let offset = 0;
  segs.forEach((seg, i) => {
    chunks.push({ start: offset, end: offset + seg.text.length, seg, action: actions[i] ?? null });
    offset += seg.text.length;
  });
  const text = segs.map((seg) => seg.text).join('');

  const chunkAt = (pos: number): number => {
    let lo = 0;
    let hi = chunks.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const chunk = chunks[mid] as Chunk;
      if (chunk.start <= pos) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };

  const positionIn = (file: string, at: number): { line: number; column: number } => lineIndex(file)?.position(at) ?? { line: 1, column: 1 };

  const unknownOrigin = (index: number): Origin => unknowns.get(index)?.origin ?? fallback;

  /** The origin of [a, b) inside one chunk. */
  const pieceOrigin = (chunk: Chunk, a: number, b: number): Origin => {
    const src = chunk.seg.src;
    switch (src.k) {
      case 'file': {
        if (a === 0 && b === chunk.seg.text.length && src.node) return src.node;
        const start = src.start + a;
        const { line, column } = positionIn(src.file, start);
        const origin: Origin = { source: src.source, file: src.file, line, column, span: [start, src.start + b] };
        return src.path ? { ...origin, path: src.path } : origin;
      }
      case 'origin':
        return src.origin;
      case 'action':
        return src.at.template.actionOrigin(src.at.start, src.at.end);
      case 'unknown':
        return { ...unknownOrigin(src.index), span: null };
    }
  };

  const isLiteral = (chunk: Chunk) => chunk.seg.src.k === 'file' && chunk.seg.src.source === 'chart-template' && chunk.action === null;

  const originOf = (start: number, end: number): Origin => {
    const first = chunkAt(start);
    if (first < 0) return fallback;
    const pieces: { chunk: Chunk; a: number; b: number }[] = [];
    for (let i = first; i < chunks.length; i++) {
      const chunk = chunks[i] as Chunk;
      if (chunk.start >= end && pieces.length > 0) break;
      const a = Math.max(start, chunk.start) - chunk.start;
      const b = Math.min(end, chunk.end) - chunk.start;
      if (b > a || (start === end && pieces.length === 0)) pieces.push({ chunk, a, b: Math.max(a, b) });
      if (chunk.end >= end) break;
    }
    const only = pieces.length === 1 ? pieces[0] : undefined;
    if (only) return pieceOrigin(only.chunk, only.a, only.b);
    // Inside quotes: `"{{ .Values.x }}"` or `{{ .Values.x | quote }}` is the value.
    const open = text[start];
    if (end - start >= 2 && (open === '"' || open === "'") && text[end - 1] === open) {
      const inner = pieces.filter((piece) => piece.chunk.start + piece.b > start + 1 && piece.chunk.start + piece.a < end - 1);
      const single = inner.length === 1 ? inner[0] : undefined;
      if (single && single.chunk.start + Math.max(single.a, start + 1 - single.chunk.start) === start + 1 && single.chunk.start + Math.min(single.b, end - 1 - single.chunk.start) === end - 1) {
        const a = start + 1 - single.chunk.start;
        const b = end - 1 - single.chunk.start;
        if (a === 0 && b === single.chunk.seg.text.length) return pieceOrigin(single.chunk, a, b);
        return pieceOrigin(single.chunk, a, b);
      }
    }
    // Several sources: the innermost action that assembled the text (a printf in a helper), else the action that
    // printed it, never verbatim.
    const assembled = pieces.find((piece) => piece.chunk.seg.src.k === 'action');
    if (assembled && assembled.chunk.seg.src.k === 'action') {
      const at = assembled.chunk.seg.src.at;
      return { ...at.template.actionOrigin(at.start, at.end), span: null };
    }
    const computed = pieces.find((piece) => !isLiteral(piece.chunk));
    if (computed) {
      const action = computed.chunk.action;
      const origin = action ? action.template.actionOrigin(action.start, action.end) : pieceOrigin(computed.chunk, computed.a, computed.b);
      return { ...origin, span: null };
    }
    const head = pieces[0];
    return head ? { ...pieceOrigin(head.chunk, head.a, head.b), span: null } : fallback;
  };

  // Documents: lines starting with `---` (Helm splits manifests there too).
  const documentStarts: number[] = [0];
  for (let i = text.indexOf('---'); i >= 0; i = text.indexOf('---', i + 3)) {
    if ((i === 0 || text[i - 1] === '\n') && (i + 3 === text.length || /[\s]/.test(text[i + 3] ?? ''))) documentStarts.push(i);
  }
  const contentStart = (from: number): number => {
    let i = from;
    for (;;) {
      while (i < text.length && /\s/.test(text[i] ?? '')) i++;
      if (text.startsWith('---', i) && (i === 0 || text[i - 1] === '\n')) {
        i += 3;
        continue;
      }
      if (text[i] === '#') {
        const next = text.indexOf('\n', i);
        // A block unknown's comment is content.
        if (text[i + 1] === '\uE000') return i;
        i = next < 0 ? text.length : next + 1;
        continue;
      }
      return i;
    }
  };
  const condsAt = (pos: number): readonly Condition[] => {
    const index = chunkAt(Math.min(pos, Math.max(0, text.length - 1)));
    return index >= 0 ? ((chunks[index] as Chunk).seg.cond ?? []) : [];
  };
  const byDocument = new Map<number, readonly Condition[]>();
  const documentConditions = (pos: number): readonly Condition[] => {
    let lo = 0;
    let hi = documentStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((documentStarts[mid] ?? 0) <= pos) lo = mid;
      else hi = mid - 1;
    }
    const doc = documentStarts[lo] ?? 0;
    let found = byDocument.get(doc);
    if (!found) {
      found = condsAt(contentStart(doc));
      byDocument.set(doc, found);
    }
    return found;
  };
  const conditionsAt = (pos: number): readonly Condition[] => {
    const own = condsAt(pos);
    if (own.length === 0) return own;
    const outer = documentConditions(pos);
    let shared = 0;
    while (shared < outer.length && shared < own.length && outer[shared] === own[shared]) shared++;
    return own.slice(shared);
  };

  const map: OutputMap = {
    originOf,
    unknown: (index: number): Unknown | null => unknowns.get(index),
    conditionsAt,
  };
  return { text, map, documentConditions };
}
