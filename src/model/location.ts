/**
 * A place in the scanned repository. `file` is relative to the scan root with `/` separators;
 * `line` and `column` are 1-based. Every claim pod2wi makes carries one.
 */
export interface Location {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export function compareLocations(a: Location, b: Location): number {
  return compareStrings(a.file, b.file) || a.line - b.line || a.column - b.column;
}

/** `file:line`, the form terminals and editors turn into links. */
export function formatLocation(at: Location): string {
  return `${at.file}:${at.line}`;
}

/** Code-point order, independent of locale, so sorted output is byte-identical everywhere. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
