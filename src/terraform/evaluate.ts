import type { FileSource, RenderProblem } from '../k8s/files.js';
import { LineIndex } from '../k8s/line-index.js';
import { get, isMap, isScalar, isSeq, type Origin, type RMap, type RNode, type RPair, type RScalar, type RUnknown, type SourceKind, type Unknown } from '../k8s/rendered.js';
import { readTree } from '../k8s/yaml-tree.js';
import { parseHclTemplate, type HclExpr, type HclTemplatePart, type Span } from './hcl-syntax.js';
import { attributeOf as attributeOfBody, blocksOf, dirOf, joinPath, originIn, type TfFile, type TfModule, type TfModuleCall, type TfResource } from './modules.js';
import { mapPieces, scalarOfPieces, type Piece } from './text.js';

/**
 * Terraform expressions → rendered trees (RNode) with origins, as far as the repository tells: literals, locals,
 * variables (a module call's argument, a root module's `terraform.tfvars` / `*.auto.tfvars`, else the default),
 * module outputs of local modules, the configuration of resources in the same module, templates, and a small set of
 * pure functions. Everything else (values known only after apply, data sources, `count`/`for_each` instances,
 * functions not listed) becomes an unknown that carries its expression and the reason, never a guess.
 */

/** One instantiation of a module: a root module, or a module called (possibly several times) by another. */
export interface TfInstance {
  readonly module: TfModule;
  /** '' for a root module; `module.a.module.b` below it. */
  readonly address: string;
  readonly parent: TfInstance | null;
  /** The call that made this instance; null for a root module. */
  readonly call: TfModuleCall | null;
  /** Instances of the module calls of this module, by call name. */
  readonly children: Map<string, TfInstance>;
}

/** Names bound in an expression: template variables, `for` variables, a dynamic block's iterator. */
export interface Env {
  readonly instance: TfInstance | null;
  readonly names: ReadonlyMap<string, RNode>;
  /** A `templatefile` template: only its variables are in scope. */
  readonly templateOnly: boolean;
}

export const evaluationBudget = 200_000;
const maxDepth = 150;
const maxItems = 10_000;
const maxExpressionText = 200;

/** The root of a traversal (`var.x.y[0]`) and its steps, when the expression is one. */
interface Traversal {
  readonly root: string;
  readonly steps: readonly ({ readonly kind: 'attr'; readonly name: string } | { readonly kind: 'index'; readonly key: HclExpr })[];
}

function traversalOf(expr: HclExpr): Traversal | null {
  const steps: Traversal['steps'][number][] = [];
  let current: HclExpr = expr;
  for (;;) {
    if (current.kind === 'getattr') {
      steps.unshift({ kind: 'attr', name: current.name });
      current = current.target;
    } else if (current.kind === 'index') {
      steps.unshift({ kind: 'index', key: current.key });
      current = current.target;
    } else if (current.kind === 'variable') {
      return { root: current.name, steps };
    } else {
      return null;
    }
  }
}

/** A definition an expression refers to, with where to evaluate it. */
export interface Definition {
  readonly expr: HclExpr;
  readonly file: TfFile;
  readonly env: Env;
}

/** Evaluates expressions of the repository's modules; memoises locals, inputs and outputs per instance. */
export class Evaluator {
  readonly #files: FileSource;
  readonly #problems: RenderProblem[];
  readonly #memo = new Map<TfInstance, Map<string, RNode | null>>();
  readonly #lines = new Map<string, LineIndex>();
  #steps = 0;
  #depth = 0;
  #exhausted = false;

  constructor(files: FileSource, problems: RenderProblem[]) {
    this.#files = files;
    this.#problems = problems;
  }

  envOf(instance: TfInstance | null): Env {
    return { instance, names: new Map(), templateOnly: false };
  }

  lineIndex(path: string, text: string): LineIndex {
    let index = this.#lines.get(path);
    if (!index) {
      index = new LineIndex(text);
      this.#lines.set(path, index);
    }
    return index;
  }

  unknown(expr: HclExpr, file: TfFile, reason: string, source: SourceKind = 'terraform'): RUnknown {
    const origin = originIn(file, expr.span, false, source);
    return { kind: 'unknown', parts: [{ unknown: { expression: expressionText(file.text, expr.span), reason, origin } }], origin };
  }

  evaluate(expr: HclExpr, file: TfFile, env: Env): RNode {
    if (this.#exhausted || ++this.#steps > evaluationBudget) {
      if (!this.#exhausted) {
        this.#exhausted = true;
        this.#problems.push({ code: 'terraform-evaluation-limit', at: originIn(file, expr.span, false), message: `${file.path}: stopped evaluating Terraform expressions after ${evaluationBudget} steps` });
      }
      return this.unknown(expr, file, 'not evaluated: the evaluation limit was reached');
    }
    if (this.#depth >= maxDepth) return this.unknown(expr, file, 'nested too deeply to evaluate');
    this.#depth++;
    try {
      return this.#evaluate(expr, file, env);
    } finally {
      this.#depth--;
    }
  }

  #evaluate(expr: HclExpr, file: TfFile, env: Env): RNode {
    const source: SourceKind = env.templateOnly ? 'release-values' : 'terraform';
    switch (expr.kind) {
      case 'literal':
        return { kind: 'scalar', value: expr.value, origin: originIn(file, expr.span, true, source) };
      case 'paren':
        return this.evaluate(expr.expr, file, env);
      case 'template': {
        const only = expr.parts[0];
        if (!expr.heredoc && expr.parts.length === 1 && only?.kind === 'interp') return this.evaluate(only.expr, file, env);
        if (expr.parts.every((part) => part.kind === 'text')) {
          return { kind: 'scalar', value: expr.parts.map((part) => (part.kind === 'text' ? part.value : '')).join(''), origin: originIn(file, expr.span, true, source) };
        }
        const pieces = this.templatePieces(expr.parts, file, env, source);
        return scalarOfPieces(pieces, { ...originIn(file, expr.span, false, source), via: 'template' });
      }
      case 'tuple':
        return { kind: 'seq', items: expr.items.map((item) => this.evaluate(item, file, env)), origin: originIn(file, expr.span, true, source) };
      case 'object': {
        const pairs: RPair[] = [];
        const unknowns: Unknown[] = [];
        for (const item of expr.items) {
          const value = this.evaluate(item.value, file, env);
          let key = item.name;
          if (key === null) {
            const keyNode = this.evaluate(item.key, file, env);
            key = isScalar(keyNode) && keyNode.value !== null ? String(keyNode.value) : null;
          }
          if (key === null) {
            unknowns.push(unknownOf(this.unknown(item.key, file, 'an object key pod2wi cannot evaluate', source)));
            continue;
          }
          const existing = pairs.findIndex((pair) => pair.key === key);
          if (existing >= 0) pairs.splice(existing, 1);
          pairs.push({ key, keyOrigin: originIn(file, item.key.span, true, source), value });
        }
        const map: RMap = { kind: 'map', pairs, origin: originIn(file, expr.span, true, source) };
        return unknowns.length > 0 ? { ...map, unknowns } : map;
      }
      case 'variable':
      case 'getattr':
      case 'index': {
        const traversal = traversalOf(expr);
        if (traversal) return this.#traverse(traversal, expr, file, env);
        if (expr.kind === 'variable') return this.unknown(expr, file, 'an unknown name', source);
        const target = this.evaluate(expr.target, file, env);
        const step = expr.kind === 'getattr' ? ({ kind: 'attr', name: expr.name } as const) : ({ kind: 'index', key: expr.key } as const);
        return this.#applySteps(target, [step], expr, file, env);
      }
      case 'splat':
        return this.unknown(expr, file, 'a splat expression is not evaluated', source);
      case 'for':
        return this.#for(expr, file, env);
      case 'conditional': {
        const cond = this.evaluate(expr.cond, file, env);
        if (isScalar(cond) && typeof cond.value === 'boolean') return this.evaluate(cond.value ? expr.then : expr.else, file, env);
        return this.unknown(expr, file, `depends on a condition pod2wi cannot evaluate (${expressionText(file.text, expr.cond.span)})`, source);
      }
      case 'unary': {
        const operand = this.evaluate(expr.operand, file, env);
        if (isScalar(operand)) {
          if (expr.op === '!' && typeof operand.value === 'boolean') return computed(!operand.value, file, expr.span, source);
          if (expr.op === '-' && typeof operand.value === 'number') return computed(-operand.value, file, expr.span, source);
        }
        return this.unknown(expr, file, 'an operation on a value pod2wi cannot evaluate', source);
      }
      case 'binary':
        return this.#binary(expr, file, env, source);
      case 'call':
        return this.#call(expr, file, env, source);
    }
  }

  #binary(expr: HclExpr & { kind: 'binary' }, file: TfFile, env: Env, source: SourceKind): RNode {
    const left = this.evaluate(expr.left, file, env);
    if (expr.op === '&&' && isScalar(left) && left.value === false) return computed(false, file, expr.span, source);
    if (expr.op === '||' && isScalar(left) && left.value === true) return computed(true, file, expr.span, source);
    const right = this.evaluate(expr.right, file, env);
    if (!isScalar(left) || !isScalar(right)) {
      if ((expr.op === '==' || expr.op === '!=') && (isScalar(left) || isScalar(right)) && (left.kind === 'map' || left.kind === 'seq' || right.kind === 'map' || right.kind === 'seq')) {
        return computed(expr.op === '!=', file, expr.span, source);
      }
      return this.unknown(expr, file, 'an operation on a value pod2wi cannot evaluate', source);
    }
    const a = left.value;
    const b = right.value;
    switch (expr.op) {
      case '==':
        return computed(a === b, file, expr.span, source);
      case '!=':
        return computed(a !== b, file, expr.span, source);
      case '&&':
      case '||':
        if (typeof a === 'boolean' && typeof b === 'boolean') return computed(expr.op === '&&' ? a && b : a || b, file, expr.span, source);
        break;
      default: {
        const x = typeof a === 'number' ? a : typeof a === 'string' && a.trim() !== '' ? Number(a) : Number.NaN;
        const y = typeof b === 'number' ? b : typeof b === 'string' && b.trim() !== '' ? Number(b) : Number.NaN;
        if (Number.isNaN(x) || Number.isNaN(y)) break;
        const result =
          expr.op === '+' ? x + y : expr.op === '-' ? x - y : expr.op === '*' ? x * y : expr.op === '/' ? (y === 0 ? Number.NaN : x / y) : expr.op === '%' ? (y === 0 ? Number.NaN : x % y)
            : expr.op === '<' ? x < y : expr.op === '>' ? x > y : expr.op === '<=' ? x <= y : x >= y;
        if (typeof result === 'number' && !Number.isFinite(result)) break;
        return computed(result, file, expr.span, source);
      }
    }
    return this.unknown(expr, file, 'an operation pod2wi cannot evaluate', source);
  }

  #for(expr: HclExpr & { kind: 'for' }, file: TfFile, env: Env): RNode {
    const collection = this.evaluate(expr.collection, file, env);
    const entries: [RNode, RNode][] = isSeq(collection)
      ? collection.items.map((item, index) => [computed(index, file, expr.collection.span), item])
      : isMap(collection) && !collection.unknowns
        ? collection.pairs.map((pair) => [{ kind: 'scalar', value: pair.key, origin: pair.keyOrigin }, pair.value])
        : [];
    if ((!isSeq(collection) && !(isMap(collection) && !collection.unknowns)) || (isSeq(collection) && collection.unknowns) || entries.length > maxItems || expr.grouped) {
      return this.unknown(expr, file, 'a for expression over a collection pod2wi cannot evaluate');
    }
    const items: RNode[] = [];
    const pairs: RPair[] = [];
    for (const [key, value] of entries) {
      const names = new Map(env.names);
      if (expr.keyVar) names.set(expr.keyVar, key);
      names.set(expr.valueVar, value);
      const inner: Env = { ...env, names };
      if (expr.cond) {
        const cond = this.evaluate(expr.cond, file, inner);
        if (!isScalar(cond) || typeof cond.value !== 'boolean') return this.unknown(expr, file, 'a for expression whose condition pod2wi cannot evaluate');
        if (!cond.value) continue;
      }
      const value2 = this.evaluate(expr.valueExpr, file, inner);
      if (!expr.keyExpr) {
        items.push(value2);
        continue;
      }
      const keyNode = this.evaluate(expr.keyExpr, file, inner);
      if (!isScalar(keyNode) || keyNode.value === null) return this.unknown(expr, file, 'a for expression whose keys pod2wi cannot evaluate');
      pairs.push({ key: String(keyNode.value), keyOrigin: keyNode.origin, value: value2 });
    }
    const origin: Origin = { ...originIn(file, expr.span, false), via: 'for expression' };
    return expr.keyExpr ? { kind: 'map', pairs, origin } : { kind: 'seq', items, origin };
  }

  // ---- references ---------------------------------------------------------------------------------------------

  #traverse(traversal: Traversal, expr: HclExpr, file: TfFile, env: Env): RNode {
    const { root, steps } = traversal;
    const bound = env.names.get(root);
    if (bound) return this.#applySteps(bound, steps, expr, file, env);
    if (env.templateOnly) return this.unknown(expr, file, `${root} is not a variable of the template`, 'release-values');
    const instance = env.instance;
    const [first, ...rest] = steps;
    const name = first?.kind === 'attr' ? first.name : null;
    if (!instance) return this.unknown(expr, file, 'a reference where none is allowed');
    switch (root) {
      case 'var':
        if (!name) break;
        return this.#applySteps(this.input(instance, name, expr, file), rest, expr, file, env);
      case 'local': {
        if (!name) break;
        const definition = instance.module.locals.get(name);
        if (!definition) return this.unknown(expr, file, `local.${name} is not defined in ${moduleLabel(instance.module)}`);
        const value = this.#memoised(instance, `local.${name}`, expr, file, () => this.evaluate(definition.attr.expr, definition.file, this.envOf(instance)));
        return this.#applySteps(value, rest, expr, file, env);
      }
      case 'module': {
        if (!name) break;
        const child = instance.children.get(name);
        const call = instance.module.calls.find((candidate) => candidate.name === name);
        if (!child) return this.unknown(expr, file, call && call.dir === null ? `an output of a module outside the repository (${call.source ?? 'no literal source'})` : `module.${name} is not a module of the repository`);
        let remaining = rest;
        if (remaining[0]?.kind === 'index') remaining = remaining.slice(1);
        const output = remaining[0]?.kind === 'attr' ? remaining[0].name : null;
        if (!output) return this.unknown(expr, file, 'a whole module is not evaluated');
        const definition = child.module.outputs.get(output);
        if (!definition) return this.unknown(expr, file, `module.${name} has no output ${output}`);
        const value = this.#memoised(child, `output.${output}`, expr, file, () => this.evaluate(definition.attr.expr, definition.file, this.envOf(child)));
        return this.#applySteps(value, remaining.slice(1), expr, file, env);
      }
      case 'path':
        if (name === 'module' || name === 'root') {
          let top = instance;
          while (name === 'root' && top.parent) top = top.parent;
          return { kind: 'scalar', value: top.module.dir === '' ? '.' : top.module.dir, origin: { ...originIn(file, expr.span, false), via: `path.${name}` } };
        }
        return this.unknown(expr, file, 'depends on where Terraform runs');
      case 'each':
      case 'count':
        return this.unknown(expr, file, 'differs per instance (count / for_each)');
      case 'self':
        return this.unknown(expr, file, 'known only after apply');
      case 'terraform':
        return this.unknown(expr, file, 'depends on the Terraform workspace');
      case 'data':
        return this.unknown(expr, file, 'read from a data source when Terraform plans');
      default: {
        if (!name) break;
        const resource = instance.module.resources.find((candidate) => candidate.mode === 'resource' && candidate.type === root && candidate.name === name);
        if (!resource) return this.unknown(expr, file, `${root}.${name} is not a resource of ${moduleLabel(instance.module)}`);
        let remaining = rest;
        let scope = this.envOf(instance);
        let memoKey = `resource.${root}.${name}`;
        const step = remaining[0];
        if (step?.kind === 'index' && !hasBlock(resource, remaining)) {
          remaining = remaining.slice(1);
          // One instance of a count / for_each resource: bind count.index, or each.key and each.value.
          const key = this.evaluate(step.key, file, env);
          const bound = isScalar(key) && key.value !== null ? this.#instanceNames(resource, instance, key) : null;
          if (bound && isScalar(key)) {
            scope = { ...scope, names: bound };
            memoKey += `[${JSON.stringify(key.value)}]`;
          }
        }
        const value = this.#memoised(instance, memoKey, expr, file, () => this.resourceConfig(resource, scope));
        return this.#applySteps(value, remaining, expr, file, env, `${root}.${name}`);
      }
    }
    return this.unknown(expr, file, 'an incomplete reference');
  }

  /** `count.index` or `each.key` / `each.value` for one instance of a resource, when pod2wi knows them. */
  #instanceNames(resource: TfResource, instance: TfInstance, key: RScalar): Map<string, RNode> | null {
    const origin = key.origin;
    if (attributeOfBody(resource.block.body, 'count') && typeof key.value === 'number') {
      return new Map([['count', { kind: 'map', pairs: [{ key: 'index', keyOrigin: origin, value: key }], origin }]]);
    }
    const forEach = attributeOfBody(resource.block.body, 'for_each');
    if (!forEach) return null;
    const collection = this.evaluate(forEach.expr, resource.file, this.envOf(instance));
    const value = isMap(collection) ? get(collection, String(key.value)) : isSeq(collection) ? (collection.items.find((item) => isScalar(item) && item.value === key.value) ?? null) : null;
    const eachValue: RNode = value ?? this.unknown(forEach.expr, resource.file, 'a for_each collection pod2wi knows only in part');
    const each: RMap = { kind: 'map', pairs: [{ key: 'key', keyOrigin: origin, value: { ...key, value: String(key.value) } }, { key: 'value', keyOrigin: origin, value: eachValue }], origin };
    return new Map([['each', each]]);
  }

  /**
   * The configuration of a resource as a map: its arguments evaluated, nested blocks as lists of maps (how Terraform
   * exposes them: `kubernetes_namespace.x.metadata[0].name`). Attributes it does not set are known only after apply.
   */
  resourceConfig(resource: TfResource, env: Env): RMap {
    return this.bodyConfig(resource.block.body, resource.file, env, originIn(resource.file, resource.block.span, false));
  }

  bodyConfig(body: TfResource['block']['body'], file: TfFile, env: Env, origin: Origin): RMap {
    const pairs: RPair[] = [];
    const blocks = new Map<string, RNode[]>();
    for (const item of body.items) {
      if (item.kind === 'attribute') {
        pairs.push({ key: item.name, keyOrigin: originIn(file, item.nameSpan), value: this.evaluate(item.expr, file, env) });
        continue;
      }
      if (item.type === 'dynamic' || item.type === 'lifecycle') continue;
      const list = blocks.get(item.type) ?? [];
      list.push(this.bodyConfig(item.body, file, env, originIn(file, item.span, false)));
      blocks.set(item.type, list);
    }
    for (const [type, items] of blocks) {
      const first = items[0];
      pairs.push({ key: type, keyOrigin: first?.origin ?? origin, value: { kind: 'seq', items, origin: first?.origin ?? origin } });
    }
    return { kind: 'map', pairs, origin };
  }

  /** The value of `var.name` in an instance: its call's argument, a tfvars value (root modules), else its default. */
  input(instance: TfInstance, name: string, at: HclExpr, atFile: TfFile): RNode {
    return this.#memoised(instance, `var.${name}`, at, atFile, () => {
      const definition = this.inputDefinition(instance, name);
      if (definition) return this.evaluate(definition.expr, definition.file, definition.env);
      const declared = instance.module.variables.has(name);
      return this.unknown(at, atFile, declared ? `variable "${name}" has no default and no value in the repository` : `variable "${name}" is not declared in ${moduleLabel(instance.module)}`);
    });
  }

  /** Where the value of `var.name` of an instance is written, or null. */
  inputDefinition(instance: TfInstance, name: string): Definition | null {
    if (instance.call && instance.parent) {
      const given = instance.call.inputs.find((input) => input.name === name);
      if (given) return { expr: given.expr, file: instance.call.file, env: this.envOf(instance.parent) };
    } else {
      const tfvar = instance.module.tfvars.get(name);
      if (tfvar) return { expr: tfvar.attr.expr, file: tfvar.file, env: this.envOf(null) };
    }
    const variable = instance.module.variables.get(name);
    if (variable?.default) return { expr: variable.default.expr, file: variable.file, env: this.envOf(null) };
    return null;
  }

  /**
   * The expression a reference stands for, followed through `local.x`, `var.x` and outputs of local modules, so
   * a caller can see the call behind it (`yamlencode(...)`, `file(...)`); the expression itself when it is not a
   * plain reference.
   */
  definitionOf(expr: HclExpr, file: TfFile, env: Env, hops = 0): Definition {
    if (hops > 32) return { expr, file, env };
    if (expr.kind === 'paren') return this.definitionOf(expr.expr, file, env, hops + 1);
    const only = expr.kind === 'template' && !expr.heredoc && expr.parts.length === 1 ? expr.parts[0] : undefined;
    if (only?.kind === 'interp') return this.definitionOf(only.expr, file, env, hops + 1);
    const traversal = traversalOf(expr);
    const instance = env.instance;
    if (!traversal || !instance || env.templateOnly || env.names.has(traversal.root)) return { expr, file, env };
    const [first, second, third] = traversal.steps;
    if (first?.kind !== 'attr') return { expr, file, env };
    if (traversal.root === 'local' && !second) {
      const definition = instance.module.locals.get(first.name);
      return definition ? this.definitionOf(definition.attr.expr, definition.file, this.envOf(instance), hops + 1) : { expr, file, env };
    }
    if (traversal.root === 'var' && !second) {
      const definition = this.inputDefinition(instance, first.name);
      return definition ? this.definitionOf(definition.expr, definition.file, definition.env, hops + 1) : { expr, file, env };
    }
    if (traversal.root === 'module') {
      const child = instance.children.get(first.name);
      const outputStep = second?.kind === 'index' ? third : second;
      const rest = traversal.steps.slice(second?.kind === 'index' ? 3 : 2);
      if (child && outputStep?.kind === 'attr' && rest.length === 0) {
        const definition = child.module.outputs.get(outputStep.name);
        if (definition) return this.definitionOf(definition.attr.expr, definition.file, this.envOf(child), hops + 1);
      }
    }
    return { expr, file, env };
  }

  #memoised(instance: TfInstance, key: string, at: HclExpr, atFile: TfFile, compute: () => RNode): RNode {
    let memo = this.#memo.get(instance);
    if (!memo) {
      memo = new Map();
      this.#memo.set(instance, memo);
    }
    if (memo.has(key)) {
      const value = memo.get(key);
      return value ?? this.unknown(at, atFile, `${key} refers to itself`);
    }
    memo.set(key, null);
    const value = compute();
    memo.set(key, value);
    return value;
  }

  #applySteps(value: RNode, steps: Traversal['steps'], expr: HclExpr, file: TfFile, env: Env, resource?: string): RNode {
    let current = value;
    for (const step of steps) {
      if (current.kind === 'unknown') return current;
      if (step.kind === 'attr') {
        const next = isMap(current) ? get(current, step.name) : null;
        if (!next) {
          if (resource && isMap(current)) return this.unknown(expr, file, `known only after apply (${resource})`);
          return this.unknown(expr, file, isMap(current) && current.unknowns ? 'a key of a map pod2wi knows only in part' : `has no attribute ${step.name}`);
        }
        current = next;
        continue;
      }
      const key = this.evaluate(step.key, file, env);
      if (!isScalar(key)) return this.unknown(expr, file, 'an index pod2wi cannot evaluate');
      const next = isSeq(current) && typeof key.value === 'number'
        ? (current.items[key.value] ?? null)
        : isMap(current) && key.value !== null ? get(current, String(key.value)) : null;
      if (!next) return this.unknown(expr, file, isSeq(current) && current.unknowns ? 'an item of a list pod2wi knows only in part' : 'an index that is not in the collection');
      current = next;
    }
    return current;
  }

  // ---- templates ----------------------------------------------------------------------------------------------

  /** The text pieces of template parts, with interpolations evaluated (unknowns kept as unknown pieces). */
  templatePieces(parts: readonly HclTemplatePart[], file: TfFile, env: Env, source: SourceKind): Piece[] {
    const pieces: Piece[] = [];
    for (const part of parts) {
      switch (part.kind) {
        case 'text':
          pieces.push(...textPieces(part, file, source));
          break;
        case 'interp':
          pieces.push(...this.#interpolation(part.expr, file, env, source));
          break;
        case 'if': {
          const cond = this.evaluate(part.cond, file, env);
          if (isScalar(cond) && typeof cond.value === 'boolean') pieces.push(...this.templatePieces(cond.value ? part.then : (part.else ?? []), file, env, source));
          else pieces.push({ kind: 'unknown', unknown: unknownOf(this.unknown(part.cond, file, 'a template condition pod2wi cannot evaluate', source)), block: true });
          break;
        }
        case 'for': {
          const collection = this.evaluate(part.collection, file, env);
          const entries: [RNode, RNode][] | null = isSeq(collection) && !collection.unknowns
            ? collection.items.map((item, index) => [computed(index, file, part.collection.span, source), item])
            : isMap(collection) && !collection.unknowns
              ? collection.pairs.map((pair) => [{ kind: 'scalar', value: pair.key, origin: pair.keyOrigin }, pair.value])
              : null;
          if (!entries || entries.length > maxItems) {
            pieces.push({ kind: 'unknown', unknown: unknownOf(this.unknown(part.collection, file, 'a template loop over a collection pod2wi cannot evaluate', source)), block: true });
            break;
          }
          for (const [key, value] of entries) {
            const names = new Map(env.names);
            if (part.keyVar) names.set(part.keyVar, key);
            names.set(part.valueVar, value);
            pieces.push(...this.templatePieces(part.body, file, { ...env, names }, source));
          }
          break;
        }
      }
    }
    return pieces;
  }

  #interpolation(expr: HclExpr, file: TfFile, env: Env, source: SourceKind): Piece[] {
    const value = this.evaluate(expr, file, env);
    const at = originIn(file, expr.span, false, source);
    const textPiece = (text: string, origin: Origin): Piece => ({ kind: 'text', text, origin, sourceStart: null, lines: null, at });
    if (value.kind === 'scalar' && value.value !== null) {
      if (value.parts) return value.parts.map((part): Piece => ('text' in part ? textPiece(part.text, part.origin) : { kind: 'unknown', unknown: part.unknown, block: false, at }));
      return [textPiece(String(value.value), value.origin)];
    }
    if (value.kind === 'unknown') {
      return value.parts.map((part): Piece => ('text' in part ? textPiece(part.text, part.origin) : { kind: 'unknown', unknown: part.unknown, block: true, at }));
    }
    return [{ kind: 'unknown', unknown: unknownOf(this.unknown(expr, file, value.kind === 'scalar' ? 'null in a template' : 'a map or list written into text', source)), block: true, at }];
  }

  // ---- functions ----------------------------------------------------------------------------------------------

  #call(expr: HclExpr & { kind: 'call' }, file: TfFile, env: Env, source: SourceKind): RNode {
    if (expr.expandFinal) return this.unknown(expr, file, 'a call with expanded arguments is not evaluated', source);
    const args = (): RNode[] => expr.args.map((arg) => this.evaluate(arg, file, env));
    const strings = (): (string | null)[] => args().map((arg) => (isScalar(arg) && arg.value !== null ? String(arg.value) : null));
    const name = expr.name.replace(/^core::/, '');
    const origin: Origin = { ...originIn(file, expr.span, false, source), via: `${name}()` };
    switch (name) {
      case 'merge': {
        const values = args();
        const pairs: RPair[] = [];
        const unknowns: Unknown[] = [];
        for (const value of values) {
          if (isMap(value)) {
            for (const pair of value.pairs) {
              const existing = pairs.findIndex((candidate) => candidate.key === pair.key);
              if (existing >= 0) pairs.splice(existing, 1);
              pairs.push(pair);
            }
            unknowns.push(...(value.unknowns ?? []));
          } else if (value.kind === 'unknown') {
            unknowns.push(...value.parts.flatMap((part) => ('unknown' in part ? [part.unknown] : [])));
          } else if (!(isScalar(value) && value.value === null)) {
            return this.unknown(expr, file, 'merge() of something other than maps', source);
          }
        }
        return unknowns.length > 0 ? { kind: 'map', pairs, origin, unknowns } : { kind: 'map', pairs, origin };
      }
      case 'concat': {
        const items: RNode[] = [];
        const unknowns: Unknown[] = [];
        for (const value of args()) {
          if (isSeq(value)) {
            items.push(...value.items);
            unknowns.push(...(value.unknowns ?? []));
          } else if (value.kind === 'unknown') {
            unknowns.push(...value.parts.flatMap((part) => ('unknown' in part ? [part.unknown] : [])));
          } else {
            return this.unknown(expr, file, 'concat() of something other than lists', source);
          }
        }
        return unknowns.length > 0 ? { kind: 'seq', items, origin, unknowns } : { kind: 'seq', items, origin };
      }
      case 'coalesce':
        for (const value of args()) {
          if (value.kind === 'unknown') return this.unknown(expr, file, 'coalesce() of a value pod2wi cannot evaluate', source);
          if (isScalar(value) && (value.value === null || value.value === '')) continue;
          return value;
        }
        return this.unknown(expr, file, 'coalesce() of empty values fails', source);
      case 'try': {
        const first = expr.args[0];
        if (!first) break;
        const value = this.evaluate(first, file, env);
        if (value.kind !== 'unknown') return value;
        return expr.args.length === 1 ? value : this.unknown(expr, file, 'try() of a value pod2wi cannot evaluate', source);
      }
      case 'lookup': {
        const [map, key, fallback] = args();
        if (isMap(map) && isScalar(key) && key.value !== null) {
          const found = get(map, String(key.value));
          if (found) return found;
          if (fallback && !map.unknowns) return fallback;
        }
        return this.unknown(expr, file, 'lookup() in a map pod2wi cannot evaluate', source);
      }
      case 'tostring':
      case 'tomap':
      case 'tolist':
      case 'toset':
      case 'tonumber':
      case 'tobool':
      case 'sensitive':
      case 'nonsensitive': {
        const [value] = args();
        if (!value) break;
        if (name === 'tostring' && isScalar(value) && value.value !== null && typeof value.value !== 'string') return { ...value, value: String(value.value), origin: { ...value.origin, span: null, via: 'tostring()' } };
        return value;
      }
      case 'lower':
      case 'upper':
      case 'trimspace': {
        const [text] = strings();
        if (text === null || text === undefined) break;
        return computed(name === 'lower' ? text.toLowerCase() : name === 'upper' ? text.toUpperCase() : text.trim(), file, expr.span, source, origin.via);
      }
      case 'trimprefix':
      case 'trimsuffix': {
        const [text, affix] = strings();
        if (text === null || text === undefined || affix === null || affix === undefined) break;
        const result = name === 'trimprefix' ? (text.startsWith(affix) ? text.slice(affix.length) : text) : text.endsWith(affix) ? text.slice(0, text.length - affix.length) : text;
        return computed(result, file, expr.span, source, origin.via);
      }
      case 'join': {
        const [separator, ...lists] = args();
        if (!isScalar(separator) || typeof separator.value !== 'string') break;
        const items: string[] = [];
        for (const list of lists) {
          if (!isSeq(list) || list.unknowns) return this.unknown(expr, file, 'join() of a list pod2wi cannot evaluate', source);
          for (const item of list.items) {
            if (!isScalar(item) || item.value === null) return this.unknown(expr, file, 'join() of a list pod2wi cannot evaluate', source);
            items.push(String(item.value));
          }
        }
        return computed(items.join(separator.value), file, expr.span, source, origin.via);
      }
      case 'format': {
        const values = strings();
        const [pattern, ...rest] = values;
        if (pattern === null || pattern === undefined || rest.some((value) => value === null)) break;
        let index = 0;
        let failed = false;
        const result = pattern.replace(/%(%|s|d|v)/g, (match, verb: string) => {
          if (verb === '%') return '%';
          const value = rest[index++];
          if (value === null || value === undefined) failed = true;
          return value ?? match;
        });
        if (failed || /%[^%sdv]/.test(pattern)) break;
        return computed(result, file, expr.span, source, origin.via);
      }
      case 'file':
      case 'templatefile': {
        const read = this.readFileArg(expr, file, env);
        if (typeof read === 'string') return this.unknown(expr, file, read, source);
        if (name === 'file') {
          return { kind: 'scalar', value: read.text, origin: { source: 'release-values', file: read.path, line: 1, column: 1, span: null, via: 'file()' } };
        }
        const pieces = this.templateFilePieces(expr, file, env, read);
        if (!pieces) return this.unknown(expr, file, `${read.path} is not a valid template`, source);
        return scalarOfPieces(pieces, { source: 'release-values', file: read.path, line: 1, column: 1, span: null, via: 'templatefile()' });
      }
      case 'abspath': {
        const [value] = args();
        if (value && isScalar(value)) return value;
        break;
      }
      case 'yamlencode':
      case 'jsonencode': {
        const [value] = args();
        if (value?.kind === 'unknown') return value;
        return this.unknown(expr, file, `text made by ${name}() (read as a document where Terraform expects one)`, source);
      }
      default:
        return this.unknown(expr, file, `the function ${expr.name}() is not evaluated`, source);
    }
    return this.unknown(expr, file, `${name}() of a value pod2wi cannot evaluate`, source);
  }

  /** The file a `file()` / `templatefile()` call reads (its path relative to the root module), or why not. */
  readFileArg(expr: HclExpr & { kind: 'call' }, file: TfFile, env: Env): { path: string; text: string } | string {
    const arg = expr.args[0];
    if (!arg) return `${expr.name}() without a path`;
    const value = this.evaluate(arg, file, env);
    if (!isScalar(value) || typeof value.value !== 'string') return `${expr.name}() of a path pod2wi cannot evaluate`;
    const raw = value.value;
    const usesModulePath = arg.kind === 'template' && arg.parts.some((part) => part.kind === 'interp' && /^path\.(module|root)$/.test(expressionText(file.text, part.expr.span)));
    let top = env.instance;
    while (top?.parent) top = top.parent;
    const base = usesModulePath ? '' : (top?.module.dir ?? dirOf(file.path));
    const path = joinPath(base, raw.replace(/^\.\//, ''));
    if (path === null) return `${raw} is outside the repository`;
    const text = this.#files.read(path);
    if (text === null) {
      this.#problems.push({ code: 'terraform-file-missing', at: originIn(file, arg.span, false), message: `${file.path}:${originIn(file, arg.span).line}: ${expr.name}() reads ${path}, which is not in the repository` });
      return `${path} is not in the repository`;
    }
    return { path, text };
  }

  /** The pieces of a `templatefile(path, vars)` call: the template's text with its variables substituted. */
  templateFilePieces(expr: HclExpr & { kind: 'call' }, file: TfFile, env: Env, read: { path: string; text: string }, source: SourceKind = 'release-values'): Piece[] | null {
    const parsed = parseHclTemplate(read.text);
    if (!parsed.ok) {
      this.#problems.push({
        code: 'terraform-template-syntax',
        at: { source, file: read.path, line: parsed.error.line, column: parsed.error.column, span: null },
        message: `${read.path}:${parsed.error.line}: not a valid Terraform template: ${parsed.error.message}`,
      });
      return null;
    }
    const varsArg = expr.args[1];
    const vars = varsArg ? this.evaluate(varsArg, file, env) : null;
    const names = new Map<string, RNode>();
    if (vars && isMap(vars)) for (const pair of vars.pairs) names.set(pair.key, pair.value);
    const templateFile: TfFile = { path: read.path, text: read.text, body: { items: [], span: [0, 0] }, lines: this.lineIndex(read.path, read.text) };
    const templateEnv: Env = { instance: null, names, templateOnly: true };
    return this.templatePieces(parsed.parts, templateFile, templateEnv, source);
  }

  /**
   * A value Terraform hands to a tool as a document (Helm values, a kubectl manifest, an azapi body): the tree of
   * `yamlencode(...)` / `jsonencode(...)` arguments and object constructors, or the YAML read from `file(...)`,
   * `templatefile(...)` and heredocs, references followed. Null when it is not a document pod2wi can read.
   */
  document(expr: HclExpr, file: TfFile, env: Env, textSource: SourceKind): { node: RNode | null; problems: string[] } {
    const definition = this.definitionOf(expr, file, env);
    const target = definition.expr;
    const at = definition.file;
    const scope = definition.env;
    if (target.kind === 'call') {
      const name = target.name;
      const arg = target.args[0];
      if ((name === 'yamlencode' || name === 'jsonencode') && arg) return { node: this.evaluate(arg, at, scope), problems: [] };
      if ((name === 'yamldecode' || name === 'jsondecode') && arg) return this.document(arg, at, scope, textSource);
      if (name === 'file' || name === 'templatefile') {
        const read = this.readFileArg(target, at, scope);
        if (typeof read === 'string') return { node: this.unknown(target, at, read), problems: [] };
        if (name === 'file') return this.#yaml(read.path, read.text, { source: textSource });
        const pieces = this.templateFilePieces(target, at, scope, read, textSource);
        if (!pieces) return { node: this.unknown(target, at, `${read.path} is not a valid template`), problems: [] };
        const fallback: Origin = { source: textSource, file: read.path, line: 1, column: 1, span: null };
        return this.#yamlOfPieces(read.path, pieces, fallback);
      }
    }
    if (target.kind === 'template') {
      const pieces = this.templatePieces(target.parts, at, scope, 'terraform');
      return this.#yamlOfPieces(at.path, pieces, originIn(at, target.span, false));
    }
    return { node: this.evaluate(target, at, scope), problems: [] };
  }

  #yamlOfPieces(path: string, pieces: readonly Piece[], fallback: Origin): { node: RNode | null; problems: string[] } {
    const mapped = mapPieces(pieces, fallback);
    return this.#yaml(path, mapped.text, { source: fallback.source, map: mapped.map });
  }

  #yaml(path: string, text: string, options: { source: SourceKind; map?: ReturnType<typeof mapPieces>['map'] }): { node: RNode | null; problems: string[] } {
    const tree = readTree(path, text, options.map ? { source: options.source, map: options.map } : { source: options.source });
    const problems = tree.problems.map((problem) => `${problem.at.file}:${problem.at.line}: ${problem.message}`);
    const documents = tree.documents.filter((document) => document.node !== null);
    if (documents.length > 1) problems.push(`${path}: holds ${documents.length} YAML documents where Terraform reads one`);
    return { node: documents[0]?.node ?? null, problems };
  }
}

function hasBlock(resource: TfResource, steps: Traversal['steps']): boolean {
  // `kubernetes_namespace.x.metadata[0]`: the index belongs to the block list, not to a count instance.
  const [first] = steps;
  return first?.kind === 'attr' && blocksOf(resource.block.body, first.name).length > 0;
}

function moduleLabel(module: TfModule): string {
  return module.dir === '' ? 'the root module' : module.dir;
}

/** The first unknown of a node made by `Evaluator.unknown`. */
export function unknownOf(node: RUnknown): Unknown {
  const first = node.parts.find((part): part is { unknown: Unknown } => 'unknown' in part);
  return first?.unknown ?? { expression: '?', reason: 'unknown', origin: node.origin };
}

function computed(value: string | number | boolean, file: TfFile, span: Span, source: SourceKind = 'terraform', via = 'expression'): RScalar {
  return { kind: 'scalar', value, origin: { ...originIn(file, span, false, source), via } };
}

export function expressionText(text: string, span: Span): string {
  const raw = text.slice(span[0], span[1]);
  return raw.length > maxExpressionText ? `${raw.slice(0, maxExpressionText)}…` : raw;
}

/** Pieces of a text part: verbatim runs keep their offsets; decoded characters (escapes) do not. */
function textPieces(part: HclTemplatePart & { kind: 'text' }, file: TfFile, source: SourceKind): Piece[] {
  const pieces: Piece[] = [];
  let cursor = 0;
  const whole = originIn(file, part.span, false, source);
  for (const [value, start, length] of part.runs) {
    if (value > cursor) pieces.push({ kind: 'text', text: part.value.slice(cursor, value), origin: whole, sourceStart: null, lines: null });
    const { line, column } = file.lines.position(start);
    pieces.push({ kind: 'text', text: part.value.slice(value, value + length), origin: { source, file: file.path, line, column, span: [start, start + length] }, sourceStart: start, lines: file.lines });
    cursor = value + length;
  }
  if (cursor < part.value.length) pieces.push({ kind: 'text', text: part.value.slice(cursor), origin: whole, sourceStart: null, lines: null });
  return pieces;
}
