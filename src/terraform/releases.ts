import type { FileSource, RenderProblem } from '../k8s/files.js';
import { generatedOrigin, isMap, isScalar, isSeq, get, type Condition, type Origin, type RenderUnit, type RMap, type RNode, type RScalar, type RUnknown, type Unknown } from '../k8s/rendered.js';
import type { Evaluator, TfInstance, Env } from './evaluate.js';
import { unknownOf } from './evaluate.js';
import type { HclBlock, HclBody } from './hcl-syntax.js';
import { applySet, mergeValues, parseSetName, typedSetValue, type SetPath } from './helm-set.js';
import { addressOf, conditionsOf, unitOf } from './instances.js';
import { attributeOf, joinPath, originIn, type TfFile, type TfResource } from './modules.js';

/** Where a helm_release takes its chart from. */
export type ChartSource =
  /** A chart folder of the repository (a local `chart` path, or a local `repository` folder holding the chart). */
  | { readonly kind: 'local'; readonly path: string }
  /** A chart repository (https://, oci://) or a name pod2wi cannot place; `repository` null when not given. */
  | { readonly kind: 'remote'; readonly repository: string | null; readonly chart: string }
  /** The chart or repository is not a literal pod2wi can evaluate. */
  | { readonly kind: 'unknown' };

/** How a set was written. */
export type SetForm = 'block' | 'dynamic' | 'list';

/** One `set` / `set_string` / `set_sensitive` / `set_list` entry of a helm_release, applied onto its values. */
export interface TerraformSet {
  readonly kind: 'set' | 'set_string' | 'set_sensitive' | 'set_list';
  readonly form: SetForm;
  /** The `name` as written, with its origin (a `dynamic` block: the key of its for_each collection). */
  readonly name: { readonly value: string; readonly origin: Origin };
  /** The path the name stands for (`['podLabels', 'aadpodidbinding']`). */
  readonly path: SetPath;
  /** The value as Helm types it, with the origin of the `value` expression (or its definition). */
  readonly value: RNode;
  /** The block (or the list item, or the dynamic block) that holds the set. */
  readonly at: Origin;
}

/** A `helm_release` resource as Helm would install it: chart, where, and its values in Helm's order. */
export interface TerraformRelease {
  /** Terraform's address: `module.external_dns.helm_release.private`. */
  readonly address: string;
  readonly name: RScalar | RUnknown | null;
  /** The `namespace` argument; null when absent (the provider installs into `default`). */
  readonly namespace: RScalar | RUnknown | null;
  readonly chart: RScalar | RUnknown | null;
  readonly repository: RScalar | RUnknown | null;
  readonly version: RScalar | RUnknown | null;
  readonly chartSource: ChartSource;
  /** The values given to the chart: the `values` list (later items win, maps merge) then the sets, in order. */
  readonly values: RMap;
  /** The `values` items as read, lowest precedence first (before the sets). */
  readonly layers: readonly RMap[];
  readonly sets: readonly TerraformSet[];
  readonly unit: RenderUnit;
  /** The resource block. */
  readonly at: Origin;
  /** `count` / `for_each` on the resource and the module calls around it. */
  readonly conditions: readonly Condition[];
}

const setKinds = ['set', 'set_string', 'set_sensitive', 'set_list'] as const;

function isSetKind(name: string | undefined): name is TerraformSet['kind'] {
  return setKinds.some((kind) => kind === name);
}

/** Reads a helm_release resource of an instance. */
export function readRelease(evaluator: Evaluator, files: FileSource, instance: TfInstance, resource: TfResource, problems: RenderProblem[]): TerraformRelease {
  const env = evaluator.envOf(instance);
  const body = resource.block.body;
  const file = resource.file;
  const scalar = (name: string): RScalar | RUnknown | null => {
    const attr = attributeOf(body, name);
    if (!attr) return null;
    const value = evaluator.evaluate(attr.expr, file, env);
    if (value.kind === 'scalar' || value.kind === 'unknown') return value;
    return evaluator.unknown(attr.expr, file, `${name} is not a single value`);
  };
  const at = originIn(file, resource.block.span);
  const name = scalar('name');
  const namespace = scalar('namespace');
  const chart = scalar('chart');
  const repository = scalar('repository');
  const version = scalar('version');
  const layers = readValuesList(evaluator, instance, resource, problems);
  let values: RMap = { kind: 'map', pairs: [], origin: generatedOrigin('helm_release values', at) };
  for (const layer of layers) values = mergeValues(values, layer);
  const { sets, unknowns } = readSets(evaluator, env, body, file, problems);
  for (const set of sets) {
    const keyOrigin: Origin = { ...set.name.origin, span: null, via: `set name "${set.name.value}"` };
    values = applySet(values, set.path, set.value, set.at, keyOrigin);
  }
  if (unknowns.length > 0) values = { ...values, unknowns: [...(values.unknowns ?? []), ...unknowns] };
  let top = instance;
  while (top.parent) top = top.parent;
  return {
    address: addressOf(instance, resource),
    name,
    namespace,
    chart,
    repository,
    version,
    chartSource: chartSourceOf(files, top.module.dir, chart, repository),
    values,
    layers,
    sets,
    unit: unitOf(instance),
    at,
    conditions: conditionsOf(evaluator, instance, resource),
  };
}

function chartSourceOf(files: FileSource, rootDir: string, chart: RScalar | RUnknown | null, repository: RScalar | RUnknown | null): ChartSource {
  if (!chart || chart.kind !== 'scalar' || typeof chart.value !== 'string') return { kind: 'unknown' };
  if (repository && repository.kind !== 'scalar') return { kind: 'unknown' };
  const repo = repository && typeof repository.value === 'string' && repository.value !== '' ? repository.value : null;
  const isRemote = (text: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(text);
  const local = (path: string | null) => (path !== null && files.has(`${path === '' ? '' : `${path}/`}Chart.yaml`) ? path : null);
  if (repo !== null && !isRemote(repo)) {
    const inRepo = local(joinPath(rootDir, `${repo.replace(/\/+$/, '')}/${chart.value}`));
    if (inRepo !== null) return { kind: 'local', path: inRepo };
  }
  if (repo === null && !isRemote(chart.value)) {
    const path = local(joinPath(rootDir, chart.value)) ?? local(joinPath('', chart.value));
    if (path !== null) return { kind: 'local', path };
  }
  return { kind: 'remote', repository: repo, chart: chart.value };
}

/** The `values` list: each item a document (yamlencode of an object, file, templatefile, heredoc YAML). */
function readValuesList(evaluator: Evaluator, instance: TfInstance, resource: TfResource, problems: RenderProblem[]): RMap[] {
  const attr = attributeOf(resource.block.body, 'values');
  if (!attr) return [];
  const env = evaluator.envOf(instance);
  const definition = evaluator.definitionOf(attr.expr, resource.file, env);
  const layers: RMap[] = [];
  const asMap = (node: RNode | null, near: Origin): RMap | null => {
    if (!node) return null;
    if (isMap(node)) return node;
    if (node.kind === 'unknown') return { kind: 'map', pairs: [], origin: { ...node.origin, span: null }, unknowns: node.parts.flatMap((part) => ('unknown' in part ? [part.unknown] : [])) };
    if (isScalar(node) && node.value === null) return null;
    problems.push({ code: 'terraform-values-not-a-map', at: near, message: `${near.file}:${near.line}: a helm_release values item that is not a map` });
    return null;
  };
  if (definition.expr.kind === 'tuple') {
    for (const item of definition.expr.items) {
      const document = evaluator.document(item, definition.file, definition.env, 'release-values');
      const near = originIn(definition.file, item.span, false);
      for (const message of document.problems) problems.push({ code: 'terraform-values-yaml', at: near, message });
      const map = asMap(document.node, near);
      if (map) layers.push(map);
    }
    return layers;
  }
  const value = evaluator.evaluate(attr.expr, resource.file, env);
  const near = originIn(resource.file, attr.expr.span, false);
  if (isSeq(value)) {
    for (const item of value.items) {
      const map = asMap(item.kind === 'unknown' ? item : isMap(item) ? item : null, near);
      if (map) layers.push(map);
    }
    if (value.unknowns) layers.push({ kind: 'map', pairs: [], origin: { ...near, span: null }, unknowns: value.unknowns });
    return layers;
  }
  const map = asMap(value.kind === 'unknown' ? value : null, near);
  if (map) layers.push(map);
  return layers;
}

/** The sets of a helm_release in the order Terraform lists them: blocks (and dynamic blocks) in source order, then list attributes. */
function readSets(evaluator: Evaluator, env: Env, body: HclBody, file: TfFile, problems: RenderProblem[]): { sets: TerraformSet[]; unknowns: Unknown[] } {
  const sets: TerraformSet[] = [];
  const unknowns: Unknown[] = [];
  const add = (kind: TerraformSet['kind'], form: SetForm, fields: { name: RNode | null; value: RNode | null; type: RNode | null }, at: Origin) => {
    const nameNode = fields.name;
    if (!nameNode || !isScalar(nameNode) || typeof nameNode.value !== 'string') {
      unknowns.push(nameNode && nameNode.kind === 'unknown' ? unknownOf(nameNode) : { expression: `${kind} name`, reason: 'a set name pod2wi cannot evaluate', origin: at });
      return;
    }
    const parsed = parseSetName(nameNode.value);
    if (!parsed.ok) {
      problems.push({ code: 'terraform-set-name', at: nameNode.origin, message: `${at.file}:${nameNode.origin.line}: ${kind} name "${nameNode.value}" is not a Helm --set path: ${parsed.reason}` });
      return;
    }
    const asString = kind === 'set_string' || (fields.type && isScalar(fields.type) && fields.type.value === 'string');
    let value: RNode = fields.value ?? { kind: 'scalar', value: null, origin: { ...at, span: null } };
    if (kind !== 'set_list' && isScalar(value) && value.value !== null) {
      const text = String(value.value);
      const typed = asString ? text : typedSetValue(text);
      if (typed !== value.value) value = { ...value, value: typed };
    }
    sets.push({ kind, form, name: { value: nameNode.value, origin: nameNode.origin }, path: parsed.path, value, at });
  };
  for (const item of body.items) {
    if (item.kind === 'block' && isSetKind(item.type)) {
      const fields = blockFields(evaluator, env, item, file);
      add(item.type, 'block', fields, originIn(file, item.span));
      continue;
    }
    const dynamicKind = item.kind === 'block' && item.type === 'dynamic' ? item.labels[0]?.value : undefined;
    if (item.kind === 'block' && isSetKind(dynamicKind)) {
      const kind = dynamicKind;
      const expanded = expandDynamic(evaluator, env, item, file);
      if ('unknown' in expanded) {
        unknowns.push(expanded.unknown);
        for (const entry of expanded.known) add(kind, 'dynamic', entry, originIn(file, item.span));
        continue;
      }
      for (const entry of expanded.known) add(kind, 'dynamic', entry, originIn(file, item.span));
    }
  }
  for (const item of body.items) {
    if (item.kind !== 'attribute' || !isSetKind(item.name)) continue;
    const kind = item.name;
    const value = evaluator.evaluate(item.expr, file, env);
    if (!isSeq(value)) {
      unknowns.push(value.kind === 'unknown' ? unknownOf(value) : { expression: item.name, reason: `${item.name} is not a list`, origin: originIn(file, item.span, false) });
      continue;
    }
    for (const entry of value.items) {
      if (!isMap(entry)) continue;
      add(kind, 'list', { name: get(entry, 'name'), value: get(entry, 'value'), type: get(entry, 'type') }, entry.origin);
    }
    if (value.unknowns) unknowns.push(...value.unknowns);
  }
  return { sets, unknowns };
}

function blockFields(evaluator: Evaluator, env: Env, block: HclBlock, file: TfFile): { name: RNode | null; value: RNode | null; type: RNode | null } {
  const field = (name: string) => {
    const attr = attributeOf(block.body, name);
    return attr ? evaluator.evaluate(attr.expr, file, env) : null;
  };
  return { name: field('name'), value: field('value'), type: field('type') };
}

/**
 * A `dynamic "set"` block expanded over its `for_each` when pod2wi knows the collection's keys (`iterator.key`,
 * `iterator.value` bound per entry); otherwise an unknown (the release may set more than pod2wi sees).
 */
function expandDynamic(
  evaluator: Evaluator,
  env: Env,
  block: HclBlock,
  file: TfFile,
): { known: { name: RNode | null; value: RNode | null; type: RNode | null }[] } | { known: { name: RNode | null; value: RNode | null; type: RNode | null }[]; unknown: Unknown } {
  const forEach = attributeOf(block.body, 'for_each');
  const iteratorAttr = attributeOf(block.body, 'iterator');
  const iterator = iteratorAttr?.expr.kind === 'variable' ? iteratorAttr.expr.name : (block.labels[0]?.value ?? 'set');
  const content = block.body.items.find((item): item is HclBlock => item.kind === 'block' && item.type === 'content');
  if (!forEach || !content) return { known: [], unknown: { expression: 'dynamic block', reason: 'a dynamic block without for_each or content', origin: originIn(file, block.span, false) } };
  const collection = evaluator.evaluate(forEach.expr, file, env);
  const entries: [RNode, RNode][] = isMap(collection)
    ? collection.pairs.map((pair) => [{ kind: 'scalar', value: pair.key, origin: pair.keyOrigin }, pair.value])
    : isSeq(collection)
      ? collection.items.map((item, index) => [{ kind: 'scalar', value: index, origin: item.origin }, item])
      : [];
  const known = entries.map(([key, value]) => {
    const names = new Map(env.names);
    names.set(iterator, { kind: 'map', pairs: [{ key: 'key', keyOrigin: key.origin, value: key }, { key: 'value', keyOrigin: value.origin, value }], origin: value.origin });
    return blockFields(evaluator, { ...env, names }, content, file);
  });
  if (collection.kind === 'unknown') return { known, unknown: unknownOf(collection) };
  const partial = (isMap(collection) || isSeq(collection)) ? collection.unknowns : undefined;
  if (partial && partial.length > 0) return { known, unknown: partial[0] ?? unknownOf(evaluator.unknown(forEach.expr, file, 'a collection pod2wi knows only in part')) };
  if (!isMap(collection) && !isSeq(collection)) return { known, unknown: unknownOf(evaluator.unknown(forEach.expr, file, 'for_each is not a collection')) };
  return { known };
}
