/**
 * Trimming without regular expressions: `/x+$/` retries from every position of a long run that does not end the
 * text, which is quadratic on repository text shaped for it; these loops are linear.
 */

/** `text` without the characters of `set` at its end. */
export function stripTrailing(text: string, set: string): string {
  let end = text.length;
  while (end > 0 && set.includes(text.charAt(end - 1))) end--;
  return text.slice(0, end);
}

/** `text` without the characters of `set` at its start. */
export function stripLeading(text: string, set: string): string {
  let start = 0;
  while (start < text.length && set.includes(text.charAt(start))) start++;
  return text.slice(start);
}

/** `text` up to the first `separator` (all of it when there is none). */
export function before(text: string, separator: string): string {
  const at = text.indexOf(separator);
  return at < 0 ? text : text.slice(0, at);
}

/** `text` as a regular expression that matches it literally. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `12 errors`, `1 repository`: a count with its noun, in the plural unless the count is one. */
export function plural(count: number, noun: string, many = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : many}`;
}

/** The same with thousands grouped (`1,204 files`), for terminal text. */
export function groupedCount(count: number, noun: string): string {
  return `${count.toLocaleString('en-US')} ${noun}${count === 1 ? '' : 's'}`;
}
