import { BicepSyntaxError, lexBicep, type StringSegment, type Token } from './bicep-lexer.js';

/**
 * A parser for the part of Bicep that declares values (learn.microsoft.com/azure/azure-resource-manager/bicep/file):
 * `param` (with a default), `var`, `resource` (with `existing`, `if (...)` and `[for ...]` bodies, nested resources)
 * and `module` declarations, decorators, and every expression form: literals, strings with interpolation, objects
 * (spread included), arrays, `for` loops, calls (`az.`/`sys.` namespaces), property and index access (`.?`, `::`),
 * unary, binary and ternary operators, lambdas. Other statements (`output`, `type`, `func`, `import`, `metadata`,
 * `targetScope`, ...) are skipped whole. A declaration that does not parse is reported and skipped; the rest of the
 * file is still read.
 */

interface Span {
  readonly start: number;
  readonly end: number;
}

export type BicepExpression = Span &
  (
    | { readonly kind: 'string'; readonly segments: readonly ({ readonly text: string } | { readonly expression: BicepExpression })[] }
    | { readonly kind: 'number'; readonly value: number }
    | { readonly kind: 'boolean'; readonly value: boolean }
    | { readonly kind: 'null' }
    | { readonly kind: 'identifier'; readonly name: string }
    | { readonly kind: 'object'; readonly properties: readonly BicepProperty[] }
    | { readonly kind: 'array'; readonly items: readonly BicepExpression[] }
    | { readonly kind: 'for'; readonly item: string | null; readonly index: string | null; readonly source: BicepExpression; readonly body: BicepExpression }
    | { readonly kind: 'if'; readonly condition: BicepExpression; readonly body: BicepExpression }
    | { readonly kind: 'call'; readonly name: string; readonly args: readonly BicepExpression[] }
    /** `safe`: `.?` (a missing property is null instead of an error). */
    | { readonly kind: 'member'; readonly object: BicepExpression; readonly name: string; readonly safe: boolean }
    | { readonly kind: 'index'; readonly object: BicepExpression; readonly index: BicepExpression; readonly safe: boolean }
    | { readonly kind: 'unary'; readonly operator: string; readonly operand: BicepExpression }
    | { readonly kind: 'binary'; readonly operator: string; readonly left: BicepExpression; readonly right: BicepExpression }
    | { readonly kind: 'ternary'; readonly condition: BicepExpression; readonly whenTrue: BicepExpression; readonly whenFalse: BicepExpression }
    | { readonly kind: 'lambda' }
    /** `...list` inside an array. */
    | { readonly kind: 'spread'; readonly value: BicepExpression }
  );

/** An object property (`key: value`, the key an identifier or a string), a spread (`...expr`), or a nested resource. */
export type BicepProperty =
  | (Span & { readonly kind: 'property'; readonly key: BicepExpression; readonly value: BicepExpression })
  | (Span & { readonly kind: 'spread'; readonly value: BicepExpression })
  | (Span & { readonly kind: 'resource'; readonly declaration: BicepResource });

export interface BicepResource extends Span {
  readonly kind: 'resource';
  readonly symbol: string;
  readonly type: BicepExpression;
  readonly existing: boolean;
  readonly body: BicepExpression;
}

export type BicepStatement =
  | (Span & { readonly kind: 'param'; readonly name: string; readonly value: BicepExpression | null; /** Its type ends in `?`: null when not given. */ readonly nullable: boolean })
  | (Span & { readonly kind: 'var'; readonly name: string; readonly value: BicepExpression })
  | BicepResource
  | (Span & { readonly kind: 'module'; readonly symbol: string; readonly path: BicepExpression; readonly body: BicepExpression });

/** A declaration that did not parse: where, and why. */
export interface BicepParseError {
  readonly offset: number;
  readonly message: string;
}

export interface BicepFile {
  readonly statements: readonly BicepStatement[];
  readonly errors: readonly BicepParseError[];
}

/** Expressions and objects nest at most this deep. */
export const maxBicepDepth = 128;

const statementKeywords = new Set(['param', 'var', 'resource', 'module', 'output', 'type', 'func', 'import', 'metadata', 'targetScope', 'extension', 'provider', 'using', 'assert', 'extends']);

/** Parses a Bicep file. Never throws: a lexical error ends the file with an error, a declaration error skips it. */
export function parseBicep(text: string): BicepFile {
  let tokens: Token[];
  try {
    tokens = lexBicep(text);
  } catch (error) {
    if (!(error instanceof BicepSyntaxError)) throw error;
    // Keep the declarations before the bad spot: lex up to the start of its line.
    const lineStart = text.lastIndexOf('\n', error.offset) + 1;
    const before = safeLex(text, lineStart);
    const parsed = before ? new Parser(text, before).file() : { statements: [], errors: [] };
    return { statements: parsed.statements, errors: [...parsed.errors, { offset: error.offset, message: error.message }] };
  }
  return new Parser(text, tokens).file();
}

function safeLex(text: string, end: number): Token[] | null {
  try {
    return lexBicep(text, 0, end);
  } catch {
    return null;
  }
}

class Parser {
  readonly #text: string;
  readonly #tokens: readonly Token[];
  #index = 0;
  #depth = 0;

  constructor(text: string, tokens: readonly Token[]) {
    this.#text = text;
    this.#tokens = tokens;
  }

  file(): BicepFile {
    const statements: BicepStatement[] = [];
    const errors: BicepParseError[] = [];
    for (;;) {
      this.#skipNewlines();
      const token = this.#peek();
      if (token.kind === 'eof') break;
      const start = this.#index;
      try {
        const statement = this.#statement();
        if (statement) statements.push(statement);
        this.#endOfStatement();
      } catch (error) {
        if (!(error instanceof BicepSyntaxError) && !(error instanceof RangeError)) throw error;
        const offset = error instanceof BicepSyntaxError ? error.offset : (this.#peek().start);
        errors.push({ offset, message: error instanceof BicepSyntaxError ? error.message : 'nested too deeply to read' });
        this.#depth = 0;
        this.#resync(start);
      }
    }
    return { statements, errors };
  }

  #peek(ahead = 0): Token {
    return this.#tokens[Math.min(this.#index + ahead, this.#tokens.length - 1)] ?? { kind: 'eof', start: this.#text.length, end: this.#text.length };
  }

  #next(): Token {
    const token = this.#peek();
    if (this.#index < this.#tokens.length - 1) this.#index++;
    return token;
  }

  #isPunct(text: string, ahead = 0): boolean {
    const token = this.#peek(ahead);
    return token.kind === 'punct' && token.text === text;
  }

  #isWord(text: string, ahead = 0): boolean {
    const token = this.#peek(ahead);
    return token.kind === 'identifier' && token.text === text;
  }

  #isPunctIn(texts: readonly string[]): boolean {
    const token = this.#peek();
    return token.kind === 'punct' && texts.includes(token.text);
  }

  #expectPunct(text: string): Token {
    const token = this.#next();
    if (token.kind !== 'punct' || token.text !== text) throw new BicepSyntaxError(`expected "${text}"`, token.start);
    return token;
  }

  #expectIdentifier(): Extract<Token, { kind: 'identifier' }> {
    const token = this.#next();
    if (token.kind !== 'identifier') throw new BicepSyntaxError('expected a name', token.start);
    return token;
  }

  #skipNewlines(): void {
    while (this.#peek().kind === 'newline') this.#next();
  }

  /** After a statement: the end of its line, or the end of the file. */
  #endOfStatement(): void {
    const token = this.#peek();
    if (token.kind !== 'newline' && token.kind !== 'eof') throw new BicepSyntaxError('expected the end of the line', token.start);
  }

  /** After an error: skips to the next line that starts (at column 1) with a statement keyword or a decorator. */
  #resync(from: number): void {
    this.#index = Math.max(this.#index, from + 1);
    for (;;) {
      const token = this.#peek();
      if (token.kind === 'eof') return;
      const previous = this.#tokens[this.#index - 1];
      const atLineStart = previous?.kind === 'newline' && (token.start === 0 || this.#text[token.start - 1] === '\n');
      if (atLineStart && ((token.kind === 'identifier' && statementKeywords.has(token.text)) || (token.kind === 'punct' && token.text === '@'))) return;
      this.#next();
    }
  }

  /** Skips tokens up to the end of the line, brackets balanced (a type, an output's value, an import list). */
  #skipRest(): void {
    let depth = 0;
    for (;;) {
      const token = this.#peek();
      if (token.kind === 'eof') return;
      const previous = this.#tokens[this.#index - 1];
      if (token.kind === 'newline' && previous?.kind === 'punct' && (previous.text === '=>' || previous.text === '=')) {
        this.#next();
        continue;
      }
      if (token.kind === 'newline' && depth === 0 && !this.#continuesWith(['|', '?', ':', '??', '||', '&&', '==', '!=', '=~', '!~', '.', '.?', '<', '>', '<=', '>=', '*', '/', '%'])) return;
      if (token.kind === 'punct' && ['(', '[', '{'].includes(token.text)) depth++;
      if (token.kind === 'punct' && [')', ']', '}'].includes(token.text)) depth = Math.max(0, depth - 1);
      this.#next();
    }
  }

  #statement(): BicepStatement | null {
    const token = this.#peek();
    if (token.kind === 'punct' && token.text === '@') {
      this.#decorator();
      const next = this.#peek();
      return next.kind === 'newline' || next.kind === 'eof' ? null : this.#statement();
    }
    if (token.kind !== 'identifier') throw new BicepSyntaxError('expected a declaration', token.start);
    switch (token.text) {
      case 'param':
        return this.#param();
      case 'var':
        return this.#var();
      case 'resource':
        return this.#resource();
      case 'module':
        return this.#module();
      default:
        if (!statementKeywords.has(token.text)) throw new BicepSyntaxError(`unexpected "${token.text}"`, token.start);
        this.#skipRest();
        return null;
    }
  }

  #decorator(): void {
    this.#expectPunct('@');
    this.#postfix(this.#primary());
  }

  #param(): BicepStatement {
    const start = this.#next().start;
    const name = this.#expectIdentifier().text;
    // The type: a name, `string[]`, a union of literals, an object type; anything up to `=` or the end of the line.
    let depth = 0;
    let last: Token | null = null;
    for (;;) {
      const token = this.#peek();
      if (token.kind === 'eof' || (token.kind === 'newline' && depth === 0 && !this.#continuesWith(['|']))) {
        return { kind: 'param', name, value: null, nullable: last?.kind === 'punct' && last.text === '?', start, end: token.start };
      }
      last = token;
      if (token.kind === 'punct' && token.text === '=' && depth === 0) break;
      if (token.kind === 'punct' && ['(', '[', '{'].includes(token.text)) depth++;
      if (token.kind === 'punct' && [')', ']', '}'].includes(token.text)) depth--;
      this.#next();
    }
    this.#expectPunct('=');
    const value = this.#expression();
    return { kind: 'param', name, value, nullable: false, start, end: value.end };
  }

  #var(): BicepStatement {
    const start = this.#next().start;
    const name = this.#expectIdentifier().text;
    while (!this.#isPunct('=')) {
      const token = this.#next();
      if (token.kind === 'newline' || token.kind === 'eof') throw new BicepSyntaxError('expected "="', token.start);
    }
    this.#expectPunct('=');
    const value = this.#expression();
    return { kind: 'var', name, value, start, end: value.end };
  }

  #resource(): BicepResource {
    const start = this.#next().start;
    const symbol = this.#expectIdentifier().text;
    const type = this.#primary();
    if (type.kind !== 'string') throw new BicepSyntaxError('expected the resource type string', type.start);
    let existing = false;
    if (this.#isWord('existing')) {
      this.#next();
      existing = true;
    }
    this.#expectPunct('=');
    const body = this.#declarationBody();
    return { kind: 'resource', symbol, type, existing, body, start, end: body.end };
  }

  #module(): BicepStatement {
    const start = this.#next().start;
    const symbol = this.#expectIdentifier().text;
    const path = this.#primary();
    if (path.kind !== 'string') throw new BicepSyntaxError('expected the module path string', path.start);
    this.#expectPunct('=');
    const body = this.#declarationBody();
    return { kind: 'module', symbol, path, body, start, end: body.end };
  }

  /** A resource or module body: an object, `if (cond) {...}`, or `[for ... : {...}]`. */
  #declarationBody(): BicepExpression {
    if (this.#isWord('if')) return this.#ifBody();
    return this.#expression();
  }

  #ifBody(): BicepExpression {
    const start = this.#next().start;
    this.#expectPunct('(');
    this.#skipNewlines();
    const condition = this.#expression();
    this.#skipNewlines();
    this.#expectPunct(')');
    const body = this.#primary();
    return { kind: 'if', condition, body, start, end: body.end };
  }

  #enter(offset: number): void {
    if (++this.#depth > maxBicepDepth) throw new BicepSyntaxError(`nested deeper than ${maxBicepDepth} levels`, offset);
  }

  #leave(): void {
    this.#depth--;
  }

  #expression(): BicepExpression {
    this.#enter(this.#peek().start);
    try {
      return this.#ternary();
    } finally {
      this.#leave();
    }
  }

  /**
   * Whether the next token past line breaks is one of these operators, which cannot start a statement, a property or
   * an array item: then the expression continues on the next line (`cond\n  ? a\n  : b`), and the breaks are skipped.
   */
  #continuesWith(operators: readonly string[]): boolean {
    let ahead = 0;
    while (this.#peek(ahead).kind === 'newline') ahead++;
    const token = this.#peek(ahead);
    if (token.kind !== 'punct' || !operators.includes(token.text)) return false;
    for (let i = 0; i < ahead; i++) this.#next();
    return true;
  }

  #ternary(): BicepExpression {
    const condition = this.#binary(0);
    if (!this.#continuesWith(['?'])) return condition;
    this.#next();
    this.#skipNewlines();
    const whenTrue = this.#expression();
    this.#skipNewlines();
    this.#expectPunct(':');
    this.#skipNewlines();
    const whenFalse = this.#expression();
    return { kind: 'ternary', condition, whenTrue, whenFalse, start: condition.start, end: whenFalse.end };
  }

  static readonly #levels: readonly (readonly string[])[] = [['??'], ['||'], ['&&'], ['==', '!=', '=~', '!~'], ['<', '>', '<=', '>='], ['+', '-'], ['*', '/', '%']];

  #binary(level: number): BicepExpression {
    const operators = Parser.#levels[level];
    if (!operators) return this.#unary();
    let left = this.#binary(level + 1);
    // `-` and `+` at the start of a line may begin an array item (`-1`), so only the others continue a line.
    const acrossLines = operators.filter((operator) => operator !== '-' && operator !== '+');
    for (;;) {
      if (!this.#isPunctIn(operators) && !this.#continuesWith(acrossLines)) return left;
      const token = this.#peek();
      if (token.kind !== 'punct') return left;
      this.#next();
      this.#skipNewlines();
      const right = this.#binary(level + 1);
      left = { kind: 'binary', operator: token.text, left, right, start: left.start, end: right.end };
    }
  }

  #unary(): BicepExpression {
    const token = this.#peek();
    if (token.kind === 'punct' && (token.text === '!' || token.text === '-')) {
      this.#next();
      this.#enter(token.start);
      try {
        const operand = this.#unary();
        return { kind: 'unary', operator: token.text, operand, start: token.start, end: operand.end };
      } finally {
        this.#leave();
      }
    }
    return this.#postfix(this.#primary());
  }

  #postfix(base: BicepExpression): BicepExpression {
    let node = base;
    for (;;) {
      if (this.#isPunct('.') || this.#isPunct('.?') || this.#isPunct('::') || this.#continuesWith(['.', '.?'])) {
        const safe = this.#isPunct('.?');
        this.#next();
        const name = this.#expectIdentifier();
        if (this.#isPunct('(')) {
          // A namespaced call: az.resourceGroup(), sys.concat(), or a method-like function on a namespace.
          const args = this.#arguments();
          node = { kind: 'call', name: `${this.#text.slice(node.start, node.end)}.${name.text}`, args, start: node.start, end: this.#peek(-1).end };
        } else {
          node = { kind: 'member', object: node, name: name.text, safe, start: node.start, end: name.end };
        }
        continue;
      }
      if (this.#isPunct('[')) {
        this.#next();
        const safe = this.#isPunct('?');
        if (safe) this.#next();
        this.#skipNewlines();
        const index = this.#expression();
        this.#skipNewlines();
        const close = this.#expectPunct(']');
        node = { kind: 'index', object: node, index, safe, start: node.start, end: close.end };
        continue;
      }
      if (this.#isPunct('!')) {
        // Non-null assertion: `value!`.
        const bang = this.#next();
        node = { ...node, end: bang.end };
        continue;
      }
      return node;
    }
  }

  #arguments(): BicepExpression[] {
    this.#expectPunct('(');
    const args: BicepExpression[] = [];
    this.#skipNewlines();
    if (this.#isPunct(')')) {
      this.#next();
      return args;
    }
    for (;;) {
      this.#skipNewlines();
      args.push(this.#expression());
      this.#skipNewlines();
      const token = this.#next();
      if (token.kind === 'punct' && token.text === ')') return args;
      if (token.kind !== 'punct' || token.text !== ',') throw new BicepSyntaxError('expected "," or ")"', token.start);
    }
  }

  #primary(): BicepExpression {
    const token = this.#peek();
    switch (token.kind) {
      case 'string':
        this.#next();
        return { kind: 'string', segments: this.#segments(token.segments), start: token.start, end: token.end };
      case 'number':
        this.#next();
        return { kind: 'number', value: token.value, start: token.start, end: token.end };
      case 'identifier': {
        if (token.text === 'true' || token.text === 'false') {
          this.#next();
          return { kind: 'boolean', value: token.text === 'true', start: token.start, end: token.end };
        }
        if (token.text === 'null') {
          this.#next();
          return { kind: 'null', start: token.start, end: token.end };
        }
        if (this.#isPunct('=>', 1)) return this.#lambda();
        this.#next();
        if (this.#isPunct('(')) {
          const args = this.#arguments();
          return { kind: 'call', name: token.text, args, start: token.start, end: this.#peek(-1).end };
        }
        return { kind: 'identifier', name: token.text, start: token.start, end: token.end };
      }
      case 'punct':
        if (token.text === '{') return this.#object();
        if (token.text === '[') return this.#array();
        if (token.text === '(') {
          if (this.#isLambdaAhead()) return this.#lambda();
          this.#next();
          this.#skipNewlines();
          const inner = this.#expression();
          this.#skipNewlines();
          const close = this.#expectPunct(')');
          return { ...inner, start: token.start, end: close.end };
        }
        throw new BicepSyntaxError(`unexpected "${token.text}"`, token.start);
      case 'newline':
        throw new BicepSyntaxError('unexpected end of line', token.start);
      case 'eof':
        throw new BicepSyntaxError('unexpected end of file', token.start);
    }
  }

  /** `(a, b) => ...` ahead: a parenthesised list of names followed by `=>`. */
  #isLambdaAhead(): boolean {
    let ahead = 1;
    for (;;) {
      const token = this.#peek(ahead);
      if (token.kind === 'punct' && token.text === ')') return this.#isPunct('=>', ahead + 1);
      if (token.kind !== 'identifier' && !(token.kind === 'punct' && token.text === ',') && token.kind !== 'newline') return false;
      ahead++;
    }
  }

  /** A lambda: its body is parsed (to find its end) but never evaluated. */
  #lambda(): BicepExpression {
    const start = this.#peek().start;
    if (this.#isPunct('(')) {
      while (!this.#isPunct(')')) this.#next();
      this.#next();
    } else {
      this.#next();
    }
    this.#expectPunct('=>');
    this.#skipNewlines();
    const body = this.#expression();
    return { kind: 'lambda', start, end: body.end };
  }

  #segments(segments: readonly StringSegment[]): ({ text: string } | { expression: BicepExpression })[] {
    return segments.map((segment) => {
      if ('text' in segment) return { text: segment.text };
      const [from, to] = segment.hole;
      const inner = new Parser(this.#text, lexBicep(this.#text, from, to));
      inner.#depth = this.#depth;
      inner.#enter(from);
      inner.#skipNewlines();
      const expression = inner.#expression();
      inner.#skipNewlines();
      if (inner.#peek().kind !== 'eof') throw new BicepSyntaxError('unexpected text in ${...}', inner.#peek().start);
      return { expression };
    });
  }

  #object(): BicepExpression {
    const open = this.#expectPunct('{');
    this.#enter(open.start);
    try {
      const properties: BicepProperty[] = [];
      for (;;) {
        this.#skipNewlines();
        if (this.#isPunct(',')) {
          this.#next();
          continue;
        }
        if (this.#isPunct('}')) {
          const close = this.#next();
          return { kind: 'object', properties, start: open.start, end: close.end };
        }
        if (this.#isPunct('@')) {
          this.#decorator();
          continue;
        }
        if (this.#isPunct('...')) {
          const spread = this.#next();
          const value = this.#expression();
          properties.push({ kind: 'spread', value, start: spread.start, end: value.end });
          continue;
        }
        if (this.#isWord('resource') && this.#peek(1).kind === 'identifier' && this.#peek(2).kind === 'string') {
          const declaration = this.#resource();
          properties.push({ kind: 'resource', declaration, start: declaration.start, end: declaration.end });
          continue;
        }
        const keyToken = this.#peek();
        let key: BicepExpression;
        if (keyToken.kind === 'identifier') {
          this.#next();
          key = { kind: 'string', segments: [{ text: keyToken.text }], start: keyToken.start, end: keyToken.end };
        } else if (keyToken.kind === 'string') {
          this.#next();
          key = { kind: 'string', segments: this.#segments(keyToken.segments), start: keyToken.start, end: keyToken.end };
        } else {
          throw new BicepSyntaxError('expected a property name', keyToken.start);
        }
        this.#expectPunct(':');
        this.#skipNewlines();
        const value = this.#expression();
        properties.push({ kind: 'property', key, value, start: key.start, end: value.end });
        const after = this.#peek();
        if (!(after.kind === 'newline' || (after.kind === 'punct' && (after.text === ',' || after.text === '}')))) throw new BicepSyntaxError('expected a new line after a property', after.start);
      }
    } finally {
      this.#leave();
    }
  }

  #array(): BicepExpression {
    const open = this.#expectPunct('[');
    this.#enter(open.start);
    try {
      this.#skipNewlines();
      if (this.#isWord('for')) return this.#forLoop(open.start);
      const items: BicepExpression[] = [];
      for (;;) {
        this.#skipNewlines();
        if (this.#isPunct(',')) {
          this.#next();
          continue;
        }
        if (this.#isPunct(']')) {
          const close = this.#next();
          return { kind: 'array', items, start: open.start, end: close.end };
        }
        if (this.#isPunct('...')) {
          const spread = this.#next();
          const value = this.#expression();
          items.push({ kind: 'spread', value, start: spread.start, end: value.end });
        } else {
          items.push(this.#expression());
        }
        const after = this.#peek();
        if (!(after.kind === 'newline' || (after.kind === 'punct' && (after.text === ',' || after.text === ']')))) throw new BicepSyntaxError('expected a new line after an array item', after.start);
      }
    } finally {
      this.#leave();
    }
  }

  /** `[for item in source: body]`, `[for (item, index) in source: body]`, the body possibly `if (cond) {...}`. */
  #forLoop(start: number): BicepExpression {
    this.#next();
    let item: string | null = null;
    let index: string | null = null;
    if (this.#isPunct('(')) {
      this.#next();
      item = this.#expectIdentifier().text;
      if (this.#isPunct(',')) {
        this.#next();
        index = this.#expectIdentifier().text;
      }
      this.#expectPunct(')');
    } else {
      item = this.#expectIdentifier().text;
    }
    if (!this.#isWord('in')) throw new BicepSyntaxError('expected "in"', this.#peek().start);
    this.#next();
    const source = this.#expression();
    this.#expectPunct(':');
    this.#skipNewlines();
    const body = this.#isWord('if') ? this.#ifBody() : this.#expression();
    this.#skipNewlines();
    const close = this.#expectPunct(']');
    return { kind: 'for', item, index, source, body, start, end: close.end };
  }
}
