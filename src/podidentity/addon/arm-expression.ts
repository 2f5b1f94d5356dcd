/**
 * The ARM template expression language (learn.microsoft.com/azure/azure-resource-manager/templates/template-expressions):
 * the text between `[` and `]` of a JSON string. Function calls, single-quoted strings (`''` escapes a quote),
 * integers, `true`/`false`/`null` as function-less literals some templates write, property access `.name`, index
 * access `[expr]`, user-defined functions `namespace.name(...)`.
 */
export type ArmExpression =
  | { readonly kind: 'string'; readonly value: string; readonly start: number; readonly end: number }
  | { readonly kind: 'number'; readonly value: number; readonly start: number; readonly end: number }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly ArmExpression[]; readonly start: number; readonly end: number }
  | { readonly kind: 'member'; readonly object: ArmExpression; readonly name: string; readonly start: number; readonly end: number }
  | { readonly kind: 'index'; readonly object: ArmExpression; readonly index: ArmExpression; readonly start: number; readonly end: number };

/** A syntax error in an expression, with the offset into the expression text. */
export class ArmExpressionError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.offset = offset;
  }
}

/** Expressions nest at most this deep; deeper ones are refused (a template never needs more). */
export const maxExpressionDepth = 64;

/**
 * Whether a JSON string is an expression: it starts with `[` and ends with `]`, and does not start with `[[` (the
 * escape for a literal `[`).
 */
export function isArmExpression(text: string): boolean {
  const trimmed = text.trim();
  return trimmed.startsWith('[') && trimmed.endsWith(']') && !trimmed.startsWith('[[');
}

/** The literal text of a string that escapes a leading `[` as `[[`. */
export function unescapeArmLiteral(text: string): string {
  return text.startsWith('[[') ? text.slice(1) : text;
}

/** Parses the inside of `[...]` (the brackets excluded). Throws {@link ArmExpressionError}. */
export function parseArmExpression(text: string): ArmExpression {
  const parser = new ExpressionParser(text);
  const expression = parser.expression(0);
  parser.skipSpace();
  if (!parser.atEnd()) throw new ArmExpressionError(`unexpected "${text.slice(parser.offset, parser.offset + 10)}"`, parser.offset);
  return expression;
}

class ExpressionParser {
  readonly #text: string;
  offset = 0;

  constructor(text: string) {
    this.#text = text;
  }

  atEnd(): boolean {
    return this.offset >= this.#text.length;
  }

  skipSpace(): void {
    while (this.offset < this.#text.length && /\s/.test(this.#text[this.offset] ?? '')) this.offset++;
  }

  #peek(): string {
    return this.#text[this.offset] ?? '';
  }

  #expect(char: string): void {
    this.skipSpace();
    if (this.#peek() !== char) throw new ArmExpressionError(`expected "${char}"`, this.offset);
    this.offset++;
  }

  expression(depth: number): ArmExpression {
    if (depth > maxExpressionDepth) throw new ArmExpressionError(`nested deeper than ${maxExpressionDepth} levels`, this.offset);
    let node = this.#primary(depth);
    for (;;) {
      this.skipSpace();
      const char = this.#peek();
      if (char === '.') {
        this.offset++;
        this.skipSpace();
        const name = this.#identifier();
        node = { kind: 'member', object: node, name, start: node.start, end: this.offset };
      } else if (char === '[') {
        this.offset++;
        const index = this.expression(depth + 1);
        this.#expect(']');
        node = { kind: 'index', object: node, index, start: node.start, end: this.offset };
      } else {
        return node;
      }
    }
  }

  #identifier(): string {
    const match = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(this.#text.slice(this.offset));
    if (!match) throw new ArmExpressionError('expected a name', this.offset);
    this.offset += match[0].length;
    return match[0];
  }

  #primary(depth: number): ArmExpression {
    this.skipSpace();
    const start = this.offset;
    const char = this.#peek();
    if (char === "'") {
      this.offset++;
      let value = '';
      for (;;) {
        if (this.atEnd()) throw new ArmExpressionError('string not closed', start);
        const c = this.#peek();
        this.offset++;
        if (c === "'") {
          if (this.#peek() === "'") {
            value += "'";
            this.offset++;
            continue;
          }
          break;
        }
        value += c;
      }
      return { kind: 'string', value, start, end: this.offset };
    }
    const number = /^-?\d+(\.\d+)?/.exec(this.#text.slice(this.offset));
    if (number) {
      this.offset += number[0].length;
      return { kind: 'number', value: Number(number[0]), start, end: this.offset };
    }
    if (/[A-Za-z_]/.test(char)) {
      let name = this.#identifier();
      // User-defined functions are called as namespace.name(...).
      while (this.#peek() === '.' && /^\.[A-Za-z_][A-Za-z0-9_]*\s*\(/.test(this.#text.slice(this.offset))) {
        this.offset++;
        name += `.${this.#identifier()}`;
      }
      this.skipSpace();
      if (this.#peek() !== '(') {
        // `true`, `false` and `null` appear bare in some templates; anything else bare is an error.
        if (name === 'true' || name === 'false' || name === 'null') return { kind: 'call', name, args: [], start, end: this.offset };
        throw new ArmExpressionError(`"${name}" is not a function call`, start);
      }
      this.offset++;
      const args: ArmExpression[] = [];
      this.skipSpace();
      if (this.#peek() === ')') {
        this.offset++;
        return { kind: 'call', name, args, start, end: this.offset };
      }
      for (;;) {
        args.push(this.expression(depth + 1));
        this.skipSpace();
        const next = this.#peek();
        this.offset++;
        if (next === ')') break;
        if (next !== ',') throw new ArmExpressionError('expected "," or ")"', this.offset - 1);
      }
      return { kind: 'call', name, args, start, end: this.offset };
    }
    throw new ArmExpressionError(char ? `unexpected "${char}"` : 'expression ends too early', start);
  }
}
