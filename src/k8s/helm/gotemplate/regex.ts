/**
 * Go's regexp (RE2 syntax, leftmost-first semantics) for Sprig's regex functions, run by a Pike VM: time is linear in
 * the text times the program, whatever the pattern, so a chart's regular expression can never hang the scan. What RE2
 * rejects (backreferences, lookaround) is a syntax error here too. Positions are code-point indices.
 */

export class RegexSyntaxError extends Error {}

type CharTest = (c: number) => boolean;

type Inst =
  | { readonly op: 'char'; readonly test: CharTest }
  | { readonly op: 'split'; x: number; y: number }
  | { readonly op: 'jmp'; x: number }
  | { readonly op: 'save'; readonly n: number }
  | { readonly op: 'assert'; readonly kind: 'bol' | 'eol' | 'bot' | 'eot' | 'word' | 'nonword' }
  | { readonly op: 'match' };

type Ast =
  | { readonly t: 'empty' }
  | { readonly t: 'char'; readonly test: CharTest }
  | { readonly t: 'assert'; readonly kind: 'bol' | 'eol' | 'bot' | 'eot' | 'word' | 'nonword' }
  | { readonly t: 'cat'; readonly items: readonly Ast[] }
  | { readonly t: 'alt'; readonly items: readonly Ast[] }
  | { readonly t: 'group'; readonly index: number | null; readonly body: Ast }
  | { readonly t: 'repeat'; readonly body: Ast; readonly min: number; readonly max: number; readonly greedy: boolean };

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  U: boolean;
}

const maxRepeat = 1000;
const maxProgram = 20_000;

function isWordChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

function caseVariants(c: number): number[] {
  const ch = String.fromCodePoint(c);
  const out = new Set([c]);
  for (const variant of [ch.toLowerCase(), ch.toUpperCase()]) if ([...variant].length === 1) out.add(variant.codePointAt(0) ?? c);
  return [...out];
}

const posixClasses: Readonly<Record<string, CharTest>> = {
  alnum: (c) => isWordChar(c) && c !== 0x5f,
  alpha: (c) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a),
  ascii: (c) => c <= 0x7f,
  blank: (c) => c === 0x20 || c === 0x09,
  cntrl: (c) => c < 0x20 || c === 0x7f,
  digit: (c) => c >= 0x30 && c <= 0x39,
  graph: (c) => c > 0x20 && c < 0x7f,
  lower: (c) => c >= 0x61 && c <= 0x7a,
  print: (c) => c >= 0x20 && c < 0x7f,
  punct: (c) => (c > 0x20 && c < 0x30) || (c > 0x39 && c < 0x41) || (c > 0x5a && c < 0x61) || (c > 0x7a && c < 0x7f),
  space: (c) => c === 0x20 || (c >= 0x09 && c <= 0x0d),
  upper: (c) => c >= 0x41 && c <= 0x5a,
  word: isWordChar,
  xdigit: (c) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66),
};

const perlClasses: Readonly<Record<string, CharTest>> = {
  d: (c) => c >= 0x30 && c <= 0x39,
  s: (c) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d,
  w: isWordChar,
};

function unicodeClass(name: string): CharTest {
  let pattern: RegExp;
  try {
    pattern = new RegExp(`^\\p{${name === 'Any' ? 'Any' : name}}$`, 'u');
  } catch {
    try {
      pattern = new RegExp(`^\\p{Script=${name}}$`, 'u');
    } catch {
      throw new RegexSyntaxError(`invalid character class range: \\p{${name}}`);
    }
  }
  return (c) => pattern.test(String.fromCodePoint(c));
}

class Parser {
  readonly #src: number[];
  #pos = 0;
  #groups = 0;
  readonly names: (string | null)[] = [null];

  constructor(pattern: string) {
    this.#src = [...pattern].map((ch) => ch.codePointAt(0) ?? 0);
  }

  get groupCount(): number {
    return this.#groups;
  }

  #peek(offset = 0): number {
    return this.#src[this.#pos + offset] ?? -1;
  }

  #eat(c: string): boolean {
    if (this.#peek() === c.codePointAt(0)) {
      this.#pos++;
      return true;
    }
    return false;
  }

  #error(message: string): never {
    throw new RegexSyntaxError(message);
  }

  parse(): Ast {
    const flags: Flags = { i: false, m: false, s: false, U: false };
    const ast = this.#alternation(flags, 0);
    if (this.#pos < this.#src.length) this.#error('unexpected )');
    return ast;
  }

  #alternation(flags: Flags, depth: number): Ast {
    if (depth > 200) this.#error('expression nests too deeply');
    const items: Ast[] = [this.#concat(flags, depth)];
    while (this.#eat('|')) items.push(this.#concat(flags, depth));
    return items.length === 1 ? (items[0] as Ast) : { t: 'alt', items };
  }

  #concat(flags: Flags, depth: number): Ast {
    const items: Ast[] = [];
    for (;;) {
      const c = this.#peek();
      if (c === -1 || c === 0x7c || c === 0x29) break;
      const atom = this.#atom(flags, depth);
      if (atom === null) continue;
      items.push(this.#quantified(atom, flags));
    }
    return items.length === 0 ? { t: 'empty' } : items.length === 1 ? (items[0] as Ast) : { t: 'cat', items };
  }

  #quantified(atom: Ast, flags: Flags): Ast {
    let current = atom;
    for (;;) {
      const c = this.#peek();
      let min: number;
      let max: number;
      if (c === 0x2a) {
        min = 0;
        max = Infinity;
        this.#pos++;
      } else if (c === 0x2b) {
        min = 1;
        max = Infinity;
        this.#pos++;
      } else if (c === 0x3f) {
        min = 0;
        max = 1;
        this.#pos++;
      } else if (c === 0x7b) {
        const counted = this.#counted();
        if (!counted) return current;
        [min, max] = counted;
      } else return current;
      let greedy = !flags.U;
      if (this.#eat('?')) greedy = !greedy;
      if (current.t === 'repeat' || current.t === 'empty' || current.t === 'assert') {
        if (current.t === 'repeat') this.#error('invalid nested repetition operator');
      }
      current = { t: 'repeat', body: current, min, max, greedy };
    }
  }

  #counted(): [number, number] | null {
    const start = this.#pos;
    this.#pos++;
    const readInt = (): number | null => {
      let digits = '';
      while (this.#peek() >= 0x30 && this.#peek() <= 0x39) digits += String.fromCodePoint(this.#src[this.#pos++] ?? 0);
      return digits === '' ? null : Number(digits);
    };
    const min = readInt();
    if (min === null) {
      this.#pos = start;
      return null;
    }
    let max = min;
    if (this.#eat(',')) max = readInt() ?? Infinity;
    if (!this.#eat('}')) {
      this.#pos = start;
      return null;
    }
    if (min > maxRepeat || (max !== Infinity && max > maxRepeat) || max < min) this.#error('invalid repeat count');
    return [min, max];
  }

  #atom(flags: Flags, depth: number): Ast | null {
    const c = this.#src[this.#pos++] ?? -1;
    switch (c) {
      case 0x28: // (
        return this.#group(flags, depth);
      case 0x2e: // .
        return { t: 'char', test: flags.s ? () => true : (x) => x !== 0x0a };
      case 0x5e: // ^
        return { t: 'assert', kind: flags.m ? 'bol' : 'bot' };
      case 0x24: // $
        return { t: 'assert', kind: flags.m ? 'eol' : 'eot' };
      case 0x5b: // [
        return { t: 'char', test: this.#class(flags) };
      case 0x5c: // backslash
        return this.#escape(flags, false);
      case 0x2a:
      case 0x2b:
      case 0x3f:
        this.#error('missing argument to repetition operator');
      // falls through (never reached)
      default:
        return { t: 'char', test: literal(c, flags) };
    }
  }

  #group(flags: Flags, depth: number): Ast | null {
    if (this.#eat('?')) {
      if (this.#peek() === 0x50 || this.#peek() === 0x3c) {
        // (?P<name>re) or (?<name>re)
        if (this.#peek() === 0x50) this.#pos++;
        if (!this.#eat('<')) this.#error('invalid named capture');
        let name = '';
        while (this.#peek() !== 0x3e && this.#peek() !== -1) name += String.fromCodePoint(this.#src[this.#pos++] ?? 0);
        if (!this.#eat('>') || !/^[A-Za-z0-9_]+$/.test(name)) this.#error('invalid named capture');
        const index = ++this.#groups;
        this.names[index] = name;
        const body = this.#alternation({ ...flags }, depth + 1);
        if (!this.#eat(')')) this.#error('missing closing )');
        return { t: 'group', index, body };
      }
      // Flags: (?flags) or (?flags:re)
      let negate = false;
      const next = { ...flags };
      for (;;) {
        const f = this.#src[this.#pos++] ?? -1;
        if (f === -1) this.#error('missing closing )');
        const ch = String.fromCodePoint(f);
        if (ch === '-') {
          if (negate) this.#error('invalid or unsupported Perl syntax');
          negate = true;
          continue;
        }
        if (ch === 'i' || ch === 'm' || ch === 's' || ch === 'U') {
          next[ch] = !negate;
          continue;
        }
        if (ch === ')') {
          Object.assign(flags, next);
          return null;
        }
        if (ch === ':') {
          const body = this.#alternation(next, depth + 1);
          if (!this.#eat(')')) this.#error('missing closing )');
          return { t: 'group', index: null, body };
        }
        this.#error('invalid or unsupported Perl syntax');
      }
    }
    const index = ++this.#groups;
    this.names[index] = null;
    const body = this.#alternation({ ...flags }, depth + 1);
    if (!this.#eat(')')) this.#error('missing closing )');
    return { t: 'group', index, body };
  }

  #escape(flags: Flags, inClass: boolean): Ast {
    const c = this.#src[this.#pos++] ?? -1;
    if (c === -1) this.#error('trailing backslash at end of expression');
    const ch = String.fromCodePoint(c);
    const perl = perlClasses[ch.toLowerCase()];
    if (perl && 'dswDSW'.includes(ch)) return { t: 'char', test: ch === ch.toLowerCase() ? perl : (x) => !perl(x) };
    if (!inClass) {
      switch (ch) {
        case 'A':
          return { t: 'assert', kind: 'bot' };
        case 'z':
          return { t: 'assert', kind: 'eot' };
        case 'b':
          return { t: 'assert', kind: 'word' };
        case 'B':
          return { t: 'assert', kind: 'nonword' };
        case 'Q': {
          const items: Ast[] = [];
          while (this.#pos < this.#src.length && !(this.#peek() === 0x5c && this.#peek(1) === 0x45)) items.push({ t: 'char', test: literal(this.#src[this.#pos++] ?? 0, flags) });
          if (this.#pos < this.#src.length) this.#pos += 2;
          return items.length === 0 ? { t: 'empty' } : { t: 'cat', items };
        }
      }
    }
    if (ch === 'p' || ch === 'P') {
      let name = '';
      if (this.#eat('{')) {
        while (this.#peek() !== 0x7d && this.#peek() !== -1) name += String.fromCodePoint(this.#src[this.#pos++] ?? 0);
        if (!this.#eat('}')) this.#error('invalid character class range');
      } else name = String.fromCodePoint(this.#src[this.#pos++] ?? 0x3f);
      const negated = name.startsWith('^');
      const test = unicodeClass(negated ? name.slice(1) : name);
      return { t: 'char', test: ch === 'P' !== negated ? (x) => !test(x) : test };
    }
    const value = this.#escapeValue(ch);
    return { t: 'char', test: literal(value, flags) };
  }

  #escapeValue(ch: string): number {
    switch (ch) {
      case 'a':
        return 7;
      case 'f':
        return 12;
      case 't':
        return 9;
      case 'n':
        return 10;
      case 'r':
        return 13;
      case 'v':
        return 11;
      case 'x': {
        if (this.#eat('{')) {
          let hex = '';
          while (this.#peek() !== 0x7d && this.#peek() !== -1) hex += String.fromCodePoint(this.#src[this.#pos++] ?? 0);
          if (!this.#eat('}') || !/^[0-9a-fA-F]{1,6}$/.test(hex) || parseInt(hex, 16) > 0x10ffff) this.#error('invalid escape sequence');
          return parseInt(hex, 16);
        }
        const hex = String.fromCodePoint(this.#src[this.#pos] ?? 0x20, this.#src[this.#pos + 1] ?? 0x20);
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) this.#error('invalid escape sequence');
        this.#pos += 2;
        return parseInt(hex, 16);
      }
    }
    if (ch >= '0' && ch <= '7') {
      // Octal: \0, \012 (RE2 has no backreferences; \1-\9 alone are errors).
      if (ch !== '0' && !(this.#peek() >= 0x30 && this.#peek() <= 0x37)) this.#error('invalid escape sequence (backreferences are not supported)');
      let digits = ch;
      while (digits.length < 3 && this.#peek() >= 0x30 && this.#peek() <= 0x37) digits += String.fromCodePoint(this.#src[this.#pos++] ?? 0x30);
      return parseInt(digits, 8);
    }
    if (/[A-Za-z0-9]/.test(ch)) this.#error(`invalid escape sequence: \\${ch}`);
    return ch.codePointAt(0) ?? 0;
  }

  #class(flags: Flags): CharTest {
    const tests: CharTest[] = [];
    let negated = false;
    if (this.#eat('^')) negated = true;
    let first = true;
    for (;;) {
      const c = this.#peek();
      if (c === -1) this.#error('missing closing ]');
      if (c === 0x5d && !first) {
        this.#pos++;
        break;
      }
      first = false;
      if (c === 0x5b && this.#peek(1) === 0x3a) {
        const rest = String.fromCodePoint(...this.#src.slice(this.#pos));
        const match = /^\[:(\^?)([a-z]+):\]/.exec(rest);
        const posix = match && Object.hasOwn(posixClasses, match[2] ?? '') ? posixClasses[match[2] ?? ''] : undefined;
        if (match && posix) {
          this.#pos += match[0].length;
          tests.push(match[1] ? (x) => !posix(x) : posix);
          continue;
        }
      }
      let lo: number;
      if (c === 0x5c) {
        this.#pos++;
        const e = String.fromCodePoint(this.#src[this.#pos] ?? 0x5c);
        if ('dswDSWpP'.includes(e)) {
          const escaped = this.#escape(flags, true);
          if (escaped.t === 'char') tests.push(escaped.test);
          continue;
        }
        this.#pos++;
        lo = this.#escapeValue(e);
      } else {
        lo = c;
        this.#pos++;
      }
      if (this.#peek() === 0x2d && this.#peek(1) !== 0x5d && this.#peek(1) !== -1) {
        this.#pos++;
        let hi = this.#src[this.#pos++] ?? 0;
        if (hi === 0x5c) hi = this.#escapeValue(String.fromCodePoint(this.#src[this.#pos++] ?? 0x5c));
        if (hi < lo) this.#error('invalid character class range');
        const [from, to] = [lo, hi];
        tests.push(flags.i ? (x) => caseVariants(x).some((v) => v >= from && v <= to) : (x) => x >= from && x <= to);
      } else {
        const value = lo;
        tests.push(flags.i ? (x) => caseVariants(x).includes(value) || caseVariants(value).includes(x) : (x) => x === value);
      }
    }
    return negated ? (x) => !tests.some((test) => test(x)) : (x) => tests.some((test) => test(x));
  }
}

function literal(c: number, flags: Flags): CharTest {
  return flags.i ? (x) => x === c || caseVariants(x).includes(c) : (x) => x === c;
}

function compile(ast: Ast, groups: number): Inst[] {
  const prog: Inst[] = [];
  const emit = (inst: Inst): number => {
    if (prog.length >= maxProgram) throw new RegexSyntaxError('expression too large');
    prog.push(inst);
    return prog.length - 1;
  };
  const gen = (node: Ast): void => {
    switch (node.t) {
      case 'empty':
        return;
      case 'char':
        emit({ op: 'char', test: node.test });
        return;
      case 'assert':
        emit({ op: 'assert', kind: node.kind });
        return;
      case 'cat':
        for (const item of node.items) gen(item);
        return;
      case 'alt': {
        const jumps: Extract<Inst, { op: 'jmp' }>[] = [];
        node.items.forEach((item, i) => {
          if (i < node.items.length - 1) {
            const split = { op: 'split' as const, x: 0, y: 0 };
            emit(split);
            split.x = prog.length;
            gen(item);
            const jump = { op: 'jmp' as const, x: 0 };
            emit(jump);
            jumps.push(jump);
            split.y = prog.length;
          } else gen(item);
        });
        for (const jump of jumps) jump.x = prog.length;
        return;
      }
      case 'group':
        if (node.index === null) gen(node.body);
        else {
          emit({ op: 'save', n: node.index * 2 });
          gen(node.body);
          emit({ op: 'save', n: node.index * 2 + 1 });
        }
        return;
      case 'repeat': {
        for (let i = 0; i < node.min; i++) gen(node.body);
        if (node.max === Infinity) {
          const split = { op: 'split' as const, x: 0, y: 0 };
          const at = emit(split);
          const body = prog.length;
          gen(node.body);
          emit({ op: 'jmp', x: at });
          const after = prog.length;
          split.x = node.greedy ? body : after;
          split.y = node.greedy ? after : body;
        } else {
          const splits: Extract<Inst, { op: 'split' }>[] = [];
          for (let i = node.min; i < node.max; i++) {
            const split = { op: 'split' as const, x: 0, y: 0 };
            emit(split);
            splits.push(split);
            const body = prog.length;
            gen(node.body);
            split.x = body;
          }
          const after = prog.length;
          for (const split of splits) {
            if (node.greedy) split.y = after;
            else {
              split.y = split.x;
              split.x = after;
            }
          }
        }
        return;
      }
    }
  };
  emit({ op: 'save', n: 0 });
  gen(ast);
  emit({ op: 'save', n: 1 });
  emit({ op: 'match' });
  void groups;
  return prog;
}

/** A compiled Go regular expression. */
export class GoRegexp {
  readonly #prog: Inst[];
  readonly groups: number;
  readonly names: readonly (string | null)[];
  /** Most text length times program size one match may cost. */
  readonly #maxWork: number;

  constructor(pattern: string, maxWork = 50_000_000) {
    const parser = new Parser(pattern);
    const ast = parser.parse();
    this.groups = parser.groupCount;
    this.names = parser.names;
    this.#prog = compile(ast, this.groups);
    this.#maxWork = maxWork;
  }

  /** The leftmost-first match at or after `start`: capture positions (pairs; -1 when unset), or null. */
  exec(text: readonly number[], start: number): number[] | null {
    const prog = this.#prog;
    const slots = (this.groups + 1) * 2;
    if ((text.length - start + 1) * prog.length > this.#maxWork) throw new RangeError(`regular expression too costly on ${text.length} characters`);
    let clist: { pc: number; caps: number[] }[] = [];
    let nlist: { pc: number; caps: number[] }[] = [];
    let matched: number[] | null = null;
    const seen = new Int32Array(prog.length).fill(-1);
    const add = (list: { pc: number; caps: number[] }[], pc0: number, caps0: number[], pos: number, gen: number): void => {
      const stack: { pc: number; caps: number[] }[] = [{ pc: pc0, caps: caps0 }];
      while (stack.length > 0) {
        const { pc, caps } = stack.pop() as { pc: number; caps: number[] };
        if (seen[pc] === gen) continue;
        seen[pc] = gen;
        const inst = prog[pc];
        if (!inst) continue;
        switch (inst.op) {
          case 'jmp':
            stack.push({ pc: inst.x, caps });
            break;
          case 'split':
            stack.push({ pc: inst.y, caps });
            stack.push({ pc: inst.x, caps });
            break;
          case 'save': {
            const next = caps.slice();
            next[inst.n] = pos;
            stack.push({ pc: pc + 1, caps: next });
            break;
          }
          case 'assert': {
            const before = pos > 0 ? (text[pos - 1] ?? -1) : -1;
            const after = pos < text.length ? (text[pos] ?? -1) : -1;
            let ok: boolean;
            switch (inst.kind) {
              case 'bot':
                ok = pos === 0;
                break;
              case 'eot':
                ok = pos === text.length;
                break;
              case 'bol':
                ok = pos === 0 || before === 0x0a;
                break;
              case 'eol':
                ok = pos === text.length || after === 0x0a;
                break;
              case 'word':
                ok = isWordChar(before) !== isWordChar(after);
                break;
              case 'nonword':
                ok = isWordChar(before) === isWordChar(after);
                break;
            }
            if (ok) stack.push({ pc: pc + 1, caps });
            break;
          }
          default:
            list.push({ pc, caps });
        }
      }
    };
    let gen = 0;
    for (let pos = start; pos <= text.length; pos++) {
      if (matched === null) add(clist, 0, new Array<number>(slots).fill(-1), pos, gen);
      gen++;
      const c = pos < text.length ? (text[pos] ?? -1) : -1;
      for (const thread of clist) {
        const inst = prog[thread.pc];
        if (!inst) continue;
        if (inst.op === 'match') {
          matched = thread.caps;
          break; // Lower-priority threads are cut.
        }
        if (inst.op === 'char' && c !== -1 && inst.test(c)) add(nlist, thread.pc + 1, thread.caps, pos + 1, gen);
      }
      [clist, nlist] = [nlist, []];
      if (clist.length === 0 && matched !== null) break;
      if (pos === text.length) break;
    }
    // Threads left at the end may match.
    if (clist.length > 0) {
      for (const thread of clist) {
        if (prog[thread.pc]?.op === 'match') {
          matched = thread.caps;
          break;
        }
      }
    }
    return matched;
  }

  /** Every non-overlapping match, as Go's FindAll (an empty match right after a match is skipped). */
  findAll(text: readonly number[], limit: number): number[][] {
    const out: number[][] = [];
    let pos = 0;
    let prevEnd = -1;
    while (pos <= text.length && (limit < 0 || out.length < limit)) {
      const match = this.exec(text, pos);
      if (!match) break;
      const [s = 0, e = 0] = match;
      let accept = true;
      if (e === s && s === prevEnd) accept = false;
      if (accept) {
        out.push(match);
        prevEnd = e;
      }
      pos = e > s ? e : e + 1;
      if (!accept && e === s) pos = s + 1;
    }
    return out;
  }
}

/** Code points of a string. */
export function codePoints(text: string): number[] {
  return [...text].map((ch) => ch.codePointAt(0) ?? 0);
}

export function fromCodePoints(points: readonly number[], start: number, end: number): string {
  let out = '';
  for (let i = start; i < end; i++) out += String.fromCodePoint(points[i] ?? 0);
  return out;
}

/** Go's Regexp.Expand for a template with $1, ${1}, $name, ${name}, $$. */
export function expandTemplate(template: string, regexp: GoRegexp, text: readonly number[], match: readonly number[]): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const dollar = template.indexOf('$', i);
    if (dollar < 0) {
      out += template.slice(i);
      break;
    }
    out += template.slice(i, dollar);
    i = dollar + 1;
    if (template[i] === '$') {
      out += '$';
      i++;
      continue;
    }
    let name: string | null = null;
    if (template[i] === '{') {
      const close = template.indexOf('}', i);
      const inner = close > 0 ? template.slice(i + 1, close) : '';
      if (close > 0 && /^[A-Za-z0-9_]+$/.test(inner)) {
        name = inner;
        i = close + 1;
      }
    } else {
      const m = /^[A-Za-z0-9_]+/.exec(template.slice(i));
      if (m) {
        name = m[0];
        i += m[0].length;
      }
    }
    if (name === null) {
      out += '$';
      continue;
    }
    let index = -1;
    if (/^\d+$/.test(name)) index = Number(name);
    else index = regexp.names.indexOf(name);
    if (index >= 0 && index <= regexp.groups) {
      const s = match[index * 2] ?? -1;
      const e = match[index * 2 + 1] ?? -1;
      if (s >= 0 && e >= 0) out += fromCodePoints(text, s, e);
    }
  }
  return out;
}
