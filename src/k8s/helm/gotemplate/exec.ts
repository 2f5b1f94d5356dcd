import type { Condition, Origin, Unknown } from '../../rendered.js';
import { printV, type PrintContext } from './fmt.js';
import type { ArgNode, BranchNode, ChainNode, CommandNode, FieldNode, IdentifierNode, ListNode, Node, NumberNode, PipeNode, TemplateNode, Tree, VariableNode } from './parse.js';
import {
  invalid,
  nil,
  Rope,
  segmentFor,
  sortedKeys,
  truth,
  typeName,
  unknownToken,
  type ActionRef,
  type Method,
  type ParamType,
  type Segment,
  type SegmentSource,
  type TemplateSource,
  type UnknownTable,
  type Value,
} from './values.js';

/**
 * The interpreter of Go's text/template (go/src/text/template/exec.go): the same walk, the same evaluation of
 * pipelines, fields, variables and function calls, the same errors where Go fails. On top: every string keeps the
 * segments its text came from; values nobody can know stay unknown and travel as tokens; every `if`/`with` taken
 * is recorded around the output it produced, and every branch not taken is reported; and the work is bounded
 * (steps, nesting, template calls, range iterations, output size), so a hostile template ends with an error, never
 * a hang or a stack overflow.
 */

/** A template ready to run: a parsed body and where its text lives. */
export interface Template {
  readonly tree: Tree;
  readonly source: TemplateSource;
}

/** Go would stop the render here (an execution error): the message and where. */
export class ExecError extends Error {
  readonly at: Origin;
  constructor(message: string, at: Origin) {
    super(message);
    this.at = at;
  }
}

/** A bound was reached (steps, nesting, template depth, output size). */
export class LimitError extends Error {
  readonly at: Origin;
  constructor(message: string, at: Origin) {
    super(message);
    this.at = at;
  }
}

/** The template called `fail`: Helm stops with this message. */
export class FailError extends Error {
  readonly at: Origin;
  constructor(message: string, at: Origin) {
    super(message);
    this.at = at;
  }
}

/** Thrown by a function implementation for Go's `error` result; the interpreter adds "error calling NAME: ". */
export class GoError extends Error {}

class BreakSignal {}
class ContinueSignal {}
const breakSignal = new BreakSignal();
const continueSignal = new ContinueSignal();

/** What a function implementation receives besides its arguments. */
export interface CallContext {
  readonly exec: Executor;
  readonly name: string;
  /** The command as written (`include "x.labels" .`). */
  readonly expression: string;
  /** The segment source for text this call computes. */
  readonly computed: SegmentSource;
  readonly origin: Origin;
  readonly print: PrintContext;
  /** The value of `.` where the call happens. */
  readonly dot: Value;
  /** A string computed by this call (origin: the action). */
  derived(text: string): Value;
  /** A fresh unknown standing for this call's result. */
  unknown(reason: string, expression?: string): Value;
  /** Records an assumption pod2wi made because something was unknown or environmental. */
  assume(message: string, code?: ProblemCode): void;
  problem(code: ProblemCode, message: string): void;
}

export interface FunctionDef {
  readonly params: readonly ParamType[];
  readonly variadic?: ParamType;
  readonly call: (call: CallContext, args: Value[]) => Value;
  /** The function copes with unknown arguments itself; otherwise any unknown argument makes the result unknown. */
  readonly handlesUnknown?: boolean;
  /** The function would change an unknown's text (upper, b64enc): a string holding a token gives a fresh unknown. */
  readonly scrambles?: boolean;
}

export type FunctionTable = ReadonlyMap<string, FunctionDef>;

/** Problem codes the interpreter reports (the renderer documents the full set). */
export type ProblemCode =
  | 'assumed-unknown'
  | 'assumed-environment'
  | 'unsupported-function'
  | 'missing-define'
  | 'required-value'
  | 'template-error'
  | 'limit-exceeded';

export interface ExecProblem {
  readonly code: ProblemCode;
  readonly message: string;
  readonly at: Origin;
}

/** A branch body a render did not run: where it is, and the condition that decided. */
export interface UntakenBranch {
  readonly file: string;
  /** [start, end) of the body in the file's text. */
  readonly start: number;
  readonly end: number;
  readonly keyword: 'if' | 'with' | 'range';
  /** `then`: the body runs when the expression is true (non-empty for range); `else`: when it is false. */
  readonly branch: 'then' | 'else';
  /** The controlling expression as written. */
  readonly expression: string;
  /** What it evaluated to in this render; null when it depended on something unknown. */
  readonly value: boolean | null;
  readonly origin: Origin;
  /** Branches taken around the construct (outermost first). */
  readonly conditions: readonly Condition[];
}

/** Shared counters that bound a whole render. */
export interface Budget {
  steps: number;
  readonly maxSteps: number;
}

export interface ExecOptions {
  /** Go's missingkey option: Helm runs with `zero`. */
  readonly missingKey: 'default' | 'zero' | 'error';
  readonly functions: FunctionTable;
  /** Built-in functions, used when `functions` has no such name. */
  readonly builtins: FunctionTable;
  /** A named template (`define`), or null when none has the name. */
  lookup(name: string): Template | null;
  /** When a named template is missing: an unknown to print instead of Go's error (Helm charts with remote libraries). */
  missingTemplate?(name: string): Unknown | null;
  readonly unknowns: UnknownTable;
  report(problem: ExecProblem): void;
  readonly budget: Budget;
  /** Deepest nesting of blocks, parentheses and template calls together. */
  readonly maxDepth?: number;
  /** Deepest template calls (`template`, `include`, `tpl`). */
  readonly maxCallDepth?: number;
  /** Most characters one output (a template file, an include) may hold. */
  readonly maxOutput?: number;
  /** Most iterations of one range. */
  readonly maxRange?: number;
  /** Most items a computed list or characters a computed string may hold. */
  readonly maxValueSize?: number;
}

export const defaultLimits = { maxDepth: 400, maxCallDepth: 100, maxOutput: 4_000_000, maxRange: 100_000, maxValueSize: 1_000_000 } as const;

interface Variable {
  readonly name: string;
  value: Value;
}

interface SavedState {
  readonly span: readonly [number, number] | null;
  readonly out: Output;
  readonly vars: Variable[];
  readonly template: Template | null;
  readonly conds: Condition[];
  readonly depth: number;
  readonly callDepth: number;
}

/** Where output goes: segments with the branches taken around each, relative to where the output started. */
export class Output {
  readonly chunks: Segment[] = [];
  /** For each chunk, the action that printed it (null for template text). */
  readonly actions: (ActionRef | null)[] = [];
  length = 0;
  readonly base: number;
  readonly #max: number;

  constructor(base: number, max: number) {
    this.base = base;
    this.#max = max;
  }

  write(seg: Segment, outer: readonly Condition[] | undefined, at: () => Origin, action: ActionRef | null): void {
    if (seg.text === '') return;
    this.length += seg.text.length;
    if (this.length > this.#max) throw new LimitError(`output longer than ${this.#max} characters`, at());
    const cond = outer && outer.length > 0 ? (seg.cond && seg.cond.length > 0 ? [...outer, ...seg.cond] : outer) : seg.cond;
    this.chunks.push(cond && cond.length > 0 ? { text: seg.text, src: seg.src, cond } : { text: seg.text, src: seg.src });
    this.actions.push(action);
  }

  rope(): Rope {
    return new Rope(this.chunks);
  }
}

/** Runs templates. One executor serves one render (a chart, or one differential test). */
export class Executor {
  readonly options: ExecOptions;
  readonly #maxDepth: number;
  readonly #maxCallDepth: number;
  readonly #maxOutput: number;
  readonly #maxRange: number;
  readonly maxValueSize: number;
  #vars: Variable[] = [];
  #depth = 0;
  #callDepth = 0;
  #conds: Condition[] = [];
  #out: Output;
  #template: Template | null = null;
  /** The expression of the action being run: what computed text cites (`via`). */
  #span: readonly [number, number] | null = null;
  /** Branch bodies not run, by file:start:end, and those run at least once. */
  readonly #untaken = new Map<string, UntakenBranch>();
  readonly #taken = new Set<string>();

  constructor(options: ExecOptions) {
    this.options = options;
    this.#maxDepth = options.maxDepth ?? defaultLimits.maxDepth;
    this.#maxCallDepth = options.maxCallDepth ?? defaultLimits.maxCallDepth;
    this.#maxOutput = options.maxOutput ?? defaultLimits.maxOutput;
    this.#maxRange = options.maxRange ?? defaultLimits.maxRange;
    this.maxValueSize = options.maxValueSize ?? defaultLimits.maxValueSize;
    this.#out = new Output(0, this.#maxOutput);
  }

  /** Branch bodies no execution of this executor ran, sorted by file and offset. */
  untaken(): UntakenBranch[] {
    return [...this.#untaken.entries()]
      .filter(([key]) => !this.#taken.has(key.slice(0, key.lastIndexOf(':'))))
      .map(([, branch]) => branch)
      .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.start - b.start || a.end - b.end));
  }

  /** Runs a template with `dot` as `.` and `$`, returning its output (segments with the branches around them). */
  run(template: Template, dot: Value): Output {
    const out = new Output(0, this.#maxOutput);
    const saved = this.#saveState();
    this.#out = out;
    this.#vars = [{ name: '$', value: dot }];
    this.#template = template;
    this.#span = null;
    this.#conds = [];
    this.#depth = 0;
    this.#callDepth = 0;
    try {
      this.#walk(dot, template.tree.root);
    } finally {
      this.#restoreState(saved);
    }
    return out;
  }

  /**
   * Runs a named template from inside a function (`include`): its output as a rope whose segments carry the
   * branches taken inside it.
   */
  callTemplate(template: Template, dot: Value, at: Origin): Rope {
    if (this.#callDepth >= this.#maxCallDepth) throw new LimitError(`templates call each other more than ${this.#maxCallDepth} levels deep (recursive define?)`, at);
    const saved = this.#saveState();
    this.#out = new Output(this.#conds.length, this.#maxOutput);
    this.#vars = [{ name: '$', value: dot }];
    this.#template = template;
    this.#span = null;
    this.#callDepth++;
    this.#enter(at);
    try {
      this.#walk(dot, template.tree.root);
      return this.#out.rope();
    } finally {
      this.#restoreState(saved);
    }
  }

  #saveState(): SavedState {
    return { span: this.#span, out: this.#out, vars: this.#vars, template: this.#template, conds: this.#conds, depth: this.#depth, callDepth: this.#callDepth };
  }

  #restoreState(saved: SavedState): void {
    this.#span = saved.span;
    this.#out = saved.out;
    this.#vars = saved.vars;
    this.#template = saved.template;
    this.#conds = saved.conds;
    this.#depth = saved.depth;
    this.#callDepth = saved.callDepth;
  }

  get currentTemplate(): Template | null {
    return this.#template;
  }

  // ---- bookkeeping ----

  #source(): TemplateSource {
    const template = this.#template;
    if (!template) throw new Error('no template is running');
    return template.source;
  }

  #originAt(pos: number, end = pos): Origin {
    return this.#source().actionOrigin(pos, end);
  }

  #step(pos: number): void {
    const budget = this.options.budget;
    if (++budget.steps > budget.maxSteps) throw new LimitError(`more than ${budget.maxSteps} evaluation steps (a loop that does not end, or a very large chart)`, this.#originAt(pos));
  }

  /** Adds `steps` to the render's budget (work proportional to a value's size). */
  charge(steps: number, pos: number): void {
    const budget = this.options.budget;
    budget.steps += steps;
    if (budget.steps > budget.maxSteps) throw new LimitError(`more than ${budget.maxSteps} evaluation steps (a loop that does not end, or values that keep growing)`, this.#originAt(pos));
  }

  #enter(at: Origin | number): void {
    if (++this.#depth > this.#maxDepth) {
      throw new LimitError(`nested deeper than ${this.#maxDepth} levels (blocks, parentheses and template calls)`, typeof at === 'number' ? this.#originAt(at) : at);
    }
  }

  #leave(): void {
    this.#depth--;
  }

  #error(message: string, pos: number, end = pos): never {
    throw new ExecError(message, this.#originAt(pos, end));
  }

  #actionRef(pos: number, end: number): ActionRef {
    return { template: this.#source(), start: pos, end };
  }

  /** Text computed by an action: it cites the whole action's expression (or [pos, end) outside any action). */
  #computed(pos: number, end: number): SegmentSource {
    const span = this.#span;
    return { k: 'action', at: span ? this.#actionRef(span[0], span[1]) : this.#actionRef(pos, end) };
  }

  #text(pos: number, end: number): string {
    return this.#source().text.slice(pos, end);
  }

  report(code: ProblemCode, message: string, at: Origin): void {
    this.options.report({ code, message, at });
  }

  /** An unknown value standing for `expression`. */
  unknownValue(expression: string, reason: string, at: Origin): Value {
    return { k: 'unknown', u: { expression, reason, origin: at } };
  }

  /** The rope of an unknown: its token. */
  unknownRope(unknown: Unknown): Rope {
    return this.options.unknowns.rope(unknown);
  }

  printContext(pos: number, end: number): PrintContext {
    return { computed: this.#computed(pos, end), unknownRope: (value) => this.unknownRope(value.u) };
  }

  #write(rope: Rope, pos: number, action: ActionRef | null = null): void {
    const out = this.#out;
    const outer = this.#conds.length > out.base ? this.#conds.slice(out.base) : undefined;
    for (const seg of rope.segs) out.write(seg, outer, () => this.#originAt(pos), action);
  }

  // ---- walk ----

  #walk(dot: Value, node: ListNode | Node): void {
    if (node.type === 'list') {
      for (const child of node.nodes) this.#walk(dot, child);
      return;
    }
    this.#step(node.pos);
    switch (node.type) {
      case 'text':
        this.#write(new Rope(this.#source().literal(node.pos, node.end)), node.pos);
        return;
      case 'comment':
        return;
      case 'action': {
        const saved = this.#span;
        this.#span = [node.pipe.pos, pipeEnd(node.pipe)];
        try {
          const value = this.#evalPipeline(dot, node.pipe);
          if (node.pipe.decl.length === 0) this.#printValue(node.pipe, value);
        } finally {
          this.#span = saved;
        }
        return;
      }
      case 'if':
      case 'with':
        this.#walkIfOrWith(dot, node);
        return;
      case 'range':
        this.#walkRange(dot, node);
        return;
      case 'template':
        this.#walkTemplate(dot, node);
        return;
      case 'break':
        throw breakSignal;
      case 'continue':
        throw continueSignal;
    }
  }

  #evalSpan<T>(pipe: PipeNode, body: () => T): T {
    const saved = this.#span;
    this.#span = [pipe.pos, pipeEnd(pipe)];
    try {
      return body();
    } finally {
      this.#span = saved;
    }
  }

  #printValue(pipe: PipeNode, value: Value): void {
    const pos = pipe.pos;
    const end = pipeEnd(pipe);
    const action = this.#actionRef(pos, end);
    if (value.k === 'invalid') {
      this.#write(Rope.of('<no value>', this.#computed(pos, end)), pos, action);
      return;
    }
    if (value.k === 'unknown') {
      this.#write(this.#homeUnknowns(this.unknownRope(value.u), pos, end), pos, action);
      return;
    }
    const rope = this.#homeUnknowns(printV(value, this.printContext(pos, end)), pos, end);
    this.#write(scalarRope(value, rope), pos, action);
  }

  /**
   * An unknown printed for the first time by a template action is located there (`{{ .Release.Name }}` in the helper
   * that writes it), rather than at the chart that cannot give it a value.
   */
  #homeUnknowns(rope: Rope, pos: number, end: number): Rope {
    if (!rope.segs.some((seg) => seg.src.k === 'unknown')) return rope;
    const table = this.options.unknowns;
    const origin = { ...this.#originAt(pos, end), span: null };
    return new Rope(
      rope.segs.map((seg) => {
        if (seg.src.k !== 'unknown') return seg;
        const unknown = table.get(seg.src.index);
        if (!unknown || unknown.origin.source === 'chart-template') return seg;
        const moved = table.rope({ ...unknown, origin });
        const first = moved.segs[0];
        return first ? (seg.cond ? { ...first, cond: seg.cond } : first) : seg;
      }),
    );
  }

  #expression(pipe: PipeNode): string {
    return this.#text(pipe.pos, pipeEnd(pipe));
  }

  #condition(node: BranchNode, expression: string, value: boolean | null): Condition {
    const source = this.#source();
    const origin = source.file !== null ? { ...source.actionOrigin(node.pipe.pos, pipeEnd(node.pipe)), span: [node.pipe.pos, pipeEnd(node.pipe)] as const, via: undefined } : source.actionOrigin(node.pos, node.end);
    const { via: _via, ...clean } = origin;
    return { expression, value, origin: origin.via === undefined ? clean : origin };
  }

  #recordUntaken(node: BranchNode, branch: 'then' | 'else', expression: string, value: boolean | null): void {
    const file = this.#source().file;
    if (file === null) return;
    const [start, end] = branch === 'then' ? [node.bodyStart, node.bodyEnd] : [node.elseStart, node.elseEnd];
    if (branch === 'else' && node.elseList === null) return;
    const key = `${file}:${start}:${end}`;
    if (this.#untaken.has(`${key}:${String(value)}`)) return;
    this.#untaken.set(`${key}:${String(value)}`, {
      file,
      start,
      end,
      keyword: node.type,
      branch,
      expression,
      value,
      origin: this.#condition(node, expression, value).origin,
      conditions: this.#conds.slice(),
    });
  }

  #recordTaken(node: BranchNode, branch: 'then' | 'else'): void {
    const file = this.#source().file;
    if (file === null) return;
    const [start, end] = branch === 'then' ? [node.bodyStart, node.bodyEnd] : [node.elseStart, node.elseEnd];
    this.#taken.add(`${file}:${start}:${end}`);
  }

  /** The truth of a condition value, assuming (and saying so) when it is unknown. */
  #truthOf(value: Value, expression: string, pos: number): { truth: boolean; known: boolean } {
    const t = truth(value);
    if (t === null) {
      this.report('assumed-unknown', `assumed \`${expression}\` is true: it depends on ${describeUnknown(value)}`, this.#originAt(pos));
      return { truth: true, known: false };
    }
    if (value.k === 'bool' && value.assumed) return { truth: t, known: false };
    if (value.k === 'string' && value.s.hasUnknown) {
      this.report('assumed-unknown', `assumed \`${expression}\` is true (a non-empty string): it holds a value pod2wi cannot know`, this.#originAt(pos));
      return { truth: t, known: false };
    }
    return { truth: t, known: true };
  }

  #walkIfOrWith(dot: Value, node: BranchNode): void {
    this.#enter(node.pos);
    const mark = this.#vars.length;
    try {
      const value = this.#evalSpan(node.pipe, () => this.#evalPipeline(dot, node.pipe));
      const expression = this.#expression(node.pipe);
      const { truth: isTrue, known } = this.#truthOf(value, expression, node.pos);
      const shown = known ? isTrue : null;
      const saved = this.#conds;
      if (isTrue) {
        this.#recordTaken(node, 'then');
        this.#recordUntaken(node, 'else', expression, shown);
        this.#conds = [...saved, this.#condition(node, expression, shown)];
        try {
          this.#walk(node.type === 'with' ? value : dot, node.list);
        } finally {
          this.#conds = saved;
        }
      } else {
        this.#recordUntaken(node, 'then', expression, shown);
        if (node.elseList) {
          this.#recordTaken(node, 'else');
          this.#conds = [...saved, this.#condition(node, expression, shown === null ? null : false)];
          try {
            this.#walk(dot, node.elseList);
          } finally {
            this.#conds = saved;
          }
        }
      }
    } finally {
      this.#vars.length = mark;
      this.#leave();
    }
  }

  #walkRange(dot: Value, node: BranchNode): void {
    this.#enter(node.pos);
    const outerMark = this.#vars.length;
    try {
      const value = this.#evalSpan(node.pipe, () => this.#evalPipeline(dot, node.pipe));
      const mark = this.#vars.length;
      const decl = node.pipe.decl;
      const expression = this.#expression(node.pipe);
      const oneIteration = (index: Value, elem: Value): boolean => {
        if (decl.length > 0) {
          if (node.pipe.isAssign) {
            this.#setVar(decl[0]?.idents[0] ?? '', decl.length > 1 ? index : elem, node.pos);
          } else this.#setTopVar(1, elem);
        }
        if (decl.length > 1) {
          if (node.pipe.isAssign) this.#setVar(decl[1]?.idents[0] ?? '', elem, node.pos);
          else this.#setTopVar(2, index);
        }
        try {
          this.#walk(elem, node.list);
        } catch (signal) {
          if (signal === continueSignal) return true;
          if (signal === breakSignal) return false;
          throw signal;
        } finally {
          this.#vars.length = mark;
        }
        return true;
      };
      const limit = (count: number) => {
        if (count > this.#maxRange) throw new LimitError(`range over more than ${this.#maxRange} items`, this.#originAt(node.pos));
      };
      let ran = false;
      switch (value.k) {
        case 'list':
          limit(value.items.length);
          for (let i = 0; i < value.items.length; i++) {
            ran = true;
            if (!oneIteration({ k: 'int', v: i, t: 'int' }, value.items[i] ?? nil)) break;
          }
          break;
        case 'bytes': {
          const bytes = [...Buffer.from(value.text, 'utf8')];
          limit(bytes.length);
          for (let i = 0; i < bytes.length; i++) {
            ran = true;
            if (!oneIteration({ k: 'int', v: i, t: 'int' }, { k: 'int', v: bytes[i] ?? 0, t: 'uint8' })) break;
          }
          break;
        }
        case 'map': {
          const keys = sortedKeys(value.entries);
          limit(keys.length);
          for (const key of keys) {
            ran = true;
            const entry = value.entries.get(key);
            const keyValue: Value = entry?.key ? { k: 'string', s: Rope.of(key, segmentFor(key, entry.key)) } : { k: 'string', s: Rope.of(key, this.#computed(node.pipe.pos, pipeEnd(node.pipe))) };
            if (!oneIteration(keyValue, entry?.value ?? nil)) break;
          }
          if (value.open && value.open.length > 0) {
            this.report('assumed-unknown', `range over \`${expression}\` used only the keys known; it may hold more (${value.open.map((u) => u.expression).join(', ')})`, this.#originAt(node.pos));
          }
          break;
        }
        case 'int':
          if (decl.length > 1) this.#error(`can't use ${value.v} to iterate over more than one variable`, node.pos);
          limit(value.v);
          for (let i = 0; i < value.v; i++) {
            ran = true;
            const v: Value = { k: 'int', v: i, t: value.t };
            if (!oneIteration(v, v)) break;
          }
          break;
        case 'invalid':
        case 'nil':
          break;
        case 'unknown':
          this.report('assumed-unknown', `assumed \`${expression}\` is empty: it depends on ${describeUnknown(value)}`, this.#originAt(node.pos));
          this.#recordUntaken(node, 'then', expression, null);
          if (node.elseList) this.#walk(dot, node.elseList);
          return;
        default:
          this.#error(`range can't iterate over ${printV(value, this.printContext(node.pos, node.end)).text}`, node.pos);
      }
      if (ran) {
        this.#recordTaken(node, 'then');
        this.#recordUntaken(node, 'else', expression, true);
        return;
      }
      this.#recordUntaken(node, 'then', expression, false);
      if (node.elseList) {
        this.#recordTaken(node, 'else');
        this.#walk(dot, node.elseList);
      }
    } finally {
      this.#vars.length = outerMark;
      this.#leave();
    }
  }

  #walkTemplate(dot: Value, node: TemplateNode): void {
    const template = this.options.lookup(node.name);
    const at = this.#originAt(node.pos, node.end);
    if (!template) {
      const unknown = this.options.missingTemplate?.(node.name);
      if (unknown) {
        if (node.pipe) this.#evalPipeline(dot, node.pipe);
        this.report('missing-define', `template "${node.name}" is not in the repository: ${unknown.reason}`, at);
        const expression = this.#text(node.pos, node.end).replace(/^\{\{-?\s*/, '').replace(/\s*-?\}\}$/, '');
        this.#write(this.unknownRope({ ...unknown, origin: at, expression }), node.pos, this.#actionRef(node.pos, node.end));
        return;
      }
      this.#error(`template "${node.name}" not defined`, node.pos, node.end);
    }
    if (this.#callDepth >= this.#maxCallDepth) throw new LimitError(`templates call each other more than ${this.#maxCallDepth} levels deep (recursive define?)`, at);
    const pipe = node.pipe;
    const newDot = pipe ? this.#evalSpan(pipe, () => this.#evalPipeline(dot, pipe)) : invalid;
    const saved = { vars: this.#vars, template: this.#template, callDepth: this.#callDepth, span: this.#span };
    this.#vars = [{ name: '$', value: newDot }];
    this.#template = template;
    this.#span = null;
    this.#callDepth++;
    this.#enter(at);
    try {
      this.#walk(newDot, template.tree.root);
    } finally {
      this.#leave();
      this.#vars = saved.vars;
      this.#template = saved.template;
      this.#callDepth = saved.callDepth;
      this.#span = saved.span;
    }
  }

  // ---- variables ----

  #push(name: string, value: Value): void {
    this.#vars.push({ name, value });
  }

  #setVar(name: string, value: Value, pos: number): void {
    for (let i = this.#vars.length - 1; i >= 0; i--) {
      const variable = this.#vars[i];
      if (variable && variable.name === name) {
        variable.value = value;
        return;
      }
    }
    this.#error(`undefined variable: ${name}`, pos);
  }

  #setTopVar(n: number, value: Value): void {
    const variable = this.#vars[this.#vars.length - n];
    if (variable) variable.value = value;
  }

  #varValue(name: string, pos: number): Value {
    for (let i = this.#vars.length - 1; i >= 0; i--) {
      const variable = this.#vars[i];
      if (variable && variable.name === name) return variable.value;
    }
    this.#error(`undefined variable: ${name}`, pos);
  }

  // ---- evaluation ----

  #evalPipeline(dot: Value, pipe: PipeNode): Value {
    this.#step(pipe.pos);
    let value: Value | null = null;
    for (const cmd of pipe.cmds) {
      value = this.#evalCommand(dot, cmd, value);
      if (value.k === 'nil') value = invalid;
    }
    const result = value ?? invalid;
    for (const variable of pipe.decl) {
      if (pipe.isAssign) this.#setVar(variable.idents[0] ?? '', result, variable.pos);
      else this.#push(variable.idents[0] ?? '', result);
    }
    return result;
  }

  #notAFunction(args: readonly ArgNode[], final: Value | null): void {
    const first = args[0];
    if (args.length > 1 || final !== null) this.#error(`can't give argument to non-function ${first ? this.#text(first.pos, first.end) : ''}`, first?.pos ?? 0);
  }

  #evalCommand(dot: Value, cmd: CommandNode, final: Value | null): Value {
    const first = cmd.args[0];
    if (!first) this.#error('empty command', cmd.pos);
    switch (first.type) {
      case 'field':
        return this.#evalFieldChain(dot, dot, first, first.idents, cmd.args, final, cmd);
      case 'chain':
        return this.#evalChainNode(dot, first, cmd.args, final, cmd);
      case 'identifier':
        return this.#evalFunction(dot, first, cmd, cmd.args, final);
      case 'pipe': {
        this.#notAFunction(cmd.args, final);
        this.#enter(first.pos);
        try {
          return this.#evalPipeline(dot, first);
        } finally {
          this.#leave();
        }
      }
      case 'variable':
        return this.#evalVariableNode(dot, first, cmd.args, final, cmd);
    }
    this.#notAFunction(cmd.args, final);
    switch (first.type) {
      case 'bool':
        return { k: 'bool', v: first.value };
      case 'dot':
        return dot;
      case 'nil':
        this.#error('nil is not a command', first.pos);
      // falls through (never reached)
      case 'number':
        return this.#idealConstant(first);
      case 'string':
        return this.#stringLiteral(first);
    }
    this.#error(`can't evaluate command`, cmd.pos);
  }

  #stringLiteral(node: Extract<ArgNode, { type: 'string' }>): Value {
    const origin = this.#source().actionOrigin(node.pos, node.end);
    const src = this.#source().file !== null ? { origin: { ...origin, span: [node.pos, node.end] as const, via: undefined }, raw: node.quoted } : null;
    if (!src) return { k: 'string', s: Rope.of(node.text, this.#computed(node.pos, node.end)) };
    const { via: _via, ...clean } = src.origin;
    const scalar = { origin: clean, raw: node.quoted };
    return { k: 'string', s: Rope.of(node.text, segmentFor(node.text, scalar)), src: scalar };
  }

  #idealConstant(node: NumberNode): Value {
    if (node.isFloat && !isHexInt(node.text) && !node.text.startsWith("'") && /[.eEpP]/.test(node.text)) return { k: 'float', v: node.float };
    if (node.isInt) {
      if (!node.intFits) this.#error(`${node.text} overflows int`, node.pos);
      return node.big !== undefined ? { k: 'int', v: node.int, t: 'int', big: node.big } : { k: 'int', v: node.int, t: 'int' };
    }
    if (node.isUint) this.#error(`${node.text} overflows int`, node.pos);
    return invalid;
  }

  #evalChainNode(dot: Value, chain: ChainNode, args: readonly ArgNode[] | null, final: Value | null, cmd: CommandNode | null): Value {
    if (chain.node.type === 'nil') this.#error(`indirection through explicit nil in ${this.#text(chain.pos, chain.end)}`, chain.pos);
    const pipe = this.#evalArg(dot, null, chain.node);
    return this.#evalFieldChain(dot, pipe, chain, chain.fields, args, final, cmd);
  }

  #evalVariableNode(dot: Value, variable: VariableNode, args: readonly ArgNode[] | null, final: Value | null, cmd: CommandNode | null): Value {
    const value = this.#varValue(variable.idents[0] ?? '', variable.pos);
    if (variable.idents.length === 1) {
      this.#notAFunction(args ?? [], final);
      return value;
    }
    return this.#evalFieldChain(dot, value, variable, variable.idents.slice(1), args, final, cmd);
  }

  #evalFieldChain(
    dot: Value,
    receiver: Value,
    node: FieldNode | ChainNode | VariableNode,
    idents: readonly string[],
    args: readonly ArgNode[] | null,
    final: Value | null,
    cmd: CommandNode | null,
  ): Value {
    let current = receiver;
    const n = idents.length;
    for (let i = 0; i < n - 1; i++) current = this.#evalField(dot, idents[i] ?? '', node, null, null, current, idents.slice(0, i + 1), cmd);
    return this.#evalField(dot, idents[n - 1] ?? '', node, args, final, current, idents, cmd);
  }

  #evalField(
    dot: Value,
    fieldName: string,
    node: FieldNode | ChainNode | VariableNode,
    args: readonly ArgNode[] | null,
    final: Value | null,
    receiver: Value,
    path: readonly string[],
    cmd: CommandNode | null,
  ): Value {
    const hasArgs = (args !== null && args.length > 1) || final !== null;
    switch (receiver.k) {
      case 'invalid':
        if (this.options.missingKey === 'error') this.#error(`nil data; no entry for key "${fieldName}"`, node.pos, node.end);
        return invalid;
      case 'nil':
        this.#error(`nil pointer evaluating interface {}.${fieldName}`, node.pos, node.end);
      // falls through (never reached)
      case 'unknown': {
        if (hasArgs && args) for (const arg of args.slice(1)) this.#evalArg(dot, 'any', arg);
        const base = receiver.u.expression;
        const expression = /\s/.test(base) && !/^\(.*\)$/.test(base) ? `(${base}).${fieldName}` : `${base}.${fieldName}`;
        return { k: 'unknown', u: { ...receiver.u, expression } };
      }
    }
    const methods = receiver.k === 'map' || receiver.k === 'struct' ? receiver.methods : undefined;
    const method = methods?.get(fieldName);
    if (method) return this.#callMethod(dot, method, fieldName, node, args, final, cmd);
    if (receiver.k === 'map') {
      if (hasArgs) this.#error(`${fieldName} is not a method but has arguments`, node.pos, node.end);
      const entry = receiver.entries.get(fieldName);
      if (entry) return entry.value;
      if (receiver.open && receiver.open.length > 0) {
        const first = receiver.open[0];
        return this.unknownValue(this.#text(node.pos, node.end), first ? `it may be set by ${first.expression}, which pod2wi cannot read` : 'unknown content', this.#originAt(node.pos, node.end));
      }
      switch (this.options.missingKey) {
        case 'default':
          return invalid;
        case 'zero':
          return receiver.t === 'map[string]string' ? { k: 'string', s: Rope.empty } : nil;
        case 'error':
          this.#error(`map has no entry for key "${fieldName}"`, node.pos, node.end);
      }
    }
    if (receiver.k === 'struct') {
      const field = receiver.fields.get(fieldName);
      if (field) {
        if (hasArgs) this.#error(`${fieldName} has arguments but cannot be invoked as function`, node.pos, node.end);
        return field;
      }
      this.#error(`can't evaluate field ${fieldName} in type ${typeName(receiver)}`, node.pos, node.end);
    }
    void path;
    this.#error(`can't evaluate field ${fieldName} in type ${receiver.k === 'string' || receiver.k === 'list' ? typeName(receiver) : 'interface {}'}`, node.pos, node.end);
  }

  #callMethod(dot: Value, method: Method, name: string, node: FieldNode | ChainNode | VariableNode, args: readonly ArgNode[] | null, final: Value | null, cmd: CommandNode | null): Value {
    const def: FunctionDef = { params: method.params, ...(method.variadic ? { variadic: method.variadic } : {}), call: (_call, values) => method.call(values) };
    return this.#evalCall(dot, def, false, cmd ?? node, name, args, final);
  }

  #evalFunction(dot: Value, node: IdentifierNode, cmd: CommandNode | IdentifierNode, args: readonly ArgNode[] | null, final: Value | null): Value {
    const name = node.name;
    const fn = this.options.functions.get(name) ?? this.options.builtins.get(name);
    const isBuiltin = !this.options.functions.has(name) && this.options.builtins.has(name);
    if (!fn) {
      const at = this.#originAt(cmd.pos, cmd.end);
      this.report('unsupported-function', `function "${name}" is not supported: its result is treated as unknown`, at);
      if (args) for (const arg of args.slice(1)) this.#evalArg(dot, 'any', arg);
      return this.unknownValue(this.#text(cmd.pos, cmd.end), `pod2wi does not implement the function "${name}"`, at);
    }
    return this.#evalCall(dot, fn, isBuiltin, cmd, name, args, final);
  }

  #evalCall(dot: Value, fn: FunctionDef, isBuiltin: boolean, node: { pos: number; end: number }, name: string, argNodes: readonly ArgNode[] | null, final: Value | null): Value {
    const args = argNodes ? argNodes.slice(1) : [];
    const numIn = args.length + (final !== null ? 1 : 0);
    const numFixed = fn.params.length;
    if (fn.variadic) {
      if (numIn < numFixed) this.#error(`wrong number of args for ${name}: want at least ${numFixed} got ${args.length}`, node.pos, node.end);
    } else if (numIn !== numFixed) this.#error(`wrong number of args for ${name}: want ${numFixed} got ${numIn}`, node.pos, node.end);

    if (isBuiltin && (name === 'and' || name === 'or')) {
      let v: Value = invalid;
      let assumed: string | undefined;
      for (const arg of args) {
        v = this.#evalArg(dot, 'reflect', arg);
        const t = this.#truthForLogic(v);
        if (t.assumed) assumed = t.assumed;
        if (t.truth === (name === 'or')) return assumed && v.k === 'bool' ? { ...v, assumed } : v;
      }
      if (final !== null) v = final;
      return assumed && v.k === 'bool' ? { ...v, assumed } : v;
    }

    const values: Value[] = [];
    let i = 0;
    for (; i < numFixed && i < args.length; i++) values.push(this.#evalArg(dot, fn.params[i] ?? 'any', args[i] as ArgNode));
    if (fn.variadic) for (; i < args.length; i++) values.push(this.#evalArg(dot, fn.variadic, args[i] as ArgNode));
    if (final !== null) {
      let t: ParamType = fn.params[fn.params.length - 1] ?? 'any';
      if (fn.variadic) t = numIn - 1 < numFixed ? (fn.params[numIn - 1] ?? 'any') : fn.variadic;
      values.push(this.#validateType(final, t, node.pos));
    }
    // A later stage of a pipeline reads with what feeds it: `randAlphaNum 8 | b64enc`.
    const span = this.#span;
    const expression = final !== null && span && span[0] < node.pos ? this.#text(span[0], node.end) : this.#text(node.pos, node.end);
    const at = this.#originAt(node.pos, node.end);
    // An unknown where a string is expected travels as its token; where a number, a bool or a map is expected, the
    // result cannot be known.
    for (let index = 0; index < values.length; index++) {
      const value = values[index] as Value;
      if (value.k !== 'unknown') continue;
      const typ = index < numFixed ? fn.params[index] : fn.variadic;
      if (typ === 'string') values[index] = { k: 'string', s: this.unknownRope(value.u) };
      else if (typ !== 'any' && typ !== 'reflect' && typ !== undefined) return this.unknownValue(expression, `computed from ${value.u.expression}, which pod2wi cannot know`, at);
    }
    if (!fn.handlesUnknown) {
      const unknownArg = values.find((value) => value.k === 'unknown');
      if (unknownArg && unknownArg.k === 'unknown') return this.unknownValue(expression, `computed from ${unknownArg.u.expression}, which pod2wi cannot know`, at);
      if (fn.scrambles) {
        const holder = values.find((value) => value.k === 'string' && value.s.hasUnknown);
        if (holder) return this.unknownValue(expression, 'computed from a value pod2wi cannot know', at);
      }
    }
    const context = this.#callContext(name, expression, node, at, dot);
    try {
      const result = fn.call(context, values);
      // Large results cost in proportion to their size, so loops that grow values stop within the budget.
      const size = result.k === 'string' ? result.s.length >> 6 : result.k === 'list' ? result.items.length >> 2 : result.k === 'map' ? result.entries.size >> 2 : 0;
      if (size > 0) this.charge(size, node.pos);
      return result;
    } catch (error) {
      if (error instanceof GoError) throw new ExecError(`error calling ${name}: ${error.message}`, at);
      if (error instanceof RangeError && !(error instanceof LimitError)) throw new LimitError(`${name}: ${error.message}`, at);
      throw error;
    }
  }

  #truthForLogic(value: Value): { truth: boolean; assumed?: string } {
    const t = truth(value);
    if (t === null) return { truth: true, assumed: describeUnknown(value) };
    if (value.k === 'bool' && value.assumed) return { truth: t, assumed: value.assumed };
    return { truth: t };
  }

  #callContext(name: string, expression: string, node: { pos: number; end: number }, at: Origin, dot: Value): CallContext {
    const computed = this.#computed(node.pos, node.end);
    const exec = this;
    return {
      exec,
      name,
      expression,
      computed,
      origin: at,
      dot,
      print: this.printContext(node.pos, node.end),
      derived: (text) => {
        if (text.length > exec.maxValueSize) throw new LimitError(`${name} made a string longer than ${exec.maxValueSize} characters`, at);
        return { k: 'string', s: Rope.of(text, computed) };
      },
      unknown: (reason, expr) => exec.unknownValue(expr ?? expression, reason, at),
      assume: (message, code = 'assumed-unknown') => exec.report(code, message, at),
      problem: (code, message) => exec.report(code, message, at),
    };
  }

  /** Go's evalArg: an argument converted to the parameter's type. */
  #evalArg(dot: Value, typ: ParamType | null, node: ArgNode): Value {
    this.#step(node.pos);
    switch (node.type) {
      case 'dot':
        return this.#validateType(dot, typ, node.pos);
      case 'nil':
        if (canBeNil(typ)) return zeroOf(typ);
        this.#error(`cannot assign nil to ${goParamName(typ)}`, node.pos);
      // falls through (never reached)
      case 'field':
        return this.#validateType(this.#evalFieldChain(dot, dot, node, node.idents, [node], null, null), typ, node.pos);
      case 'variable':
        return this.#validateType(this.#evalVariableNode(dot, node, null, null, null), typ, node.pos);
      case 'pipe': {
        this.#enter(node.pos);
        try {
          return this.#validateType(this.#evalPipeline(dot, node), typ, node.pos);
        } finally {
          this.#leave();
        }
      }
      case 'identifier':
        return this.#validateType(this.#evalFunction(dot, node, node, null, null), typ, node.pos);
      case 'chain':
        return this.#validateType(this.#evalChainNode(dot, node, null, null, null), typ, node.pos);
    }
    const literal = this.#source().text.slice(node.pos, node.end);
    switch (typ) {
      case 'bool':
        if (node.type === 'bool') return { k: 'bool', v: node.value };
        this.#error(`expected bool; found ${literal}`, node.pos);
      // falls through (never reached)
      case 'string':
        if (node.type === 'string') return this.#stringLiteral(node);
        this.#error(`expected string; found ${literal}`, node.pos);
      // falls through (never reached)
      case 'int':
      case 'int64':
        if (node.type === 'number' && node.isInt) return { k: 'int', v: node.int, t: typ };
        this.#error(`expected integer; found ${literal}`, node.pos);
      // falls through (never reached)
      case 'float64':
        if (node.type === 'number' && node.isFloat) return { k: 'float', v: node.float };
        this.#error(`expected float; found ${literal}`, node.pos);
      // falls through (never reached)
      case null:
      case 'any':
      case 'reflect':
        switch (node.type) {
          case 'bool':
            return { k: 'bool', v: node.value };
          case 'number':
            return this.#numberLiteral(node);
          case 'string':
            return this.#stringLiteral(node);
        }
    }
    this.#error(`can't handle ${literal} for arg of type ${goParamName(typ)}`, node.pos);
  }

  #numberLiteral(node: NumberNode): Value {
    const value = this.#idealConstant(node);
    const source = this.#source();
    if (source.file === null || (value.k !== 'int' && value.k !== 'float')) return value;
    const { via: _via, ...origin } = { ...source.actionOrigin(node.pos, node.end), span: [node.pos, node.end] as const };
    return { ...value, src: { origin, raw: node.text } };
  }

  /** Go's validateType. */
  #validateType(value: Value, typ: ParamType | null, pos: number): Value {
    if (value.k === 'invalid') {
      if (typ === null || typ === 'reflect') return invalid;
      if (canBeNil(typ)) return zeroOf(typ);
      this.#error(`invalid value; expected ${goParamName(typ)}`, pos);
    }
    if (typ === null || typ === 'reflect' || typ === 'any' || value.k === 'unknown') return value;
    if (accepts(typ, value)) return value;
    this.#error(`wrong type for value; expected ${goParamName(typ)}; got ${value.k === 'nil' ? 'interface {}' : typeName(value)}`, pos);
  }

  /** Renders a template text given at run time (`tpl`) with the defines known. */
  runNested(template: Template, dot: Value, at: Origin): Rope {
    return this.callTemplate(template, dot, at);
  }
}

function pipeEnd(pipe: PipeNode): number {
  const last = pipe.cmds[pipe.cmds.length - 1];
  return last ? last.end : pipe.end;
}

function isHexInt(text: string): boolean {
  return text.length > 2 && text[0] === '0' && (text[1] === 'x' || text[1] === 'X') && !/[pP]/.test(text);
}

function canBeNil(typ: ParamType | null): boolean {
  return typ === null || typ === 'any' || typ === 'reflect' || typ === 'map' || typ === 'values' || typ === 'strings';
}

function zeroOf(typ: ParamType | null): Value {
  switch (typ) {
    case 'map':
      return { k: 'map', entries: new Map(), t: 'map[string]interface {}', isNil: true };
    case 'values':
      return { k: 'map', entries: new Map(), t: 'chartutil.Values', isNil: true };
    case 'strings':
      return { k: 'list', items: [], t: '[]string', isNil: true };
    case 'reflect':
    case null:
      return invalid;
    default:
      return nil;
  }
}

function accepts(typ: ParamType, value: Value): boolean {
  switch (typ) {
    case 'string':
      return value.k === 'string';
    case 'int':
      return value.k === 'int' && value.t === 'int';
    case 'int64':
      return value.k === 'int' && value.t === 'int64';
    case 'float64':
      return value.k === 'float';
    case 'bool':
      return value.k === 'bool';
    case 'map':
    case 'values':
      return value.k === 'map' && (value.t === 'map[string]interface {}' || value.t === 'chartutil.Values');
    case 'strings':
      return value.k === 'list' && value.t === '[]string';
    default:
      return true;
  }
}

function goParamName(typ: ParamType | null): string {
  switch (typ) {
    case 'map':
      return 'map[string]interface {}';
    case 'values':
      return 'chartutil.Values';
    case 'strings':
      return '[]string';
    case 'reflect':
      return 'reflect.Value';
    case 'any':
    case null:
      return 'interface {}';
    default:
      return typ;
  }
}

/** A printed scalar keeps the origin it was read from (a values scalar printed as written). */
function scalarRope(value: Value, rope: Rope): Rope {
  if ((value.k === 'int' || value.k === 'float' || value.k === 'bool') && value.src) {
    const text = rope.text;
    return Rope.of(text, segmentFor(text, value.src));
  }
  return rope;
}

/** How an unknown value reads in an assumption. */
export function describeUnknown(value: Value): string {
  if (value.k === 'unknown') return `\`${value.u.expression}\` (${value.u.reason})`;
  if (value.k === 'bool' && value.assumed) return value.assumed;
  return 'a value pod2wi cannot know';
}

export { unknownToken };
