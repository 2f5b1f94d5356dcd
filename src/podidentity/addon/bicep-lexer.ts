/**
 * A lexer for Bicep (learn.microsoft.com/azure/azure-resource-manager/bicep/file): identifiers, numbers, single-quoted
 * strings with `${...}` interpolation and `\` escapes, `'''` multi-line strings (verbatim), operators and punctuation,
 * `//` and `/* *\/` comments, and newlines, which end statements and separate object properties and array items.
 */

/** A piece of a string literal: text (escapes applied), or the offsets of an interpolated expression `${...}`. */
export type StringSegment = { readonly text: string } | { readonly hole: readonly [number, number] };

export type Token =
  | { readonly kind: 'identifier'; readonly text: string; readonly start: number; readonly end: number }
  | { readonly kind: 'number'; readonly value: number; readonly start: number; readonly end: number }
  | { readonly kind: 'string'; readonly segments: readonly StringSegment[]; readonly start: number; readonly end: number }
  | { readonly kind: 'punct'; readonly text: string; readonly start: number; readonly end: number }
  | { readonly kind: 'newline'; readonly start: number; readonly end: number }
  | { readonly kind: 'eof'; readonly start: number; readonly end: number };

/** A lexical error at an offset of the file. */
export class BicepSyntaxError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.offset = offset;
  }
}

const punctuation = ['...', '==', '!=', '=~', '!~', '<=', '>=', '&&', '||', '??', '=>', '::', '.?', '{', '}', '[', ']', '(', ')', ',', ':', '.', '?', '!', '=', '<', '>', '+', '-', '*', '/', '%', '@', '|'];

/** Strings inside interpolations inside strings are read this deep. */
const maxInterpolationDepth = 32;

const escapes: Readonly<Record<string, string>> = { '\\': '\\', "'": "'", n: '\n', r: '\r', t: '\t', $: '$' };

/**
 * Tokens of `text` from `start` to `end` (the whole text by default; an interpolation's inside otherwise). Offsets are
 * into `text`, so every token keeps its place in the file. Throws {@link BicepSyntaxError}.
 */
export function lexBicep(text: string, start = 0, end = text.length): Token[] {
  const tokens: Token[] = [];
  let i = start;
  while (i < end) {
    const c = text[i] ?? '';
    if (c === '\n') {
      tokens.push({ kind: 'newline', start: i, end: i + 1 });
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v' || c === '\uFEFF') {
      i++;
      continue;
    }
    if (c === '#' && /^#(disable-next-line|disable-diagnostics|restore-diagnostics)\b/.test(text.slice(i, i + 24))) {
      // Compiler pragmas (`#disable-next-line BCP081`) run to the end of the line.
      while (i < end && text[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      while (i < end && text[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      if (close < 0 || close + 2 > end) throw new BicepSyntaxError('comment not closed', i);
      if (text.slice(i, close).includes('\n')) tokens.push({ kind: 'newline', start: i, end: close + 2 });
      i = close + 2;
      continue;
    }
    if (text.startsWith("'''", i)) {
      const close = text.indexOf("'''", i + 3);
      if (close < 0 || close + 3 > end) throw new BicepSyntaxError('multi-line string not closed', i);
      let body = text.slice(i + 3, close);
      // A multi-line string ignores the line break right after its opening quotes.
      if (body.startsWith('\r\n')) body = body.slice(2);
      else if (body.startsWith('\n')) body = body.slice(1);
      tokens.push({ kind: 'string', segments: [{ text: body }], start: i, end: close + 3 });
      i = close + 3;
      continue;
    }
    if (c === "'") {
      const token = lexString(text, i, end);
      tokens.push(token);
      i = token.end;
      continue;
    }
    const identifier = /[A-Za-z_][A-Za-z0-9_]*/y;
    identifier.lastIndex = i;
    const word = identifier.exec(text);
    if (word && word.index === i) {
      tokens.push({ kind: 'identifier', text: word[0], start: i, end: i + word[0].length });
      i += word[0].length;
      continue;
    }
    const numeric = /\d+(\.\d+)?/y;
    numeric.lastIndex = i;
    const number = numeric.exec(text);
    if (number && number.index === i) {
      tokens.push({ kind: 'number', value: Number(number[0]), start: i, end: i + number[0].length });
      i += number[0].length;
      continue;
    }
    const mark = punctuation.find((candidate) => text.startsWith(candidate, i));
    if (!mark) throw new BicepSyntaxError(`unexpected character "${c}"`, i);
    tokens.push({ kind: 'punct', text: mark, start: i, end: i + mark.length });
    i += mark.length;
  }
  tokens.push({ kind: 'eof', start: end, end });
  return tokens;
}

/** A single-quoted string from its opening quote: text segments and `${...}` holes (nested strings and braces skipped). */
function lexString(text: string, start: number, end: number, depth = 0): Token {
  if (depth > maxInterpolationDepth) throw new BicepSyntaxError(`interpolations nested deeper than ${maxInterpolationDepth} levels`, start);
  const segments: StringSegment[] = [];
  let literal = '';
  let i = start + 1;
  for (;;) {
    if (i >= end || text[i] === '\n') throw new BicepSyntaxError('string not closed on its line', start);
    const c = text[i] ?? '';
    if (c === "'") {
      i++;
      break;
    }
    if (c === '\\') {
      const next = text[i + 1] ?? '';
      if (next === 'u' && text[i + 2] === '{') {
        const close = text.indexOf('}', i + 3);
        const code = close > 0 ? Number.parseInt(text.slice(i + 3, close), 16) : Number.NaN;
        if (!Number.isFinite(code) || code > 0x10ffff) throw new BicepSyntaxError('invalid \\u{...} escape', i);
        literal += String.fromCodePoint(code);
        i = close + 1;
        continue;
      }
      const escaped = escapes[next];
      if (escaped === undefined) throw new BicepSyntaxError(`invalid escape \\${next}`, i);
      literal += escaped;
      i += 2;
      continue;
    }
    if (c === '$' && text[i + 1] === '{') {
      if (literal) segments.push({ text: literal });
      literal = '';
      const holeStart = i + 2;
      const holeEnd = matchingBrace(text, holeStart, end, depth);
      segments.push({ hole: [holeStart, holeEnd] });
      i = holeEnd + 1;
      continue;
    }
    literal += c;
    i++;
  }
  if (literal || segments.length === 0) segments.push({ text: literal });
  return { kind: 'string', segments, start, end: i };
}

/** The offset of the `}` that closes an interpolation opened just before `from`. */
function matchingBrace(text: string, from: number, end: number, depth: number): number {
  let braces = 0;
  let i = from;
  while (i < end) {
    const c = text[i] ?? '';
    if (c === '\n') break;
    if (c === "'") {
      // A string inside the interpolation: skip it, holes included.
      const token = lexString(text, i, end, depth + 1);
      i = token.end;
      continue;
    }
    if (c === '{') braces++;
    else if (c === '}') {
      if (braces === 0) return i;
      braces--;
    }
    i++;
  }
  throw new BicepSyntaxError('interpolation ${...} not closed', from - 2);
}
