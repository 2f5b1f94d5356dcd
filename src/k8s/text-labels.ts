import type { Location } from '../model/location.js';
import { LineIndex } from './line-index.js';

/** A literal `aadpodidbinding` found by reading text, when no parser could place it. */
export interface TextLabel {
  readonly at: Location;
  readonly value: string;
}

const labelLine = /(["']?)aadpodidbinding\1\s*[:=]\s*(.*)$/;

/**
 * The lines of `text` (between `start` and `end`) that set aadpodidbinding, as a textual fallback for content no
 * parser could read (a template that is not YAML, a shell heredoc). Comment lines are skipped.
 */
export function findTextLabels(file: string, text: string, start = 0, end = text.length): TextLabel[] {
  const index = new LineIndex(text);
  const found: TextLabel[] = [];
  let offset = text.indexOf('aadpodidbinding', start);
  while (offset >= 0 && offset < end) {
    const lineStart = index.lineStart(index.line(offset));
    const lineEnd = text.indexOf('\n', offset);
    const line = text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd).replace(/\r$/, '');
    const match = labelLine.exec(line);
    if (match && !/^\s*(#|\/\/)/.test(line)) {
      const value = (match[2] ?? '').replace(/\s+#.*$/, '').trim().replace(/^(["'])(.*)\1$/, '$2');
      found.push({ at: { file, ...index.position(lineStart + (match.index ?? 0)) }, value });
    }
    offset = text.indexOf('aadpodidbinding', lineEnd < 0 ? text.length : lineEnd);
  }
  return found;
}
