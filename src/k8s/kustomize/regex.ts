/**
 * Regular expressions written in kustomization files (target selectors, image names, replacement paths) are Go RE2
 * syntax and must run in linear time on repository text. This module compiles the RE2 subset such patterns use
 * (literals, `.`, classes, `\d\w\s`, groups, `|`, `* + ? {n,m}`, `^ $`, a leading `(?i)`) to a Thompson NFA and
 * simulates it: time is O(pattern × text), never exponential. Anything else is refused with a reason.
 */

/** A compiled pattern: `test` says whether it matches anywhere in the text (Go's `MatchString`). */
export interface LinearRegex {
  readonly source: string;
  test(text: string): boolean;
}

export type RegexResult = { readonly regex: LinearRegex } | { readonly error: string };

type CharTest = (code: number) => boolean;

type Node =
  | { readonly t: 'char'; readonly test: CharTest }
  | { readonly t: 'empty' }
  | { readonly t: 'bol' }
  | { readonly t: 'eol' }
  | { readonly t: 'cat'; readonly items: readonly Node[] }
  | { readonly t: 'alt'; readonly items: readonly Node[] }
  | { readonly t: 'rep'; readonly item: Node; readonly min: number; readonly max: number };

const maxRepeat = 1000;
const maxStates = 20_000;

class ParseError extends Error {}

class Parser {
  #i = 0;
  readonly #s: string;
  #fold = false;

  constructor(source: string) {
    this.#s = source;
  }

  parse(): Node {
    if (this.#s.startsWith('(?i)')) {
      this.#fold = true;
      this.#i = 4;
    }
    const node = this.#alt();
    if (this.#i < this.#s.length) throw new ParseError(`unexpected ${JSON.stringify(this.#s[this.#i])} at ${this.#i}`);
    return node;
  }

  #peek(): string | undefined {
    return this.#s[this.#i];
  }

  #alt(): Node {
    const items = [this.#cat()];
    while (this.#peek() === '|') {
      this.#i++;
      items.push(this.#cat());
    }
    return items.length === 1 ? (items[0] ?? { t: 'empty' }) : { t: 'alt', items };
  }

  #cat(): Node {
    const items: Node[] = [];
    for (;;) {
      const c = this.#peek();
      if (c === undefined || c === '|' || c === ')') break;
      items.push(this.#repeat(this.#atom()));
    }
    return items.length === 1 ? (items[0] ?? { t: 'empty' }) : { t: 'cat', items };
  }

  #repeat(atom: Node): Node {
    let node = atom;
    for (;;) {
      const c = this.#peek();
      let min: number;
      let max: number;
      if (c === '*') [min, max] = [0, Infinity];
      else if (c === '+') [min, max] = [1, Infinity];
      else if (c === '?') [min, max] = [0, 1];
      else if (c === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.#s.slice(this.#i));
        if (!m) return node;
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
        if (min > maxRepeat || (max !== Infinity && max > maxRepeat) || max < min) throw new ParseError(`bad repeat count ${m[0]}`);
        this.#i += m[0].length - 1;
      } else return node;
      this.#i++;
      if (this.#peek() === '?') this.#i++; // lazy: the same language
      if (node.t === 'bol' || node.t === 'eol') throw new ParseError('repeated anchor');
      node = { t: 'rep', item: node, min, max };
    }
  }

  #atom(): Node {
    const c = this.#s[this.#i++];
    switch (c) {
      case '(': {
        if (this.#s.startsWith('?:', this.#i)) this.#i += 2;
        else if (this.#s.startsWith('?P<', this.#i) || this.#s.startsWith('?<', this.#i)) {
          const close = this.#s.indexOf('>', this.#i);
          if (close < 0) throw new ParseError('unterminated group name');
          this.#i = close + 1;
        } else if (this.#peek() === '?') throw new ParseError('unsupported group flags');
        const inner = this.#alt();
        if (this.#s[this.#i++] !== ')') throw new ParseError('missing )');
        return inner;
      }
      case '.':
        return { t: 'char', test: (code) => code !== 10 };
      case '^':
        return { t: 'bol' };
      case '$':
        return { t: 'eol' };
      case '[':
        return { t: 'char', test: this.#class() };
      case '\\':
        return { t: 'char', test: this.#escape(false) };
      case '*':
      case '+':
      case '?':
      case ')':
        throw new ParseError(`missing argument to repetition operator ${c}`);
      case undefined:
        throw new ParseError('unexpected end');
      default:
        return { t: 'char', test: this.#literal(c.codePointAt(0) ?? 0) };
    }
  }

  #literal(code: number): CharTest {
    if (!this.#fold) return (x) => x === code;
    const lower = String.fromCodePoint(code).toLowerCase();
    return (x) => String.fromCodePoint(x).toLowerCase() === lower;
  }

  #escape(inClass: boolean): CharTest {
    const c = this.#s[this.#i++];
    switch (c) {
      case 'd':
        return (x) => x >= 48 && x <= 57;
      case 'D':
        return (x) => !(x >= 48 && x <= 57);
      case 'w':
        return isWord;
      case 'W':
        return (x) => !isWord(x);
      case 's':
        return isSpace;
      case 'S':
        return (x) => !isSpace(x);
      case 't':
        return (x) => x === 9;
      case 'n':
        return (x) => x === 10;
      case 'r':
        return (x) => x === 13;
      case 'f':
        return (x) => x === 12;
      case 'v':
        return (x) => x === 11;
      case undefined:
        throw new ParseError('trailing backslash');
      default:
        if (/[A-Za-z0-9]/.test(c)) throw new ParseError(`unsupported escape \\${c}${inClass ? ' in a class' : ''}`);
        return this.#literal(c.codePointAt(0) ?? 0);
    }
  }

  #class(): CharTest {
    let negate = false;
    if (this.#peek() === '^') {
      negate = true;
      this.#i++;
    }
    const tests: CharTest[] = [];
    let first = true;
    for (;;) {
      const c = this.#peek();
      if (c === undefined) throw new ParseError('missing ]');
      if (c === ']' && !first) {
        this.#i++;
        break;
      }
      first = false;
      if (this.#s.startsWith('[:', this.#i)) {
        const close = this.#s.indexOf(':]', this.#i);
        const name = close < 0 ? '' : this.#s.slice(this.#i + 2, close);
        const named = posixClasses[name];
        if (!named) throw new ParseError(`unsupported class [:${name}:]`);
        tests.push(named);
        this.#i = close + 2;
        continue;
      }
      let low: number;
      if (c === '\\') {
        this.#i++;
        const esc = this.#peek();
        if (esc !== undefined && 'dDwWsS'.includes(esc)) {
          tests.push(this.#escape(true));
          continue;
        }
        this.#i++;
        low = esc === 't' ? 9 : esc === 'n' ? 10 : esc === 'r' ? 13 : (esc?.codePointAt(0) ?? 0);
      } else {
        low = c.codePointAt(0) ?? 0;
        this.#i += c.length;
      }
      if (this.#peek() === '-' && this.#s[this.#i + 1] !== ']' && this.#s[this.#i + 1] !== undefined) {
        this.#i++;
        let high: number;
        if (this.#peek() === '\\') {
          this.#i++;
          high = this.#s.codePointAt(this.#i) ?? 0;
          this.#i++;
        } else {
          high = this.#s.codePointAt(this.#i) ?? 0;
          this.#i += String.fromCodePoint(high).length;
        }
        if (high < low) throw new ParseError('bad range in class');
        const [a, b] = [low, high];
        tests.push(this.#fold ? (x) => inRangeFolded(x, a, b) : (x) => x >= a && x <= b);
      } else {
        tests.push(this.#literal(low));
      }
    }
    return negate ? (x) => !tests.some((t) => t(x)) : (x) => tests.some((t) => t(x));
  }
}

function inRangeFolded(x: number, a: number, b: number): boolean {
  if (x >= a && x <= b) return true;
  const s = String.fromCodePoint(x);
  const other = s === s.toLowerCase() ? s.toUpperCase() : s.toLowerCase();
  const code = other.codePointAt(0) ?? x;
  return code >= a && code <= b;
}

function isWord(x: number): boolean {
  return (x >= 48 && x <= 57) || (x >= 65 && x <= 90) || (x >= 97 && x <= 122) || x === 95;
}

function isSpace(x: number): boolean {
  return x === 32 || (x >= 9 && x <= 13);
}

const posixClasses: Readonly<Record<string, CharTest>> = {
  alnum: (x) => isWord(x) && x !== 95,
  alpha: (x) => (x >= 65 && x <= 90) || (x >= 97 && x <= 122),
  digit: (x) => x >= 48 && x <= 57,
  lower: (x) => x >= 97 && x <= 122,
  upper: (x) => x >= 65 && x <= 90,
  space: isSpace,
  word: isWord,
  xdigit: (x) => (x >= 48 && x <= 57) || (x >= 65 && x <= 70) || (x >= 97 && x <= 102),
  punct: (x) => (x >= 33 && x <= 47) || (x >= 58 && x <= 64) || (x >= 91 && x <= 96) || (x >= 123 && x <= 126),
};

/** NFA states: a char test with one successor, a split, an assertion, or the match state. */
type State =
  | { kind: 'char'; test: CharTest; out: number }
  | { kind: 'split'; out: number[] }
  | { kind: 'bol' | 'eol'; out: number }
  | { kind: 'match' };

class Compiler {
  readonly states: State[] = [];

  #add(state: State): number {
    if (this.states.length >= maxStates) throw new ParseError('pattern too large');
    this.states.push(state);
    return this.states.length - 1;
  }

  /** Compiles `node` so that it continues at `next`; returns its entry state. */
  compile(node: Node, next: number): number {
    switch (node.t) {
      case 'empty':
        return next;
      case 'char':
        return this.#add({ kind: 'char', test: node.test, out: next });
      case 'bol':
      case 'eol':
        return this.#add({ kind: node.t, out: next });
      case 'cat': {
        let entry = next;
        for (let i = node.items.length - 1; i >= 0; i--) {
          const item = node.items[i];
          if (item) entry = this.compile(item, entry);
        }
        return entry;
      }
      case 'alt':
        return this.#add({ kind: 'split', out: node.items.map((item) => this.compile(item, next)) });
      case 'rep': {
        let entry = next;
        if (node.max === Infinity) {
          const loop = this.#add({ kind: 'split', out: [] });
          const body = this.compile(node.item, loop);
          const state = this.states[loop];
          if (state?.kind === 'split') state.out.push(body, next);
          entry = loop;
        } else {
          for (let i = node.max; i > node.min; i--) entry = this.#add({ kind: 'split', out: [this.compile(node.item, entry), next] });
        }
        for (let i = 0; i < node.min; i++) entry = this.compile(node.item, entry);
        return entry;
      }
    }
  }
}

/** Compiles an RE2 pattern, or says why it cannot. */
export function compileRegex(source: string): RegexResult {
  try {
    const ast = new Parser(source).parse();
    const compiler = new Compiler();
    const matchState = compiler.states.length;
    compiler.states.push({ kind: 'match' });
    const start = compiler.compile(ast, matchState);
    const states = compiler.states;
    return { regex: { source, test: (text) => simulate(states, start, text) } };
  } catch (error) {
    if (error instanceof ParseError) return { error: `${JSON.stringify(source)}: ${error.message}` };
    throw error;
  }
}

function simulate(states: readonly State[], start: number, text: string): boolean {
  const codes = Array.from(text, (ch) => ch.codePointAt(0) ?? 0);
  let current: number[] = [];
  const mark = new Int32Array(states.length).fill(-1);
  let generation = 0;
  const addState = (list: number[], id: number, position: number, gen: number): boolean => {
    const stack = [id];
    while (stack.length > 0) {
      const s = stack.pop() ?? 0;
      if (mark[s] === gen) continue;
      mark[s] = gen;
      const state = states[s];
      if (!state) continue;
      if (state.kind === 'match') return true;
      if (state.kind === 'split') for (let i = state.out.length - 1; i >= 0; i--) stack.push(state.out[i] ?? 0);
      else if (state.kind === 'bol') {
        if (position === 0) stack.push(state.out);
      } else if (state.kind === 'eol') {
        if (position === codes.length) stack.push(state.out);
      } else list.push(s);
    }
    return false;
  };
  for (let position = 0; position <= codes.length; position++) {
    generation++;
    const next: number[] = [];
    // Carry the states reached by the previous character, then start a new attempt here (unanchored search).
    for (const id of current) if (addState(next, id, position, generation)) return true;
    if (addState(next, start, position, generation)) return true;
    if (position === codes.length) break;
    const code = codes[position] ?? 0;
    const advanced: number[] = [];
    for (const id of next) {
      const state = states[id];
      if (state?.kind === 'char' && state.test(code)) advanced.push(state.out);
    }
    current = advanced;
  }
  return false;
}
