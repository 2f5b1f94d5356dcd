import { isPlainSafe } from '../../src/fix/file-model.js';

/**
 * Writes Kubernetes objects as YAML or JSON text with random formatting: block or flow maps, plain, single- or
 * double-quoted keys and values, 2/3/4-space indentation, indented or flush sequences, own-line and trailing
 * comments, blank lines, `---` and `...`, LF or CRLF, with or without a final line break. Deterministic per seed.
 */
export type Value = string | number | readonly Value[] | { readonly [key: string]: Value };
type MapValue = { readonly [key: string]: Value };

export interface Formatting {
  readonly indent: number;
  readonly seqIndent: boolean;
  readonly eol: '\n' | '\r\n';
  readonly finalNewline: boolean;
  /** Chance that a map (or list) is written in flow style. */
  readonly flow: number;
  readonly comments: number;
  readonly blanks: number;
  readonly quotes: number;
  readonly padded: boolean;
}

/** mulberry32: a small seeded generator, so a failing case replays from its seed. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const isMapValue = (value: Value): value is MapValue => typeof value === 'object' && !Array.isArray(value);

class Writer {
  readonly #rand: () => number;
  readonly #style: Formatting;

  constructor(rand: () => number, style: Formatting) {
    this.#rand = rand;
    this.#style = style;
  }

  chance(p: number): boolean {
    return this.#rand() < p;
  }

  key(key: string): string {
    const roll = this.#rand();
    if (roll < this.#style.quotes / 2) return JSON.stringify(key);
    if (roll < this.#style.quotes) return `'${key.replace(/'/g, "''")}'`;
    return isPlainSafe(key) ? key : JSON.stringify(key);
  }

  scalar(value: string | number): string {
    if (typeof value === 'number') return String(value);
    const roll = this.#rand();
    if (roll < this.#style.quotes / 2 || !isPlainSafe(value)) return JSON.stringify(value);
    if (roll < this.#style.quotes) return `'${value.replace(/'/g, "''")}'`;
    return value;
  }

  flow(value: Value): string {
    const pad = this.#style.padded ? ' ' : '';
    if (Array.isArray(value)) return `[${pad}${value.map((item) => this.flow(item)).join(', ')}${pad}]`;
    if (isMapValue(value)) {
      const entries = Object.entries(value);
      if (entries.length === 0) return '{}';
      return `{${pad}${entries.map(([key, item]) => `${this.key(key)}: ${this.flow(item)}`).join(', ')}${pad}}`;
    }
    return this.scalar(value as string | number);
  }

  trailing(): string {
    return this.chance(this.#style.comments) ? `   # note ${Math.floor(this.#rand() * 100)}` : '';
  }

  /** Lines of a block map at `column`; `bare` suppresses comments and blank lines before the first entry. */
  map(value: MapValue, column: number, bare: boolean): string[] {
    const lines: string[] = [];
    const pad = ' '.repeat(column);
    Object.entries(value).forEach(([key, item], index) => {
      if (!(bare && index === 0)) {
        if (this.chance(this.#style.blanks)) lines.push('');
        if (this.chance(this.#style.comments)) lines.push(`${pad}# about ${key}`);
      }
      const name = this.key(key);
      if (typeof item === 'string' || typeof item === 'number') {
        lines.push(`${pad}${name}: ${this.scalar(item)}${this.trailing()}`);
      } else if (isMapValue(item) && (Object.keys(item).length === 0 || this.chance(this.#style.flow))) {
        lines.push(`${pad}${name}: ${this.flow(item)}${this.trailing()}`);
      } else if (Array.isArray(item) && (item.length === 0 || this.chance(this.#style.flow))) {
        lines.push(`${pad}${name}: ${this.flow(item)}${this.trailing()}`);
      } else if (isMapValue(item)) {
        lines.push(`${pad}${name}:${this.chance(this.#style.comments / 2) ? ' # block' : ''}`);
        lines.push(...this.map(item, column + this.#style.indent, false));
      } else {
        lines.push(`${pad}${name}:`);
        lines.push(...this.seq(item as readonly Value[], column + (this.#style.seqIndent ? this.#style.indent : 0)));
      }
    });
    return lines;
  }

  seq(items: readonly Value[], column: number): string[] {
    const lines: string[] = [];
    const pad = ' '.repeat(column);
    for (const item of items) {
      if (isMapValue(item) && Object.keys(item).length > 0 && !this.chance(this.#style.flow / 2)) {
        const inner = this.map(item, column + 2, true);
        lines.push(`${pad}- ${(inner[0] ?? '').slice(column + 2)}`, ...inner.slice(1));
      } else if (Array.isArray(item) || isMapValue(item)) {
        lines.push(`${pad}- ${this.flow(item)}`);
      } else {
        lines.push(`${pad}- ${this.scalar(item as string | number)}${this.trailing()}`);
      }
    }
    return lines;
  }
}

/** Several objects as one YAML stream. */
export function writeYaml(docs: readonly MapValue[], seed: number, style: Formatting): string {
  const rand = random(seed);
  const writer = new Writer(rand, style);
  const lines: string[] = [];
  docs.forEach((doc, index) => {
    if (index > 0 || writer.chance(0.3)) {
      if (index > 0 && writer.chance(style.comments)) lines.push(`# document ${index}`);
      lines.push(writer.chance(0.2) ? '--- # next' : '---');
    } else if (writer.chance(style.comments)) {
      lines.push('# file header');
    }
    lines.push(...writer.map(doc, 0, true));
    if (writer.chance(0.15)) lines.push('...');
  });
  return lines.join(style.eol) + (style.finalNewline ? style.eol : '');
}

/** One object as JSON: pretty with `indent`, or on one line. */
export function writeJson(doc: MapValue, pretty: boolean, style: Formatting): string {
  const text = pretty ? JSON.stringify(doc, null, style.indent) : JSON.stringify(doc);
  return text.split('\n').join(style.eol) + (style.finalNewline ? style.eol : '');
}
