/**
 * HCL native syntax (https://github.com/hashicorp/hcl/blob/main/hclsyntax/spec.md) → a syntax tree whose every node
 * keeps its [start, end) offsets in the text, so readers can say where a value was written and editors can splice it.
 *
 * Why a parser of our own: measured on the 431 `.tf` files (721 KB) of the Terraform repositories in the shared
 * corpus (Node 20, 2 cores; `npm run bench -- terraform`). HashiCorp's parser compiled to WASM (`@cdktf/hcl2json`
 * 0.21) takes 4.9 s for a first pass and 1.0 s warm, is async only and gives no positions. The tree-sitter HCL
 * grammar (`@tree-sitter-grammars/tree-sitter-hcl` 1.2.0, its WASM on web-tree-sitter 0.27) takes 1.15 s first and
 * 0.49 s warm with no error node, but the package runs a `node-gyp-build` install script and peer-depends on the
 * native `tree-sitter`. The Lezer grammar (`codemirror-lang-hcl` 0.2.0) takes 9.0 s and puts error nodes in 74 of
 * the 431 files. This parser takes 0.19 s (median of 5, 0.35 s cold) and its plain data equal hcl2json's JSON on all
 * 431 files; the tests compare the two on every fixture and on generated configurations (literals exactly, every
 * other expression by its source text, which checks the spans). Very large single files cost more than their size
 * (the tree outgrows the young generation and garbage collection dominates): a 1.4 MB file takes about 0.6 s.
 *
 * What it follows from HashiCorp's implementation, where the spec is silent: a line comment ends a line like a
 * newline, a block comment does not; newlines end attributes and separate object items but are ignored inside
 * parentheses, brackets, function calls, interpolations, directives and `for` expressions; heredoc text is one token
 * per line, and strip markers (`~`) trim only the neighbouring token before `<<-` removes the common indentation
 * (lines holding only spaces do not count; a line that starts with an interpolation has indentation zero).
 */

/** [start, end) offsets into the parsed text. */
export type Span = readonly [number, number];

/** A file or a block's content: attributes and blocks in source order. */
export interface HclBody {
  readonly items: readonly (HclAttribute | HclBlock)[];
  readonly span: Span;
}

/** `name = expression`. `span` runs from the name to the end of the expression. */
export interface HclAttribute {
  readonly kind: 'attribute';
  readonly name: string;
  readonly nameSpan: Span;
  readonly expr: HclExpr;
  readonly span: Span;
}

/** A block label: a quoted string (without interpolation) or a bare identifier. */
export interface HclLabel {
  readonly value: string;
  readonly span: Span;
  readonly quoted: boolean;
}

/** `type "label" ... { body }`. `open` and `close` are the offsets of the braces. */
export interface HclBlock {
  readonly kind: 'block';
  readonly type: string;
  readonly typeSpan: Span;
  readonly labels: readonly HclLabel[];
  readonly body: HclBody;
  readonly open: number;
  readonly close: number;
  readonly span: Span;
}

/** A traversal step after a splat (`.name`, `[expr]`). */
export type HclStep = { readonly kind: 'attr'; readonly name: string; readonly span: Span } | { readonly kind: 'index'; readonly key: HclExpr; readonly span: Span };

/** One item of an object constructor. `name` is set when the key is a bare identifier or a literal string. */
export interface HclObjectItem {
  readonly key: HclExpr;
  readonly name: string | null;
  /** The key is a bare identifier (`a = 1`), not a string or an expression. */
  readonly bare: boolean;
  readonly value: HclExpr;
  /** `=` or `:` between key and value. */
  readonly separator: '=' | ':';
  readonly span: Span;
}

/**
 * Where decoded text equals its source: `[valueOffset, sourceOffset, length]` runs, in order. Characters no run covers
 * were decoded from an escape (`\n`, `\u00e9`).
 */
export type TextRuns = readonly (readonly [number, number, number])[];

/** Part of a template (a quoted string or a heredoc). Text values are decoded (escapes, `$${`, strip markers). */
export type HclTemplatePart =
  | { readonly kind: 'text'; readonly value: string; readonly span: Span; readonly runs: TextRuns }
  | { readonly kind: 'interp'; readonly expr: HclExpr; readonly span: Span }
  | { readonly kind: 'if'; readonly cond: HclExpr; readonly then: readonly HclTemplatePart[]; readonly else: readonly HclTemplatePart[] | null; readonly span: Span }
  | { readonly kind: 'for'; readonly keyVar: string | null; readonly valueVar: string; readonly collection: HclExpr; readonly body: readonly HclTemplatePart[]; readonly span: Span };

/** Heredoc details of a template. */
export interface HclHeredoc {
  readonly marker: string;
  /** `<<-`: common indentation removed. */
  readonly flush: boolean;
}

export type HclExpr =
  | { readonly kind: 'literal'; readonly value: number | boolean | null; readonly span: Span }
  | { readonly kind: 'template'; readonly parts: readonly HclTemplatePart[]; readonly heredoc: HclHeredoc | null; readonly span: Span }
  | { readonly kind: 'tuple'; readonly items: readonly HclExpr[]; readonly span: Span }
  | { readonly kind: 'object'; readonly items: readonly HclObjectItem[]; readonly span: Span }
  | { readonly kind: 'variable'; readonly name: string; readonly span: Span }
  | { readonly kind: 'getattr'; readonly target: HclExpr; readonly name: string; readonly nameSpan: Span; readonly span: Span }
  | { readonly kind: 'index'; readonly target: HclExpr; readonly key: HclExpr; readonly span: Span }
  | { readonly kind: 'splat'; readonly target: HclExpr; readonly full: boolean; readonly steps: readonly HclStep[]; readonly span: Span }
  | { readonly kind: 'call'; readonly name: string; readonly nameSpan: Span; readonly args: readonly HclExpr[]; readonly expandFinal: boolean; readonly span: Span }
  | { readonly kind: 'conditional'; readonly cond: HclExpr; readonly then: HclExpr; readonly else: HclExpr; readonly span: Span }
  | { readonly kind: 'binary'; readonly op: string; readonly left: HclExpr; readonly right: HclExpr; readonly span: Span }
  | { readonly kind: 'unary'; readonly op: '-' | '!'; readonly operand: HclExpr; readonly span: Span }
  | {
      readonly kind: 'for';
      readonly keyVar: string | null;
      readonly valueVar: string;
      readonly collection: HclExpr;
      readonly keyExpr: HclExpr | null;
      readonly valueExpr: HclExpr;
      readonly cond: HclExpr | null;
      readonly grouped: boolean;
      readonly span: Span;
    }
  | { readonly kind: 'paren'; readonly expr: HclExpr; readonly span: Span };

/** Where and why a text is not HCL. `offset` is where the parser stopped. */
export interface HclSyntaxError {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export type HclParseResult = { readonly ok: true; readonly body: HclBody } | { readonly ok: false; readonly error: HclSyntaxError };

export interface HclParseOptions {
  /** Deepest nesting of expressions and blocks; deeper text is a syntax error, never a stack overflow. */
  readonly maxDepth?: number;
}

export const defaultHclMaxDepth = 200;

class Failure extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Parses a whole file (a body). Never throws: bad input, however bad, is an error with its line and column. */
export function parseHcl(text: string, options: HclParseOptions = {}): HclParseResult {
  const parser = new Parser(text, options.maxDepth ?? defaultHclMaxDepth);
  try {
    const body = parser.parseFile();
    return { ok: true, body };
  } catch (error) {
    const offset = error instanceof Failure ? error.offset : parser.pos;
    const message = error instanceof Failure ? error.message : error instanceof RangeError ? 'nested too deeply to read' : `cannot be read (${String(error)})`;
    const { line, column } = positionOf(text, Math.min(offset, text.length));
    return { ok: false, error: { offset, line, column, message } };
  }
}

/** Parses one expression (all of `text`, newlines ignored). */
export function parseHclExpression(text: string, options: HclParseOptions = {}): { ok: true; expr: HclExpr } | { ok: false; error: HclSyntaxError } {
  const parser = new Parser(text, options.maxDepth ?? defaultHclMaxDepth);
  try {
    parser.skip(false);
    const expr = parser.parseExpression(false);
    parser.skip(false);
    if (parser.pos < text.length) parser.fail('unexpected text after the expression');
    return { ok: true, expr };
  } catch (error) {
    const offset = error instanceof Failure ? error.offset : parser.pos;
    const message = error instanceof Failure ? error.message : 'nested too deeply to read';
    const { line, column } = positionOf(text, Math.min(offset, text.length));
    return { ok: false, error: { offset, line, column, message } };
  }
}

/** Parses a whole text as a template (what `templatefile` reads): `${}` and `%{}` work, backslashes are text. */
export function parseHclTemplate(text: string, options: HclParseOptions = {}): { ok: true; parts: readonly HclTemplatePart[] } | { ok: false; error: HclSyntaxError } {
  const parser = new Parser(text, options.maxDepth ?? defaultHclMaxDepth);
  try {
    return { ok: true, parts: parser.parseTemplateFile() };
  } catch (error) {
    const offset = error instanceof Failure ? error.offset : parser.pos;
    const message = error instanceof Failure ? error.message : 'nested too deeply to read';
    const { line, column } = positionOf(text, Math.min(offset, text.length));
    return { ok: false, error: { offset, line, column, message } };
  }
}

function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

const identStart = /[\p{ID_Start}_]/u;
const identRest = /[\p{ID_Continue}\-]/u;
const binaryLevels: readonly (readonly string[])[] = [['||'], ['&&'], ['==', '!='], ['<=', '>=', '<', '>'], ['+', '-'], ['*', '/', '%']];

/** A template token before directives are nested: text, an interpolation, or one directive keyword. */
type FlatPart =
  | { kind: 'text'; value: string; span: Span; runs: [number, number, number][] }
  | { kind: 'interp'; expr: HclExpr; span: Span; stripLeft: boolean; stripRight: boolean }
  | { kind: 'if'; cond: HclExpr; span: Span; stripLeft: boolean; stripRight: boolean }
  | { kind: 'else' | 'endif' | 'endfor'; span: Span; stripLeft: boolean; stripRight: boolean }
  | { kind: 'for'; keyVar: string | null; valueVar: string; collection: HclExpr; span: Span; stripLeft: boolean; stripRight: boolean };

class Parser {
  pos = 0;
  #depth = 0;
  readonly #text: string;
  readonly #maxDepth: number;

  constructor(text: string, maxDepth: number) {
    this.#text = text;
    this.#maxDepth = maxDepth;
  }

  fail(message: string, at = this.pos): never {
    throw new Failure(message, at);
  }

  #code(offset = this.pos): number {
    return offset < this.#text.length ? this.#text.charCodeAt(offset) : -1;
  }

  #startsWith(token: string, offset = this.pos): boolean {
    return this.#text.startsWith(token, offset);
  }

  #enter(): void {
    if (++this.#depth > this.#maxDepth) this.fail(`nested deeper than ${this.#maxDepth} levels`);
  }

  #leave(): void {
    this.#depth--;
  }

  /** Skips spaces, tabs, carriage returns and comments; newlines too unless `newlines` (then it stops on one). */
  skip(newlines: boolean): void {
    const text = this.#text;
    for (;;) {
      const c = this.#code();
      if (c === 32 || c === 9 || c === 13) {
        this.pos++;
        continue;
      }
      if (c === 10) {
        if (newlines) return;
        this.pos++;
        continue;
      }
      if (c === 35 || (c === 47 && this.#code(this.pos + 1) === 47)) {
        const end = text.indexOf('\n', this.pos);
        this.pos = end < 0 ? text.length : end;
        continue;
      }
      if (c === 47 && this.#code(this.pos + 1) === 42) {
        const end = text.indexOf('*/', this.pos + 2);
        if (end < 0) this.fail('unterminated comment');
        this.pos = end + 2;
        continue;
      }
      if (c === 0xfeff && this.pos === 0) {
        this.pos++;
        continue;
      }
      return;
    }
  }

  #identifierAt(offset: number): string | null {
    const text = this.#text;
    const first = text.codePointAt(offset);
    if (first === undefined) return null;
    const firstChar = String.fromCodePoint(first);
    if (!(first < 128 ? /[A-Za-z_]/.test(firstChar) : identStart.test(firstChar))) return null;
    let end = offset + firstChar.length;
    while (end < text.length) {
      const c = text.charCodeAt(end);
      if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45) {
        end++;
        continue;
      }
      if (c < 128) break;
      const point = text.codePointAt(end) ?? 0;
      const char = String.fromCodePoint(point);
      if (!identRest.test(char)) break;
      end += char.length;
    }
    return text.slice(offset, end);
  }

  #identifier(what: string): { name: string; span: Span } {
    const name = this.#identifierAt(this.pos);
    if (!name) this.fail(`expected ${what}`);
    const start = this.pos;
    this.pos += name.length;
    return { name, span: [start, this.pos] };
  }

  #expect(char: string, what: string): void {
    if (!this.#startsWith(char)) this.fail(`expected ${what}`);
    this.pos += char.length;
  }

  // ---- bodies -------------------------------------------------------------------------------------------------

  parseFile(): HclBody {
    const body = this.#parseBody(false);
    if (this.pos < this.#text.length) this.fail('unexpected }');
    return body;
  }

  /** Attributes and blocks up to the end of the text, or up to (not over) a closing brace when `inBlock`. */
  #parseBody(inBlock: boolean): HclBody {
    const start = this.pos;
    const items: (HclAttribute | HclBlock)[] = [];
    for (;;) {
      this.skip(true);
      const c = this.#code();
      if (c === 10) {
        this.pos++;
        continue;
      }
      if (c === -1) {
        if (inBlock) this.fail('missing } at the end of the block');
        break;
      }
      if (c === 125) {
        if (!inBlock) this.fail('unexpected }');
        break;
      }
      const item = this.#parseItem();
      items.push(item);
      this.skip(true);
      const after = this.#code();
      if (after === 10) this.pos++;
      else if (after !== -1) this.fail(item.kind === 'attribute' ? 'missing newline after the argument' : 'missing newline after the block');
    }
    return { items, span: [start, this.pos] };
  }

  #parseItem(): HclAttribute | HclBlock {
    const { name, span: nameSpan } = this.#identifier('an argument name or a block type');
    this.skip(true);
    if (this.#code() === 61 && this.#code(this.pos + 1) !== 61) {
      this.pos++;
      this.skip(true);
      const expr = this.parseExpression(true);
      return { kind: 'attribute', name, nameSpan, expr, span: [nameSpan[0], expr.span[1]] };
    }
    const labels: HclLabel[] = [];
    for (;;) {
      const c = this.#code();
      if (c === 34) {
        const start = this.pos;
        const template = this.#parseQuoted();
        if (template.parts.some((part) => part.kind !== 'text')) this.fail('a block label cannot hold an interpolation or directive', start);
        labels.push({ value: template.parts.map((part) => (part.kind === 'text' ? part.value : '')).join(''), span: template.span, quoted: true });
      } else if (c === 123) {
        break;
      } else {
        const label = this.#identifierAt(this.pos);
        if (!label) this.fail(labels.length === 0 ? 'expected = or a block' : 'expected a block label or {');
        labels.push({ value: label, span: [this.pos, this.pos + label.length], quoted: false });
        this.pos += label.length;
      }
      this.skip(true);
    }
    const open = this.pos;
    this.pos++;
    this.#enter();
    this.skip(true);
    let body: HclBody;
    if (this.#code() === 10) {
      body = this.#parseBody(true);
    } else if (this.#code() === 125) {
      body = { items: [], span: [this.pos, this.pos] };
    } else {
      // A single-line block: at most one argument, closed on the same line.
      const start = this.pos;
      const { name: attrName, span: attrSpan } = this.#identifier('an argument in a single-line block');
      this.skip(true);
      if (this.#code() !== 61 || this.#code(this.pos + 1) === 61) this.fail('a single-line block holds one argument');
      this.pos++;
      this.skip(true);
      const expr = this.parseExpression(true);
      this.skip(true);
      if (this.#code() !== 125) this.fail('a single-line block must be closed on the same line');
      body = { items: [{ kind: 'attribute', name: attrName, nameSpan: attrSpan, expr, span: [attrSpan[0], expr.span[1]] }], span: [start, this.pos] };
    }
    this.#leave();
    if (this.#code() !== 125) this.fail('missing } at the end of the block');
    const close = this.pos;
    this.pos++;
    return { kind: 'block', type: name, typeSpan: nameSpan, labels, body, open, close, span: [nameSpan[0], this.pos] };
  }

  // ---- expressions --------------------------------------------------------------------------------------------

  /** An expression; `newlines` says whether a newline ends it (attribute and object values) or is ignored. */
  parseExpression(newlines: boolean): HclExpr {
    this.#enter();
    const cond = this.#parseBinary(0, newlines);
    this.skip(newlines);
    let result = cond;
    if (this.#code() === 63) {
      this.pos++;
      this.skip(newlines);
      const then = this.parseExpression(newlines);
      this.skip(newlines);
      this.#expect(':', ': in a conditional expression');
      this.skip(newlines);
      const otherwise = this.parseExpression(newlines);
      result = { kind: 'conditional', cond, then, else: otherwise, span: [cond.span[0], otherwise.span[1]] };
    }
    this.#leave();
    return result;
  }

  #binaryOperator(level: number): string | null {
    const ops = binaryLevels[level] ?? [];
    for (const op of ops) {
      if (!this.#startsWith(op)) continue;
      // `=>` and `==` are not `=`; `<` must not start `<=` when looking for `<` (ops are ordered longest first).
      return op;
    }
    return null;
  }

  #parseBinary(level: number, newlines: boolean): HclExpr {
    if (level >= binaryLevels.length) return this.#parseUnary(newlines);
    let left = this.#parseBinary(level + 1, newlines);
    for (;;) {
      this.skip(newlines);
      const op = this.#binaryOperator(level);
      if (!op) return left;
      this.pos += op.length;
      this.skip(newlines);
      this.#enter();
      const right = this.#parseBinary(level + 1, newlines);
      this.#leave();
      left = { kind: 'binary', op, left, right, span: [left.span[0], right.span[1]] };
    }
  }

  #parseUnary(newlines: boolean): HclExpr {
    const c = this.#code();
    if (c === 45 || c === 33) {
      const start = this.pos;
      this.pos++;
      this.skip(newlines);
      this.#enter();
      const operand = this.#parseUnary(newlines);
      this.#leave();
      return { kind: 'unary', op: c === 45 ? '-' : '!', operand, span: [start, operand.span[1]] };
    }
    return this.#parsePostfix(this.#parseTerm(), newlines);
  }

  #parsePostfix(term: HclExpr, newlines: boolean): HclExpr {
    let expr = term;
    for (;;) {
      const save = this.pos;
      this.skip(newlines);
      const c = this.#code();
      if (c === 46 && !this.#startsWith('...')) {
        this.pos++;
        this.skip(newlines);
        if (this.#code() === 42) {
          this.pos++;
          expr = this.#parseSplat(expr, false, newlines);
          continue;
        }
        const digits = this.#legacyIndex();
        if (digits) {
          const start = this.pos;
          this.pos += digits[0].length;
          const key: HclExpr = { kind: 'literal', value: Number(digits[0]), span: [start, this.pos] };
          expr = { kind: 'index', target: expr, key, span: [expr.span[0], this.pos] };
          continue;
        }
        const { name, span } = this.#identifier('an attribute name after .');
        expr = { kind: 'getattr', target: expr, name, nameSpan: span, span: [expr.span[0], span[1]] };
        continue;
      }
      if (c === 91) {
        this.pos++;
        this.skip(false);
        if (this.#code() === 42) {
          this.pos++;
          this.skip(false);
          this.#expect(']', '] after [*');
          expr = this.#parseSplat(expr, true, newlines);
          continue;
        }
        this.#enter();
        const key = this.parseExpression(false);
        this.#leave();
        this.skip(false);
        this.#expect(']', '] after an index');
        expr = { kind: 'index', target: expr, key, span: [expr.span[0], this.pos] };
        continue;
      }
      this.pos = save;
      return expr;
    }
  }

  /** A legacy index after a dot (`a.0`): HCL scans a number there, so `a.0.0` is one number and refused. */
  #legacyIndex(): RegExpExecArray | null {
    const match = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.#text.slice(this.pos, this.pos + 64));
    if (match?.[1]) this.fail('legacy index syntax cannot chain two indexes (use [0][0])');
    return match;
  }

  #parseSplat(target: HclExpr, full: boolean, newlines: boolean): HclExpr {
    const steps: HclStep[] = [];
    for (;;) {
      const save = this.pos;
      this.skip(newlines);
      const c = this.#code();
      if (c === 46 && !this.#startsWith('...')) {
        const start = this.pos;
        this.pos++;
        this.skip(newlines);
        if (this.#code() === 42) {
          // Another splat wraps this one; HCL refuses it inside an attribute-only splat (`a.*.b.*`).
          if (!full) this.fail('a splat cannot be used inside an attribute-only splat (.*)');
          this.pos = save;
          break;
        }
        const digits = this.#legacyIndex();
        if (digits) {
          const keyStart = this.pos;
          this.pos += digits[0].length;
          steps.push({ kind: 'index', key: { kind: 'literal', value: Number(digits[0]), span: [keyStart, this.pos] }, span: [start, this.pos] });
          continue;
        }
        const { name } = this.#identifier('an attribute name after .');
        steps.push({ kind: 'attr', name, span: [start, this.pos] });
        continue;
      }
      if (c === 91 && full) {
        const start = this.pos;
        this.pos++;
        this.skip(false);
        if (this.#code() === 42) {
          this.pos = save;
          break;
        }
        this.#enter();
        const key = this.parseExpression(false);
        this.#leave();
        this.skip(false);
        this.#expect(']', '] after an index');
        steps.push({ kind: 'index', key, span: [start, this.pos] });
        continue;
      }
      this.pos = save;
      break;
    }
    const end = steps.length > 0 ? (steps[steps.length - 1]?.span[1] ?? this.pos) : this.pos;
    return { kind: 'splat', target, full, steps, span: [target.span[0], end] };
  }

  #parseTerm(): HclExpr {
    const start = this.pos;
    const c = this.#code();
    if (c === -1) this.fail('expected an expression, found the end of the file');
    if (c === 40) {
      this.pos++;
      this.skip(false);
      const expr = this.parseExpression(false);
      this.skip(false);
      this.#expect(')', ') to close (');
      return { kind: 'paren', expr, span: [start, this.pos] };
    }
    if (c === 91) return this.#parseTuple();
    if (c === 123) return this.#parseObject();
    if (c === 34) return this.#parseQuoted();
    if (c === 60 && this.#code(this.pos + 1) === 60) return this.#parseHeredoc();
    if (c >= 48 && c <= 57) {
      const match = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.#text.slice(this.pos, this.pos + 400));
      const raw = match?.[0] ?? '';
      this.pos += raw.length;
      return { kind: 'literal', value: Number(raw), span: [start, this.pos] };
    }
    const name = this.#identifierAt(this.pos);
    if (!name) this.fail('expected an expression');
    this.pos += name.length;
    if (name === 'true' || name === 'false' || name === 'null') {
      return { kind: 'literal', value: name === 'null' ? null : name === 'true', span: [start, this.pos] };
    }
    let callName = name;
    while (this.#startsWith('::')) {
      this.pos += 2;
      const part = this.#identifier('a function name after ::');
      callName += `::${part.name}`;
    }
    const nameEnd = this.pos;
    const save = this.pos;
    this.skip(true);
    if (this.#code() === 40) return this.#parseCall(callName, [start, nameEnd]);
    if (callName !== name) this.fail('expected ( after a function name');
    this.pos = save;
    return { kind: 'variable', name, span: [start, this.pos] };
  }

  #parseCall(name: string, nameSpan: Span): HclExpr {
    this.pos++;
    this.#enter();
    const args: HclExpr[] = [];
    let expandFinal = false;
    for (;;) {
      this.skip(false);
      if (this.#code() === 41) break;
      if (expandFinal) this.fail('... must follow the last argument');
      args.push(this.parseExpression(false));
      this.skip(false);
      if (this.#startsWith('...')) {
        this.pos += 3;
        expandFinal = true;
        this.skip(false);
      }
      if (this.#code() === 44) {
        this.pos++;
        continue;
      }
      if (this.#code() !== 41) this.fail('expected , or ) in the arguments of a function call');
    }
    this.pos++;
    this.#leave();
    return { kind: 'call', name, nameSpan, args, expandFinal, span: [nameSpan[0], this.pos] };
  }

  #isForKeyword(): boolean {
    if (!this.#startsWith('for')) return false;
    const next = this.#code(this.pos + 3);
    return next === 32 || next === 9 || next === 10 || next === 13;
  }

  #parseTuple(): HclExpr {
    const start = this.pos;
    this.pos++;
    this.#enter();
    this.skip(false);
    if (this.#isForKeyword()) {
      const result = this.#parseFor(start, false);
      this.#leave();
      return result;
    }
    const items: HclExpr[] = [];
    for (;;) {
      this.skip(false);
      if (this.#code() === 93) break;
      items.push(this.parseExpression(false));
      this.skip(false);
      if (this.#code() === 44) {
        this.pos++;
        continue;
      }
      if (this.#code() !== 93) this.fail('expected , or ] in a list');
    }
    this.pos++;
    this.#leave();
    return { kind: 'tuple', items, span: [start, this.pos] };
  }

  #parseFor(start: number, object: boolean): HclExpr {
    this.pos += 3;
    this.skip(false);
    const first = this.#identifier('a variable name after for');
    this.skip(false);
    let keyVar: string | null = null;
    let valueVar = first.name;
    if (this.#code() === 44) {
      this.pos++;
      this.skip(false);
      keyVar = first.name;
      valueVar = this.#identifier('a value variable name after ,').name;
      this.skip(false);
    }
    if (this.#identifierAt(this.pos) !== 'in') this.fail('expected in after the for variables');
    this.pos += 2;
    this.skip(false);
    const collection = this.parseExpression(false);
    this.skip(false);
    this.#expect(':', ': after the for collection');
    this.skip(false);
    let keyExpr: HclExpr | null = null;
    let valueExpr: HclExpr;
    let grouped = false;
    if (object) {
      keyExpr = this.parseExpression(false);
      this.skip(false);
      this.#expect('=>', '=> in an object for expression');
      this.skip(false);
      valueExpr = this.parseExpression(false);
      this.skip(false);
      if (this.#startsWith('...')) {
        this.pos += 3;
        grouped = true;
        this.skip(false);
      }
    } else {
      valueExpr = this.parseExpression(false);
      this.skip(false);
    }
    let cond: HclExpr | null = null;
    if (this.#identifierAt(this.pos) === 'if') {
      this.pos += 2;
      this.skip(false);
      cond = this.parseExpression(false);
      this.skip(false);
    }
    this.#expect(object ? '}' : ']', object ? '} to close the for expression' : '] to close the for expression');
    return { kind: 'for', keyVar, valueVar, collection, keyExpr, valueExpr, cond, grouped, span: [start, this.pos] };
  }

  #parseObject(): HclExpr {
    const start = this.pos;
    this.pos++;
    this.#enter();
    this.skip(false);
    if (this.#isForKeyword()) {
      const result = this.#parseFor(start, true);
      this.#leave();
      return result;
    }
    const items: HclObjectItem[] = [];
    for (;;) {
      this.skip(true);
      const c = this.#code();
      if (c === 10 || c === 44) {
        if (c === 44 && items.length === 0) this.fail('expected an object key before ,');
        this.pos++;
        continue;
      }
      if (c === 125) break;
      if (c === -1) this.fail('missing } at the end of the object');
      items.push(this.#parseObjectItem());
      this.skip(true);
      const after = this.#code();
      if (after === 44 || after === 10) {
        this.pos++;
        continue;
      }
      if (after !== 125) this.fail('expected a newline or comma before the next object item');
    }
    this.pos++;
    this.#leave();
    return { kind: 'object', items, span: [start, this.pos] };
  }

  #parseObjectItem(): HclObjectItem {
    const start = this.pos;
    const bareName = this.#identifierAt(this.pos);
    let key: HclExpr;
    let name: string | null = null;
    let bare = false;
    if (bareName) {
      const save = this.pos;
      this.pos += bareName.length;
      this.skip(true);
      const c = this.#code();
      if ((c === 61 && this.#code(this.pos + 1) !== 61 && this.#code(this.pos + 1) !== 62) || c === 58) {
        key = { kind: 'variable', name: bareName, span: [start, start + bareName.length] };
        name = bareName;
        bare = true;
      } else {
        this.pos = save;
        key = this.parseExpression(true);
      }
    } else {
      key = this.parseExpression(true);
    }
    if (!bare && key.kind === 'template' && key.parts.every((part) => part.kind === 'text')) {
      name = key.parts.map((part) => (part.kind === 'text' ? part.value : '')).join('');
    }
    this.skip(true);
    const c = this.#code();
    let separator: '=' | ':';
    if (c === 61 && this.#code(this.pos + 1) !== 61 && this.#code(this.pos + 1) !== 62) separator = '=';
    else if (c === 58) separator = ':';
    else this.fail('expected = or : after an object key');
    this.pos++;
    this.skip(true);
    const value = this.parseExpression(true);
    return { key, name, bare, value, separator, span: [start, value.span[1]] };
  }

  // ---- templates ----------------------------------------------------------------------------------------------

  #parseQuoted(): HclExpr & { kind: 'template' } {
    const start = this.pos;
    this.pos++;
    const flat = this.#parseTemplateParts('quoted');
    const span: Span = [start, this.pos];
    return { kind: 'template', parts: nestParts(mergeTexts(applyStrips(flat)), (message, at) => this.fail(message, at)), heredoc: null, span };
  }

  parseTemplateFile(): HclTemplatePart[] {
    const flat = this.#parseTemplateParts('file');
    return nestParts(mergeTexts(applyStrips(flat)), (message, at) => this.fail(message, at));
  }

  #parseHeredoc(): HclExpr {
    const start = this.pos;
    this.pos += 2;
    const flush = this.#code() === 45;
    if (flush) this.pos++;
    const marker = this.#identifier('a heredoc marker after <<').name;
    if (this.#code() === 13) this.pos++;
    if (this.#code() !== 10) this.fail('a heredoc marker must end its line');
    this.pos++;
    const flat = this.#parseTemplateParts('heredoc', marker);
    const stripped = applyStrips(flat);
    if (flush) flushIndentation(stripped);
    const parts = nestParts(mergeTexts(stripped), (message, at) => this.fail(message, at));
    return { kind: 'template', parts, heredoc: { marker, flush }, span: [start, this.pos] };
  }

  /** Whether a heredoc line starting at `offset` closes it: optional blanks, the marker, optional blanks, end of line. */
  #closesHeredoc(offset: number, marker: string): number | null {
    let i = offset;
    while (this.#code(i) === 32 || this.#code(i) === 9) i++;
    if (!this.#startsWith(marker, i)) return null;
    const after = i + marker.length;
    const next = this.#code(after);
    if (next !== -1 && next !== 10 && next !== 13 && next !== 32 && next !== 9) return null;
    let j = after;
    while (this.#code(j) === 32 || this.#code(j) === 9 || this.#code(j) === 13) j++;
    // HashiCorp's scanner needs a newline after the closing marker, even at the end of the file.
    if (this.#code(j) !== 10) return null;
    return after;
  }

  /**
   * Template tokens up to the closing quote or heredoc marker (consumed). Quoted text decodes backslash escapes;
   * both decode `$${` and `%%{`. Heredoc text is split after each newline, as HashiCorp's scanner does.
   */
  #parseTemplateParts(mode: 'quoted' | 'heredoc' | 'file', marker = ''): FlatPart[] {
    const text = this.#text;
    const parts: FlatPart[] = [];
    let buffer = '';
    let runs: [number, number, number][] = [];
    let bufferStart = this.pos;
    let lineStart = mode === 'heredoc';
    const flushText = (end: number) => {
      if (end > bufferStart || buffer !== '') parts.push({ kind: 'text', value: buffer, span: [bufferStart, end], runs });
      buffer = '';
      runs = [];
      bufferStart = end;
    };
    const copy = (from: number, to: number) => {
      const last = runs[runs.length - 1];
      if (last && last[0] + last[2] === buffer.length && last[1] + last[2] === from) last[2] += to - from;
      else runs.push([buffer.length, from, to - from]);
      buffer += text.slice(from, to);
    };
    for (;;) {
      if (lineStart) {
        const closed = this.#closesHeredoc(this.pos, marker);
        if (closed !== null) {
          flushText(this.pos);
          this.pos = closed;
          return parts;
        }
        lineStart = false;
      }
      const c = this.#code();
      if (c === -1 && mode === 'file') {
        flushText(this.pos);
        return parts;
      }
      if (c === -1) this.fail(mode === 'quoted' ? 'unterminated string' : `unterminated heredoc: no line with ${marker}`);
      if (mode === 'quoted') {
        if (c === 34) {
          flushText(this.pos);
          this.pos++;
          return parts;
        }
        if (c === 10) this.fail('a quoted string cannot span lines (use a heredoc)');
        if (c === 92) {
          buffer += this.#escape();
          continue;
        }
      }
      if ((c === 36 || c === 37) && this.#code(this.pos + 1) === c && this.#code(this.pos + 2) === 123) {
        copy(this.pos + 1, this.pos + 3);
        this.pos += 3;
        continue;
      }
      if ((c === 36 || c === 37) && this.#code(this.pos + 1) === 123) {
        flushText(this.pos);
        parts.push(c === 36 ? this.#parseInterpolation() : this.#parseDirective());
        bufferStart = this.pos;
        continue;
      }
      if (c === 10) {
        copy(this.pos, this.pos + 1);
        this.pos++;
        flushText(this.pos);
        lineStart = mode === 'heredoc';
        continue;
      }
      const next = text.indexOf('\n', this.pos);
      // Copy plain characters in one go up to the next character that matters.
      let end = this.pos + 1;
      const limit = next < 0 ? text.length : next;
      while (end < limit) {
        const d = text.charCodeAt(end);
        if (d === 36 || d === 37 || (mode === 'quoted' && (d === 34 || d === 92))) break;
        end++;
      }
      copy(this.pos, end);
      this.pos = end;
    }
  }

  #escape(): string {
    const start = this.pos;
    const c = this.#code(this.pos + 1);
    this.pos += 2;
    switch (c) {
      case 110:
        return '\n';
      case 114:
        return '\r';
      case 116:
        return '\t';
      case 34:
        return '"';
      case 92:
        return '\\';
      case 117:
      case 85: {
        const length = c === 117 ? 4 : 8;
        const hex = this.#text.slice(this.pos, this.pos + length);
        if (!new RegExp(`^[0-9A-Fa-f]{${length}}$`).test(hex)) this.fail('invalid unicode escape', start);
        const point = Number.parseInt(hex, 16);
        if (point > 0x10ffff || (point >= 0xd800 && point <= 0xdfff)) this.fail('invalid unicode escape', start);
        this.pos += length;
        return String.fromCodePoint(point);
      }
      default:
        return this.fail('invalid escape sequence', start);
    }
  }

  #parseInterpolation(): FlatPart {
    const start = this.pos;
    this.pos += 2;
    this.#enter();
    const stripLeft = this.#code() === 126;
    if (stripLeft) this.pos++;
    this.skip(false);
    const expr = this.parseExpression(false);
    this.skip(false);
    const stripRight = this.#code() === 126;
    if (stripRight) this.pos++;
    this.#expect('}', '} to close the interpolation');
    this.#leave();
    return { kind: 'interp', expr, span: [start, this.pos], stripLeft, stripRight };
  }

  #parseDirective(): FlatPart {
    const start = this.pos;
    this.pos += 2;
    this.#enter();
    const stripLeft = this.#code() === 126;
    if (stripLeft) this.pos++;
    this.skip(false);
    const keyword = this.#identifier('if, else, endif, for or endfor after %{').name;
    this.skip(false);
    let part: FlatPart;
    const close = (): { stripRight: boolean; span: Span } => {
      this.skip(false);
      const stripRight = this.#code() === 126;
      if (stripRight) this.pos++;
      this.#expect('}', '} to close the directive');
      return { stripRight, span: [start, this.pos] };
    };
    if (keyword === 'if') {
      const cond = this.parseExpression(false);
      part = { kind: 'if', cond, stripLeft, ...close() };
    } else if (keyword === 'for') {
      const first = this.#identifier('a variable name after for').name;
      this.skip(false);
      let keyVar: string | null = null;
      let valueVar = first;
      if (this.#code() === 44) {
        this.pos++;
        this.skip(false);
        keyVar = first;
        valueVar = this.#identifier('a value variable name after ,').name;
        this.skip(false);
      }
      if (this.#identifierAt(this.pos) !== 'in') this.fail('expected in after the for variables');
      this.pos += 2;
      this.skip(false);
      const collection = this.parseExpression(false);
      part = { kind: 'for', keyVar, valueVar, collection, stripLeft, ...close() };
    } else if (keyword === 'else' || keyword === 'endif' || keyword === 'endfor') {
      part = { kind: keyword, stripLeft, ...close() };
    } else {
      this.fail(`unknown template directive %{${keyword}}`, start);
    }
    this.#leave();
    return part;
  }
}

/** Strip markers: `~` trims the whitespace of the text token right before (left marker) or after (right marker). */
function applyStrips(parts: FlatPart[]): FlatPart[] {
  const out = parts.map((part) => ({ ...part }));
  for (let i = 0; i < out.length; i++) {
    const part = out[i];
    if (!part || part.kind === 'text') continue;
    const before = out[i - 1];
    if (part.stripLeft && before?.kind === 'text') {
      before.value = before.value.replace(/\s+$/u, '');
      before.runs = cutRuns(before.runs, 0, before.value.length);
    }
    const after = out[i + 1];
    if (part.stripRight && after?.kind === 'text') {
      const trimmed = after.value.replace(/^\s+/u, '');
      after.runs = cutRuns(after.runs, after.value.length - trimmed.length, after.value.length);
      after.value = trimmed;
    }
  }
  return out;
}

/** `<<-`: removes the smallest indentation of the heredoc's lines, as HashiCorp's `flushHeredocTemplateParts`. */
function flushIndentation(parts: FlatPart[]): void {
  let min = Number.POSITIVE_INFINITY;
  let newline = true;
  const adjust: (FlatPart & { kind: 'text' })[] = [];
  for (const part of parts) {
    if (newline) {
      newline = false;
      let spaces: number;
      if (part.kind === 'text') {
        const trimmed = part.value.replace(/^\s+/u, '');
        if (trimmed.length === 0 && part.value.endsWith('\n')) spaces = Number.POSITIVE_INFINITY;
        else {
          spaces = [...part.value.slice(0, part.value.length - trimmed.length)].length;
          adjust.push(part);
        }
      } else {
        spaces = 0;
      }
      if (spaces < min) min = spaces;
    }
    if (part.kind === 'text' && part.value.endsWith('\n')) newline = true;
  }
  if (!Number.isFinite(min) || min === 0) return;
  for (const part of adjust) {
    const chars = [...part.value];
    const removed = chars.slice(0, min).join('');
    part.runs = cutRuns(part.runs, removed.length, part.value.length);
    part.value = part.value.slice(removed.length);
    part.span = [part.span[0] + removed.length, part.span[1]];
  }
}

/** The runs of value characters [from, to), re-based at `from`. */
function cutRuns(runs: readonly (readonly [number, number, number])[], from: number, to: number): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (const [value, source, length] of runs) {
    const start = Math.max(value, from);
    const end = Math.min(value + length, to);
    if (end > start) out.push([start - from, source + (start - value), end - start]);
  }
  return out;
}

/** Adjacent text tokens as one. */
function mergeTexts(parts: FlatPart[]): FlatPart[] {
  const out: FlatPart[] = [];
  for (const part of parts) {
    const last = out[out.length - 1];
    if (part.kind === 'text' && last?.kind === 'text') {
      const shifted = part.runs.map(([value, source, length]): [number, number, number] => [value + last.value.length, source, length]);
      out[out.length - 1] = { kind: 'text', value: last.value + part.value, span: [last.span[0], part.span[1]], runs: [...last.runs, ...shifted] };
    } else {
      out.push(part);
    }
  }
  return out.filter((part) => part.kind !== 'text' || part.value !== '' || out.length === 1);
}

/** Directives nested into if/for parts. */
function nestParts(flat: readonly FlatPart[], fail: (message: string, at: number) => never): HclTemplatePart[] {
  let index = 0;
  const read = (until: readonly string[]): { parts: HclTemplatePart[]; end: FlatPart | null } => {
    const parts: HclTemplatePart[] = [];
    while (index < flat.length) {
      const part = flat[index++];
      if (!part) break;
      switch (part.kind) {
        case 'text':
          if (part.value !== '' || flat.length === 1) parts.push({ kind: 'text', value: part.value, span: part.span, runs: part.runs });
          break;
        case 'interp':
          parts.push({ kind: 'interp', expr: part.expr, span: part.span });
          break;
        case 'if': {
          const then = read(['else', 'endif']);
          let otherwise: HclTemplatePart[] | null = null;
          let end = then.end;
          if (end?.kind === 'else') {
            const rest = read(['endif']);
            otherwise = rest.parts;
            end = rest.end;
          }
          if (end?.kind !== 'endif') fail('%{if} without %{endif}', part.span[0]);
          parts.push({ kind: 'if', cond: part.cond, then: then.parts, else: otherwise, span: [part.span[0], end.span[1]] });
          break;
        }
        case 'for': {
          const body = read(['endfor']);
          if (body.end?.kind !== 'endfor') fail('%{for} without %{endfor}', part.span[0]);
          parts.push({ kind: 'for', keyVar: part.keyVar, valueVar: part.valueVar, collection: part.collection, body: body.parts, span: [part.span[0], body.end.span[1]] });
          break;
        }
        default:
          if (until.includes(part.kind)) return { parts, end: part };
          fail(`%{${part.kind}} without its opening directive`, part.span[0]);
      }
    }
    return { parts, end: null };
  };
  const result = read([]);
  return result.parts;
}
