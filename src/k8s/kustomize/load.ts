import type { FileSource } from '../files.js';
import { isMap, isScalar, isSeq, type Origin, type RMap, type RNode } from '../rendered.js';
import { readTree } from '../yaml-tree.js';
import type { FieldSpec } from './field-specs.js';
import { dirnameOf } from './paths.js';
import { problem, type KustomizeProblem } from './problems.js';
import { asSource } from './tree.js';

/**
 * A kustomization file read into typed entries, each keeping its node (and so its origin) for the transformers. Every
 * field kustomize 5.5 accepts is read; deprecated ones stay in their own lists because kustomize still applies them at
 * their own step (`bases` joins `resources` and `imageTags` joins `images`, as kustomize's FixKustomization does).
 */

/** A string entry with the node it was read from. */
export interface KText {
  readonly value: string;
  readonly node: RNode;
}

/** One `key: value` of a label or annotation map in the kustomization. */
export interface KPair {
  readonly key: string;
  readonly value: string;
  readonly keyOrigin: Origin;
  readonly node: RNode;
}

/** A resource selector (`target`, `select`, `reject`): regular expressions for group, version, kind, name, namespace. */
export interface Selector {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly labelSelector: string;
  readonly annotationSelector: string;
  readonly at: Origin;
}

/** A `patches` / `patchesStrategicMerge` / `patchesJson6902` entry. */
export interface PatchEntry {
  readonly field: 'patches' | 'patchesStrategicMerge' | 'patchesJson6902';
  /** The patch file, relative to the kustomization folder. */
  readonly path: KText | null;
  /** Inline patch text, with the scalar it was written in. */
  readonly patch: KText | null;
  readonly target: Selector | null;
  readonly allowNameChange: boolean;
  readonly allowKindChange: boolean;
  readonly at: Origin;
}

export interface LabelEntry {
  readonly pairs: readonly KPair[];
  readonly includeSelectors: boolean;
  readonly includeTemplates: boolean;
  readonly fields: readonly FieldSpec[];
  readonly at: Origin;
}

export interface ImageEntry {
  readonly name: KText | null;
  readonly newName: KText | null;
  readonly newTag: KText | null;
  readonly digest: KText | null;
  readonly tagSuffix: KText | null;
  readonly at: Origin;
}

export interface ReplicaEntry {
  readonly name: string;
  readonly count: number;
  readonly countNode: RNode;
  readonly at: Origin;
}

/** `source` of a replacement: the object (by id) and the field it copies. */
export interface ReplacementSource {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly fieldPath: string;
  readonly delimiter: string;
  readonly index: number;
  readonly at: Origin;
}

export interface ReplacementTarget {
  readonly select: Selector | null;
  readonly reject: readonly Selector[];
  readonly fieldPaths: readonly KText[];
  readonly delimiter: string;
  readonly index: number;
  readonly create: boolean;
  readonly at: Origin;
}

export interface Replacement {
  readonly source: ReplacementSource | null;
  readonly targets: readonly ReplacementTarget[];
  readonly at: Origin;
  /** The kustomization or replacement file that holds it. */
  readonly file: string;
}

/** An entry of `replacements`: inline, or a file of replacements. */
export type ReplacementEntry = { readonly kind: 'inline'; readonly replacement: Replacement } | { readonly kind: 'file'; readonly path: KText };

export interface VarEntry {
  readonly name: string;
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly objectName: string;
  readonly namespace: string;
  readonly fieldPath: string;
  readonly at: Origin;
}

export interface GeneratorOptions {
  readonly labels: readonly KPair[];
  readonly annotations: readonly KPair[];
  readonly disableNameSuffixHash: boolean;
  readonly immutable: boolean;
}

export interface GeneratorEntry {
  readonly kind: 'ConfigMap' | 'Secret';
  readonly name: KText | null;
  readonly namespace: string;
  readonly behavior: 'unspecified' | 'create' | 'merge' | 'replace';
  readonly literals: readonly KText[];
  readonly files: readonly KText[];
  readonly envs: readonly KText[];
  readonly type: string;
  readonly options: GeneratorOptions | null;
  readonly at: Origin;
}

/** A `helmCharts` (or legacy `helmChartInflationGenerator`) entry, as the caller's chart renderer receives it. */
export interface HelmChartEntry {
  readonly name: string;
  readonly version: string;
  readonly repo: string;
  readonly releaseName: string;
  readonly namespace: string;
  readonly valuesFile: string;
  readonly additionalValuesFiles: readonly string[];
  /** `valuesInline`, with origins, or null. */
  readonly valuesInline: RMap | null;
  readonly includeCRDs: boolean;
  /** The whole entry, for fields not named here (`valuesMerge`, `apiVersions`, `skipTests`, ...). */
  readonly node: RMap;
  /** `helmGlobals.chartHome` (default `charts`), relative to the kustomization folder. */
  readonly chartHome: string;
  readonly at: Origin;
}

export interface Kustomization {
  readonly path: string;
  readonly dir: string;
  readonly kind: 'Kustomization' | 'Component';
  readonly at: Origin;
  readonly resources: readonly KText[];
  readonly components: readonly KText[];
  readonly crds: readonly KText[];
  readonly configurations: readonly KText[];
  readonly generators: readonly KText[];
  readonly transformers: readonly KText[];
  readonly validators: readonly KText[];
  readonly namespace: KText | null;
  readonly namePrefix: KText | null;
  readonly nameSuffix: KText | null;
  readonly commonLabels: readonly KPair[];
  readonly labels: readonly LabelEntry[];
  readonly commonAnnotations: readonly KPair[];
  readonly patchesStrategicMerge: readonly PatchEntry[];
  readonly patches: readonly PatchEntry[];
  readonly patchesJson6902: readonly PatchEntry[];
  readonly images: readonly ImageEntry[];
  readonly replicas: readonly ReplicaEntry[];
  readonly replacements: readonly ReplacementEntry[];
  readonly vars: readonly VarEntry[];
  readonly configMapGenerator: readonly GeneratorEntry[];
  readonly secretGenerator: readonly GeneratorEntry[];
  readonly generatorOptions: GeneratorOptions | null;
  readonly helmCharts: readonly HelmChartEntry[];
  /** `sortOptions.order` (`legacy` or `fifo`), null when absent. */
  readonly sortOrder: 'legacy' | 'fifo' | null;
  readonly legacySortOrder: { readonly first: readonly string[]; readonly last: readonly string[] } | null;
}

export type LoadResult = { readonly kustomization: Kustomization; readonly problems: readonly KustomizeProblem[] } | { readonly kustomization: null; readonly problems: readonly KustomizeProblem[] };

const yaml11Words = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO', 'on', 'On', 'ON', 'off', 'Off', 'OFF']);

const topFields = new Set([
  'apiVersion', 'kind', 'metadata', 'openapi', 'namePrefix', 'nameSuffix', 'namespace', 'commonLabels', 'labels', 'commonAnnotations',
  'patchesStrategicMerge', 'patchesJson6902', 'patches', 'images', 'imageTags', 'replacements', 'replicas', 'vars', 'sortOptions',
  'resources', 'components', 'crds', 'bases', 'configMapGenerator', 'secretGenerator', 'helmGlobals', 'helmCharts',
  'helmChartInflationGenerator', 'generatorOptions', 'configurations', 'generators', 'transformers', 'validators', 'buildMetadata',
]);

function fileOrigin(path: string): Origin {
  return { source: 'manifest', file: path, line: 1, column: 1, span: null };
}

/** Reads typed values out of the kustomization's tree, reporting what kustomize's strict decoder would refuse. */
class Reader {
  readonly problems: KustomizeProblem[] = [];
  readonly #path: string;
  readonly #text: string | null;

  constructor(path: string, text: string | null = null) {
    this.#path = path;
    this.#text = text;
  }

  /**
   * Kustomize reads kustomization files with YAML 1.1 (sigs.k8s.io/yaml): an unquoted `yes`, `no`, `on`, `off`, `y`,
   * `n` is a boolean there. The value, if such a word written unquoted, else null.
   */
  yaml11Bool(node: RNode): boolean | null {
    if (!isScalar(node) || typeof node.value !== 'string' || !yaml11Words.has(node.value)) return null;
    const span = node.origin.span;
    const first = span && this.#text !== null ? this.#text[span[0]] : undefined;
    if (first === '"' || first === "'") return null;
    return ['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON'].includes(node.value);
  }

  refuse(node: RNode | { origin: Origin } | Origin, message: string): void {
    const at = 'source' in node ? node : node.origin;
    this.problems.push(problem('invalid-kustomization', at, `${this.#path}: ${message} (kustomize refuses this kustomization)`));
  }

  map(node: RNode | null | undefined, where: string): RMap | null {
    if (!node || (isScalar(node) && node.value === null)) return null;
    if (!isMap(node)) {
      this.refuse(node, `${where} must be a map`);
      return null;
    }
    return node;
  }

  list(node: RNode | null | undefined, where: string): readonly RNode[] {
    if (!node || (isScalar(node) && node.value === null)) return [];
    if (!isSeq(node)) {
      this.refuse(node, `${where} must be a list`);
      return [];
    }
    return node.items;
  }

  text(node: RNode | null | undefined, where: string): KText | null {
    if (!node || (isScalar(node) && node.value === null)) return null;
    if (node.kind === 'unknown') return { value: node.parts.map((part) => ('text' in part ? part.text : '')).join(''), node };
    if (!isScalar(node)) {
      this.refuse(node, `${where} must be a string`);
      return null;
    }
    if (typeof node.value !== 'string' || this.yaml11Bool(node) !== null) {
      this.refuse(node, `${where} must be a string, not ${typeof node.value === 'number' ? 'a number' : 'a boolean'}`);
    }
    return { value: String(node.value), node };
  }

  string(node: RNode | null | undefined, where: string): string {
    return this.text(node, where)?.value ?? '';
  }

  bool(node: RNode | null | undefined, where: string): boolean {
    if (!node || (isScalar(node) && node.value === null)) return false;
    const word = this.yaml11Bool(node);
    if (word !== null) return word;
    if (!isScalar(node) || typeof node.value !== 'boolean') {
      this.refuse(node, `${where} must be true or false`);
      return isScalar(node) && String(node.value) === 'true';
    }
    return node.value;
  }

  int(node: RNode | null | undefined, where: string): number {
    if (!node || (isScalar(node) && node.value === null)) return 0;
    if (!isScalar(node) || typeof node.value !== 'number' || !Number.isInteger(node.value)) {
      this.refuse(node, `${where} must be an integer`);
      const parsed = isScalar(node) ? Number(node.value) : NaN;
      return Number.isInteger(parsed) ? parsed : 0;
    }
    return node.value;
  }

  texts(node: RNode | null | undefined, where: string): KText[] {
    return this.list(node, where).flatMap((item) => {
      const text = this.text(item, `an entry of ${where}`);
      return text ? [text] : [];
    });
  }

  pairs(node: RNode | null | undefined, where: string): KPair[] {
    const map = this.map(node, where);
    if (!map) return [];
    return map.pairs.map((pair) => {
      const text = this.text(pair.value, `${where}.${pair.key}`);
      return { key: pair.key, value: text?.value ?? '', keyOrigin: pair.keyOrigin, node: pair.value };
    });
  }

  fields(map: RMap, allowed: readonly string[], where: string): Map<string, RNode> {
    const out = new Map<string, RNode>();
    for (const pair of map.pairs) {
      if (!allowed.includes(pair.key)) this.refuse({ origin: pair.keyOrigin }, `unknown field ${JSON.stringify(pair.key)} in ${where}`);
      out.set(pair.key, pair.value);
    }
    return out;
  }

  selector(node: RNode | null | undefined, where: string): Selector | null {
    const map = this.map(node, where);
    if (!map) return null;
    const f = this.fields(map, ['group', 'version', 'kind', 'name', 'namespace', 'labelSelector', 'annotationSelector'], where);
    return {
      group: this.string(f.get('group'), `${where}.group`),
      version: this.string(f.get('version'), `${where}.version`),
      kind: this.string(f.get('kind'), `${where}.kind`),
      name: this.string(f.get('name'), `${where}.name`),
      namespace: this.string(f.get('namespace'), `${where}.namespace`),
      labelSelector: this.string(f.get('labelSelector'), `${where}.labelSelector`),
      annotationSelector: this.string(f.get('annotationSelector'), `${where}.annotationSelector`),
      at: map.origin,
    };
  }

  fieldSpecs(node: RNode | null | undefined, where: string): FieldSpec[] {
    return this.list(node, where).flatMap((item) => {
      const map = this.map(item, where);
      if (!map) return [];
      const f = this.fields(map, ['group', 'version', 'kind', 'path', 'create'], where);
      const group = this.string(f.get('group'), `${where}.group`);
      const version = this.string(f.get('version'), `${where}.version`);
      const kind = this.string(f.get('kind'), `${where}.kind`);
      return [{ ...(group ? { group } : {}), ...(version ? { version } : {}), ...(kind ? { kind } : {}), path: this.string(f.get('path'), `${where}.path`), create: this.bool(f.get('create'), `${where}.create`) }];
    });
  }

  generatorOptions(node: RNode | null | undefined, where: string): GeneratorOptions | null {
    const map = this.map(node, where);
    if (!map) return null;
    const f = this.fields(map, ['labels', 'annotations', 'disableNameSuffixHash', 'immutable'], where);
    return {
      labels: this.pairs(f.get('labels'), `${where}.labels`),
      annotations: this.pairs(f.get('annotations'), `${where}.annotations`),
      disableNameSuffixHash: this.bool(f.get('disableNameSuffixHash'), `${where}.disableNameSuffixHash`),
      immutable: this.bool(f.get('immutable'), `${where}.immutable`),
    };
  }
}

/** Reads the replacements of a map (`source` / `targets`), used inline and for replacement files. */
export function readReplacement(reader: Reader, map: RMap, file: string, where: string, allowPath: boolean): Replacement {
  const f = reader.fields(map, allowPath ? ['source', 'targets', 'path'] : ['source', 'targets'], where);
  const sourceMap = reader.map(f.get('source'), `${where}.source`);
  let source: ReplacementSource | null = null;
  if (sourceMap) {
    const s = reader.fields(sourceMap, ['group', 'version', 'kind', 'name', 'namespace', 'fieldPath', 'options'], `${where}.source`);
    const options = reader.map(s.get('options'), `${where}.source.options`);
    const o = options ? reader.fields(options, ['delimiter', 'index', 'encoding', 'create'], `${where}.source.options`) : new Map<string, RNode>();
    source = {
      group: reader.string(s.get('group'), 'source.group'),
      version: reader.string(s.get('version'), 'source.version'),
      kind: reader.string(s.get('kind'), 'source.kind'),
      name: reader.string(s.get('name'), 'source.name'),
      namespace: reader.string(s.get('namespace'), 'source.namespace'),
      fieldPath: reader.string(s.get('fieldPath'), 'source.fieldPath') || 'metadata.name',
      delimiter: reader.string(o.get('delimiter'), 'source.options.delimiter'),
      index: reader.int(o.get('index'), 'source.options.index'),
      at: sourceMap.origin,
    };
  }
  const targets = reader.list(f.get('targets'), `${where}.targets`).flatMap((item): ReplacementTarget[] => {
    const map = reader.map(item, `${where}.targets`);
    if (!map) return [];
    const t = reader.fields(map, ['select', 'reject', 'fieldPaths', 'options'], `${where}.targets`);
    const options = reader.map(t.get('options'), `${where}.targets.options`);
    const o = options ? reader.fields(options, ['delimiter', 'index', 'encoding', 'create'], `${where}.targets.options`) : new Map<string, RNode>();
    return [{
      select: reader.selector(t.get('select'), 'targets.select'),
      reject: reader.list(t.get('reject'), 'targets.reject').flatMap((r) => reader.selector(r, 'targets.reject') ?? []),
      fieldPaths: reader.texts(t.get('fieldPaths'), 'targets.fieldPaths'),
      delimiter: reader.string(o.get('delimiter'), 'targets.options.delimiter'),
      index: reader.int(o.get('index'), 'targets.options.index'),
      create: reader.bool(o.get('create'), 'targets.options.create'),
      at: map.origin,
    }];
  });
  return { source, targets, at: map.origin, file };
}

export { Reader as KustomizationReader };

export function readPatch(reader: Reader, node: RNode, field: PatchEntry['field']): PatchEntry | null {
  if (field === 'patchesStrategicMerge') {
    // A file path, or the patch itself inline (kustomize tries to parse it as YAML objects first).
    const text = reader.text(node, field);
    if (!text) return null;
    const inline = text.value.includes('\n') || /^\s*(apiVersion|kind|metadata)\s*:/m.test(text.value) || text.value.trimStart().startsWith('{');
    return { field, path: inline ? null : text, patch: inline ? text : null, target: null, allowNameChange: false, allowKindChange: false, at: node.origin };
  }
  const map = reader.map(node, field);
  if (!map) return null;
  const f = reader.fields(map, ['path', 'patch', 'target', 'options'], field);
  const options = reader.map(f.get('options'), `${field}.options`);
  const o = options ? reader.fields(options, ['allowNameChange', 'allowKindChange'], `${field}.options`) : new Map<string, RNode>();
  const path = reader.text(f.get('path'), `${field}.path`);
  const patch = reader.text(f.get('patch'), `${field}.patch`);
  if (!path && !patch) reader.refuse(map, `a ${field} entry must have a path or a patch`);
  if (path && patch) reader.refuse(map, `a ${field} entry cannot have both a path and a patch`);
  return {
    field,
    path,
    patch,
    target: reader.selector(f.get('target'), `${field}.target`),
    allowNameChange: reader.bool(o.get('allowNameChange'), 'allowNameChange'),
    allowKindChange: reader.bool(o.get('allowKindChange'), 'allowKindChange'),
    at: map.origin,
  };
}

function readGenerator(reader: Reader, node: RNode, kind: 'ConfigMap' | 'Secret', where: string): GeneratorEntry | null {
  const map = reader.map(node, where);
  if (!map) return null;
  const allowed = ['name', 'namespace', 'behavior', 'literals', 'files', 'envs', 'env', 'options', ...(kind === 'Secret' ? ['type'] : [])];
  const f = reader.fields(map, allowed, where);
  const behaviorText = reader.string(f.get('behavior'), `${where}.behavior`);
  const behavior = behaviorText === 'create' || behaviorText === 'merge' || behaviorText === 'replace' ? behaviorText : 'unspecified';
  const env = reader.text(f.get('env'), `${where}.env`);
  return {
    kind,
    name: reader.text(f.get('name'), `${where}.name`),
    namespace: reader.string(f.get('namespace'), `${where}.namespace`),
    behavior,
    literals: reader.texts(f.get('literals'), `${where}.literals`),
    files: reader.texts(f.get('files'), `${where}.files`),
    envs: [...reader.texts(f.get('envs'), `${where}.envs`), ...(env ? [env] : [])],
    type: reader.string(f.get('type'), `${where}.type`),
    options: reader.generatorOptions(f.get('options'), `${where}.options`),
    at: map.origin,
  };
}

function readHelmChart(reader: Reader, node: RNode, chartHome: string, where: string): HelmChartEntry | null {
  const map = reader.map(node, where);
  if (!map) return null;
  const get = (key: string) => map.pairs.find((pair) => pair.key === key)?.value;
  const valuesInline = get('valuesInline');
  return {
    name: reader.string(get('name') ?? get('chartName'), `${where}.name`),
    version: reader.string(get('version') ?? get('chartVersion'), `${where}.version`),
    repo: reader.string(get('repo') ?? get('chartRepoUrl'), `${where}.repo`),
    releaseName: reader.string(get('releaseName'), `${where}.releaseName`),
    namespace: reader.string(get('namespace') ?? get('releaseNamespace'), `${where}.namespace`),
    valuesFile: reader.string(get('valuesFile') ?? get('values'), `${where}.valuesFile`),
    additionalValuesFiles: reader.texts(get('additionalValuesFiles'), `${where}.additionalValuesFiles`).map((text) => text.value),
    valuesInline: isMap(valuesInline) ? valuesInline : null,
    includeCRDs: get('includeCRDs') ? reader.bool(get('includeCRDs'), `${where}.includeCRDs`) : false,
    node: map,
    chartHome: chartHome || reader.string(get('chartHome'), `${where}.chartHome`) || 'charts',
    at: map.origin,
  };
}

/** Reads a kustomization file through the FileSource. */
export function loadKustomization(files: FileSource, path: string): LoadResult {
  const text = files.read(path);
  if (text === null) return { kustomization: null, problems: [problem('missing-resource', fileOrigin(path), `${path} cannot be read`)] };
  const tree = readTree(path, text, { source: 'manifest' });
  const parseProblems = tree.problems.map((p) => problem('kustomization-parse', p.at, `${path} does not parse: ${p.message}`));
  if (parseProblems.length > 0) return { kustomization: null, problems: parseProblems };
  const reader = new Reader(path, text);
  const root = tree.documents.find((doc) => doc.node !== null)?.node ?? null;
  if (tree.documents.filter((doc) => doc.node !== null).length > 1) reader.refuse(fileOrigin(path), 'a kustomization file holds one document');
  const map = root === null ? null : reader.map(root, 'the kustomization');
  if (!map || map.pairs.length === 0) {
    return { kustomization: null, problems: [...reader.problems, problem('invalid-kustomization', root?.origin ?? fileOrigin(path), `${path}: kustomization.yaml is empty`)] };
  }
  const f = reader.fields(map, [...topFields], 'the kustomization');
  const kindText = reader.string(f.get('kind'), 'kind');
  const kind = kindText === 'Component' ? 'Component' : 'Kustomization';
  if (kindText !== '' && kindText !== 'Kustomization' && kindText !== 'Component') reader.refuse(f.get('kind') ?? map, 'kind should be Kustomization or Component');
  const apiVersion = reader.string(f.get('apiVersion'), 'apiVersion');
  const wanted = kind === 'Component' ? 'kustomize.config.k8s.io/v1alpha1' : 'kustomize.config.k8s.io/v1beta1';
  if (apiVersion !== '' && apiVersion !== wanted) reader.refuse(f.get('apiVersion') ?? map, `apiVersion for ${kind} should be ${wanted}`);

  const labels = reader.list(f.get('labels'), 'labels').flatMap((item): LabelEntry[] => {
    const entry = reader.map(item, 'labels');
    if (!entry) return [];
    const l = reader.fields(entry, ['pairs', 'includeSelectors', 'includeTemplates', 'fields'], 'labels');
    return [{
      pairs: reader.pairs(l.get('pairs'), 'labels.pairs'),
      includeSelectors: reader.bool(l.get('includeSelectors'), 'labels.includeSelectors'),
      includeTemplates: reader.bool(l.get('includeTemplates'), 'labels.includeTemplates'),
      fields: reader.fieldSpecs(l.get('fields'), 'labels.fields'),
      at: entry.origin,
    }];
  });
  const images = [...reader.list(f.get('images'), 'images'), ...reader.list(f.get('imageTags'), 'imageTags')].flatMap((item): ImageEntry[] => {
    const entry = reader.map(item, 'images');
    if (!entry) return [];
    const i = reader.fields(entry, ['name', 'newName', 'newTag', 'digest', 'tagSuffix'], 'images');
    return [{
      name: reader.text(i.get('name'), 'images.name'),
      newName: reader.text(i.get('newName'), 'images.newName'),
      newTag: reader.text(i.get('newTag'), 'images.newTag'),
      digest: reader.text(i.get('digest'), 'images.digest'),
      tagSuffix: reader.text(i.get('tagSuffix'), 'images.tagSuffix'),
      at: entry.origin,
    }];
  });
  const replicas = reader.list(f.get('replicas'), 'replicas').flatMap((item): ReplicaEntry[] => {
    const entry = reader.map(item, 'replicas');
    if (!entry) return [];
    const r = reader.fields(entry, ['name', 'count'], 'replicas');
    const countNode = r.get('count') ?? entry;
    return [{ name: reader.string(r.get('name'), 'replicas.name'), count: reader.int(r.get('count'), 'replicas.count'), countNode, at: entry.origin }];
  });
  const replacements = reader.list(f.get('replacements'), 'replacements').flatMap((item): ReplacementEntry[] => {
    const entry = reader.map(item, 'replacements');
    if (!entry) return [];
    const pathNode = entry.pairs.find((pair) => pair.key === 'path')?.value;
    const pathText = reader.text(pathNode, 'replacements.path');
    if (pathText && entry.pairs.length === 1) return [{ kind: 'file', path: pathText }];
    return [{ kind: 'inline', replacement: readReplacement(reader, entry, path, 'replacements', false) }];
  });
  const vars = reader.list(f.get('vars'), 'vars').flatMap((item): VarEntry[] => {
    const entry = reader.map(item, 'vars');
    if (!entry) return [];
    const v = reader.fields(entry, ['name', 'objref', 'fieldref'], 'vars');
    const objref = reader.map(v.get('objref'), 'vars.objref');
    const o = objref ? reader.fields(objref, ['apiVersion', 'group', 'version', 'kind', 'name', 'namespace'], 'vars.objref') : new Map<string, RNode>();
    const fieldref = reader.map(v.get('fieldref'), 'vars.fieldref');
    const fr = fieldref ? reader.fields(fieldref, ['fieldPath'], 'vars.fieldref') : new Map<string, RNode>();
    let group = reader.string(o.get('group'), 'vars.objref.group');
    let version = reader.string(o.get('version'), 'vars.objref.version');
    const apiVersion = reader.string(o.get('apiVersion'), 'vars.objref.apiVersion');
    if (apiVersion) {
      const parts = apiVersion.split('/');
      if (parts.length === 2) [group, version] = [parts[0] ?? '', parts[1] ?? ''];
      else if (parts.length === 1) version = parts[0] ?? '';
    }
    return [{
      name: reader.string(v.get('name'), 'vars.name'),
      group,
      version,
      kind: reader.string(o.get('kind'), 'vars.objref.kind'),
      objectName: reader.string(o.get('name'), 'vars.objref.name'),
      namespace: reader.string(o.get('namespace'), 'vars.objref.namespace'),
      fieldPath: reader.string(fr.get('fieldPath'), 'vars.fieldref.fieldPath') || 'metadata.name',
      at: entry.origin,
    }];
  });
  const helmGlobals = reader.map(f.get('helmGlobals'), 'helmGlobals');
  const chartHome = helmGlobals ? reader.string(helmGlobals.pairs.find((pair) => pair.key === 'chartHome')?.value, 'helmGlobals.chartHome') : '';
  const helmCharts = [...reader.list(f.get('helmCharts'), 'helmCharts'), ...reader.list(f.get('helmChartInflationGenerator'), 'helmChartInflationGenerator')].flatMap(
    (item) => readHelmChart(reader, item, chartHome, 'helmCharts') ?? [],
  );
  const sortOptions = reader.map(f.get('sortOptions'), 'sortOptions');
  let sortOrder: Kustomization['sortOrder'] = null;
  let legacySortOrder: Kustomization['legacySortOrder'] = null;
  if (sortOptions) {
    const s = reader.fields(sortOptions, ['order', 'legacySortOptions'], 'sortOptions');
    const order = reader.string(s.get('order'), 'sortOptions.order');
    if (order === 'legacy' || order === 'fifo') sortOrder = order;
    else reader.refuse(s.get('order') ?? sortOptions, "the field 'sortOptions.order' must be one of [fifo, legacy]");
    const legacy = reader.map(s.get('legacySortOptions'), 'sortOptions.legacySortOptions');
    if (legacy) {
      const l = reader.fields(legacy, ['orderFirst', 'orderLast'], 'sortOptions.legacySortOptions');
      legacySortOrder = { first: reader.texts(l.get('orderFirst'), 'orderFirst').map((t) => t.value), last: reader.texts(l.get('orderLast'), 'orderLast').map((t) => t.value) };
    }
  }
  reader.list(f.get('buildMetadata'), 'buildMetadata');
  reader.map(f.get('openapi'), 'openapi');
  reader.map(f.get('metadata'), 'metadata');

  const kustomization: Kustomization = {
    path,
    dir: dirnameOf(path),
    kind,
    at: map.origin,
    resources: [...reader.texts(f.get('resources'), 'resources'), ...reader.texts(f.get('bases'), 'bases')],
    components: reader.texts(f.get('components'), 'components'),
    crds: reader.texts(f.get('crds'), 'crds'),
    configurations: reader.texts(f.get('configurations'), 'configurations'),
    generators: reader.texts(f.get('generators'), 'generators'),
    transformers: reader.texts(f.get('transformers'), 'transformers'),
    validators: reader.texts(f.get('validators'), 'validators'),
    namespace: reader.text(f.get('namespace'), 'namespace'),
    namePrefix: reader.text(f.get('namePrefix'), 'namePrefix'),
    nameSuffix: reader.text(f.get('nameSuffix'), 'nameSuffix'),
    commonLabels: reader.pairs(f.get('commonLabels'), 'commonLabels'),
    labels,
    commonAnnotations: reader.pairs(f.get('commonAnnotations'), 'commonAnnotations'),
    patchesStrategicMerge: reader.list(f.get('patchesStrategicMerge'), 'patchesStrategicMerge').flatMap((item) => readPatch(reader, item, 'patchesStrategicMerge') ?? []),
    patches: reader.list(f.get('patches'), 'patches').flatMap((item) => readPatch(reader, item, 'patches') ?? []),
    patchesJson6902: reader.list(f.get('patchesJson6902'), 'patchesJson6902').flatMap((item) => readPatch(reader, item, 'patchesJson6902') ?? []),
    images,
    replicas,
    replacements,
    vars,
    configMapGenerator: reader.list(f.get('configMapGenerator'), 'configMapGenerator').flatMap((item) => readGenerator(reader, item, 'ConfigMap', 'configMapGenerator') ?? []),
    secretGenerator: reader.list(f.get('secretGenerator'), 'secretGenerator').flatMap((item) => readGenerator(reader, item, 'Secret', 'secretGenerator') ?? []),
    generatorOptions: reader.generatorOptions(f.get('generatorOptions'), 'generatorOptions'),
    helmCharts,
    sortOrder,
    legacySortOrder,
  };
  return { kustomization, problems: reader.problems };
}

/** Origins of kustomization values under the source kind of the transformer that uses them. */
export function originAs(node: RNode, source: Origin['source']): Origin {
  return asSource(node.origin, source);
}
