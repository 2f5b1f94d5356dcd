import { lex, type Item, type ItemType } from './lex.js';

/**
 * The parser of Go's text/template (go/src/text/template/parse/parse.go), with the same grammar and the same parse-time
 * checks (undefined variables, break/continue outside range, empty pipelines, non-executable pipeline stages,
 * duplicate definitions), and every node keeping its offsets in the template text so the interpreter can say where each
 * output byte came from. Differences from Go, on purpose: nesting (control blocks plus parentheses) is bounded
 * (`maxNesting`), complex-number constants are rejected, and function names are checked only when a checker is given
 * (Helm's unknown functions become unknown values at run time instead of a parse error).
 */

export interface TextNode {
  readonly type: 'text';
  readonly pos: number;
  readonly end: number;
  readonly text: string;
}

export interface CommentNode {
  readonly type: 'comment';
  readonly pos: number;
  readonly end: number;
}

/** `{{ pipeline }}`: pos is the `{{`, end just after the `}}`. */
export interface ActionNode {
  readonly type: 'action';
  readonly pos: number;
  readonly end: number;
  readonly pipe: PipeNode;
}

/**
 * `{{if}}`, `{{with}}`, `{{range}}`. `pos`/`end` span the opening action; the body runs from `bodyStart` (after the
 * opening `}}`) to `bodyEnd` (the `{{` of the `else` or `end`); the else body from `elseStart` to `elseEnd`.
 */
export interface BranchNode {
  readonly type: 'if' | 'with' | 'range';
  readonly pos: number;
  readonly end: number;
  readonly pipe: PipeNode;
  readonly list: ListNode;
  readonly elseList: ListNode | null;
  readonly bodyStart: number;
  readonly bodyEnd: number;
  readonly elseStart: number;
  readonly elseEnd: number;
  /** Offset just after the `{{end}}` that closes the construct. */
  readonly close: number;
}

export interface TemplateNode {
  readonly type: 'template';
  readonly pos: number;
  readonly end: number;
  readonly name: string;
  readonly pipe: PipeNode | null;
}

export interface BreakNode {
  readonly type: 'break' | 'continue';
  readonly pos: number;
  readonly end: number;
}

export type Node = TextNode | CommentNode | ActionNode | BranchNode | TemplateNode | BreakNode;

export interface ListNode {
  readonly type: 'list';
  readonly nodes: Node[];
}

export interface PipeNode {
  readonly type: 'pipe';
  readonly pos: number;
  end: number;
  isAssign: boolean;
  readonly decl: VariableNode[];
  readonly cmds: CommandNode[];
}

export interface CommandNode {
  readonly type: 'command';
  readonly pos: number;
  end: number;
  readonly args: ArgNode[];
}

export interface FieldNode {
  readonly type: 'field';
  readonly pos: number;
  readonly end: number;
  readonly idents: readonly string[];
}

export interface VariableNode {
  readonly type: 'variable';
  readonly pos: number;
  readonly end: number;
  /** `$x.a.b` → ['$x', 'a', 'b']. */
  readonly idents: readonly string[];
}

export interface ChainNode {
  readonly type: 'chain';
  readonly pos: number;
  readonly end: number;
  readonly node: ArgNode;
  readonly fields: readonly string[];
}

export interface DotNode {
  readonly type: 'dot';
  readonly pos: number;
  readonly end: number;
}

export interface NilNode {
  readonly type: 'nil';
  readonly pos: number;
  readonly end: number;
}

export interface BoolNode {
  readonly type: 'bool';
  readonly pos: number;
  readonly end: number;
  readonly value: boolean;
}

export interface NumberNode {
  readonly type: 'number';
  readonly pos: number;
  readonly end: number;
  readonly text: string;
  readonly isInt: boolean;
  readonly isUint: boolean;
  readonly isFloat: boolean;
  /** The value as an integer (when isInt or isUint), as JavaScript holds it (exact up to 2^53). */
  readonly int: number;
  /** Whether the integer value fits Go's int (64-bit). */
  readonly intFits: boolean;
  /** The exact integer when it is beyond 2^53 (JavaScript numbers lose digits there). */
  readonly big?: bigint;
  readonly float: number;
}

export interface StringNode {
  readonly type: 'string';
  readonly pos: number;
  readonly end: number;
  /** The unquoted value. */
  readonly text: string;
  /** The literal as written, quotes included. */
  readonly quoted: string;
}

export interface IdentifierNode {
  readonly type: 'identifier';
  readonly pos: number;
  readonly end: number;
  readonly name: string;
}

export type ArgNode = FieldNode | ChainNode | VariableNode | DotNode | NilNode | BoolNode | NumberNode | StringNode | IdentifierNode | PipeNode;

/** A parsed template: the file's main body, or a `define`/`block` body. */
export interface Tree {
  readonly name: string;
  readonly root: ListNode;
  /** Offset of the `{{define}}` action (0 for a file's main body). */
  readonly pos: number;
  /** Whether the body is only whitespace and comments (Go's IsEmptyTree): it does not replace a defined template. */
  readonly empty: boolean;
}

/** A template text parsed: its main body and the templates it defines, in order. */
export interface Parsed {
  readonly main: Tree;
  readonly defines: readonly Tree[];
}

/** A parse error with where it happened. */
export class ParseError extends Error {
  readonly pos: number;
  readonly line: number;
  constructor(message: string, pos: number, line: number) {
    super(message);
    this.pos = pos;
    this.line = line;
  }
}

export interface ParseOptions {
  /** When given, an identifier that is not a function is a parse error (Go's behaviour). */
  readonly functionExists?: (name: string) => boolean;
  /** Deepest nesting of control blocks and parentheses together. */
  readonly maxNesting?: number;
}

export const defaultMaxNesting = 200;

class Abort extends Error {}

/** Parses a template text; throws {@link ParseError}. */
export function parse(text: string, name: string, options: ParseOptions = {}): Parsed {
  const items = lex(text);
  return new Parser(text, items, options).parseAll(name);
}

interface EndOrElse {
  readonly type: 'end' | 'else';
  readonly pos: number;
  readonly end: number;
  readonly line: number;
}

class Parser {
  readonly #text: string;
  readonly #items: Item[];
  readonly #options: ParseOptions;
  readonly #maxNesting: number;
  #index = 0;
  #vars: string[] = ['$'];
  #rangeDepth = 0;
  #nesting = 0;
  readonly #defines: Tree[] = [];
  readonly #definedHere = new Map<string, Tree>();

  constructor(text: string, items: Item[], options: ParseOptions) {
    this.#text = text;
    this.#items = items;
    this.#options = options;
    this.#maxNesting = options.maxNesting ?? defaultMaxNesting;
  }

  parseAll(name: string): Parsed {
    const nodes: Node[] = [];
    while (this.#peek().type !== 'eof') {
      if (this.#peek().type === 'leftDelim') {
        const saved = this.#index;
        const delim = this.#next();
        if (this.#nextNonSpace().type === 'define') {
          this.#parseDefinition(delim);
          continue;
        }
        this.#index = saved;
      }
      const node = this.#textOrAction();
      if (node.type === 'end' || node.type === 'else') this.#error(`unexpected {{${node.type}}}`, node.pos);
      nodes.push(node as Node);
    }
    const root: ListNode = { type: 'list', nodes };
    return { main: { name, root, pos: 0, empty: isEmpty(root) }, defines: this.#defines };
  }

  #peek(): Item {
    const item = this.#items[this.#index];
    if (!item) throw new ParseError('unexpected end of input', this.#text.length, 0);
    if (item.type === 'error') this.#error(item.value, item.pos, item.line);
    return item;
  }

  #next(): Item {
    const item = this.#peek();
    if (item.type !== 'eof') this.#index++;
    return item;
  }

  #backup(): void {
    this.#index--;
  }

  #nextNonSpace(): Item {
    let item = this.#next();
    while (item.type === 'space') item = this.#next();
    return item;
  }

  #peekNonSpace(): Item {
    const item = this.#nextNonSpace();
    this.#backup();
    return item;
  }

  #lineOf(pos: number): number {
    let line = 1;
    for (let i = this.#text.indexOf('\n'); i >= 0 && i < pos; i = this.#text.indexOf('\n', i + 1)) line++;
    return line;
  }

  #error(message: string, pos: number, line?: number): never {
    throw new ParseError(message, pos, line ?? this.#lineOf(pos));
  }

  #expect(type: ItemType, context: string): Item {
    const token = this.#nextNonSpace();
    if (token.type !== type) this.#unexpected(token, context);
    return token;
  }

  #unexpected(token: Item, context: string): never {
    if (token.type === 'eof') this.#error(`unexpected EOF in ${context}`, token.pos);
    this.#error(`unexpected ${describe(token)} in ${context}`, token.pos);
  }

  #enter(pos: number): void {
    if (++this.#nesting > this.#maxNesting) this.#error(`nested deeper than ${this.#maxNesting} levels (blocks and parentheses)`, pos);
  }

  #leave(): void {
    this.#nesting--;
  }

  #parseDefinition(delim: Item): void {
    const context = 'define clause';
    const nameToken = this.#nextNonSpace();
    if (nameToken.type !== 'string' && nameToken.type !== 'rawString') this.#unexpected(nameToken, context);
    const name = unquoteString(nameToken.value, nameToken.pos, this.#lineOf(nameToken.pos));
    this.#expect('rightDelim', context);
    const savedVars = this.#vars;
    const savedRange = this.#rangeDepth;
    this.#vars = ['$'];
    this.#rangeDepth = 0;
    const [root, end] = this.#itemList();
    if (end.type !== 'end') this.#error(`unexpected {{${end.type}}} in ${context}`, end.pos);
    this.#vars = savedVars;
    this.#rangeDepth = savedRange;
    this.#add({ name, root, pos: delim.pos, empty: isEmpty(root) }, delim.pos);
  }

  #add(tree: Tree, pos: number): void {
    const existing = this.#definedHere.get(tree.name);
    if (existing && !existing.empty && !tree.empty) this.#error(`multiple definition of template "${tree.name}"`, pos);
    if (!existing || existing.empty) this.#definedHere.set(tree.name, tree);
    this.#defines.push(tree);
  }

  #itemList(): [ListNode, EndOrElse] {
    const nodes: Node[] = [];
    while (this.#peekNonSpace().type !== 'eof') {
      const node = this.#textOrAction();
      if (node.type === 'end' || node.type === 'else') return [{ type: 'list', nodes }, node as EndOrElse];
      nodes.push(node as Node);
    }
    this.#error('unexpected EOF', this.#text.length);
  }

  #textOrAction(): Node | EndOrElse {
    const token = this.#nextNonSpace();
    switch (token.type) {
      case 'text':
        return { type: 'text', pos: token.pos, end: token.end, text: token.value };
      case 'leftDelim':
        return this.#action(token);
      case 'comment':
        return { type: 'comment', pos: token.pos, end: token.end };
      default:
        this.#unexpected(token, 'input');
    }
  }

  #action(delim: Item): Node | EndOrElse {
    const token = this.#nextNonSpace();
    switch (token.type) {
      case 'block':
        return this.#blockControl(delim);
      case 'break':
      case 'continue':
        return this.#breakControl(delim, token);
      case 'else':
        return this.#elseControl(delim);
      case 'end': {
        const close = this.#expect('rightDelim', 'end');
        return { type: 'end', pos: delim.pos, end: close.end, line: delim.line };
      }
      case 'if':
      case 'range':
      case 'with':
        return this.#control(token.type, delim);
      case 'template':
        return this.#templateControl(delim);
    }
    this.#backup();
    const pipe = this.#pipeline('command', 'rightDelim');
    return { type: 'action', pos: delim.pos, end: this.#items[this.#index - 1]?.end ?? pipe.end, pipe };
  }

  #breakControl(delim: Item, keyword: Item): BreakNode {
    const token = this.#nextNonSpace();
    if (token.type !== 'rightDelim') this.#unexpected(token, `{{${keyword.type}}}`);
    if (this.#rangeDepth === 0) this.#error(`{{${keyword.type}}} outside {{range}}`, keyword.pos);
    return { type: keyword.type === 'break' ? 'break' : 'continue', pos: delim.pos, end: token.end };
  }

  #elseControl(delim: Item): EndOrElse {
    const peek = this.#peekNonSpace();
    if (peek.type === 'if' || peek.type === 'with') return { type: 'else', pos: delim.pos, end: peek.pos, line: delim.line };
    const token = this.#expect('rightDelim', 'else');
    return { type: 'else', pos: delim.pos, end: token.end, line: delim.line };
  }

  #control(context: 'if' | 'range' | 'with', delim: Item): BranchNode {
    this.#enter(delim.pos);
    const mark = this.#vars.length;
    const pipe = this.#pipeline(context, 'rightDelim');
    const bodyStart = this.#items[this.#index - 1]?.end ?? pipe.end;
    if (context === 'range') this.#rangeDepth++;
    const [list, next] = this.#itemList();
    if (context === 'range') this.#rangeDepth--;
    let elseList: ListNode | null = null;
    let elseStart = next.end;
    let elseEnd = next.end;
    let close = next.end;
    if (next.type === 'else') {
      const following = this.#peek();
      if ((context === 'if' && following.type === 'if') || (context === 'with' && following.type === 'with')) {
        this.#next();
        const nested = this.#control(context, { ...following, pos: next.pos });
        elseList = { type: 'list', nodes: [nested] };
        elseStart = next.pos;
        elseEnd = nested.close;
        close = nested.close;
      } else {
        const [list2, next2] = this.#itemList();
        if (next2.type !== 'end') this.#error(`expected end; found {{${next2.type}}}`, next2.pos);
        elseList = list2;
        elseStart = next.end;
        elseEnd = next2.pos;
        close = next2.end;
      }
    }
    this.#vars.length = mark;
    this.#leave();
    return { type: context, pos: delim.pos, end: bodyStart, pipe, list, elseList, bodyStart, bodyEnd: next.pos, elseStart, elseEnd, close };
  }

  #blockControl(delim: Item): TemplateNode {
    const context = 'block clause';
    this.#enter(delim.pos);
    const token = this.#nextNonSpace();
    const name = this.#templateName(token, context);
    const pipe = this.#pipeline(context, 'rightDelim');
    const end = this.#items[this.#index - 1]?.end ?? pipe.end;
    const savedVars = this.#vars;
    const savedRange = this.#rangeDepth;
    this.#vars = ['$'];
    this.#rangeDepth = 0;
    const [root, last] = this.#itemList();
    if (last.type !== 'end') this.#error(`unexpected {{${last.type}}} in ${context}`, last.pos);
    this.#vars = savedVars;
    this.#rangeDepth = savedRange;
    this.#add({ name, root, pos: delim.pos, empty: isEmpty(root) }, delim.pos);
    this.#leave();
    return { type: 'template', pos: delim.pos, end, name, pipe };
  }

  #templateControl(delim: Item): TemplateNode {
    const context = 'template clause';
    const token = this.#nextNonSpace();
    const name = this.#templateName(token, context);
    let pipe: PipeNode | null = null;
    const after = this.#nextNonSpace();
    if (after.type !== 'rightDelim') {
      this.#backup();
      pipe = this.#pipeline(context, 'rightDelim');
    }
    return { type: 'template', pos: delim.pos, end: this.#items[this.#index - 1]?.end ?? delim.end, name, pipe };
  }

  #templateName(token: Item, context: string): string {
    if (token.type === 'string' || token.type === 'rawString') return unquoteString(token.value, token.pos, token.line);
    this.#unexpected(token, context);
  }

  #pipeline(context: string, end: 'rightDelim' | 'rightParen'): PipeNode {
    const first = this.#peekNonSpace();
    const pipe: PipeNode = { type: 'pipe', pos: first.pos, end: first.pos, isAssign: false, decl: [], cmds: [] };
    // Declarations: `$x :=`, `$x =`, `$i, $v :=` (range only).
    for (;;) {
      const before = this.#index;
      const v = this.#nextNonSpace();
      if (v.type !== 'variable') {
        this.#index = before;
        break;
      }
      const next = this.#peekNonSpace();
      if (next.type === 'assign' || next.type === 'declare') {
        pipe.isAssign = next.type === 'assign';
        this.#nextNonSpace();
        pipe.decl.push({ type: 'variable', pos: v.pos, end: v.end, idents: [v.value] });
        this.#vars.push(v.value);
        break;
      }
      if (next.type === 'char' && next.value === ',') {
        this.#nextNonSpace();
        pipe.decl.push({ type: 'variable', pos: v.pos, end: v.end, idents: [v.value] });
        this.#vars.push(v.value);
        if (context === 'range' && pipe.decl.length < 2) {
          const peek = this.#peekNonSpace();
          if (peek.type === 'variable' || peek.type === 'rightDelim' || peek.type === 'rightParen') continue;
          this.#error('range can only initialize variables', peek.pos);
        }
        this.#error(`too many declarations in ${context}`, next.pos);
      }
      this.#index = before;
      break;
    }
    for (;;) {
      const token = this.#nextNonSpace();
      if (token.type === end) {
        pipe.end = token.end;
        this.#checkPipeline(pipe, context, token.pos);
        return pipe;
      }
      switch (token.type) {
        case 'bool':
        case 'charConstant':
        case 'complex':
        case 'dot':
        case 'field':
        case 'identifier':
        case 'number':
        case 'nil':
        case 'rawString':
        case 'string':
        case 'variable':
        case 'leftParen':
          this.#backup();
          pipe.cmds.push(this.#command());
          break;
        default:
          this.#unexpected(token, context);
      }
    }
  }

  #checkPipeline(pipe: PipeNode, context: string, pos: number): void {
    if (pipe.cmds.length === 0) this.#error(`missing value for ${context}`, pos);
    pipe.cmds.slice(1).forEach((cmd, i) => {
      const first = cmd.args[0];
      if (first && (first.type === 'bool' || first.type === 'dot' || first.type === 'nil' || first.type === 'number' || first.type === 'string')) {
        this.#error(`non executable command in pipeline stage ${i + 2}`, cmd.pos);
      }
    });
  }

  #command(): CommandNode {
    const cmd: CommandNode = { type: 'command', pos: this.#peekNonSpace().pos, end: 0, args: [] };
    for (;;) {
      this.#peekNonSpace();
      const operand = this.#operand();
      if (operand) {
        cmd.args.push(operand);
        cmd.end = operand.end;
      }
      const token = this.#next();
      if (token.type === 'space') continue;
      if (token.type === 'rightDelim' || token.type === 'rightParen') this.#backup();
      else if (token.type !== 'pipe') this.#unexpected(token, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.#error('empty command', cmd.pos);
    return cmd;
  }

  #operand(): ArgNode | null {
    const node = this.#term();
    if (!node) return null;
    if (this.#peek().type !== 'field') return node;
    const fields: string[] = [];
    let end = node.end;
    while (this.#peek().type === 'field') {
      const field = this.#next();
      fields.push(field.value.slice(1));
      end = field.end;
    }
    switch (node.type) {
      case 'field':
        return { type: 'field', pos: node.pos, end, idents: [...node.idents, ...fields] };
      case 'variable':
        return { type: 'variable', pos: node.pos, end, idents: [...node.idents, ...fields] };
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot':
        this.#error(`unexpected . after term "${this.#text.slice(node.pos, node.end)}"`, node.pos);
      // falls through (never reached: #error throws)
      default:
        return { type: 'chain', pos: node.pos, end, node, fields };
    }
  }

  #term(): ArgNode | null {
    const token = this.#nextNonSpace();
    switch (token.type) {
      case 'identifier': {
        const check = this.#options.functionExists;
        if (check && !check(token.value)) this.#error(`function "${token.value}" not defined`, token.pos);
        return { type: 'identifier', pos: token.pos, end: token.end, name: token.value };
      }
      case 'dot':
        return { type: 'dot', pos: token.pos, end: token.end };
      case 'nil':
        return { type: 'nil', pos: token.pos, end: token.end };
      case 'variable':
        return this.#useVar(token);
      case 'field':
        return { type: 'field', pos: token.pos, end: token.end, idents: [token.value.slice(1)] };
      case 'bool':
        return { type: 'bool', pos: token.pos, end: token.end, value: token.value === 'true' };
      case 'charConstant':
      case 'complex':
      case 'number':
        return parseNumber(token, (message) => this.#error(message, token.pos, token.line));
      case 'leftParen': {
        this.#enter(token.pos);
        const pipe = this.#pipeline('parenthesized pipeline', 'rightParen');
        this.#leave();
        return { ...pipe, pos: token.pos };
      }
      case 'string':
      case 'rawString':
        return { type: 'string', pos: token.pos, end: token.end, text: unquoteString(token.value, token.pos, token.line), quoted: token.value };
    }
    this.#backup();
    return null;
  }

  #useVar(token: Item): VariableNode {
    const name = token.value;
    if (!this.#vars.includes(name)) this.#error(`undefined variable "${name}"`, token.pos);
    return { type: 'variable', pos: token.pos, end: token.end, idents: [name] };
  }
}

function describe(token: Item): string {
  switch (token.type) {
    case 'eof':
      return 'EOF';
    case 'rightDelim':
      return '"}}"';
    case 'leftDelim':
      return '"{{"';
    case 'error':
      return token.value;
    default:
      return token.type.length > 0 && /^[a-z]+$/.test(token.type) && ['if', 'else', 'end', 'range', 'with', 'define', 'block', 'template', 'nil', 'break', 'continue'].includes(token.type)
        ? `<${token.value}>`
        : `"${token.value}"`;
  }
}

/** Go's IsEmptyTree: only whitespace text and comments. */
function isEmpty(list: ListNode): boolean {
  return list.nodes.every((node) => node.type === 'comment' || (node.type === 'text' && node.text.trim() === ''));
}

// ---- Literals (strconv.Unquote, strconv.UnquoteChar, strconv.ParseInt/ParseUint/ParseFloat with base 0) ----

class SyntaxFault extends Error {}

/** strconv.Unquote for "..." and `...` literals. */
export function unquoteString(literal: string, pos = 0, line = 0): string {
  try {
    if (literal.startsWith('`')) {
      if (!literal.endsWith('`') || literal.length < 2) throw new SyntaxFault();
      return literal.slice(1, -1).replace(/\r/g, '');
    }
    if (!literal.startsWith('"') || !literal.endsWith('"') || literal.length < 2) throw new SyntaxFault();
    const bytes: number[] = [];
    const body = literal.slice(1, -1);
    let i = 0;
    while (i < body.length) {
      const [value, next, isByte] = unquoteChar(body, i, '"');
      if (isByte) bytes.push(value);
      else pushUtf8(bytes, value);
      i = next;
    }
    return decodeUtf8(bytes);
  } catch (error) {
    if (error instanceof SyntaxFault) throw new ParseError('invalid syntax', pos, line);
    throw error;
  }
}

function pushUtf8(bytes: number[], codePoint: number): void {
  const encoded = Buffer.from(String.fromCodePoint(codePoint), 'utf8');
  for (const byte of encoded) bytes.push(byte);
}

function decodeUtf8(bytes: readonly number[]): string {
  return Buffer.from(bytes).toString('utf8');
}

const simpleEscapes: Readonly<Record<string, number>> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92 };

/** One character of a quoted literal: [value, next index, value is a raw byte]. */
function unquoteChar(s: string, i: number, quote: string): [number, number, boolean] {
  const c = s.codePointAt(i) ?? 0;
  if (c === quote.charCodeAt(0) && (quote === "'" || quote === '"')) throw new SyntaxFault();
  if (c !== 0x5c) return [c, i + (c > 0xffff ? 2 : 1), false];
  const e = s[i + 1];
  if (e === undefined) throw new SyntaxFault();
  const simple = simpleEscapes[e];
  if (simple !== undefined) return [simple, i + 2, false];
  if (e === "'" || e === '"') {
    if (e !== quote) throw new SyntaxFault();
    return [e.charCodeAt(0), i + 2, false];
  }
  if (e === 'x' || e === 'u' || e === 'U') {
    const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
    const hex = s.slice(i + 2, i + 2 + n);
    if (hex.length !== n || !/^[0-9a-fA-F]+$/.test(hex)) throw new SyntaxFault();
    const value = parseInt(hex, 16);
    if (e === 'x') return [value, i + 2 + n, true];
    if (value > 0x10ffff || (value >= 0xd800 && value < 0xe000)) throw new SyntaxFault();
    return [value, i + 2 + n, false];
  }
  if (e >= '0' && e <= '7') {
    const oct = s.slice(i + 1, i + 4);
    if (!/^[0-7]{3}$/.test(oct)) throw new SyntaxFault();
    const value = parseInt(oct, 8);
    if (value > 255) throw new SyntaxFault();
    return [value, i + 4, true];
  }
  throw new SyntaxFault();
}

function parseNumber(token: Item, fail: (message: string) => never): NumberNode {
  const text = token.value;
  const base = { type: 'number' as const, pos: token.pos, end: token.end, text };
  if (token.type === 'charConstant') {
    let value: number;
    let next: number;
    try {
      const body = text.slice(1);
      const [v, n, isByte] = unquoteChar(body, 0, "'");
      value = v;
      next = n;
      if (isByte && v > 127 && text[2] === 'x') {
        // '\xff' is the rune U+00FF in Go.
        value = v;
      }
      if (body.slice(next) !== "'") fail(`malformed character constant: ${text}`);
    } catch (error) {
      if (error instanceof SyntaxFault) fail('invalid syntax');
      throw error;
    }
    return { ...base, isInt: true, isUint: true, isFloat: true, int: value, intFits: true, float: value };
  }
  if (token.type === 'complex' || text.endsWith('i')) fail(`complex constants are not supported: ${text}`);
  const asInt = parseGoInt(text);
  if (asInt !== null) {
    const isUint = asInt >= 0n && asInt <= 0xffffffffffffffffn;
    const isInt = asInt >= -0x8000000000000000n && asInt <= 0x7fffffffffffffffn;
    if (isInt || isUint) {
      const exact = Number.isSafeInteger(Number(asInt)) ? {} : { big: asInt };
      return { ...base, isInt, isUint, isFloat: true, int: Number(asInt), intFits: isInt, float: Number(asInt), ...exact };
    }
  }
  const asFloat = parseGoFloat(text);
  if (asFloat !== null) {
    if (!/[.eEpP]/.test(text)) fail(`integer overflow: "${text}"`);
    const isInt = Number.isInteger(asFloat) && Math.abs(asFloat) < 2 ** 63;
    const isUint = Number.isInteger(asFloat) && asFloat >= 0 && asFloat < 2 ** 64;
    return { ...base, isInt, isUint, isFloat: true, int: isInt || isUint ? asFloat : 0, intFits: isInt, float: asFloat };
  }
  if (asInt !== null) fail(`integer overflow: "${text}"`);
  fail(`illegal number syntax: "${text}"`);
}

/** Go's underscoreOK: underscores only between digits, or between a base prefix and a digit. */
function underscoreOk(text: string): boolean {
  let s = text;
  if (s.startsWith('-') || s.startsWith('+')) s = s.slice(1);
  let saw = '^';
  let i = 0;
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && /[bBoOxX]/.test(s[1] ?? '')) {
    i = 2;
    saw = '0';
    hex = s[1] === 'x' || s[1] === 'X';
  }
  for (; i < s.length; i++) {
    const c = s[i] ?? '';
    if ((c >= '0' && c <= '9') || (hex && /[a-fA-F]/.test(c))) {
      saw = '0';
      continue;
    }
    if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

/** strconv.ParseInt(text, 0, 64) without the range check: the value, or null when not an integer literal. */
function parseGoInt(text: string): bigint | null {
  let s = text;
  let negative = false;
  if (s.startsWith('+') || s.startsWith('-')) {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '') return null;
  let digits = s;
  let base = 10;
  if (s[0] === '0' && s.length > 1) {
    const p = (s[1] ?? '').toLowerCase();
    if (s.length >= 3 && p === 'b') {
      base = 2;
      digits = s.slice(2);
    } else if (s.length >= 3 && p === 'o') {
      base = 8;
      digits = s.slice(2);
    } else if (s.length >= 3 && p === 'x') {
      base = 16;
      digits = s.slice(2);
    } else {
      base = 8;
      digits = s.slice(1);
    }
  }
  if (digits.includes('_') && !underscoreOk(text)) return null;
  const clean = digits.replace(/_/g, '');
  if (clean === '') return null;
  const valid = base === 2 ? /^[01]+$/ : base === 8 ? /^[0-7]+$/ : base === 10 ? /^[0-9]+$/ : /^[0-9a-fA-F]+$/;
  if (!valid.test(clean)) return null;
  let value = 0n;
  const b = BigInt(base);
  for (const ch of clean) value = value * b + BigInt(parseInt(ch, base));
  return negative ? -value : value;
}

/** strconv.ParseFloat(text, 64): decimal or hexadecimal (with a p exponent); null when invalid or out of range. */
function parseGoFloat(text: string): number | null {
  if (text.includes('_') && !underscoreOk(text)) return null;
  const s = text.replace(/_/g, '');
  const hex = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(s);
  if (hex) {
    const [, sign = '', whole = '', fraction = '', exponent = '0'] = hex;
    if (whole === '' && fraction === '') return null;
    const mantissa = BigInt(`0x${whole || '0'}${fraction}`);
    const value = Number(mantissa) * 2 ** (Number(exponent) - 4 * fraction.length);
    if (!Number.isFinite(value)) return null;
    return sign === '-' ? -value : value;
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return null;
  const value = Number(s);
  return Number.isFinite(value) ? value : null;
}
