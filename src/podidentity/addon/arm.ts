import type { FileSource } from '../../k8s/files.js';
import { isMap, isSeq, scalarRef, type Origin, type RMap, type RNode, type RPair, type ScalarRef } from '../../k8s/rendered.js';
import { readTree } from '../../k8s/yaml-tree.js';
import { ArmExpressionError, isArmExpression, parseArmExpression, unescapeArmLiteral, type ArmExpression } from './arm-expression.js';
import { AddonCollector, unknownNode } from './collect.js';
import { callFunction } from './functions.js';
import { getKey, readClusterProperties } from './profile.js';
import { joinPath } from './paths.js';

/**
 * ARM templates (JSON, comments allowed as Azure Resource Manager allows them): every resource of type
 * `Microsoft.ContainerService/managedClusters`, at any depth of `resources` (child resources, nested deployments with
 * an inline `template`, linked templates by `templateLink.relativePath`). Expressions are evaluated where they point
 * at what the repository holds: `parameters('x')` (a default value, or the value a parent deployment passes),
 * `variables('y')`, string and object functions; the rest stays unknown with the expression as written.
 */

/** Nested deployments are followed this deep. */
export const maxArmNesting = 8;
/** Variables and parameters that refer to each other are followed this deep. */
const maxReferenceDepth = 32;

const managedClusters = 'microsoft.containerservice/managedclusters';
const deployments = 'microsoft.resources/deployments';

/** Whether a JSON text is an ARM deployment template (its `$schema`, or `resources` beside `contentVersion`). */
export function isArmTemplate(root: RNode | null): root is RMap {
  if (!isMap(root)) return false;
  const schema = scalarRef(getKey(root, '$schema'))?.value ?? '';
  if (/deploymentTemplate\.json/i.test(schema)) return true;
  return getKey(root, 'resources') !== null && (getKey(root, 'contentVersion') !== null || getKey(root, 'parameters') !== null);
}

/** Replaces `//` and `/* *\/` comments outside strings with spaces, keeping every offset and line. */
export function blankJsonComments(text: string): string {
  let out = '';
  let i = 0;
  let inString = false;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (inString) {
      out += c;
      if (c === '\\') {
        out += text[i + 1] ?? '';
        i += 2;
        continue;
      }
      if (c === '"') inString = false;
      i++;
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
      i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') {
        out += text[i] === '\r' ? '\r' : ' ';
        i++;
      }
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      for (; i < stop; i++) out += text[i] === '\n' || text[i] === '\r' ? (text[i] ?? '') : ' ';
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/** What a parameter is bound to inside one template. */
interface ParameterBinding {
  readonly name: string;
  /** The parameter's declaration (`type`, `defaultValue`). */
  readonly declaration: RMap | null;
  /** The value a parent deployment passes, already evaluated in the parent's scope. */
  readonly given: RNode | null;
}

/** The names an expression can see: one template's parameters and variables. */
interface ArmScope {
  readonly file: string;
  readonly parameters: ReadonlyMap<string, ParameterBinding>;
  readonly variables: ReadonlyMap<string, RNode>;
}

export interface ArmReadContext {
  readonly files: FileSource;
  readonly collector: AddonCollector;
  /** Files read through a parent's `templateLink`: not read again on their own. */
  readonly linked: Set<string>;
}

/** Reads one ARM template file; problems (syntax, nesting) go to the collector with their line. */
export function readArmFile(path: string, text: string, context: ArmReadContext): void {
  const root = parseJson(path, text, context.collector);
  if (isArmTemplate(root)) readArmTemplate(path, root, context);
}

/** Reads an ARM template already parsed (by {@link parseJson}). */
export function readArmTemplate(path: string, root: RMap, context: ArmReadContext): void {
  readTemplate(root, scopeOf(path, root, new Map()), context, 0, null);
}

/** A JSON text (comments allowed) as a tree with origins of source `arm-template`, or null with a problem. */
export function parseJson(path: string, text: string, collector: AddonCollector): RNode | null {
  const tree = readTree(path, blankJsonComments(text), { source: 'arm-template' });
  for (const problem of tree.problems) collector.problem('addon-parse-error', problem.at, `${path} does not parse as JSON: ${problem.message}`);
  if (tree.problems.length > 0) return null;
  return tree.documents[0]?.node ?? null;
}

function scopeOf(file: string, template: RMap, given: ReadonlyMap<string, RNode>): ArmScope {
  const parameters = new Map<string, ParameterBinding>();
  const declared = getKey(template, 'parameters');
  if (isMap(declared)) {
    for (const pair of declared.pairs) {
      parameters.set(pair.key.toLowerCase(), { name: pair.key, declaration: isMap(pair.value) ? pair.value : null, given: given.get(pair.key.toLowerCase()) ?? null });
    }
  }
  const variables = new Map<string, RNode>();
  const vars = getKey(template, 'variables');
  if (isMap(vars)) for (const pair of vars.pairs) variables.set(pair.key.toLowerCase(), pair.value);
  return { file, parameters, variables };
}

/** The resources of a template: a list, or (languageVersion 2.0) a map by symbolic name. */
function resourcesOf(node: RNode | null): RMap[] {
  if (isSeq(node)) return node.items.filter(isMap);
  if (isMap(node)) return node.pairs.map((pair) => pair.value).filter(isMap);
  return [];
}

/**
 * Reads a template's resources. `resourceGroup` is the group a parent deployment targets (its `resourceGroup`
 * property), null when the template deploys into the group given at deployment.
 */
function readTemplate(template: RMap, scope: ArmScope, context: ArmReadContext, depth: number, resourceGroup: ScalarRef | null): void {
  const evaluator = new ArmEvaluator(scope, context.collector);
  for (const resource of resourcesOf(getKey(template, 'resources'))) readResource(resource, evaluator, context, depth, resourceGroup);
}

function readResource(resource: RMap, evaluator: ArmEvaluator, context: ArmReadContext, depth: number, resourceGroup: ScalarRef | null): void {
  const type = (scalarRef(evaluator.evaluate(getKey(resource, 'type')))?.value ?? '').toLowerCase();
  if (type === managedClusters) {
    const name = evaluator.evaluate(getKey(resource, 'name'));
    const properties = evaluator.evaluate(getKey(resource, 'properties'));
    readClusterProperties(properties, { source: 'arm', cluster: name ? scalarRef(name) : null, resourceGroup }, context.collector);
  } else if (type === deployments) {
    readDeployment(resource, evaluator, context, depth, scalarRef(evaluator.evaluate(getKey(resource, 'resourceGroup'))) ?? resourceGroup);
  }
  for (const child of resourcesOf(getKey(resource, 'resources'))) readResource(child, evaluator, context, depth, resourceGroup);
}

function readDeployment(resource: RMap, evaluator: ArmEvaluator, context: ArmReadContext, depth: number, resourceGroup: ScalarRef | null): void {
  const properties = getKey(resource, 'properties');
  if (!isMap(properties)) return;
  if (depth + 1 > maxArmNesting) {
    context.collector.problem('addon-nesting-limit', resource.origin, `nested deployments deeper than ${maxArmNesting} levels are not read`);
    return;
  }
  const inner = (scalarRef(getKey(getKey(properties, 'expressionEvaluationOptions'), 'scope'))?.value ?? '').toLowerCase() === 'inner';
  const inline = getKey(properties, 'template');
  const link = getKey(properties, 'templateLink');
  const given = new Map<string, RNode>();
  const parameters = getKey(properties, 'parameters');
  if (isMap(parameters)) {
    for (const pair of parameters.pairs) {
      const value = getKey(pair.value, 'value');
      const reference = getKey(pair.value, 'reference');
      if (value) given.set(pair.key.toLowerCase(), evaluator.evaluate(value) ?? value);
      else if (reference) given.set(pair.key.toLowerCase(), unknownNode(`${pair.key} (Key Vault reference)`, 'a secret read from Key Vault at deployment', pair.value.origin));
    }
  }
  if (isMap(inline)) {
    // With the default (outer) scope, the nested template's expressions see the parent's parameters and variables.
    const scope = inner ? scopeOf(evaluator.scope.file, inline, given) : evaluator.scope;
    readTemplate(inline, scope, context, depth + 1, resourceGroup);
    return;
  }
  const relative = scalarRef(evaluator.evaluate(getKey(link, 'relativePath')))?.value;
  if (!relative) return;
  const path = joinPath(evaluator.scope.file, relative);
  const text = path ? context.files.read(path) : null;
  if (!path || text === null) return;
  context.linked.add(path);
  const root = parseJson(path, text, context.collector);
  if (!isArmTemplate(root)) return;
  readTemplate(root, scopeOf(path, root, given), context, depth + 1, resourceGroup);
}

/** Evaluates ARM expressions in one scope; parameters and variables are followed lazily, cycles stay unknown. */
class ArmEvaluator {
  readonly scope: ArmScope;
  readonly #collector: AddonCollector;
  readonly #active = new Set<string>();
  readonly #values = new Map<string, RNode>();

  constructor(scope: ArmScope, collector: AddonCollector) {
    this.scope = scope;
    this.#collector = collector;
  }

  /** A node with every expression string in it evaluated (deep). */
  evaluate(node: RNode | null): RNode | null {
    if (!node) return null;
    switch (node.kind) {
      case 'scalar':
        if (typeof node.value !== 'string') return node;
        if (isArmExpression(node.value)) return this.#expressionString(node.value, node.origin);
        if (node.value.startsWith('[[')) return { ...node, value: unescapeArmLiteral(node.value), origin: { ...node.origin, span: null, via: 'ARM [[ escape' } };
        return node;
      case 'unknown':
        return node;
      case 'seq':
        return { ...node, items: node.items.map((item) => this.evaluate(item) ?? item) };
      case 'map':
        return { ...node, pairs: node.pairs.map((pair): RPair => ({ ...pair, value: this.evaluate(pair.value) ?? pair.value })) };
    }
  }

  #expressionString(text: string, origin: Origin): RNode {
    const inner = text.trim().slice(1, -1);
    let expression: ArmExpression;
    try {
      expression = parseArmExpression(inner);
    } catch (error) {
      const message = error instanceof ArmExpressionError ? error.message : String(error);
      this.#collector.problem('addon-parse-error', origin, `ARM expression ${text} does not parse: ${message}`);
      return unknownNode(inner, 'an ARM expression that does not parse', origin);
    }
    return this.#value(expression, inner, origin);
  }

  #value(expression: ArmExpression, text: string, origin: Origin): RNode {
    const source = text.slice(expression.start, expression.end);
    switch (expression.kind) {
      case 'string':
        return { kind: 'scalar', value: expression.value, origin: { ...origin, span: null, via: 'ARM expression' } };
      case 'number':
        return { kind: 'scalar', value: expression.value, origin: { ...origin, span: null, via: 'ARM expression' } };
      case 'member': {
        const object = this.#value(expression.object, text, origin);
        if (isMap(object)) return getKey(object, expression.name) ?? unknownNode(source, `${expression.name} is not set in the value`, origin);
        return unknownNode(source, reasonOf(object, 'known only at deployment'), origin);
      }
      case 'index': {
        const object = this.#value(expression.object, text, origin);
        const index = this.#value(expression.index, text, origin);
        if (isSeq(object) && index.kind === 'scalar' && typeof index.value === 'number') return object.items[index.value] ?? unknownNode(source, 'the index is past the end of the list', origin);
        if (isMap(object) && index.kind === 'scalar' && typeof index.value === 'string') return getKey(object, index.value) ?? unknownNode(source, `${index.value} is not set in the value`, origin);
        return unknownNode(source, 'known only at deployment', origin);
      }
      case 'call':
        return this.#call(expression, source, text, origin);
    }
  }

  #call(expression: Extract<ArmExpression, { kind: 'call' }>, source: string, text: string, origin: Origin): RNode {
    const name = expression.name.toLowerCase();
    if (name === 'parameters' || name === 'variables') {
      const [first] = expression.args;
      const key = first?.kind === 'string' ? first.value : null;
      if (key === null) return unknownNode(source, `${expression.name}() with a computed name`, origin);
      return name === 'parameters' ? this.#parameter(key, source, origin) : this.#variable(key, source, origin);
    }
    const args = expression.args.map((arg) => this.#value(arg, text, origin));
    return callFunction(expression.name, args, origin, source) ?? unknownNode(source, `${expression.name}() is evaluated at deployment`, origin);
  }

  /**
   * Follows a parameter or variable once: the value is kept, so templates whose variables refer to each other many
   * times cost one evaluation each; a cycle, or a chain deeper than the limit, stays unknown.
   */
  #guard(key: string, source: string, origin: Origin, read: () => RNode): RNode {
    const known = this.#values.get(key);
    if (known) return known;
    if (this.#active.has(key)) return unknownNode(source, 'refers to itself', origin);
    if (this.#active.size >= maxReferenceDepth) return unknownNode(source, `references nested deeper than ${maxReferenceDepth} levels`, origin);
    this.#active.add(key);
    try {
      const value = read();
      this.#values.set(key, value);
      return value;
    } finally {
      this.#active.delete(key);
    }
  }

  #parameter(name: string, source: string, origin: Origin): RNode {
    const binding = this.scope.parameters.get(name.toLowerCase());
    if (!binding) return unknownNode(source, `the template declares no parameter ${name}`, origin);
    if (binding.given) return binding.given;
    const fallback = getKey(binding.declaration, 'defaultValue');
    if (!fallback) return unknownNode(source, `parameter ${binding.name} has no default value: it is given at deployment`, origin);
    return this.#guard(`p:${name.toLowerCase()}`, source, origin, () => this.evaluate(fallback) ?? fallback);
  }

  #variable(name: string, source: string, origin: Origin): RNode {
    const value = this.scope.variables.get(name.toLowerCase());
    if (!value) return unknownNode(source, `the template declares no variable ${name}`, origin);
    return this.#guard(`v:${name.toLowerCase()}`, source, origin, () => this.evaluate(value) ?? value);
  }
}

function reasonOf(node: RNode, fallback: string): string {
  if (node.kind === 'unknown') {
    const first = node.parts.find((part) => 'unknown' in part);
    if (first && 'unknown' in first) return first.unknown.reason;
  }
  return fallback;
}
