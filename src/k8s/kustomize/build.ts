import { compareStrings } from '../../model/location.js';
import type { FileSource, RenderProblem } from '../files.js';
import { get, isMap, isScalar, isSeq, type Origin, type RenderedObject, type RenderUnit, type RMap, type RNode, type RScalar, type ScalarPart } from '../rendered.js';
import { objectOf } from '../rendered-objects.js';
import { readTree } from '../yaml-tree.js';
import { mergeConfig, readConfiguration } from './config.js';
import { defaultLimits, type AppliedPatch, type KustomizeLimits, type PatchRecord, type RenderHelmChart, type Sink } from './context.js';
import { defaultTransformerConfig, legacyOrderFirst, legacyOrderLast, type TransformerConfig } from './field-specs.js';
import { generate } from './generators.js';
import { generatedNameHash } from './hash.js';
import { loadKustomization, type KText, type Kustomization, type LoadResult } from './load.js';
import { fixNameReferences } from './nameref.js';
import { applyPatchEntry, applyPatchesStrategicMerge, applyPatchJson6902Entry } from './patches.js';
import { dirnameOf, isFolder, isKustomizationPath, isRemote, isWithin, joinPath, kustomizationFilesIn } from './paths.js';
import { problem, ProblemList, type KustomizeProblem } from './problems.js';
import { applyReplacements } from './replacements.js';
import { curId, describeId, effectiveNamespace, idEquals, metadataOf, newRes, storePreviousId, type Res, type ResId } from './resource.js';
import { applyAffix, applyAnnotations, applyImages, applyLabels, applyNamespace, applyReplicas } from './transformers.js';
import { computed, nodeCount, setPair, stringMap, valueText } from './tree.js';
import { joinVars, mergeVars, resolveVars, type VarDef } from './vars.js';

/**
 * Kustomize builds in process (kustomize 5.5's KustTarget): resources, then configurations, generators, components,
 * then the transformers of the kustomization, then its vars; at the root, hash suffixes, name references, vars and
 * local-config removal, then kustomize's legacy output order (unless `sortOptions.order: fifo`). Every kustomization's
 * accumulation is memoised by path, so a base used by several overlays (or reached twice through a diamond) is built
 * once; a cycle, a depth, object or node count over the limits, and any fault inside one kustomization become problems.
 */

/** One rendered Kustomize root. */
export interface KustomizeBuild {
  /** The kustomization file built. */
  readonly root: string;
  readonly unit: RenderUnit;
  /** The objects `kustomize build` would print, in its order. */
  readonly objects: readonly RenderedObject[];
  /** Problems (kustomize's own errors among them), sorted by file, line and code. */
  readonly problems: readonly RenderProblem[];
  /** Every file the build read: kustomizations, resources, patches, generator sources (sorted). */
  readonly files: readonly string[];
  /** Every patch of the build with the objects it matched, in the order applied. */
  readonly patches: readonly AppliedPatch[];
}

export interface KustomizeOptions {
  /** Renders `helmCharts` entries; without it each entry is reported as not rendered. */
  readonly renderHelmChart?: RenderHelmChart;
  readonly limits?: Partial<KustomizeLimits>;
  /** kustomize's `--load-restrictor`: `LoadRestrictionsNone` lets a kustomization load files outside its folder. */
  readonly loadRestrictor?: 'LoadRestrictionsRootOnly' | 'LoadRestrictionsNone';
}

/** What one kustomization accumulates, shared by every build that includes it. */
interface Accumulation {
  readonly kustomization: Kustomization | null;
  readonly resources: readonly Res[];
  readonly config: TransformerConfig;
  readonly vars: readonly VarDef[];
  readonly problems: readonly RenderProblem[];
  readonly files: readonly string[];
  readonly patches: readonly PatchRecord[];
}

/**
 * Builds memoised across calls: pass one memo to every build over the same files and options (the scan builds each
 * root with it), so shared bases are read and built once. Not for use across different FileSources.
 */
export class KustomizeMemo {
  readonly accumulations = new Map<string, Accumulation>();
  readonly loads = new Map<string, LoadResult>();
  readonly aliased = new WeakSet<object>();

  load(files: FileSource, path: string): LoadResult {
    const known = this.loads.get(path);
    if (known) return known;
    const result = loadKustomization(files, path);
    this.loads.set(path, result);
    return result;
  }
}

function fileOrigin(path: string): Origin {
  return { source: 'manifest', file: path, line: 1, column: 1, span: null };
}

class ResourceList {
  readonly items: Res[] = [];

  static of(items: readonly Res[]): ResourceList {
    const list = new ResourceList();
    list.items.push(...items);
    return list;
  }
}

function idKey(id: ResId): string {
  return `${id.group}\u0000${id.version}\u0000${id.kind}\u0000${id.name}\u0000${effectiveNamespace(id)}`;
}

/** Appends resources, refusing (with a problem) one whose id is already registered, as kustomize's Append does. */
function appendAll(list: ResourceList, incoming: readonly Res[], sink: Sink, at: Origin): void {
  const known = new Set(list.items.map((res) => idKey(curId(res.root))));
  for (const res of incoming) {
    if (list.items.length >= sink.limits.maxObjects) {
      sink.problems.add(problem('limit-exceeded', at, `more than ${sink.limits.maxObjects} objects; the rest are dropped`));
      return;
    }
    const key = idKey(curId(res.root));
    if (known.has(key)) {
      sink.problems.add(problem('duplicate-resource', at, `may not add resource with an already registered id: ${describeId(curId(res.root))} (from ${res.file}); the first is kept`));
      continue;
    }
    known.add(key);
    list.items.push(res);
  }
}

export function newSink(files: FileSource, limits: KustomizeLimits, renderHelmChart: RenderHelmChart | undefined, aliased: WeakSet<object>, unrestricted = false): Sink {
  const read = new Set<string>();
  const cache = new Map<string, string | null>();
  return {
    files,
    problems: new ProblemList(),
    read,
    patches: [],
    limits,
    renderHelmChart,
    aliased,
    unrestricted,
    readFile(path) {
      if (!cache.has(path)) cache.set(path, files.read(path));
      const text = cache.get(path) ?? null;
      if (text !== null) read.add(path);
      return text;
    },
  };
}

interface Frame {
  readonly path: string;
  readonly dir: string;
}

class Builder {
  readonly #files: FileSource;
  readonly #memo: KustomizeMemo;
  readonly #limits: KustomizeLimits;
  readonly #renderHelmChart: RenderHelmChart | undefined;
  readonly #unrestricted: boolean;

  constructor(files: FileSource, memo: KustomizeMemo, options: KustomizeOptions) {
    this.#files = files;
    this.#memo = memo;
    this.#limits = { ...defaultLimits, ...options.limits };
    this.#renderHelmChart = options.renderHelmChart;
    this.#unrestricted = options.loadRestrictor === 'LoadRestrictionsNone';
  }

  /** The memoised accumulation of one kustomization file. */
  accumulate(path: string, stack: readonly Frame[]): Accumulation {
    const known = this.#memo.accumulations.get(path);
    if (known) return known;
    const sink = newSink(this.#files, this.#limits, this.#renderHelmChart, this.#memo.aliased, this.#unrestricted);
    const loaded = this.#memo.load(this.#files, path);
    sink.readFile(path);
    sink.problems.addAll(loaded.problems);
    const list = new ResourceList();
    let config = defaultTransformerConfig;
    let vars: VarDef[] = [];
    if (loaded.kustomization) {
      const kustomization = loaded.kustomization;
      try {
        const result = this.#accumulateTarget(kustomization, list, config, vars, [...stack, { path, dir: kustomization.dir }], sink);
        config = result.config;
        vars = result.vars;
      } catch (error) {
        if (error instanceof RangeError) sink.problems.add(problem('limit-exceeded', kustomization.at, `${path}: nested too deeply to build (${error.message})`));
        else sink.problems.add(problem('internal-error', kustomization.at, `${path}: pod2wi failed while building this kustomization: ${error instanceof Error ? error.message : String(error)}`));
      }
    }
    const accumulation: Accumulation = {
      kustomization: loaded.kustomization,
      resources: list.items,
      config,
      vars,
      problems: sink.problems.items,
      files: [...sink.read],
      patches: sink.patches,
    };
    this.#memo.accumulations.set(path, accumulation);
    return accumulation;
  }

  #accumulateTarget(kustomization: Kustomization, list: ResourceList, configIn: TransformerConfig, varsIn: readonly VarDef[], stack: readonly Frame[], sink: Sink): { config: TransformerConfig; vars: VarDef[] } {
    let config = configIn;
    let vars = [...varsIn];
    const merged = this.#accumulateResources(kustomization, list, kustomization.resources, stack, sink);
    config = mergeConfig(config, merged.config, sink, kustomization.at);
    vars = joinVars(vars, merged.vars, sink);
    for (const entry of kustomization.configurations) {
      const path = this.#localFile(kustomization, entry, sink);
      const text = path === null ? null : sink.readFile(path);
      if (path !== null && text === null) sink.problems.add(problem('missing-resource', entry.node.origin, `configuration file ${entry.value} is missing`));
      if (path !== null && text !== null) config = mergeConfig(config, readConfiguration(path, text, sink), sink, entry.node.origin);
    }
    for (const entry of kustomization.crds) {
      sink.problems.add(problem('unsupported-field', entry.node.origin, `crds: ${entry.value} is not read; name references it declares are not followed`));
    }
    this.#runGenerators(kustomization, list, sink);
    for (const entry of kustomization.generators) sink.problems.add(problem('unsupported-field', entry.node.origin, `generators: ${entry.value} is a generator plugin, not run; what it would generate is missing`));
    for (const entry of kustomization.components) {
      const result = this.#accumulateComponent(kustomization, entry, list, config, vars, stack, sink);
      config = result.config;
      vars = result.vars;
    }
    let items: Res[] = list.items;
    items = applyPatchesStrategicMerge(items, kustomization, sink);
    for (const entry of kustomization.patches) items = applyPatchEntry(items, entry, kustomization, sink);
    items = applyNamespace(items, kustomization, config, sink);
    items = applyAffix(items, kustomization, config, sink, 'prefix');
    items = applyAffix(items, kustomization, config, sink, 'suffix');
    items = applyLabels(items, kustomization, config, sink);
    items = applyAnnotations(items, kustomization, config, sink);
    for (const entry of kustomization.patchesJson6902) items = applyPatchJson6902Entry(items, entry, kustomization, sink);
    items = applyReplicas(items, kustomization, config, sink);
    items = applyImages(items, kustomization, config, sink);
    items = applyReplacements(items, kustomization, sink);
    for (const entry of kustomization.transformers) sink.problems.add(problem('unsupported-field', entry.node.origin, `transformers: ${entry.value} is a transformer plugin, not run; the objects are rendered without it`));
    for (const entry of kustomization.validators) sink.problems.add(problem('unsupported-field', entry.node.origin, `validators: ${entry.value} is a validator plugin, not run`));
    const withVars = mergeVars(items, kustomization.vars, vars, kustomization.path, sink);
    list.items.length = 0;
    list.items.push(...withVars.resources);
    this.#checkLimits(kustomization, list, sink);
    return { config, vars: withVars.vars };
  }

  #checkLimits(kustomization: Kustomization, list: ResourceList, sink: Sink): void {
    if (list.items.length > this.#limits.maxObjects) {
      sink.problems.add(problem('limit-exceeded', kustomization.at, `${kustomization.path} builds ${list.items.length} objects, more than the limit of ${this.#limits.maxObjects}; the rest are dropped`));
      list.items.length = this.#limits.maxObjects;
    }
    const counts = new WeakMap<object, number>();
    let nodes = 0;
    for (let i = 0; i < list.items.length; i++) {
      nodes += nodeCount((list.items[i] as Res).root, counts);
      if (nodes > this.#limits.maxNodes) {
        sink.problems.add(problem('limit-exceeded', kustomization.at, `${kustomization.path} builds more than ${this.#limits.maxNodes} nodes; objects after the ${i}th are dropped`));
        list.items.length = i;
        break;
      }
    }
  }

  /** A file a kustomization names, inside its folder (kustomize's default load restrictor), or null with a problem. */
  #localFile(kustomization: Kustomization, entry: KText, sink: Sink): string | null {
    const path = joinPath(kustomization.dir, entry.value);
    if (path === null) {
      sink.problems.add(problem('outside-repository', entry.node.origin, `${entry.value} is outside the repository`));
      return null;
    }
    if (!sink.unrestricted && !isWithin(path, kustomization.dir)) {
      sink.problems.add(problem('outside-root', entry.node.origin, `security; file '${entry.value}' is not in or below '${kustomization.dir || '.'}' (kustomize refuses it)`));
      return null;
    }
    return path;
  }

  /** The kustomization file of a folder an entry names, checking the cycles kustomize's loader refuses. */
  #folderKustomization(kustomization: Kustomization, entry: KText, path: string, stack: readonly Frame[], sink: Sink): string | null {
    const candidates = kustomizationFilesIn(this.#files, path);
    if (candidates.length === 0) {
      sink.problems.add(problem('missing-resource', entry.node.origin, `${kustomization.path}: ${entry.value}: unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '${path || '.'}'`));
      return null;
    }
    if (candidates.length > 1) {
      sink.problems.add(problem('ambiguous-kustomization', entry.node.origin, `Found multiple kustomization files under: ${path || '.'} (${candidates.join(', ')})`));
      return null;
    }
    const target = candidates[0] as string;
    const ancestor = stack.find((frame) => isWithin(frame.dir, path));
    if (ancestor || stack.some((frame) => frame.path === target)) {
      const chain = [...stack.map((frame) => frame.path), target].join(' → ');
      sink.problems.add(problem('cycle', entry.node.origin, `${kustomization.path} includes ${entry.value}, which ${ancestor && ancestor.path !== target ? `contains ${ancestor.path}` : 'is already being built'}: cycle ${chain}`));
      return null;
    }
    if (stack.length >= this.#limits.maxDepth) {
      sink.problems.add(problem('limit-exceeded', entry.node.origin, `${kustomization.path}: kustomizations nested more than ${this.#limits.maxDepth} deep; ${entry.value} is not built`));
      return null;
    }
    return target;
  }

  #accumulateResources(kustomization: Kustomization, list: ResourceList, entries: readonly KText[], stack: readonly Frame[], sink: Sink): { config: TransformerConfig; vars: VarDef[] } {
    let config = defaultTransformerConfig;
    let vars: VarDef[] = [];
    for (const entry of entries) {
      const path = joinPath(kustomization.dir, entry.value);
      const local = path !== null && (this.#files.has(path) || isFolder(this.#files, path));
      if (!local && isRemote(entry.value)) {
        sink.problems.add(problem('remote-resource', entry.node.origin, `${kustomization.path}: remote resource ${entry.value} is not fetched; nothing is rendered for it`));
        continue;
      }
      if (path === null) {
        sink.problems.add(problem('outside-repository', entry.node.origin, `${kustomization.path}: ${entry.value} is outside the repository`));
        continue;
      }
      if (this.#files.has(path)) {
        if (!sink.unrestricted && !isWithin(path, kustomization.dir)) {
          sink.problems.add(problem('outside-root', entry.node.origin, `security; file '${entry.value}' is not in or below '${kustomization.dir || '.'}' (kustomize refuses it)`));
          continue;
        }
        appendAll(list, this.#readResources(path, kustomization, sink), sink, entry.node.origin);
        continue;
      }
      if (!isFolder(this.#files, path)) {
        sink.problems.add(problem('missing-resource', entry.node.origin, `${kustomization.path}: accumulating resources: ${entry.value} does not exist`));
        continue;
      }
      const target = this.#folderKustomization(kustomization, entry, path, stack, sink);
      if (target === null) continue;
      const sub = this.accumulate(target, stack);
      this.#absorbSink(sink, sub);
      if (sub.kustomization?.kind === 'Component') {
        sink.problems.add(problem('component-kind', entry.node.origin, `expected kind != 'Component' for path '${path}': list it under components`));
        continue;
      }
      appendAll(list, sub.resources.map((res) => ({ ...res, chain: [kustomization.path, ...res.chain] })), sink, entry.node.origin);
      config = mergeConfig(config, sub.config, sink, entry.node.origin);
      vars = joinVars(vars, sub.vars, sink);
    }
    return { config, vars };
  }

  #absorbSink(sink: Sink, sub: Accumulation): void {
    sink.problems.addAll(sub.problems);
    for (const file of sub.files) sink.read.add(file);
    for (const record of sub.patches) if (!sink.patches.includes(record)) sink.patches.push(record);
  }

  #accumulateComponent(kustomization: Kustomization, entry: KText, list: ResourceList, config: TransformerConfig, vars: readonly VarDef[], stack: readonly Frame[], sink: Sink): { config: TransformerConfig; vars: VarDef[] } {
    const same = { config, vars: [...vars] };
    const path = joinPath(kustomization.dir, entry.value);
    if (path === null) {
      sink.problems.add(problem('outside-repository', entry.node.origin, `component ${entry.value} is outside the repository`));
      return same;
    }
    if (isRemote(entry.value) && !isFolder(this.#files, path)) {
      sink.problems.add(problem('remote-resource', entry.node.origin, `remote component ${entry.value} is not fetched; nothing is rendered for it`));
      return same;
    }
    const target = this.#folderKustomization(kustomization, entry, path, stack, sink);
    if (target === null) return same;
    const loaded = this.#memo.load(this.#files, target);
    sink.readFile(target);
    sink.problems.addAll(loaded.problems);
    const component = loaded.kustomization;
    if (!component) return same;
    if (component.kind !== 'Component') {
      sink.problems.add(problem('component-kind', entry.node.origin, `expected kind 'Component' for path '${path}' but got 'Kustomization'`));
      return same;
    }
    const before = new Set(list.items.map((res) => res.key));
    const result = this.#accumulateTarget(component, list, config, vars, [...stack, { path: target, dir: component.dir }], sink);
    const items = list.items.map((res) => (before.has(res.key) ? res : { ...res, chain: [kustomization.path, ...res.chain] }));
    list.items.length = 0;
    list.items.push(...items);
    return result;
  }

  #readResources(path: string, kustomization: Kustomization, sink: Sink): Res[] {
    const text = sink.readFile(path);
    if (text === null) {
      sink.problems.add(problem('missing-resource', fileOrigin(path), `${path} cannot be read`));
      return [];
    }
    const tree = readTree(path, text, { source: 'manifest' });
    for (const item of tree.problems) sink.problems.add(problem('resource-parse', item.at, `${path} does not parse: ${item.message}`));
    const out: Res[] = [];
    const queue: { node: RNode; at: Origin; key: string }[] = tree.documents.flatMap((doc, i) => (doc.node ? [{ node: doc.node, at: doc.at, key: `${path}#${i}` }] : []));
    for (let i = 0; i < queue.length; i++) {
      const { node, at, key } = queue[i] as (typeof queue)[number];
      if (!isMap(node) || node.pairs.length === 0) {
        if (!isMap(node) && !(isScalar(node) && node.value === null)) sink.problems.add(problem('invalid-resource', at, `${path}: a document that is not an object`));
        continue;
      }
      const kind = valueText(get(node, 'kind')) ?? '';
      if (kind === '') {
        sink.problems.add(problem('invalid-resource', at, `${path}: missing kind in object`));
        continue;
      }
      const items = get(node, 'items');
      if (kind.endsWith('List') && items !== null) {
        if (isSeq(items)) items.items.forEach((item, j) => queue.push({ node: item, at: item.origin, key: `${key}.${j}` }));
        else if (!(isScalar(items) && items.value === null)) sink.problems.add(problem('invalid-resource', at, `${path}: expected array in ${kind}/items`));
        continue;
      }
      if ((valueText(get(metadataOf(node), 'name')) ?? '') === '') {
        sink.problems.add(problem('invalid-resource', at, `${path}: missing metadata.name in object ${kind}`));
        continue;
      }
      out.push(newRes(node, at, key, path, [kustomization.path]));
    }
    return out;
  }

  #runGenerators(kustomization: Kustomization, list: ResourceList, sink: Sink): void {
    const context = { files: this.#files, kustomization: kustomization.path, dir: kustomization.dir, read: (path: string) => sink.readFile(path), unrestricted: this.#unrestricted };
    const entries = [...kustomization.configMapGenerator, ...kustomization.secretGenerator];
    entries.forEach((entry, index) => {
      const problems: KustomizeProblem[] = [];
      const res = generate(entry, kustomization.generatorOptions, context, index, problems);
      for (const item of problems) sink.problems.add(item);
      if (res) absorb(list, res, sink, entry.at);
    });
    kustomization.helmCharts.forEach((entry, index) => {
      const rendered = this.#renderHelmChart?.(entry, kustomization.path) ?? null;
      if (!rendered) {
        sink.problems.add(problem('helm-chart-not-rendered', entry.at, `helmCharts: chart ${entry.name || '?'}${entry.version ? ` ${entry.version}` : ''} of ${kustomization.path} is not rendered; its objects are missing`));
        return;
      }
      sink.problems.addAll(rendered.problems);
      rendered.objects.forEach((object, j) => {
        const res = newRes(object.root, object.at, `${kustomization.path}#helm#${index}#${j}`, object.at.file, [kustomization.path], object.conditions);
        absorb(list, res, sink, entry.at);
      });
    });
  }

  /** The root's build: accumulation, then hash suffixes, name references, vars, local-config removal, order. */
  build(path: string): KustomizeBuild {
    const accumulation = this.accumulate(path, []);
    const sink = newSink(this.#files, this.#limits, this.#renderHelmChart, this.#memo.aliased, this.#unrestricted);
    sink.problems.addAll(accumulation.problems);
    for (const file of accumulation.files) sink.read.add(file);
    const kustomization = accumulation.kustomization;
    let resources: Res[] = [...accumulation.resources];
    try {
      resources = resources.map((res) => (res.needsHash ? withHash(res) : res));
      resources = fixNameReferences(resources, accumulation.config.nameReference, sink);
      resources = resolveVars(resources, accumulation.vars, accumulation.config.varReference, sink);
      resources = resources.filter((res) => {
        const local = stringMap(get(metadataOf(res.root), 'annotations')).get('config.kubernetes.io/local-config');
        return local === undefined || local === 'false';
      });
      if (kustomization?.sortOrder !== 'fifo') resources = legacySort(resources, kustomization?.legacySortOrder ?? null);
      resources = resources.map(finalAnnotations);
    } catch (error) {
      sink.problems.add(problem('internal-error', kustomization?.at ?? fileOrigin(path), `${path}: pod2wi failed while finishing the build: ${error instanceof Error ? error.message : String(error)}`));
    }
    const dir = dirnameOf(path);
    const unit: RenderUnit = { kind: 'kustomization', path, variant: '', label: dir === '' ? '.' : dir };
    const objects: RenderedObject[] = [];
    const byKey = new Map<string, number[]>();
    for (const res of resources) {
      const object = toObject(res, unit, objects.length);
      byKey.set(res.key, [...(byKey.get(res.key) ?? []), objects.length]);
      objects.push({ ...object, trail: { kustomizations: res.chain, file: res.file, patches: res.patches } });
    }
    const patches: AppliedPatch[] = accumulation.patches.map((record) => ({
      ...record,
      matched: record.matched.map((match) => ({ kind: match.kind, name: match.name, namespace: match.namespace, objects: byKey.get(match.key) ?? [] })),
    }));
    const problems = [...sink.problems.items].sort((a, b) => compareStrings(a.at.file, b.at.file) || a.at.line - b.at.line || a.at.column - b.at.column || compareStrings(a.code, b.code) || compareStrings(a.message, b.message));
    return { root: path, unit, objects, problems, files: [...sink.read].sort(compareStrings), patches };
  }
}

function scalarOrUnknown(node: RNode | null): RenderedObject['name'] {
  return node && (node.kind === 'scalar' || node.kind === 'unknown') ? node : null;
}

/** The rendered object of a resource (kustomize keeps objects without apiVersion too). */
function toObject(res: Res, unit: RenderUnit, index: number): RenderedObject {
  const known = objectOf(res.root, unit, res.conditions, index, res.at);
  if (known) return known;
  const meta = metadataOf(res.root);
  return {
    apiVersion: valueText(get(res.root, 'apiVersion')) ?? '',
    kind: valueText(get(res.root, 'kind')) ?? '',
    name: scalarOrUnknown(get(meta, 'name')),
    namespace: scalarOrUnknown(get(meta, 'namespace')),
    root: res.root,
    unit,
    at: res.at,
    conditions: res.conditions,
    index,
  };
}

/** kustomize's appendReplaceOrMerge, for generated objects (behavior create, merge, replace). */
function absorb(list: ResourceList, res: Res, sink: Sink, at: Origin): void {
  const id = curId(res.root);
  const matches = list.items.filter((existing) => idEquals(curId(existing.root), id) || existing.prevIds.some((prev) => idEquals({ ...curId(existing.root), kind: prev.kind, name: prev.name, namespace: prev.namespace }, id)));
  if (matches.length === 0) {
    if (res.behavior === 'merge' || res.behavior === 'replace') {
      sink.problems.add(problem('generator-failed', at, `id ${describeId(id)} does not exist; cannot merge or replace`));
      return;
    }
    appendAll(list, [res], sink, at);
    return;
  }
  if (matches.length > 1) {
    sink.problems.add(problem('generator-failed', at, `found multiple objects that could accept merge of ${describeId(id)}`));
    return;
  }
  const old = matches[0] as Res;
  if (res.behavior !== 'merge' && res.behavior !== 'replace') {
    sink.problems.add(problem('generator-failed', at, `id ${describeId(id)} exists; behavior must be merge or replace`));
    return;
  }
  let root = copyMergeMetadata(res.root, old.root);
  if (res.behavior === 'merge') {
    for (const field of ['data', 'binaryData']) {
      const merged = mergeStringMaps(get(old.root, field), get(root, field));
      root = merged ? setPair(root, field, merged, merged.origin) : root;
    }
  }
  const index = list.items.indexOf(old);
  list.items[index] = { ...res, root, prevIds: old.prevIds, prefixes: old.prefixes, suffixes: old.suffixes, refVarNames: old.refVarNames, chain: old.chain };
}

function mergeStringMaps(oldNode: RNode | null, newNode: RNode | null): RMap | null {
  const oldMap = isMap(oldNode) ? oldNode : null;
  const newMap = isMap(newNode) ? newNode : null;
  if (!oldMap && !newMap) return null;
  const pairs = new Map<string, RMap['pairs'][number]>();
  for (const pair of oldMap?.pairs ?? []) pairs.set(pair.key, pair);
  for (const pair of newMap?.pairs ?? []) pairs.set(pair.key, pair);
  const sorted = [...pairs.values()].sort((a, b) => compareStrings(a.key, b.key));
  return { kind: 'map', pairs: sorted, origin: (newMap ?? oldMap)?.origin ?? fileOrigin('') };
}

/** kustomize's CopyMergeMetaDataFieldsFrom: labels and annotations merged (new wins), name and namespace from the old. */
function copyMergeMetadata(root: RMap, old: RMap): RMap {
  const oldMeta = metadataOf(old);
  let meta = metadataOf(root) ?? { kind: 'map' as const, pairs: [], origin: root.origin };
  for (const field of ['labels', 'annotations']) {
    const merged = mergeStringMaps(get(oldMeta, field), get(meta, field));
    meta = merged ? setPair(meta, field, merged, merged.origin) : meta;
  }
  const name = oldMeta?.pairs.find((pair) => pair.key === 'name');
  if (name) meta = setPair(meta, 'name', name.value, name.keyOrigin);
  const namespace = oldMeta?.pairs.find((pair) => pair.key === 'namespace');
  meta = namespace ? setPair(meta, 'namespace', namespace.value, namespace.keyOrigin) : { ...meta, pairs: meta.pairs.filter((pair) => pair.key !== 'namespace') };
  return setPair(root, 'metadata', meta, root.pairs.find((pair) => pair.key === 'metadata')?.keyOrigin ?? root.origin);
}

/** Appends the hash suffix to a generated object's name (the suffix part carries the generator's origin). */
function withHash(resIn: Res): Res {
  const res = storePreviousId(resIn);
  const hash = generatedNameHash(res.root);
  const meta = metadataOf(res.root);
  const name = get(meta, 'name');
  if (!meta || !name || (name.kind !== 'scalar' && name.kind !== 'unknown')) return res;
  const oldParts: readonly ScalarPart[] = name.parts ?? (name.kind === 'scalar' ? [{ text: valueText(name) ?? '', origin: name.origin }] : []);
  const suffix: ScalarPart = { text: `-${hash}`, origin: computed(res.at, 'name suffix hash of the generated content') };
  const origin = computed(res.at, `hash suffix -${hash}`);
  const next: RNode = name.kind === 'unknown' ? { kind: 'unknown', parts: [...oldParts, suffix], origin } : ({ kind: 'scalar', value: `${valueText(name) ?? ''}-${hash}`, origin, parts: [...oldParts, suffix] } satisfies RScalar);
  const newMeta = setPair(meta, 'name', next, meta.pairs.find((pair) => pair.key === 'name')?.keyOrigin ?? meta.origin);
  return { ...res, root: setPair(res.root, 'metadata', newMeta, res.root.pairs.find((pair) => pair.key === 'metadata')?.keyOrigin ?? res.root.origin) };
}

/** At the end kustomize rewrites every object's annotations: values as strings, an empty map removed. */
function finalAnnotations(res: Res): Res {
  const meta = metadataOf(res.root);
  const pair = meta?.pairs.find((p) => p.key === 'annotations');
  if (!meta || !pair) return res;
  const annotations = pair.value;
  let next: RMap | null;
  if (isMap(annotations)) {
    if (annotations.pairs.length === 0) next = null;
    else {
      let changed = false;
      const pairs = annotations.pairs.map((entry) => {
        const value = entry.value;
        if (isScalar(value) && typeof value.value !== 'string') {
          changed = true;
          return { ...entry, value: { ...value, value: valueText(value) ?? '' } };
        }
        return entry;
      });
      next = changed ? { ...annotations, pairs } : annotations;
    }
  } else next = null;
  if (next === annotations) return res;
  const newMeta: RMap = next ? setPair(meta, 'annotations', next, pair.keyOrigin) : { ...meta, pairs: meta.pairs.filter((p) => p.key !== 'annotations') };
  return { ...res, root: setPair(res.root, 'metadata', newMeta, res.root.pairs.find((p) => p.key === 'metadata')?.keyOrigin ?? res.root.origin) };
}

function legacySort(resources: readonly Res[], custom: { readonly first: readonly string[]; readonly last: readonly string[] } | null): Res[] {
  const first = custom?.first ?? legacyOrderFirst;
  const last = custom?.last ?? legacyOrderLast;
  const orders = new Map<string, number>();
  first.forEach((kind, i) => orders.set(kind, -first.length + i));
  last.forEach((kind, i) => orders.set(kind, 1 + i));
  const gvkString = (id: ResId) => `${id.group || '~G'}_${id.version || '~V'}_${id.kind || '~K'}`;
  const idString = (id: ResId) => `${id.kind || '[noKind]'}.${id.version || '[noVer]'}.${id.group || '[noGrp]'}|${id.namespace || '~X'}|${id.name || '~N'}`;
  const less = (a: ResId, b: ResId): number => {
    if (a.group !== b.group || a.version !== b.version || a.kind !== b.kind) {
      const x = orders.get(a.kind) ?? 0;
      const y = orders.get(b.kind) ?? 0;
      if (x !== y) return x - y;
      const reverse = a.kind === 'Namespace' && b.kind === 'Namespace' && (a.group === '' || b.group === '');
      const cmp = compareStrings(gvkString(a), gvkString(b));
      return reverse ? -cmp : cmp;
    }
    return compareStrings(idString(a), idString(b));
  };
  return resources
    .map((res) => ({ res, id: curId(res.root) }))
    .sort((a, b) => less(a.id, b.id))
    .map(({ res }) => res);
}

/** Builds one kustomization file as `kustomize build` does. Never throws on repository content. */
export function buildKustomization(files: FileSource, path: string, options: KustomizeOptions = {}, memo: KustomizeMemo = new KustomizeMemo()): KustomizeBuild {
  return new Builder(files, memo, options).build(path);
}

/** Every kustomization file of the repository, sorted. */
export function findKustomizations(files: FileSource): string[] {
  return files
    .list('')
    .filter(isKustomizationPath)
    .slice()
    .sort(compareStrings);
}

/**
 * The roots among `kustomizations`: those no other kustomization includes (as a resource, base or component). A
 * kustomization that includes itself, or a group that include each other and that nothing else includes, are roots
 * too, so their cycle is reported instead of nothing being rendered.
 */
export function kustomizeRoots(files: FileSource, kustomizations: readonly string[], memo: KustomizeMemo = new KustomizeMemo()): string[] {
  const known = new Set(kustomizations);
  const edges = new Map<string, string[]>();
  for (const path of kustomizations) {
    const loaded = memo.load(files, path).kustomization;
    const targets: string[] = [];
    for (const entry of loaded ? [...loaded.resources, ...loaded.components] : []) {
      const target = joinPath(dirnameOf(path), entry.value);
      if (target === null || files.has(target)) continue;
      for (const file of kustomizationFilesIn(files, target)) if (known.has(file)) targets.push(file);
    }
    edges.set(path, targets);
  }
  // Strongly connected components (Tarjan, iterative); a root is any member of a component nothing outside includes.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const component = new Map<string, number>();
  let counter = 0;
  let components = 0;
  for (const start of kustomizations) {
    if (index.has(start)) continue;
    const work: { node: string; next: number }[] = [{ node: start, next: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1] as { node: string; next: number };
      const targets = edges.get(frame.node) ?? [];
      if (frame.next < targets.length) {
        const target = targets[frame.next++] as string;
        if (!index.has(target)) {
          index.set(target, counter);
          low.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          work.push({ node: target, next: 0 });
        } else if (onStack.has(target)) low.set(frame.node, Math.min(low.get(frame.node) ?? 0, index.get(target) ?? 0));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node) ?? 0, low.get(frame.node) ?? 0));
      if (low.get(frame.node) === index.get(frame.node)) {
        for (;;) {
          const member = stack.pop() as string;
          onStack.delete(member);
          component.set(member, components);
          if (member === frame.node) break;
        }
        components++;
      }
    }
  }
  const includedFromOutside = new Set<string>();
  for (const [from, targets] of edges) for (const target of targets) if (component.get(from) !== component.get(target)) includedFromOutside.add(target);
  const groupIncluded = new Set<number>();
  for (const path of includedFromOutside) groupIncluded.add(component.get(path) ?? -1);
  return kustomizations.filter((path) => !groupIncluded.has(component.get(path) ?? -1)).sort(compareStrings);
}
