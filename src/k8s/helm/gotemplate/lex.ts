/**
 * The lexer of Go's text/template (go/src/text/template/parse/lex.go), item for item: trim markers `{{- ` and ` -}}`,
 * comments `{{/* *\/}}`, strings, raw strings, rune constants, numbers as Go scans them, fields, variables, keywords.
 * Offsets are indices into the JavaScript string (UTF-16), so they match the offsets every other reader uses.
 */

export type ItemType =
  | 'error'
  | 'bool'
  | 'char'
  | 'charConstant'
  | 'comment'
  | 'complex'
  | 'assign'
  | 'declare'
  | 'eof'
  | 'field'
  | 'identifier'
  | 'leftDelim'
  | 'leftParen'
  | 'number'
  | 'pipe'
  | 'rawString'
  | 'rightDelim'
  | 'rightParen'
  | 'space'
  | 'string'
  | 'text'
  | 'variable'
  | 'block'
  | 'break'
  | 'continue'
  | 'dot'
  | 'define'
  | 'else'
  | 'end'
  | 'if'
  | 'nil'
  | 'range'
  | 'template'
  | 'with';

/** One lexical item: its type, its text, and where it starts. */
export interface Item {
  readonly type: ItemType;
  /** The text of the item; for errors, the message. */
  readonly value: string;
  /** Offset of the item's first character. */
  readonly pos: number;
  /** Offset just after the item. */
  readonly end: number;
  /** 1-based line of the item's start. */
  readonly line: number;
}

const keywords: Readonly<Record<string, ItemType>> = {
  '.': 'dot',
  block: 'block',
  break: 'break',
  continue: 'continue',
  define: 'define',
  else: 'else',
  end: 'end',
  if: 'if',
  range: 'range',
  nil: 'nil',
  template: 'template',
  with: 'with',
};

const leftDelim = '{{';
const rightDelim = '}}';
const leftComment = '/*';
const rightComment = '*/';
const trimMarkerLength = 2;
const eof = -1;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

const letterOrDigit = /^[\p{L}\p{Nd}_]$/u;

/** Go's isAlphaNumeric: underscore, unicode.IsLetter or unicode.IsDigit. */
function isAlphaNumeric(c: number): boolean {
  if (c < 0) return false;
  if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f) return true;
  if (c < 0x80) return false;
  return letterOrDigit.test(String.fromCodePoint(c));
}

function hasLeftTrimMarker(input: string, at: number): boolean {
  return input.charCodeAt(at) === 0x2d && isSpace(input.charCodeAt(at + 1));
}

function hasRightTrimMarker(input: string, at: number): boolean {
  return isSpace(input.charCodeAt(at)) && input.charCodeAt(at + 1) === 0x2d;
}

/** Length of the trailing Go space characters of input[start, end). */
function rightTrimLength(input: string, start: number, end: number): number {
  let i = end;
  while (i > start && isSpace(input.charCodeAt(i - 1))) i--;
  return end - i;
}

function leftTrimLength(input: string, start: number): number {
  let i = start;
  while (i < input.length && isSpace(input.charCodeAt(i))) i++;
  return i - start;
}

/**
 * Lexes a whole template into items, ending with `eof` or with the first `error` item (as Go's lexer stops there).
 * `maxItems` bounds the work on hostile input: past it an error item is returned.
 */
export function lex(input: string, maxItems = 2_000_000): Item[] {
  const items: Item[] = [];
  let start = 0;
  let pos = 0;
  let parenDepth = 0;
  const newlines: number[] = [];
  for (let i = input.indexOf('\n'); i >= 0; i = input.indexOf('\n', i + 1)) newlines.push(i);
  const lineAt = (offset: number): number => {
    let lo = 0;
    let hi = newlines.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((newlines[mid] ?? 0) < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  };
  let insideAction = false;

  const peek = (): number => (pos < input.length ? (input.codePointAt(pos) ?? eof) : eof);
  const next = (): number => {
    if (pos >= input.length) {
      pos = input.length + 1; // So backup() returns to the end.
      return eof;
    }
    const c = input.codePointAt(pos) ?? eof;
    pos += c > 0xffff ? 2 : 1;
    return c;
  };
  let lastWidth = 0;
  const nextTracked = (): number => {
    const before = pos;
    const c = next();
    lastWidth = pos - before;
    return c;
  };
  const backup = (): void => {
    if (pos > input.length) {
      pos = input.length;
      return;
    }
    pos -= lastWidth;
  };
  const emit = (type: ItemType): void => {
    items.push({ type, value: input.slice(start, pos), pos: start, end: pos, line: lineAt(start) });
    start = pos;
  };
  const ignore = (): void => {
    start = pos;
  };
  const error = (message: string): false => {
    items.push({ type: 'error', value: message, pos: start, end: pos, line: lineAt(start) });
    return false;
  };
  const accept = (valid: string): boolean => {
    const c = nextTracked();
    if (c !== eof && valid.includes(String.fromCodePoint(c))) return true;
    backup();
    return false;
  };
  const acceptRun = (valid: string): void => {
    for (;;) {
      const c = nextTracked();
      if (c === eof || !valid.includes(String.fromCodePoint(c))) break;
    }
    backup();
  };
  const atRightDelim = (): { delim: boolean; trim: boolean } => {
    if (hasRightTrimMarker(input, pos) && input.startsWith(rightDelim, pos + trimMarkerLength)) return { delim: true, trim: true };
    if (input.startsWith(rightDelim, pos)) return { delim: true, trim: false };
    return { delim: false, trim: false };
  };
  const atTerminator = (): boolean => {
    const c = peek();
    if (isSpace(c)) return true;
    switch (c) {
      case eof:
      case 0x2e: // .
      case 0x2c: // ,
      case 0x7c: // |
      case 0x3a: // :
      case 0x29: // )
      case 0x28: // (
        return true;
    }
    return input.startsWith(rightDelim, pos);
  };
  const printable = (c: number): string => (c === eof ? 'EOF' : `U+${c.toString(16).toUpperCase().padStart(4, '0')} '${String.fromCodePoint(c)}'`);

  const scanNumber = (): boolean => {
    accept('+-');
    let digits = '0123456789_';
    if (accept('0')) {
      if (accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (accept('oO')) digits = '01234567_';
      else if (accept('bB')) digits = '01_';
    }
    acceptRun(digits);
    if (accept('.')) acceptRun(digits);
    if (digits.length === 11 && accept('eE')) {
      accept('+-');
      acceptRun('0123456789_');
    }
    if (digits.length === 23 && accept('pP')) {
      accept('+-');
      acceptRun('0123456789_');
    }
    accept('i');
    if (isAlphaNumeric(peek())) {
      nextTracked();
      return false;
    }
    return true;
  };

  // Each state returns false when lexing must stop (error or EOF emitted).
  const lexText = (): boolean => {
    const x = input.indexOf(leftDelim, pos);
    if (x >= 0) {
      if (x > pos) {
        pos = x;
        let trimLength = 0;
        const delimEnd = pos + leftDelim.length;
        if (hasLeftTrimMarker(input, delimEnd)) trimLength = rightTrimLength(input, start, pos);
        pos -= trimLength;
        if (pos > start) emit('text');
        pos += trimLength;
        ignore();
      }
      return lexLeftDelim();
    }
    pos = input.length;
    if (pos > start) emit('text');
    items.push({ type: 'eof', value: '', pos, end: pos, line: lineAt(pos) });
    return false;
  };

  const lexLeftDelim = (): boolean => {
    pos += leftDelim.length;
    const trimSpace = hasLeftTrimMarker(input, pos);
    const afterMarker = trimSpace ? trimMarkerLength : 0;
    if (input.startsWith(leftComment, pos + afterMarker)) {
      pos += afterMarker;
      ignore();
      return lexComment();
    }
    emit('leftDelim');
    insideAction = true;
    pos += afterMarker;
    ignore();
    parenDepth = 0;
    return true;
  };

  const lexComment = (): boolean => {
    pos += leftComment.length;
    const x = input.indexOf(rightComment, pos);
    if (x < 0) return error('unclosed comment');
    pos = x + rightComment.length;
    const { delim, trim } = atRightDelim();
    if (!delim) return error('comment ends before closing delimiter');
    emit('comment');
    if (trim) pos += trimMarkerLength;
    pos += rightDelim.length;
    if (trim) pos += leftTrimLength(input, pos);
    ignore();
    return true;
  };

  const lexRightDelim = (): boolean => {
    const { trim } = atRightDelim();
    if (trim) {
      pos += trimMarkerLength;
      ignore();
    }
    pos += rightDelim.length;
    emit('rightDelim');
    if (trim) {
      pos += leftTrimLength(input, pos);
      ignore();
    }
    insideAction = false;
    return true;
  };

  const lexInsideAction = (): boolean => {
    const { delim } = atRightDelim();
    if (delim) {
      if (parenDepth === 0) return lexRightDelim();
      return error('unclosed left paren');
    }
    const c = nextTracked();
    if (c === eof) return error('unclosed action');
    if (isSpace(c)) {
      backup();
      return lexSpace();
    }
    switch (c) {
      case 0x3d: // =
        emit('assign');
        return true;
      case 0x3a: // :
        if (nextTracked() !== 0x3d) return error('expected :=');
        emit('declare');
        return true;
      case 0x7c: // |
        emit('pipe');
        return true;
      case 0x22: // "
        return lexQuote();
      case 0x60: // `
        return lexRawQuote();
      case 0x24: // $
        return lexVariable();
      case 0x27: // '
        return lexChar();
      case 0x28: // (
        parenDepth++;
        emit('leftParen');
        return true;
      case 0x29: // )
        parenDepth--;
        if (parenDepth < 0) return error('unexpected right paren');
        emit('rightParen');
        return true;
    }
    if (c === 0x2e) {
      // ".field" unless a digit follows (then it is a number).
      if (pos < input.length) {
        const d = input.charCodeAt(pos);
        if (d < 0x30 || d > 0x39) return lexFieldOrVariable('field');
      }
      backup();
      return lexNumber();
    }
    if (c === 0x2b || c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      backup();
      return lexNumber();
    }
    if (isAlphaNumeric(c)) {
      backup();
      return lexIdentifier();
    }
    if (c <= 0x7f && c >= 0x20 && c < 0x7f) {
      emit('char');
      return true;
    }
    return error(`unrecognized character in action: ${printable(c)}`);
  };

  const lexSpace = (): boolean => {
    let spaces = 0;
    while (isSpace(peek())) {
      nextTracked();
      spaces++;
    }
    if (hasRightTrimMarker(input, pos - 1) && input.startsWith(rightDelim, pos - 1 + trimMarkerLength)) {
      pos--;
      if (spaces === 1) return lexRightDelim();
    }
    emit('space');
    return true;
  };

  const lexIdentifier = (): boolean => {
    for (;;) {
      const c = nextTracked();
      if (isAlphaNumeric(c)) continue;
      backup();
      const word = input.slice(start, pos);
      if (!atTerminator()) return error(`bad character ${printable(c)}`);
      const keyword = Object.hasOwn(keywords, word) ? keywords[word] : undefined;
      if (keyword && keyword !== 'dot') emit(keyword);
      else if (word.startsWith('.')) emit('field');
      else if (word === 'true' || word === 'false') emit('bool');
      else emit('identifier');
      return true;
    }
  };

  const lexVariable = (): boolean => {
    if (atTerminator()) {
      emit('variable');
      return true;
    }
    return lexFieldOrVariable('variable');
  };

  const lexFieldOrVariable = (type: 'field' | 'variable'): boolean => {
    if (atTerminator()) {
      emit(type === 'variable' ? 'variable' : 'dot');
      return true;
    }
    let c: number;
    for (;;) {
      c = nextTracked();
      if (!isAlphaNumeric(c)) {
        backup();
        break;
      }
    }
    if (!atTerminator()) return error(`bad character ${printable(c)}`);
    emit(type);
    return true;
  };

  const lexChar = (): boolean => {
    for (;;) {
      const c = nextTracked();
      if (c === 0x5c) {
        const d = nextTracked();
        if (d !== eof && d !== 0x0a) continue;
        return error('unterminated character constant');
      }
      if (c === eof || c === 0x0a) return error('unterminated character constant');
      if (c === 0x27) break;
    }
    emit('charConstant');
    return true;
  };

  const lexNumber = (): boolean => {
    if (!scanNumber()) return error(`bad number syntax: "${input.slice(start, pos)}"`);
    const sign = peek();
    if (sign === 0x2b || sign === 0x2d) {
      if (!scanNumber() || input[pos - 1] !== 'i') return error(`bad number syntax: "${input.slice(start, pos)}"`);
      emit('complex');
      return true;
    }
    emit('number');
    return true;
  };

  const lexQuote = (): boolean => {
    for (;;) {
      const c = nextTracked();
      if (c === 0x5c) {
        const d = nextTracked();
        if (d !== eof && d !== 0x0a) continue;
        return error('unterminated quoted string');
      }
      if (c === eof || c === 0x0a) return error('unterminated quoted string');
      if (c === 0x22) break;
    }
    emit('string');
    return true;
  };

  const lexRawQuote = (): boolean => {
    const x = input.indexOf('`', pos);
    if (x < 0) {
      pos = input.length;
      return error('unterminated raw quoted string');
    }
    pos = x + 1;
    emit('rawString');
    return true;
  };

  for (;;) {
    if (items.length >= maxItems) {
      items.push({ type: 'error', value: `more than ${maxItems} tokens`, pos, end: pos, line: lineAt(pos) });
      return items;
    }
    const goOn = insideAction ? lexInsideAction() : lexText();
    if (!goOn) return items;
  }
}
