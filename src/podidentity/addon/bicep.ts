import type { FileSource } from '../../k8s/files.js';
import { LineIndex } from '../../k8s/line-index.js';
import { isMap, isSeq, scalarRef, type Origin, type RMap, type RNode, type RPair, type ScalarPart, type ScalarRef, type Unknown } from '../../k8s/rendered.js';
import { parseBicep, type BicepExpression, type BicepFile, type BicepResource, type BicepStatement } from './bicep-parser.js';
import { AddonCollector, joinParts, partsOf, unknownNode } from './collect.js';
import { callFunction, plainOf } from './functions.js';
import { joinPath } from './paths.js';
import { getKey, readClusterProperties } from './profile.js';

/**
 * Bicep files: every `resource` of type `Microsoft.ContainerService/managedClusters` (not `existing`), its `name` and
 * `properties` evaluated: params by their default or by the value a calling module passes, vars, string
 * interpolation, objects and arrays, loops over known lists, the functions ARM and Bicep share. A file that other
 * Bicep files call as a module is read once per call, with the caller's params; a file nobody calls is read with its
 * defaults.
 */

/** Modules are followed this deep. */
export const maxModuleDepth = 8;
/** Params and vars that refer to each other are followed this deep. */
const maxReferenceDepth = 32;
/** A loop over a known list is expanded up to this many items. */
const maxLoopItems = 256;
/** Expressions one file evaluates at most (nested loops multiply); past it, values stay unknown. */
const maxSteps = 200_000;

const clusterHint = /managedClusters|podIdentityProfile|oidcIssuerProfile/i;

/** One parsed Bicep file with what evaluation needs. */
interface BicepUnit {
  readonly path: string;
  readonly text: string;
  readonly lines: LineIndex;
  readonly file: BicepFile;
  /** Local module files it calls (resolved paths), in order. */
  readonly modules: readonly string[];
}

/**
 * Reads the Bicep files among `paths`. A declaration that does not parse is an `addon-parse-error` problem in a file
 * that declares a cluster; callers of modules that do not parse are read as far as they go.
 */
export function readBicepFiles(paths: readonly string[], files: FileSource, collector: AddonCollector): void {
  const units = new Map<string, BicepUnit | null>();
  const load = (path: string): BicepUnit | null => {
    if (units.has(path)) return units.get(path) ?? null;
    units.set(path, null);
    const text = files.read(path);
    if (text === null) return null;
    const file = parseBicep(text);
    const lines = new LineIndex(text);
    if (clusterHint.test(text)) {
      for (const error of file.errors) {
        const { line, column } = lines.position(error.offset);
        collector.problem('addon-parse-error', { source: 'bicep', file: path, line, column, span: null }, `${path} does not parse as Bicep here (${error.message}); this declaration is skipped`);
      }
    }
    const modules = file.statements.flatMap((statement) => {
      if (statement.kind !== 'module') return [];
      const target = modulePath(path, statement.path);
      return target && files.has(target) ? [target] : [];
    });
    const unit: BicepUnit = { path, text, lines, file, modules };
    units.set(path, unit);
    return unit;
  };

  const candidates = paths.filter((path) => path.endsWith('.bicep'));
  for (const path of candidates) {
    const text = files.read(path);
    if (text !== null && (clusterHint.test(text) || /^\s*module\s/m.test(text))) load(path);
  }
  // Which files lead to a cluster, directly or through modules (memoised; a cycle leads nowhere new).
  const relevant = new Map<string, boolean>();
  const leads = (path: string, seen: ReadonlySet<string>): boolean => {
    const known = relevant.get(path);
    if (known !== undefined) return known;
    const unit = load(path);
    if (!unit) return false;
    const result = clusterHint.test(unit.text) || unit.modules.some((target) => !seen.has(target) && leads(target, new Set([...seen, path])));
    relevant.set(path, result);
    return result;
  };
  const loaded = [...units.keys()].sort();
  const called = new Set(loaded.flatMap((path) => units.get(path)?.modules ?? []));
  const read = new Set<string>();
  const context: BicepReadContext = { load, leads: (path) => leads(path, new Set()), collector, read };
  for (const path of loaded) {
    if (called.has(path) || !leads(path, new Set())) continue;
    readUnit(path, new Map(), null, [path], context);
  }
  // A cluster file reached by nobody (module calls in a cycle): read it on its own.
  for (const path of loaded) {
    const unit = units.get(path);
    if (unit && !read.has(path) && clusterHint.test(unit.text)) readUnit(path, new Map(), null, [path], context);
  }
}

interface BicepReadContext {
  readonly load: (path: string) => BicepUnit | null;
  readonly leads: (path: string) => boolean;
  readonly collector: AddonCollector;
  readonly read: Set<string>;
}

/** A module's path when it is a local file (`br:` and `ts:` references are registries). */
function modulePath(from: string, path: BicepExpression): string | null {
  if (path.kind !== 'string' || path.segments.length !== 1) return null;
  const [segment] = path.segments;
  if (!segment || !('text' in segment)) return null;
  return joinPath(from, segment.text);
}

function readUnit(path: string, given: ReadonlyMap<string, RNode>, resourceGroup: ScalarRef | null, stack: readonly string[], context: BicepReadContext): void {
  const unit = context.load(path);
  if (!unit) return;
  context.read.add(path);
  const evaluator = new BicepEvaluator(unit, given);
  for (const statement of unit.file.statements) {
    if (statement.kind === 'resource') readResource(statement, evaluator, resourceGroup, context.collector);
    if (statement.kind !== 'module') continue;
    const target = modulePath(path, statement.path);
    if (!target || !context.leads(target) || stack.includes(target)) continue;
    if (stack.length > maxModuleDepth) {
      context.collector.problem('addon-nesting-limit', evaluator.origin(statement.start, statement.end, false), `modules nested deeper than ${maxModuleDepth} levels are not read`);
      continue;
    }
    const body = evaluator.declarationBody(statement.body);
    const params = new Map<string, RNode>();
    const paramsNode = getKey(body, 'params');
    if (isMap(paramsNode)) for (const pair of paramsNode.pairs) params.set(pair.key, pair.value);
    readUnit(target, params, moduleResourceGroup(getKey(body, 'scope')) ?? resourceGroup, [...stack, target], context);
  }
}

/** `scope: resourceGroup('rg')` (or with a subscription first): the group a module deploys into. */
function moduleResourceGroup(scope: RNode | null): ScalarRef | null {
  if (!scope || scope.kind !== 'map') return null;
  return scalarRef(getKey(scope, 'resourceGroupName'));
}

function readResource(statement: BicepResource, evaluator: BicepEvaluator, resourceGroup: ScalarRef | null, collector: AddonCollector): void {
  if (statement.existing) return;
  const type = evaluator.evaluate(statement.type);
  const parts = partsOf(type) ?? [];
  let literal = '';
  for (const part of parts) {
    if (!('text' in part)) break;
    literal += part.text;
  }
  const resourceType = (literal.split('@')[0] ?? '').toLowerCase();
  if (resourceType !== 'microsoft.containerservice/managedclusters') return;
  const body = evaluator.declarationBody(statement.body);
  const name = scalarRef(getKey(body, 'name'));
  readClusterProperties(getKey(body, 'properties'), { source: 'bicep', cluster: name, resourceGroup }, collector);
}

/** Evaluates Bicep expressions of one file into trees with origins (source `bicep`). */
class BicepEvaluator {
  readonly #unit: BicepUnit;
  readonly #params = new Map<string, { statement: Extract<BicepStatement, { kind: 'param' }>; given: RNode | null }>();
  readonly #vars = new Map<string, Extract<BicepStatement, { kind: 'var' }>>();
  readonly #symbols = new Map<string, BicepStatement>();
  readonly #active = new Set<string>();
  readonly #values = new Map<string, RNode>();
  #steps = 0;

  constructor(unit: BicepUnit, given: ReadonlyMap<string, RNode>) {
    this.#unit = unit;
    for (const statement of unit.file.statements) {
      if (statement.kind === 'param') this.#params.set(statement.name, { statement, given: given.get(statement.name) ?? null });
      else if (statement.kind === 'var') this.#vars.set(statement.name, statement);
      else this.#symbols.set(statement.symbol, statement);
    }
  }

  origin(start: number, end: number, verbatim: boolean): Origin {
    const { line, column } = this.#unit.lines.position(start);
    return { source: 'bicep', file: this.#unit.path, line, column, span: verbatim ? [start, end] : null };
  }

  #text(expression: BicepExpression): string {
    return this.#unit.text.slice(expression.start, expression.end).replace(/\s*\n\s*/g, ' ');
  }

  #unknown(expression: BicepExpression, reason: string): RNode {
    return unknownNode(this.#text(expression), reason, this.origin(expression.start, expression.end, false));
  }

  /** A resource or module body: the object, under `if (...)` or a loop (whose variables stay unknown). */
  declarationBody(body: BicepExpression): RNode | null {
    if (body.kind === 'if') return this.declarationBody(body.body);
    if (body.kind === 'for') {
      const locals = new Map<string, RNode>();
      if (body.item) locals.set(body.item, this.#unknown(body.source, `an item of ${this.#text(body.source)}, one per deployment of the loop`));
      if (body.index) locals.set(body.index, this.#unknown(body.source, 'the index of a loop'));
      return this.evaluate(body.body.kind === 'if' ? body.body.body : body.body, [locals]);
    }
    return this.evaluate(body);
  }

  evaluate(expression: BicepExpression, locals: readonly ReadonlyMap<string, RNode>[] = []): RNode {
    if (++this.#steps > maxSteps) return this.#unknown(expression, `the file asks for more than ${maxSteps} evaluations (nested loops?)`);
    const verbatim = this.origin(expression.start, expression.end, true);
    switch (expression.kind) {
      case 'string': {
        if (expression.segments.every((segment) => 'text' in segment)) {
          return { kind: 'scalar', value: expression.segments.map((segment) => ('text' in segment ? segment.text : '')).join(''), origin: verbatim };
        }
        const origin = this.origin(expression.start, expression.end, false);
        const parts: ScalarPart[] = [];
        for (const segment of expression.segments) {
          if ('text' in segment) {
            parts.push({ text: segment.text, origin });
            continue;
          }
          const value = this.evaluate(segment.expression, locals);
          const own = partsOf(value) ?? (plainOf(value) !== undefined ? [{ text: JSON.stringify(plainOf(value)), origin }] : null);
          parts.push(...(own ?? [{ unknown: { expression: this.#text(segment.expression), reason: 'an object or array interpolated into a string', origin } }]));
        }
        return joinParts(parts, origin, 'Bicep string interpolation');
      }
      case 'number':
        return { kind: 'scalar', value: expression.value, origin: verbatim };
      case 'boolean':
        return { kind: 'scalar', value: expression.value, origin: verbatim };
      case 'null':
        return { kind: 'scalar', value: null, origin: verbatim };
      case 'identifier':
        return this.#identifier(expression, locals);
      case 'object':
        return this.#object(expression, locals);
      case 'array':
        return this.#array(expression, locals, verbatim);
      case 'spread':
        return this.#unknown(expression, 'a spread outside an array or object');
      case 'for':
        return this.#loop(expression, locals);
      case 'if':
        return this.evaluate(expression.body, locals);
      case 'call':
        return this.#call(expression, locals);
      case 'member': {
        const symbol = expression.object.kind === 'identifier' && !isLocal(locals, expression.object.name) ? this.#symbols.get(expression.object.name) : undefined;
        if (symbol && (symbol.kind === 'resource' || symbol.kind === 'module') && expression.name === 'name') {
          return this.#guard(`s:${symbol.symbol}`, expression, () => getKey(this.declarationBody(symbol.body), 'name') ?? this.#unknown(expression, 'the declaration has no name'));
        }
        const object = this.evaluate(expression.object, locals);
        if (isMap(object)) return getKey(object, expression.name) ?? (expression.safe ? scalar(null, this.origin(expression.start, expression.end, false)) : this.#unknown(expression, `${expression.name} is not set in the value`));
        if (expression.safe && object.kind === 'scalar' && object.value === null) return object;
        return this.#unknown(expression, reasonOf(object) ?? 'known only at deployment');
      }
      case 'index': {
        const object = this.evaluate(expression.object, locals);
        const index = this.evaluate(expression.index, locals);
        if (isSeq(object) && index.kind === 'scalar' && typeof index.value === 'number' && (object.unknowns ?? []).length === 0) return object.items[index.value] ?? this.#unknown(expression, 'the index is past the end of the list');
        if (isMap(object) && index.kind === 'scalar' && typeof index.value === 'string') return getKey(object, index.value) ?? (expression.safe ? scalar(null, this.origin(expression.start, expression.end, false)) : this.#unknown(expression, `${index.value} is not set in the value`));
        return this.#unknown(expression, 'known only at deployment');
      }
      case 'unary': {
        const operand = this.evaluate(expression.operand, locals);
        if (expression.operator === '!' && operand.kind === 'scalar' && typeof operand.value === 'boolean') return scalar(!operand.value, this.origin(expression.start, expression.end, false));
        if (expression.operator === '-' && operand.kind === 'scalar' && typeof operand.value === 'number') return scalar(-operand.value, this.origin(expression.start, expression.end, false));
        return this.#unknown(expression, 'an operation on a value not known from the repository');
      }
      case 'binary':
        return this.#binary(expression, locals);
      case 'ternary': {
        const condition = this.evaluate(expression.condition, locals);
        if (condition.kind === 'scalar' && typeof condition.value === 'boolean') return this.evaluate(condition.value ? expression.whenTrue : expression.whenFalse, locals);
        return this.#unknown(expression, 'a condition not known from the repository');
      }
      case 'lambda':
        return this.#unknown(expression, 'a lambda');
    }
  }

  /** Follows a param, var or declaration once (its value is kept); a cycle or a chain past the limit stays unknown. */
  #guard(key: string, expression: BicepExpression, read: () => RNode): RNode {
    const known = this.#values.get(key);
    if (known) return known;
    if (this.#active.has(key)) return this.#unknown(expression, 'refers to itself');
    if (this.#active.size >= maxReferenceDepth) return this.#unknown(expression, `references nested deeper than ${maxReferenceDepth} levels`);
    this.#active.add(key);
    try {
      const value = read();
      this.#values.set(key, value);
      return value;
    } finally {
      this.#active.delete(key);
    }
  }

  #identifier(expression: Extract<BicepExpression, { kind: 'identifier' }>, locals: readonly ReadonlyMap<string, RNode>[]): RNode {
    for (let i = locals.length - 1; i >= 0; i--) {
      const local = locals[i]?.get(expression.name);
      if (local) return local;
    }
    const param = this.#params.get(expression.name);
    if (param) {
      if (param.given) return param.given;
      const fallback = param.statement.value;
      if (!fallback && param.statement.nullable) return { kind: 'scalar', value: null, origin: this.origin(param.statement.start, param.statement.end, false) };
      if (!fallback) return this.#unknown(expression, `param ${expression.name} has no default value: it is given at deployment`);
      return this.#guard(`p:${expression.name}`, expression, () => this.evaluate(fallback));
    }
    const variable = this.#vars.get(expression.name);
    if (variable) return this.#guard(`v:${expression.name}`, expression, () => this.evaluate(variable.value));
    if (this.#symbols.has(expression.name)) return this.#unknown(expression, 'a resource or module, known at deployment');
    return this.#unknown(expression, `${expression.name} is not declared in this file`);
  }

  #object(expression: Extract<BicepExpression, { kind: 'object' }>, locals: readonly ReadonlyMap<string, RNode>[]): RMap {
    const pairs: RPair[] = [];
    const unknowns: Unknown[] = [];
    const origin = this.origin(expression.start, expression.end, true);
    for (const property of expression.properties) {
      if (property.kind === 'resource') continue;
      if (property.kind === 'spread') {
        const value = this.evaluate(property.value, locals);
        if (isMap(value)) {
          pairs.push(...value.pairs);
          unknowns.push(...(value.unknowns ?? []));
        } else {
          unknowns.push({ expression: `...${this.#text(property.value)}`, reason: 'an object spread not known from the repository', origin: this.origin(property.start, property.end, false) });
        }
        continue;
      }
      const key = this.evaluate(property.key, locals);
      const keyOrigin = this.origin(property.key.start, property.key.end, property.key.kind === 'string' && property.key.segments.every((segment) => 'text' in segment));
      if (key.kind !== 'scalar' || key.value === null) {
        unknowns.push({ expression: this.#text(property.key), reason: 'a property name not known from the repository', origin: keyOrigin });
        continue;
      }
      pairs.push({ key: String(key.value), keyOrigin, value: this.evaluate(property.value, locals) });
    }
    return unknowns.length > 0 ? { kind: 'map', pairs, origin, unknowns } : { kind: 'map', pairs, origin };
  }

  #array(expression: Extract<BicepExpression, { kind: 'array' }>, locals: readonly ReadonlyMap<string, RNode>[], origin: Origin): RNode {
    const items: RNode[] = [];
    const unknowns: Unknown[] = [];
    for (const item of expression.items) {
      if (item.kind !== 'spread') {
        items.push(this.evaluate(item, locals));
        continue;
      }
      const value = this.evaluate(item.value, locals);
      if (isSeq(value)) {
        items.push(...value.items);
        unknowns.push(...(value.unknowns ?? []));
      } else {
        unknowns.push({ expression: this.#text(item), reason: 'a list spread not known from the repository', origin: this.origin(item.start, item.end, false) });
      }
    }
    return unknowns.length > 0 ? { kind: 'seq', items, origin, unknowns } : { kind: 'seq', items, origin };
  }

  #loop(expression: Extract<BicepExpression, { kind: 'for' }>, locals: readonly ReadonlyMap<string, RNode>[]): RNode {
    const source = this.evaluate(expression.source, locals);
    const origin = this.origin(expression.start, expression.end, false);
    const body = expression.body.kind === 'if' ? expression.body.body : expression.body;
    const condition = expression.body.kind === 'if' ? expression.body.condition : null;
    let items: readonly RNode[] | null = isSeq(source) && (source.unknowns ?? []).length === 0 ? source.items : null;
    if (items === null && expression.source.kind === 'call' && expression.source.name === 'range') {
      const [from, count] = expression.source.args.map((arg) => this.evaluate(arg, locals));
      if (from?.kind === 'scalar' && typeof from.value === 'number' && count?.kind === 'scalar' && typeof count.value === 'number' && count.value <= maxLoopItems) {
        const start = from.value;
        items = Array.from({ length: Math.max(0, count.value) }, (_, i) => scalar(start + i, origin));
      }
    }
    if (!items || items.length > maxLoopItems) {
      const reason = items ? `a loop over more than ${maxLoopItems} items` : `a loop over ${this.#text(expression.source)}, known only at deployment`;
      return { kind: 'seq', items: [], origin, unknowns: [{ expression: this.#text(expression), reason, origin }] };
    }
    const out: RNode[] = [];
    const unknowns: Unknown[] = [];
    items.forEach((item, index) => {
      if (this.#steps > maxSteps) {
        if (unknowns.length === 0) unknowns.push({ expression: this.#text(expression), reason: `the file asks for more than ${maxSteps} evaluations (nested loops?)`, origin });
        return;
      }
      const scope = new Map<string, RNode>();
      if (expression.item) scope.set(expression.item, item);
      if (expression.index) scope.set(expression.index, scalar(index, origin));
      const nested = [...locals, scope];
      if (condition) {
        const keep = this.evaluate(condition, nested);
        if (keep.kind === 'scalar' && keep.value === false) return;
        if (!(keep.kind === 'scalar' && keep.value === true)) {
          unknowns.push({ expression: this.#text(condition), reason: 'a loop filter not known from the repository', origin });
          return;
        }
      }
      out.push(this.evaluate(body, nested));
    });
    return unknowns.length > 0 ? { kind: 'seq', items: out, origin, unknowns } : { kind: 'seq', items: out, origin };
  }

  #call(expression: Extract<BicepExpression, { kind: 'call' }>, locals: readonly ReadonlyMap<string, RNode>[]): RNode {
    const name = expression.name.replace(/^(az|sys)\./, '');
    const args = expression.args.map((arg) => this.evaluate(arg, locals));
    const origin = this.origin(expression.start, expression.end, false);
    if (name === 'any' && args[0]) return args[0];
    if (name === 'resourceGroup' && args.length > 0) {
      // A scope: `resourceGroup('rg')` or `resourceGroup(subscriptionId, 'rg')`.
      const group = args[args.length - 1];
      if (group) return { kind: 'map', pairs: [{ key: 'resourceGroupName', keyOrigin: origin, value: group }], origin };
    }
    return callFunction(name, args, origin, this.#text(expression)) ?? this.#unknown(expression, `${name}() is evaluated at deployment`);
  }

  #binary(expression: Extract<BicepExpression, { kind: 'binary' }>, locals: readonly ReadonlyMap<string, RNode>[]): RNode {
    const left = this.evaluate(expression.left, locals);
    const origin = this.origin(expression.start, expression.end, false);
    if (expression.operator === '??') {
      if (left.kind === 'scalar' && left.value === null) return this.evaluate(expression.right, locals);
      return left.kind === 'unknown' ? this.#unknown(expression, 'a value not known from the repository') : left;
    }
    if (expression.operator === '&&' || expression.operator === '||') {
      if (left.kind === 'scalar' && typeof left.value === 'boolean') {
        if (expression.operator === '&&' && !left.value) return scalar(false, origin);
        if (expression.operator === '||' && left.value) return scalar(true, origin);
        const right = this.evaluate(expression.right, locals);
        if (right.kind === 'scalar' && typeof right.value === 'boolean') return scalar(right.value, origin);
      }
      return this.#unknown(expression, 'a condition not known from the repository');
    }
    const a = plainOf(left);
    const b = plainOf(this.evaluate(expression.right, locals));
    if (a === undefined || b === undefined) return this.#unknown(expression, 'an operation on a value not known from the repository');
    switch (expression.operator) {
      case '==':
        return scalar(JSON.stringify(a) === JSON.stringify(b), origin);
      case '!=':
        return scalar(JSON.stringify(a) !== JSON.stringify(b), origin);
      case '=~':
      case '!~': {
        const same = typeof a === 'string' && typeof b === 'string' ? a.toLowerCase() === b.toLowerCase() : JSON.stringify(a) === JSON.stringify(b);
        return scalar(expression.operator === '=~' ? same : !same, origin);
      }
      default:
        break;
    }
    if (typeof a !== 'number' || typeof b !== 'number') return this.#unknown(expression, 'an operation the reader does not compute');
    switch (expression.operator) {
      case '<':
        return scalar(a < b, origin);
      case '>':
        return scalar(a > b, origin);
      case '<=':
        return scalar(a <= b, origin);
      case '>=':
        return scalar(a >= b, origin);
      case '+':
        return scalar(a + b, origin);
      case '-':
        return scalar(a - b, origin);
      case '*':
        return scalar(a * b, origin);
      case '/':
        return b === 0 ? this.#unknown(expression, 'division by zero') : scalar(Math.trunc(a / b), origin);
      case '%':
        return b === 0 ? this.#unknown(expression, 'division by zero') : scalar(a % b, origin);
      default:
        return this.#unknown(expression, 'an operation the reader does not compute');
    }
  }
}

function isLocal(locals: readonly ReadonlyMap<string, RNode>[], name: string): boolean {
  return locals.some((scope) => scope.has(name));
}

function scalar(value: string | number | boolean | null, origin: Origin): RNode {
  return { kind: 'scalar', value, origin: { ...origin, span: null } };
}

function reasonOf(node: RNode): string | null {
  if (node.kind !== 'unknown') return null;
  const first = node.parts.find((part) => 'unknown' in part);
  return first && 'unknown' in first ? first.unknown.reason : null;
}
