import { Rope, sortedKeys, typeName, type SegmentSource, type Value } from './values.js';

/**
 * Go's fmt and strconv formatting as templates reach them: `print`, `printf`, `println`, and the %v printing of every
 * action. Floats follow strconv.FormatFloat exactly (shortest digits for %v, correctly rounded digits for a
 * precision, exact ties to even); strings keep their segments when printed with %s or %v and no width or precision.
 */

// ---- strconv.FormatFloat ----

/** Decimal digits of a float: value = 0.d1d2d3... × 10^dp. No trailing zeros; nd = digits.length. */
interface Decimal {
  digits: string;
  dp: number;
}

function shortestDecimal(x: number): Decimal {
  if (x === 0) return { digits: '', dp: 0 };
  const [mantissa = '0', exponent = '0'] = Math.abs(x).toExponential().split('e');
  const digits = mantissa.replace('.', '').replace(/0+$/, '');
  return { digits, dp: Number(exponent) + 1 };
}

/** The exact decimal expansion of a finite double. */
function exactDecimal(x: number): Decimal {
  if (x === 0) return { digits: '', dp: 0 };
  const buffer = new DataView(new ArrayBuffer(8));
  buffer.setFloat64(0, Math.abs(x));
  const bits = buffer.getBigUint64(0);
  const exponentBits = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & 0xfffffffffffffn;
  let exponent: number;
  if (exponentBits === 0) exponent = -1074;
  else {
    mantissa |= 1n << 52n;
    exponent = exponentBits - 1075;
  }
  let digits: string;
  let dp: number;
  if (exponent >= 0) {
    digits = (mantissa << BigInt(exponent)).toString();
    dp = digits.length;
  } else {
    digits = (mantissa * 5n ** BigInt(-exponent)).toString();
    dp = digits.length + exponent;
  }
  const trimmed = digits.replace(/0+$/, '');
  return { digits: trimmed, dp };
}

/** Rounds to nd digits, half to even on exact ties (Go's decimal.Round). */
function roundDecimal(d: Decimal, nd: number): Decimal {
  if (nd < 0 || nd >= d.digits.length) return d;
  const next = d.digits.charCodeAt(nd) - 48;
  let up: boolean;
  if (next === 5 && nd + 1 === d.digits.length) up = nd > 0 && (d.digits.charCodeAt(nd - 1) - 48) % 2 === 1;
  else up = next >= 5;
  if (!up) {
    const digits = d.digits.slice(0, nd).replace(/0+$/, '');
    return { digits, dp: digits === '' ? 0 : d.dp };
  }
  // Round up: add one at position nd-1.
  let i = nd - 1;
  const chars = d.digits.slice(0, nd).split('');
  while (i >= 0 && chars[i] === '9') i--;
  if (i < 0) return { digits: '1', dp: d.dp + 1 };
  chars[i] = String.fromCharCode((chars[i] ?? '0').charCodeAt(0) + 1);
  return { digits: chars.slice(0, i + 1).join(''), dp: d.dp };
}

function fmtE(negative: boolean, d: Decimal, prec: number, letter: string): string {
  let out = negative ? '-' : '';
  out += d.digits.length > 0 ? d.digits[0] : '0';
  if (prec > 0) {
    out += '.';
    let i = 1;
    const m = Math.min(d.digits.length, prec + 1);
    if (i < m) {
      out += d.digits.slice(i, m);
      i = m;
    }
    for (; i <= prec; i++) out += '0';
  }
  out += letter;
  let exp = d.dp - 1;
  if (d.digits.length === 0) exp = 0;
  out += exp < 0 ? '-' : '+';
  const abs = Math.abs(exp);
  out += abs < 10 ? `0${abs}` : String(abs);
  return out;
}

function fmtF(negative: boolean, d: Decimal, prec: number): string {
  let out = negative ? '-' : '';
  if (d.dp > 0) {
    const m = Math.min(d.digits.length, d.dp);
    out += d.digits.slice(0, m);
    for (let i = m; i < d.dp; i++) out += '0';
  } else out += '0';
  if (prec > 0) {
    out += '.';
    for (let i = 1; i <= prec; i++) {
      const j = d.dp + i - 1;
      out += j >= 0 && j < d.digits.length ? d.digits[j] : '0';
    }
  }
  return out;
}

function floatBits(x: number): { negative: boolean; mant: bigint; exp: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const negative = bits >> 63n === 1n;
  let exp = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & 0xfffffffffffffn;
  if (exp === 0) exp++;
  else mant |= 1n << 52n;
  return { negative, mant, exp: exp - 1023 };
}

/** strconv's %b: decimal mantissa, binary exponent. */
function fmtB(x: number): string {
  const { negative, mant, exp } = floatBits(x);
  const e = exp - 52;
  return `${negative ? '-' : ''}${mant}p${e >= 0 ? '+' : '-'}${Math.abs(e)}`;
}

/** strconv's %x: -0x1.yyyyp±dd. */
function fmtX(x: number, prec: number, letter: 'x' | 'X'): string {
  const bits = floatBits(x);
  let { mant, exp } = bits;
  if (mant === 0n) exp = 0;
  mant <<= 60n - 52n;
  while (mant !== 0n && (mant & (1n << 60n)) === 0n) {
    mant <<= 1n;
    exp--;
  }
  if (prec >= 0 && prec < 15) {
    const shift = BigInt(prec * 4);
    const extra = (mant << shift) & ((1n << 60n) - 1n);
    mant >>= 60n - shift;
    if ((extra | (mant & 1n)) > 1n << 59n) mant++;
    mant <<= 60n - shift;
    if ((mant & (1n << 61n)) !== 0n) {
      mant >>= 1n;
      exp++;
    }
  }
  const hex = letter === 'X' ? '0123456789ABCDEF' : '0123456789abcdef';
  let out = `${bits.negative ? '-' : ''}0${letter}${(mant >> 60n) & 1n}`;
  mant = (mant << 4n) & ((1n << 64n) - 1n);
  if (prec < 0 && mant !== 0n) {
    out += '.';
    while (mant !== 0n) {
      out += hex[Number((mant >> 60n) & 15n)];
      mant = (mant << 4n) & ((1n << 64n) - 1n);
    }
  } else if (prec > 0) {
    out += '.';
    for (let i = 0; i < prec; i++) {
      out += hex[Number((mant >> 60n) & 15n)];
      mant = (mant << 4n) & ((1n << 64n) - 1n);
    }
  }
  out += letter === 'X' ? 'P' : 'p';
  out += exp < 0 ? '-' : '+';
  const abs = Math.abs(exp);
  out += abs < 10 ? `0${abs}` : String(abs);
  return out;
}

/** strconv.FormatFloat(x, fmt, prec, 64) for fmt in b, e, E, f, g, G, x, X (prec -1: shortest). */
export function formatFloat(x: number, format: 'b' | 'e' | 'E' | 'f' | 'g' | 'G' | 'x' | 'X', prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  if (format === 'b') return fmtB(x);
  if (format === 'x' || format === 'X') return fmtX(x, prec, format);
  const negative = x < 0 || Object.is(x, -0);
  const shortest = prec < 0;
  let d: Decimal;
  let p = prec;
  if (shortest) {
    d = shortestDecimal(x);
    switch (format) {
      case 'e':
      case 'E':
        p = Math.max(d.digits.length - 1, 0);
        break;
      case 'f':
        p = Math.max(d.digits.length - d.dp, 0);
        break;
      default:
        p = d.digits.length;
    }
  } else {
    const exact = exactDecimal(x);
    switch (format) {
      case 'e':
      case 'E':
        d = roundDecimal(exact, p + 1);
        break;
      case 'f':
        d = roundDecimal(exact, exact.dp + p);
        break;
      default:
        if (p === 0) p = 1;
        d = roundDecimal(exact, p);
    }
  }
  switch (format) {
    case 'e':
    case 'E':
      return fmtE(negative, d, p, format);
    case 'f':
      return fmtF(negative, d, p);
    default: {
      let eprec = p;
      if (eprec > d.digits.length && d.digits.length >= d.dp) eprec = d.digits.length;
      if (shortest) eprec = 6;
      const exp = d.dp - 1;
      if (exp < -4 || exp >= eprec) {
        let q = p;
        if (q > d.digits.length) q = d.digits.length;
        return fmtE(negative, d, q - 1, format === 'g' ? 'e' : 'E');
      }
      let q = p;
      if (q > d.dp) q = d.digits.length;
      return fmtF(negative, d, Math.max(q - d.dp, 0));
    }
  }
}

// ---- strconv.Quote ----

const printableRune = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

function isPrint(codePoint: number): boolean {
  if (codePoint < 0x20 || codePoint === 0x7f) return false;
  if (codePoint < 0x7f) return true;
  return printableRune.test(String.fromCodePoint(codePoint));
}

function escapeRune(codePoint: number, quote: string, asciiOnly: boolean): string {
  const ch = String.fromCodePoint(codePoint);
  if (ch === quote || ch === '\\') return `\\${ch}`;
  if (asciiOnly ? codePoint < 0x80 && isPrint(codePoint) : isPrint(codePoint)) return ch;
  switch (codePoint) {
    case 7:
      return '\\a';
    case 8:
      return '\\b';
    case 12:
      return '\\f';
    case 10:
      return '\\n';
    case 13:
      return '\\r';
    case 9:
      return '\\t';
    case 11:
      return '\\v';
  }
  if (codePoint < 0x20 || codePoint === 0x7f) return `\\x${codePoint.toString(16).padStart(2, '0')}`;
  if (codePoint === 0xfffd) return asciiOnly ? '\\ufffd' : ch;
  if (codePoint < 0x10000) return `\\u${codePoint.toString(16).padStart(4, '0')}`;
  return `\\U${codePoint.toString(16).padStart(8, '0')}`;
}

/** strconv.Quote (or QuoteToASCII). */
export function quoteGo(text: string, asciiOnly = false): string {
  let out = '"';
  for (const ch of text) out += escapeRune(ch.codePointAt(0) ?? 0, '"', asciiOnly);
  return `${out}"`;
}

/** strconv.QuoteRune. */
export function quoteRune(codePoint: number, asciiOnly = false): string {
  const valid = codePoint >= 0 && codePoint <= 0x10ffff && !(codePoint >= 0xd800 && codePoint < 0xe000);
  return `'${escapeRune(valid ? codePoint : 0xfffd, "'", asciiOnly)}'`;
}

function canBackquote(text: string): boolean {
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '`' || c === 0xfeff || (c < 0x20 && c !== 9) || c === 0x7f) return false;
  }
  return true;
}

// ---- fmt ----

interface Flags {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  plusV: boolean;
  sharpV: boolean;
  wid: number;
  widPresent: boolean;
  prec: number;
  precPresent: boolean;
}

function clearFlags(): Flags {
  return { plus: false, minus: false, sharp: false, space: false, zero: false, plusV: false, sharpV: false, wid: 0, widPresent: false, prec: 0, precPresent: false };
}

/** Builds printed text as a rope: literal pieces are computed text, strings printed whole keep their segments. */
class Printer {
  readonly #parts: Rope[] = [];
  #pending = '';
  readonly #computed: SegmentSource;
  flags: Flags = clearFlags();

  constructor(computed: SegmentSource) {
    this.#computed = computed;
  }

  write(text: string): void {
    this.#pending += text;
  }

  writeRope(rope: Rope): void {
    this.#flush();
    this.#parts.push(rope);
  }

  #flush(): void {
    if (this.#pending !== '') {
      this.#parts.push(Rope.of(this.#pending, this.#computed));
      this.#pending = '';
    }
  }

  rope(): Rope {
    this.#flush();
    return Rope.concat(this.#parts);
  }

  get length(): number {
    return this.#parts.reduce((sum, part) => sum + part.length, 0) + this.#pending.length;
  }

  // Padding (fmt.pad / writePadding).
  pad(text: string): void {
    const f = this.flags;
    if (!f.widPresent || f.wid === 0) {
      this.write(text);
      return;
    }
    const width = f.wid - [...text].length;
    if (width <= 0) {
      this.write(text);
      return;
    }
    if (!f.minus) this.write((f.zero ? '0' : ' ').repeat(width) + text);
    else this.write(text + ' '.repeat(width));
  }

  padRope(rope: Rope): void {
    const f = this.flags;
    const width = f.widPresent ? f.wid - [...rope.text].length : 0;
    if (width <= 0) {
      this.writeRope(rope);
      return;
    }
    if (!f.minus) {
      this.write((f.zero ? '0' : ' ').repeat(width));
      this.writeRope(rope);
    } else {
      this.writeRope(rope);
      this.write(' '.repeat(width));
    }
  }

  fmtInteger(value: number, base: number, signed: boolean, verb: string, upper: boolean, big?: bigint): void {
    const f = this.flags;
    const negative = signed && (big !== undefined ? big < 0n : value < 0);
    let u = Math.abs(value);
    let prec = 0;
    if (f.precPresent) {
      prec = f.prec;
      if (prec === 0 && u === 0) {
        const oldZero = f.zero;
        f.zero = false;
        this.pad('');
        f.zero = oldZero;
        return;
      }
    } else if (f.zero && !f.minus && f.widPresent) {
      prec = f.wid;
      if (negative || f.plus || f.space) prec--;
    }
    let digits: string;
    if (verb === 'c' || verb === 'q' || verb === 'U') digits = '';
    else {
      digits = big !== undefined ? (big < 0n ? -big : big).toString(base) : Number.isSafeInteger(u) ? u.toString(base) : BigInt(Math.trunc(u)).toString(base);
      if (upper) digits = digits.toUpperCase();
      u = 0;
    }
    while (digits.length < prec) digits = `0${digits}`;
    if (f.sharp) {
      if (base === 2) digits = `0b${digits}`;
      else if (base === 8 && !digits.startsWith('0')) digits = `0${digits}`;
      else if (base === 16) digits = `${upper ? '0X' : '0x'}${digits}`;
    }
    if (verb === 'O') digits = `0o${digits}`;
    if (negative) digits = `-${digits}`;
    else if (f.plus) digits = `+${digits}`;
    else if (f.space) digits = ` ${digits}`;
    const oldZero = f.zero;
    f.zero = false;
    this.pad(digits);
    f.zero = oldZero;
  }

  fmtFloat(value: number, verb: 'b' | 'e' | 'E' | 'f' | 'g' | 'G' | 'x' | 'X', defaultPrec: number): void {
    const f = this.flags;
    const prec = f.precPresent ? f.prec : defaultPrec;
    let num = formatFloat(value, verb, prec);
    if (num[0] !== '-' && num[0] !== '+') num = `+${num}`;
    if (f.space && num[0] === '+' && !f.plus) num = ` ${num.slice(1)}`;
    if (num[1] === 'I' || num[1] === 'N') {
      const oldZero = f.zero;
      f.zero = false;
      if (num[1] === 'N' && !f.space && !f.plus) num = num.slice(1);
      this.pad(num);
      f.zero = oldZero;
      return;
    }
    if (f.plus || num[0] !== '+') {
      if (f.zero && !f.minus && f.widPresent && f.wid > num.length) {
        this.write(num[0] ?? '');
        this.write('0'.repeat(f.wid - num.length));
        this.write(num.slice(1));
        return;
      }
      this.pad(num);
      return;
    }
    this.pad(num.slice(1));
  }
}

/** What printing needs from the interpreter: how to print an unknown, and the segment for computed text. */
export interface PrintContext {
  readonly computed: SegmentSource;
  /** The rope of an unknown's token. */
  unknownRope(value: Extract<Value, { k: 'unknown' }>): Rope;
  /** Deepest value nesting printed. */
  readonly maxDepth?: number;
}

class FormatState {
  readonly p: Printer;
  readonly ctx: PrintContext;
  readonly maxDepth: number;

  constructor(ctx: PrintContext) {
    this.p = new Printer(ctx.computed);
    this.ctx = ctx;
    this.maxDepth = ctx.maxDepth ?? 200;
  }

  badVerb(verb: string, value: Value): void {
    const p = this.p;
    p.write(`%!${verb}(`);
    if (value.k === 'invalid' || value.k === 'nil') p.write('<nil>');
    else {
      p.write(`${typeName(value)}=`);
      // Go prints the value with the same width and precision.
      this.printValue(value, 'v', 0);
    }
    p.write(')');
  }

  printValue(value: Value, verb: string, depth: number): void {
    const p = this.p;
    if (depth > this.maxDepth) throw new RangeError(`value nested deeper than ${this.maxDepth} levels`);
    if (value.k === 'invalid' || value.k === 'nil') {
      // A nil inside a container is an interface holding nothing: Go prints <nil> whatever the verb.
      if (verb === 'T' || verb === 'v' || depth > 0) p.pad('<nil>');
      else this.badVerb(verb, value);
      return;
    }
    if (verb === 'T') {
      p.pad(typeName(value));
      return;
    }
    if (verb === 'p') {
      this.badVerb(verb, value);
      return;
    }
    if (verb === 'v' && p.flags.sharpV) {
      this.printGoSyntax(value, depth);
      return;
    }
    switch (value.k) {
      case 'unknown':
        p.writeRope(this.ctx.unknownRope(value));
        return;
      case 'bool':
        if (verb === 't' || verb === 'v') p.pad(value.v ? 'true' : 'false');
        else this.badVerb(verb, value);
        return;
      case 'int':
        this.printInteger(value.v, !value.t.startsWith('uint'), verb, value, value.big);
        return;
      case 'float':
        switch (verb) {
          case 'v':
            p.fmtFloat(value.v, 'g', -1);
            return;
          case 'b':
          case 'g':
          case 'G':
          case 'x':
          case 'X':
            p.fmtFloat(value.v, verb, -1);
            return;
          case 'e':
          case 'E':
          case 'f':
            p.fmtFloat(value.v, verb, 6);
            return;
          case 'F':
            p.fmtFloat(value.v, 'f', 6);
            return;
          default:
            this.badVerb(verb, value);
            return;
        }
      case 'string':
        this.printString(value.s, verb, value);
        return;
      case 'bytes':
        if (verb === 's' || verb === 'q' || verb === 'x' || verb === 'X') {
          this.printString(new Rope([{ text: value.text, src: this.ctx.computed }]), verb, value);
          return;
        }
        this.printList(
          [...Buffer.from(value.text, 'utf8')].map((byte) => ({ k: 'int', v: byte, t: 'uint8' }) as Value),
          verb,
          depth,
        );
        return;
      case 'list':
        this.printList(value.items, verb, depth);
        return;
      case 'map': {
        if (p.flags.sharpV) {
          p.write(`${value.t}{`);
        } else p.write('map[');
        let first = true;
        for (const key of sortedKeys(value.entries)) {
          if (!first) p.write(p.flags.sharpV ? ', ' : ' ');
          first = false;
          this.printValue({ k: 'string', s: Rope.of(key, this.ctx.computed) }, verb, depth + 1);
          p.write(':');
          this.printValue(value.entries.get(key)?.value ?? { k: 'nil' }, verb, depth + 1);
        }
        p.write(p.flags.sharpV ? '}' : ']');
        return;
      }
      case 'struct': {
        if (value.methods.has('String') && verb !== 'T') {
          const printed = value.methods.get('String')?.call([]);
          if (printed && printed.k === 'string') {
            this.printString(printed.s, verb, printed);
            return;
          }
        }
        if (value.pointer && depth === 0) p.write('&');
        p.write('{');
        let first = true;
        for (const [name, field] of value.fields) {
          if (!first) p.write(' ');
          first = false;
          if (p.flags.plusV) p.write(`${name}:`);
          this.printValue(field, verb, depth + 1);
        }
        p.write('}');
        return;
      }
      case 'time':
        this.printString(Rope.of(goTimeString(value.ms, value.zone), this.ctx.computed), verb === 'v' ? 's' : verb, value);
        return;
    }
  }

  /** %#v: Go syntax. */
  printGoSyntax(value: Value, depth: number): void {
    const p = this.p;
    if (depth > this.maxDepth) throw new RangeError(`value nested deeper than ${this.maxDepth} levels`);
    switch (value.k) {
      case 'invalid':
      case 'nil':
        p.write(depth === 0 ? '<nil>' : 'interface {}(nil)');
        return;
      case 'string':
        p.pad(quoteGo(value.s.text));
        return;
      case 'bool':
        p.pad(value.v ? 'true' : 'false');
        return;
      case 'int':
        p.fmtInteger(value.v, 10, !value.t.startsWith('uint'), 'd', false);
        return;
      case 'float':
        p.pad(formatFloat(value.v, 'g', -1));
        return;
      case 'list':
        if (value.isNil) {
          p.write(`${value.t}(nil)`);
          return;
        }
        p.write(`${value.t}{`);
        value.items.forEach((item, i) => {
          if (i > 0) p.write(', ');
          this.printGoSyntax(item, depth + 1);
        });
        p.write('}');
        return;
      case 'map': {
        if (value.isNil) {
          p.write(`${value.t}(nil)`);
          return;
        }
        p.write(`${value.t}{`);
        sortedKeys(value.entries).forEach((key, i) => {
          if (i > 0) p.write(', ');
          p.write(`${quoteGo(key)}:`);
          this.printGoSyntax(value.entries.get(key)?.value ?? { k: 'nil' }, depth + 1);
        });
        p.write('}');
        return;
      }
      case 'unknown':
        p.writeRope(this.ctx.unknownRope(value));
        return;
      default: {
        const saved = p.flags.sharpV;
        p.flags.sharpV = false;
        this.printValue(value, 'v', depth);
        p.flags.sharpV = saved;
      }
    }
  }

  printList(items: readonly Value[], verb: string, depth: number): void {
    const p = this.p;
    p.write('[');
    items.forEach((item, i) => {
      if (i > 0) p.write(' ');
      this.printValue(item, verb, depth + 1);
    });
    p.write(']');
  }

  printInteger(v: number, signed: boolean, verb: string, value: Value, big?: bigint): void {
    const p = this.p;
    switch (verb) {
      case 'v':
      case 'd':
        p.fmtInteger(v, 10, signed, verb, false, big);
        return;
      case 'b':
        p.fmtInteger(v, 2, signed, verb, false, big);
        return;
      case 'o':
      case 'O':
        p.fmtInteger(v, 8, signed, verb, false, big);
        return;
      case 'x':
        p.fmtInteger(v, 16, signed, verb, false, big);
        return;
      case 'X':
        p.fmtInteger(v, 16, signed, verb, true, big);
        return;
      case 'c':
        p.pad(String.fromCodePoint(validRune(v)));
        return;
      case 'q':
        p.pad(quoteRune(v, p.flags.plus));
        return;
      case 'U': {
        let text = `U+${v.toString(16).toUpperCase().padStart(4, '0')}`;
        if (p.flags.sharp && isPrint(v)) text += ` '${String.fromCodePoint(validRune(v))}'`;
        p.pad(text);
        return;
      }
      default:
        this.badVerb(verb, value);
    }
  }

  printString(rope: Rope, verb: string, value: Value): void {
    const p = this.p;
    const f = p.flags;
    switch (verb) {
      case 'v':
      case 's': {
        if (f.sharpV && verb === 'v') {
          p.pad(quoteGo(rope.text));
          return;
        }
        let r = rope;
        if (f.precPresent) {
          const chars = [...rope.text];
          if (chars.length > f.prec) r = rope.slice(0, chars.slice(0, f.prec).join('').length);
        }
        p.padRope(r);
        return;
      }
      case 'q':
        if (f.sharp && canBackquote(rope.text)) p.pad(`\`${rope.text}\``);
        else p.pad(quoteGo(truncatePrec(rope.text, f), f.plus));
        return;
      case 'x':
      case 'X': {
        const bytes = Buffer.from(truncatePrec(rope.text, f), 'utf8');
        const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, '0'));
        const digits = verb === 'X' ? hex.map((h) => h.toUpperCase()) : hex;
        const prefix = verb === 'X' ? '0X' : '0x';
        let text: string;
        if (f.space) text = digits.map((d) => (f.sharp ? prefix + d : d)).join(' ');
        else text = (f.sharp && digits.length > 0 ? prefix : '') + digits.join('');
        p.pad(text);
        return;
      }
      default:
        this.badVerb(verb, value);
    }
  }
}

function truncatePrec(text: string, f: Flags): string {
  if (!f.precPresent) return text;
  return [...text].slice(0, f.prec).join('');
}

function validRune(v: number): number {
  return v >= 0 && v <= 0x10ffff && !(v >= 0xd800 && v < 0xe000) ? v : 0xfffd;
}

/** fmt.Sprint: spaces between operands when neither is a string. */
export function sprint(args: readonly Value[], ctx: PrintContext): Rope {
  const state = new FormatState(ctx);
  let prevString = false;
  args.forEach((arg, i) => {
    const isString = arg.k === 'string';
    if (i > 0 && !isString && !prevString) state.p.write(' ');
    state.p.flags = clearFlags();
    state.printValue(arg, 'v', 0);
    prevString = isString;
  });
  return state.p.rope();
}

/** fmt.Sprintln: spaces between all operands, and a newline. */
export function sprintln(args: readonly Value[], ctx: PrintContext): Rope {
  const state = new FormatState(ctx);
  args.forEach((arg, i) => {
    if (i > 0) state.p.write(' ');
    state.p.flags = clearFlags();
    state.printValue(arg, 'v', 0);
  });
  state.p.write('\n');
  return state.p.rope();
}

/** %v of one value: how an action prints what it computed. */
export function printV(value: Value, ctx: PrintContext): Rope {
  const state = new FormatState(ctx);
  state.printValue(value, 'v', 0);
  return state.p.rope();
}

function parseNum(format: string, start: number): { num: number; present: boolean; next: number } {
  let i = start;
  let num = 0;
  let present = false;
  while (i < format.length && format[i] !== undefined && (format[i] ?? '') >= '0' && (format[i] ?? '') <= '9') {
    if (num > 1e6) return { num: 0, present: false, next: format.length };
    num = num * 10 + (format.charCodeAt(i) - 48);
    present = true;
    i++;
  }
  return { num, present, next: i };
}

function intFromArg(args: readonly Value[], argNum: number): { num: number; ok: boolean; next: number } {
  const arg = args[argNum];
  if (!arg) return { num: 0, ok: false, next: argNum };
  if (arg.k === 'int' && Math.abs(arg.v) <= 1e6) return { num: arg.v, ok: true, next: argNum + 1 };
  return { num: 0, ok: false, next: argNum + 1 };
}

/** fmt.Sprintf with Go's verbs, flags, widths, precisions, argument indexes and error notations. */
export function sprintf(format: string, args: readonly Value[], ctx: PrintContext): Rope {
  const state = new FormatState(ctx);
  const p = state.p;
  const end = format.length;
  let argNum = 0;
  let afterIndex = false;
  let reordered = false;
  let goodArgNum = true;

  const argNumber = (i: number): number => {
    if (i >= end || format[i] !== '[') return i;
    reordered = true;
    // "%[3]d": parse the index.
    for (let j = i + 1; j < end; j++) {
      if (format[j] === ']') {
        const { num, present, next } = parseNum(format, i + 1);
        if (!present || next !== j || num < 1) {
          goodArgNum = false;
          afterIndex = false;
          return j + 1;
        }
        const index = num - 1;
        if (index >= 0 && index < args.length) {
          argNum = index;
          afterIndex = true;
        } else {
          goodArgNum = false;
          afterIndex = false;
        }
        return j + 1;
      }
    }
    goodArgNum = false;
    afterIndex = false;
    return i + 1;
  };

  let i = 0;
  formatLoop: while (i < end) {
    goodArgNum = true;
    const last = i;
    while (i < end && format[i] !== '%') i++;
    if (i > last) p.write(format.slice(last, i));
    if (i >= end) break;
    i++;
    p.flags = clearFlags();
    const f = p.flags;
    simple: for (; i < end; i++) {
      const c = format[i] ?? '';
      switch (c) {
        case '#':
          f.sharp = true;
          break;
        case '0':
          f.zero = !f.minus;
          break;
        case '+':
          f.plus = true;
          break;
        case '-':
          f.minus = true;
          f.zero = false;
          break;
        case ' ':
          f.space = true;
          break;
        default:
          if (c >= 'a' && c <= 'z' && argNum < args.length) {
            if (c === 'v') {
              f.sharpV = f.sharp;
              f.sharp = false;
              f.plusV = f.plus;
              f.plus = false;
            }
            state.printValue(args[argNum] ?? { k: 'nil' }, c, 0);
            argNum++;
            i++;
            continue formatLoop;
          }
          break simple;
      }
    }
    afterIndex = false;
    i = argNumber(i);
    if (i < end && format[i] === '*') {
      i++;
      const width = intFromArg(args, argNum);
      f.wid = width.num;
      f.widPresent = width.ok;
      argNum = width.next;
      if (!width.ok) p.write('%!(BADWIDTH)');
      if (f.wid < 0) {
        f.wid = -f.wid;
        f.minus = true;
        f.zero = false;
      }
      afterIndex = false;
    } else {
      const width = parseNum(format, i);
      f.wid = width.num;
      f.widPresent = width.present;
      i = width.next;
      if (afterIndex && f.widPresent) goodArgNum = false;
    }
    if (i + 1 < end && format[i] === '.') {
      i++;
      if (afterIndex) goodArgNum = false;
      afterIndex = false;
      i = argNumber(i);
      if (i < end && format[i] === '*') {
        i++;
        const precision = intFromArg(args, argNum);
        f.prec = precision.num;
        f.precPresent = precision.ok;
        argNum = precision.next;
        if (f.prec < 0) {
          f.prec = 0;
          f.precPresent = false;
        }
        if (!precision.ok) p.write('%!(BADPREC)');
        afterIndex = false;
      } else {
        const precision = parseNum(format, i);
        f.prec = precision.num;
        f.precPresent = true;
        i = precision.next;
      }
    }
    if (!afterIndex) i = argNumber(i);
    if (i >= end) {
      p.write('%!(NOVERB)');
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i) ?? 0);
    i += verb.length;
    if (verb === '%') p.write('%');
    else if (!goodArgNum) p.write(`%!${verb}(BADINDEX)`);
    else if (argNum >= args.length) p.write(`%!${verb}(MISSING)`);
    else {
      if (verb === 'v') {
        f.sharpV = f.sharp;
        f.sharp = false;
        f.plusV = f.plus;
        f.plus = false;
      }
      state.printValue(args[argNum] ?? { k: 'nil' }, verb, 0);
      argNum++;
    }
  }
  if (!reordered && argNum < args.length) {
    p.flags = clearFlags();
    p.write('%!(EXTRA ');
    args.slice(argNum).forEach((arg, index) => {
      if (index > 0) p.write(', ');
      if (arg.k === 'nil' || arg.k === 'invalid') p.write('<nil>');
      else {
        p.write(`${typeName(arg)}=`);
        state.printValue(arg, 'v', 0);
      }
    });
    p.write(')');
  }
  return p.rope();
}

const monthNames = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const dayNames = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Go's time.Time.String for a UTC instant. */
export function goTimeString(ms: number, zone: string): string {
  return `${formatGoTime(ms, '2006-01-02 15:04:05.999999999 -0700 MST', zone)}`;
}

/** time.Format with Go's reference-time layout, for UTC instants. */
export function formatGoTime(ms: number, layout: string, zone = 'UTC'): string {
  const d = new Date(ms);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth();
  const day = d.getUTCDate();
  const hour = d.getUTCHours();
  const minute = d.getUTCMinutes();
  const second = d.getUTCSeconds();
  const millis = d.getUTCMilliseconds();
  const tokens: [string, () => string][] = [
    ['January', () => monthNames[month] ?? ''],
    ['Monday', () => dayNames[d.getUTCDay()] ?? ''],
    ['2006', () => pad(year, 4)],
    ['-07:00', () => '+00:00'],
    ['-0700', () => '+0000'],
    ['Z07:00', () => 'Z'],
    ['Z0700', () => 'Z'],
    ['.999999999', () => (millis === 0 ? '' : `.${pad(millis, 3).replace(/0+$/, '')}`)],
    ['.000000000', () => `.${pad(millis, 3)}000000`],
    ['.000000', () => `.${pad(millis, 3)}000`],
    ['.000', () => `.${pad(millis, 3)}`],
    ['Jan', () => (monthNames[month] ?? '').slice(0, 3)],
    ['Mon', () => (dayNames[d.getUTCDay()] ?? '').slice(0, 3)],
    ['MST', () => zone],
    ['01', () => pad(month + 1)],
    ['02', () => pad(day)],
    ['_2', () => String(day).padStart(2, ' ')],
    ['15', () => pad(hour)],
    ['03', () => pad(hour % 12 === 0 ? 12 : hour % 12)],
    ['04', () => pad(minute)],
    ['05', () => pad(second)],
    ['06', () => pad(year % 100)],
    ['PM', () => (hour >= 12 ? 'PM' : 'AM')],
    ['pm', () => (hour >= 12 ? 'pm' : 'am')],
    ['1', () => String(month + 1)],
    ['2', () => String(day)],
    ['3', () => String(hour % 12 === 0 ? 12 : hour % 12)],
    ['4', () => String(minute)],
    ['5', () => String(second)],
  ];
  let out = '';
  let i = 0;
  outer: while (i < layout.length) {
    for (const [token, render] of tokens) {
      if (layout.startsWith(token, i)) {
        out += render();
        i += token.length;
        continue outer;
      }
    }
    out += layout[i];
    i++;
  }
  return out;
}
