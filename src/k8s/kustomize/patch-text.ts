import { LineIndex } from '../line-index.js';
import type { Origin, RNode, SourceKind } from '../rendered.js';
import { readTree, type OutputMap, type TreeFile } from '../yaml-tree.js';

/**
 * Patch text written inline in a kustomization (`patch: |-` and its kin) read with origins in the kustomization file:
 * for a literal block (`|`, `|-`, `|+`), a single-line quoted string without escapes, or a single-line plain scalar,
 * every offset of the value maps back to the file, so nodes of the patch point at the very line and column (and
 * bytes) they were written at. Any other form (folded `>`, escapes) gives every node the origin of the `patch:` value
 * with no span. Kustomize trims the patch text before parsing; offsets account for it.
 */

interface LineMap {
  /** Offset of each value line's start in the value. */
  readonly valueStarts: readonly number[];
  /** Offset in the file of each value line's first character. */
  readonly fileStarts: readonly number[];
}

function literalBlock(fileText: string, start: number, end: number, value: string): LineMap | null {
  const header = /^\|([+-]?)([1-9]?)([+-]?)[ \t]*(#[^\n]*)?\r?\n/.exec(fileText.slice(start, end));
  if (!header) return null;
  const explicit = header[2] ? Number(header[2]) : null;
  const contentStart = start + header[0].length;
  const lines: { start: number; text: string }[] = [];
  let cursor = contentStart;
  while (cursor < end) {
    const newline = fileText.indexOf('\n', cursor);
    const lineEnd = newline < 0 || newline >= end ? end : newline;
    lines.push({ start: cursor, text: fileText.slice(cursor, lineEnd).replace(/\r$/, '') });
    cursor = lineEnd + 1;
  }
  const firstContent = lines.find((line) => line.text.trim() !== '');
  if (!firstContent) return null;
  const parentIndent = (() => {
    const lineStart = fileText.lastIndexOf('\n', start - 1) + 1;
    return /^[ ]*/.exec(fileText.slice(lineStart, start))?.[0].length ?? 0;
  })();
  const indent = explicit !== null ? parentIndent + explicit : (/^[ ]*/.exec(firstContent.text)?.[0].length ?? 0);
  const valueStarts: number[] = [];
  const fileStarts: number[] = [];
  const pieces: string[] = [];
  let offset = 0;
  for (const line of lines) {
    const body = line.text.length >= indent ? line.text.slice(indent) : '';
    if (line.text.trim() !== '' && !line.text.startsWith(' '.repeat(indent))) break;
    valueStarts.push(offset);
    fileStarts.push(line.start + Math.min(indent, line.text.length));
    pieces.push(body);
    offset += body.length + 1;
  }
  const rebuilt = pieces.join('\n');
  // Chomping only changes trailing newlines; the trimmed texts must agree.
  if (rebuilt.trim() !== value.trim()) return null;
  return { valueStarts, fileStarts };
}

function singleLine(fileText: string, start: number, end: number, value: string): LineMap | null {
  const raw = fileText.slice(start, end);
  if (raw.includes('\n')) return null;
  if ((raw.startsWith("'") && raw.endsWith("'")) || (raw.startsWith('"') && raw.endsWith('"'))) {
    const inner = raw.slice(1, -1);
    if (inner !== value || inner.includes('\\') || inner.includes("''")) return null;
    return { valueStarts: [0], fileStarts: [start + 1] };
  }
  return raw === value ? { valueStarts: [0], fileStarts: [start] } : null;
}

/** The inline patch text (trimmed as kustomize trims it) and, when exact, how its offsets map into the file. */
export function inlineSource(fileText: string | null, node: RNode, value: string): { text: string; lines: LineMap | null; lead: number } {
  const lead = value.length - value.trimStart().length;
  const text = value.trim();
  const span = node.origin.span;
  if (fileText === null || span === null) return { text, lines: null, lead };
  const lines = literalBlock(fileText, span[0], span[1], value) ?? singleLine(fileText, span[0], span[1], value);
  return { text, lines, lead };
}

/** Reads patch text with origins: in its own file, or mapped into the kustomization file when inline. */
export function readPatchTree(options: {
  readonly source: SourceKind;
  /** The file the text is in (the patch file, or the kustomization for inline text). */
  readonly file: string;
  readonly text: string;
  /** For inline text: the text of the kustomization file, the `patch:` node and its value. */
  readonly inline?: { readonly fileText: string | null; readonly node: RNode; readonly value: string };
}): TreeFile {
  if (!options.inline) return readTree(options.file, options.text, { source: options.source });
  const { fileText, node, value } = options.inline;
  const { text, lines, lead } = inlineSource(fileText, node, value);
  const fallback: Origin = { ...node.origin, source: options.source, span: null, via: 'inline patch' };
  const index = fileText === null ? null : new LineIndex(fileText);
  const toFile = (offset: number): number | null => {
    if (!lines) return null;
    const valueOffset = offset + lead;
    let lo = 0;
    let hi = lines.valueStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((lines.valueStarts[mid] ?? 0) <= valueOffset) lo = mid;
      else hi = mid - 1;
    }
    return (lines.fileStarts[lo] ?? 0) + valueOffset - (lines.valueStarts[lo] ?? 0);
  };
  const map: OutputMap = {
    originOf(start, end) {
      const fileStart = toFile(start);
      const fileEnd = toFile(end);
      if (fileStart === null || fileEnd === null || !index) return fallback;
      return { source: options.source, file: options.file, ...index.position(fileStart), span: [fileStart, fileEnd] };
    },
    unknown: () => null,
  };
  return readTree(options.file, text, { source: options.source, map });
}
