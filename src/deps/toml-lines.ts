/**
 * Line numbers in a TOML document, which smol-toml does not give: where a table starts, where a key of a table is
 * written, and where a string inside a key's (possibly multi-line) value is. A line scan over headers and keys;
 * the values themselves always come from smol-toml.
 */

import { escapeRegExp } from '../model/text.js';

interface Header {
  readonly name: string;
  /** 0-based index among headers of the same name (the n-th `[[package]]`). */
  readonly occurrence: number;
  /** 1-based line of the header; 0 for the implicit root table. */
  readonly line: number;
  /** 1-based line where the table's body ends (inclusive). */
  end: number;
}

function normalizeTableName(raw: string): string {
  return raw
    .split('.')
    .map((part) => part.trim().replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1'))
    .join('.');
}

export class TomlLines {
  readonly #lines: readonly string[];
  readonly #headers: Header[] = [];

  constructor(text: string) {
    this.#lines = text.split(/\r?\n/);
    const counts = new Map<string, number>();
    let current: Header = { name: '', occurrence: 0, line: 0, end: this.#lines.length };
    this.#headers.push(current);
    let inMultiline = false;
    for (let i = 0; i < this.#lines.length; i++) {
      const line = this.#lines[i] ?? '';
      const quotes = (line.match(/"""|'''/g) ?? []).length;
      if (inMultiline) {
        if (quotes % 2 === 1) inMultiline = false;
        continue;
      }
      if (quotes % 2 === 1) {
        inMultiline = true;
        continue;
      }
      const match = /^\s*\[(\[)?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$/.exec(line);
      if (!match?.[2]) continue;
      current.end = i;
      const name = normalizeTableName(match[2]);
      const occurrence = counts.get(name) ?? 0;
      counts.set(name, occurrence + 1);
      current = { name, occurrence, line: i + 1, end: this.#lines.length };
      this.#headers.push(current);
    }
  }

  /** The 1-based line of a table header (the n-th for an array of tables); null when absent. */
  tableLine(table: string, occurrence = 0): number | null {
    return this.#header(table, occurrence)?.line ?? null;
  }

  #header(table: string, occurrence: number): Header | undefined {
    return this.#headers.find((header) => header.name === table && header.occurrence === occurrence);
  }

  /** The line where `key = ...` is written in a table; null when absent. */
  keyLine(table: string, key: string, occurrence = 0): number | null {
    const header = this.#header(table, occurrence);
    if (!header) return null;
    const escaped = escapeRegExp(key);
    const pattern = new RegExp(`^\\s*(?:${escaped}|"${escaped}"|'${escaped}')\\s*=`);
    for (let i = header.line; i < header.end; i++) if (pattern.test(this.#lines[i] ?? '')) return i + 1;
    return null;
  }

  /** The line of a string literal inside a key's value (e.g. one requirement of a multi-line array). */
  stringLine(table: string, key: string, literal: string, occurrence = 0): number | null {
    const start = this.keyLine(table, key, occurrence);
    const header = this.#header(table, occurrence);
    if (start === null || !header) return null;
    for (let i = start - 1; i < header.end; i++) {
      const line = this.#lines[i] ?? '';
      if (line.includes(`"${literal}"`) || line.includes(`'${literal}'`)) return i + 1;
    }
    return start;
  }

  /** Names of the tables present, in order (for `[tool.poetry.group.<g>.dependencies]`). */
  tables(): string[] {
    return this.#headers.map((header) => header.name);
  }
}
