/**
 * JSON with positions. `JSON.parse` is the parser; this scanner answers what it cannot: the offset of a key (for the
 * line a dependency is written on) and the offset of a syntax error when V8's message carries none.
 */

interface Trie {
  readonly children: Map<string, Trie>;
  target: string | null;
}

/** Thrown to stop scanning once every requested path is found. */
class AllFound extends Error {}

class JsonSyntaxError extends Error {
  readonly offset: number;
  constructor(offset: number, message: string) {
    super(message);
    this.offset = offset;
  }
}

class Scanner {
  readonly #text: string;
  #i = 0;
  readonly #found: Map<string, number>;
  readonly #wanted: number;

  constructor(text: string, found: Map<string, number>, wanted = Number.POSITIVE_INFINITY) {
    this.#text = text;
    this.#found = found;
    this.#wanted = wanted;
  }

  #record(target: string, offset: number): void {
    if (this.#found.has(target)) return;
    this.#found.set(target, offset);
    if (this.#found.size >= this.#wanted) throw new AllFound();
  }

  document(trie: Trie | null): void {
    this.#ws();
    this.#value(trie);
    this.#ws();
    if (this.#i < this.#text.length) throw new JsonSyntaxError(this.#i, 'unexpected text after the JSON value');
  }

  #ws(): void {
    const text = this.#text;
    while (this.#i < text.length) {
      const c = text.charCodeAt(this.#i);
      if (c === 32 || c === 10 || c === 13 || c === 9) this.#i++;
      else break;
    }
  }

  #value(trie: Trie | null): void {
    const c = this.#text.charAt(this.#i);
    if (c === '{') this.#object(trie);
    else if (c === '[') this.#array(trie);
    else if (c === '"') this.#string();
    else if (c === 't') this.#literal('true');
    else if (c === 'f') this.#literal('false');
    else if (c === 'n') this.#literal('null');
    else this.#number();
  }

  #literal(word: string): void {
    if (!this.#text.startsWith(word, this.#i)) throw new JsonSyntaxError(this.#i, `expected ${word}`);
    this.#i += word.length;
  }

  #number(): void {
    const match = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    match.lastIndex = this.#i;
    const result = match.exec(this.#text);
    if (!result || result[0].length === 0) {
      throw new JsonSyntaxError(this.#i, this.#i >= this.#text.length ? 'unexpected end of JSON' : `unexpected character ${JSON.stringify(this.#text.charAt(this.#i))}`);
    }
    this.#i += result[0].length;
  }

  /** Reads a string and returns its value. */
  #string(): string {
    const text = this.#text;
    const start = this.#i;
    this.#i++;
    let escaped = false;
    while (this.#i < text.length) {
      const c = text.charCodeAt(this.#i);
      if (c === 34) {
        this.#i++;
        const raw = text.slice(start, this.#i);
        if (!escaped) return raw.slice(1, -1);
        try {
          return JSON.parse(raw) as string;
        } catch {
          throw new JsonSyntaxError(start, 'invalid escape in string');
        }
      }
      if (c === 92) {
        escaped = true;
        this.#i += 2;
        continue;
      }
      if (c < 32) throw new JsonSyntaxError(this.#i, 'control character in string');
      this.#i++;
    }
    throw new JsonSyntaxError(start, 'unterminated string');
  }

  #object(trie: Trie | null): void {
    this.#i++;
    this.#ws();
    if (this.#text.charAt(this.#i) === '}') {
      this.#i++;
      return;
    }
    for (;;) {
      this.#ws();
      if (this.#text.charAt(this.#i) !== '"') throw new JsonSyntaxError(this.#i, 'expected a property name');
      const keyAt = this.#i;
      const key = this.#string();
      const child = trie?.children.get(key) ?? null;
      if (child?.target !== null && child?.target !== undefined) this.#record(child.target, keyAt);
      this.#ws();
      if (this.#text.charAt(this.#i) !== ':') throw new JsonSyntaxError(this.#i, "expected ':' after a property name");
      this.#i++;
      this.#ws();
      this.#value(child);
      this.#ws();
      const next = this.#text.charAt(this.#i);
      this.#i++;
      if (next === '}') return;
      if (next !== ',') throw new JsonSyntaxError(this.#i - 1, "expected ',' or '}'");
    }
  }

  #array(trie: Trie | null): void {
    this.#i++;
    this.#ws();
    if (this.#text.charAt(this.#i) === ']') {
      this.#i++;
      return;
    }
    for (let index = 0; ; index++) {
      this.#ws();
      const child = trie?.children.get(String(index)) ?? null;
      if (child?.target !== null && child?.target !== undefined) this.#record(child.target, this.#i);
      this.#value(child);
      this.#ws();
      const next = this.#text.charAt(this.#i);
      this.#i++;
      if (next === ']') return;
      if (next !== ',') throw new JsonSyntaxError(this.#i - 1, "expected ',' or ']'");
    }
  }
}

/** The key under which `locateJson` reports a path. */
export function jsonPathKey(path: readonly string[]): string {
  return path.join('\u0000');
}

/**
 * Offsets of the given paths (object keys, or array indexes as strings) in one pass over the text: for an object
 * member the offset of its key, for an array element the offset of the element. Paths not in the text are absent.
 */
export function locateJson(text: string, paths: readonly (readonly string[])[]): Map<string, number> {
  const root: Trie = { children: new Map(), target: null };
  for (const path of paths) {
    let node = root;
    for (const part of path) {
      let next = node.children.get(part);
      if (!next) {
        next = { children: new Map(), target: null };
        node.children.set(part, next);
      }
      node = next;
    }
    node.target = jsonPathKey(path);
  }
  const found = new Map<string, number>();
  const wanted = new Set(paths.map(jsonPathKey)).size;
  if (wanted === 0) return found;
  try {
    new Scanner(text, found, wanted).document(root);
  } catch {
    // Every path found (AllFound), or text JSON.parse did not accept: positions found so far are right either way.
  }
  return found;
}

/** Parses JSON; on failure returns the offset and message of the first error. */
export function parseJsonText(text: string): { ok: true; value: unknown } | { ok: false; offset: number; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const message = (error as Error).message;
    try {
      new Scanner(text, new Map()).document(null);
    } catch (syntax) {
      if (syntax instanceof JsonSyntaxError) return { ok: false, offset: syntax.offset, message: syntax.message };
    }
    const position = /position (\d+)/.exec(message);
    return { ok: false, offset: position ? Number(position[1]) : 0, message };
  }
}
