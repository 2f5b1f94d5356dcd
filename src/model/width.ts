/** The widths text reports are laid out for, and how the CLI's options and environment choose one. */

/** The width of text that does not go to a terminal (files, pipes, CI logs). */
export const defaultWidth = 80;

/** The narrowest width pod2wi lays out for; below it a `--width` or COLUMNS value is raised to it. */
export const minimumWidth = 40;

/** What decides the width: an explicit `--width`, else COLUMNS, else the terminal's columns on a TTY, else 80. */
export interface WidthSource {
  readonly flag?: string | number | undefined;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly stream?: { readonly isTTY?: boolean; readonly columns?: number };
}

/**
 * The width to lay text out for. `--width N` wins, then the COLUMNS environment variable, then the terminal's own
 * width when the stream is a terminal; text going anywhere else (a file, a pipe) is laid out for 80 columns. Values
 * below {@link minimumWidth} are raised to it. Returns null for a `--width` that is not a whole number.
 */
export function resolveWidth(source: WidthSource): number | null {
  const parse = (value: string | number | undefined): number | null => {
    if (value === undefined) return null;
    const text = String(value).trim();
    if (!/^\d+$/.test(text)) return null;
    return Math.max(minimumWidth, Number(text));
  };
  if (source.flag !== undefined) return parse(source.flag);
  const fromEnv = parse(source.env?.COLUMNS);
  if (fromEnv !== null) return fromEnv;
  if (source.stream?.isTTY === true && typeof source.stream.columns === 'number' && source.stream.columns > 0) {
    return Math.max(minimumWidth, source.stream.columns);
  }
  return defaultWidth;
}
