import { isMap as isYamlMap, isSeq as isYamlSeq } from 'yaml';
import { escapeRegExp } from '../model/text.js';
import type { FileSource } from '../k8s/files.js';
import { objectName } from '../k8s/namespaces.js';
import { dirname, joinPath } from '../k8s/paths.js';
import type { ManifestScan } from '../k8s/read.js';
import { get, getIn, isMap, pairOf, scalarRef, textOf, type Origin, type RenderedObject, type RMap, type RNode } from '../k8s/rendered.js';
import { applyEdits, EditConflictError, type Edit } from './edit.js';
import { childSeq, fileModel, lineEndOf, locate, locateMap, locatePairByKey, pairFor, type FileModel, type Located } from './file-model.js';
import { templateLineRemoval } from './helm-edits.js';
import { kustomizeLabelSite, removeKustomizeLabel } from './kustomize-edits.js';
import { isTerraformText, terraformCreateServiceAccount, terraformDeleteObject, terraformInstaller, terraformReleaseSets, terraformRemoveKey, terraformSetPairs } from './terraform-edits.js';
import { verifyChange } from './verify.js';
import { appendDocument, appendItem, appendScalarItem, declined, ensurePairs, newFileText, removeDocuments, removeEntries, removeKeys, type Built, type Tree } from './yaml-edits.js';

/**
 * Source editors: each turns a wanted change of a rendered object into candidate edits of the file that produced the
 * field (a manifest, a values file, a template, a kustomization, a patch), in order of preference. A candidate is
 * only a proposal: the realiser renders again and keeps the first one whose rendered difference is exactly the
 * intended one.
 */

/** The files as they stand (with the edits accepted so far) and their render. */
export interface EditState {
  readonly files: FileSource;
  readonly scan: ManifestScan;
}

/** One way to make a change: the new text of each file it touches (null deletes the file). */
export interface Candidate {
  readonly label: string;
  readonly texts: ReadonlyMap<string, string | null>;
  /** The splices that give each edited text from the current one, with why; absent for a file written whole. */
  readonly edits?: ReadonlyMap<string, readonly Edit[]>;
}

/** Candidates, and why the ones that could not even be built were not. */
export interface Candidates {
  readonly candidates: Candidate[];
  readonly declines: string[];
}

const models = new WeakMap<FileSource, Map<string, FileModel | null>>();

/** Files read as Go templates: a chart's templates and helpers. */
function isTemplateFile(state: EditState, path: string): boolean {
  return state.scan.charts.some((chart) => path.startsWith(`${chart.dir ? `${chart.dir}/` : ''}templates/`));
}

export function modelOf(state: EditState, path: string): FileModel | null {
  let cache = models.get(state.files);
  if (!cache) {
    cache = new Map();
    models.set(state.files, cache);
  }
  if (cache.has(path)) return cache.get(path) ?? null;
  const text = state.files.read(path);
  const model = text === null ? null : fileModel(path, text, false, isTemplateFile(state, path));
  cache.set(path, model);
  return model;
}

class Collector implements Candidates {
  readonly candidates: Candidate[] = [];
  readonly declines: string[] = [];
  readonly #seen = new Set<string>();

  /** Applies a built edit set to one file; keeps it when it verifies at the file level. */
  add(state: EditState, label: string, path: string, build: (file: FileModel) => Built, extra: ReadonlyMap<string, string | null> = new Map()): void {
    const file = modelOf(state, path);
    if (!file) {
      this.declines.push(`${label}: cannot read ${path}`);
      return;
    }
    let built: Built;
    try {
      built = build(file);
    } catch (error) {
      this.declines.push(`${label}: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (declined(built)) {
      this.declines.push(`${label}: ${built.decline}`);
      return;
    }
    let after: string;
    try {
      after = applyEdits(file.text, built.edits);
    } catch (error) {
      if (!(error instanceof EditConflictError)) throw error;
      this.declines.push(`${label}: ${error.message}`);
      return;
    }
    if (after === file.text) return;
    // A template's meaning is its render, which the realiser checks; here only that it parses and stays balanced.
    const problem = verifyChange(file, after, file.template ? null : built.intents);
    if (problem) {
      this.declines.push(`${label}: ${problem}`);
      return;
    }
    this.push({ label, texts: new Map([...extra, [path, after]]), edits: new Map([[path, built.edits]]) });
  }

  push(candidate: Candidate): void {
    const key = JSON.stringify([...candidate.texts]);
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.candidates.push(candidate);
  }
}

const editable = (origin: Origin): boolean =>
  origin.span !== null && origin.file !== '' && ['manifest', 'chart-template', 'chart-values', 'release-values', 'kustomize-patch'].includes(origin.source);

const isValues = (origin: Origin) => origin.source === 'chart-values' || origin.source === 'release-values';

const where = (origin: Origin) => `${origin.file}:${origin.line}`;

/** The map holding a pair whose key is written at `origin`, in that file. */
function mapOfKey(state: EditState, origin: Origin): Located<import('yaml').YAMLMap> | null {
  const file = modelOf(state, origin.file);
  const start = origin.span?.[0];
  if (!file || start === undefined) return null;
  return locatePairByKey(file, start)?.map ?? null;
}

/**
 * Candidates that make the map at `path` of an object hold `pairs`: where the map's keys are written (values
 * first for a chart), where the map or its nearest written ancestor is, then the chart's values hooks, then a patch
 * in the object's own kustomization.
 */
export function setPairs(state: EditState, object: RenderedObject, path: readonly string[], pairs: Readonly<Record<string, string>>, why: string, variables = true, perUnit = false): Candidates {
  // Objects Terraform makes: their YAML values documents (templatefile, file) below, then the HCL editors.
  if (object.unit.kind === 'terraform') {
    const hcl = terraformSetPairs(state, object, path, pairs, why);
    const yaml = hasYamlSite(object, path) ? setPairsInYaml(state, object, path, pairs, why) : { candidates: [], declines: [] };
    return { candidates: [...yaml.candidates, ...hcl.candidates], declines: [...yaml.declines, ...hcl.declines] };
  }
  return setPairsInYaml(state, object, path, pairs, why, variables, perUnit);
}

/** Whether some map on the path of an object renders from a YAML file pod2wi edits. */
function hasYamlSite(object: RenderedObject, path: readonly string[]): boolean {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? object.root : getIn(object.root, path.slice(0, depth));
    if (isMap(node) && (editable(node.origin) || node.pairs.some((pair) => editable(pair.keyOrigin)))) return true;
  }
  return false;
}

function setPairsInYaml(state: EditState, object: RenderedObject, path: readonly string[], pairs: Readonly<Record<string, string>>, why: string, variables = true, perUnit = false): Candidates {
  const out = new Collector();
  const sites: { origin: Origin; rest: readonly string[]; how: 'map' | 'key-map' | 'owner' }[] = [];
  // Every map on the path that renders, deepest first: where its keys are written, where it is written, and the key
  // that owns it; a map a transformer made (Kustomize labels) is reached through an ancestor written in a file.
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? object.root : getIn(object.root, path.slice(0, depth));
    if (!isMap(node)) continue;
    const rest = path.slice(depth);
    for (const pair of node.pairs) if (editable(pair.keyOrigin) && (depth === path.length || pair.key !== path[depth])) sites.push({ origin: pair.keyOrigin, rest, how: 'key-map' });
    if (editable(node.origin)) sites.push({ origin: node.origin, rest, how: 'map' });
    if (depth > 0) {
      const parent = depth === 1 ? object.root : getIn(object.root, path.slice(0, depth - 1));
      const owner = pairOf(parent, path[depth - 1] ?? '');
      if (owner && editable(owner.keyOrigin)) sites.push({ origin: owner.keyOrigin, rest: path.slice(depth - 1), how: 'owner' });
    }
    if (depth < path.length) {
      const owner = pairOf(node, path[depth] ?? '');
      if (owner && editable(owner.keyOrigin)) sites.push({ origin: owner.keyOrigin, rest: path.slice(depth), how: 'owner' });
    }
  }
  const chart = object.unit.kind === 'chart' || object.unit.kind === 'helm-release';
  const ordered = chart ? [...sites.filter((site) => isValues(site.origin)), ...sites.filter((site) => !isValues(site.origin))] : sites;
  const templateSites = ordered.filter((site) => site.origin.source === 'chart-template');
  const direct = chart ? ordered.filter((site) => site.origin.source !== 'chart-template') : ordered;
  const tryAt = (site: (typeof sites)[number]) => {
    const label = `${where(site.origin)}`;
    out.add(state, label, site.origin.file, (file) => {
      const start = site.origin.span?.[0] ?? -1;
      if (site.how === 'map') {
        const map = locateMap(file, start);
        return map ? ensurePairs(map, site.rest, pairs, why) : { decline: `cannot locate the map at ${label}` };
      }
      const found = locatePairByKey(file, start);
      if (!found) return { decline: `cannot locate the key at ${label}` };
      return ensurePairs(found.map, site.rest, pairs, why);
    });
  };
  // A value that differs between the renders of one written object goes to each render's own overlay first.
  if (perUnit) for (const candidate of overlayPatch(state, object, path, pairs, why)) out.push(candidate);
  for (const site of direct) tryAt(site);
  if (chart) {
    // A chart a Terraform helm_release installs: `set_string` entries in the release before the chart's own values.
    const installer = terraformInstaller(state, object);
    if (installer) {
      const seen = new Set<string>();
      for (const hook of valuesHooks(state, object, path)) {
        const key = hook.path.join('\u0000');
        if (seen.has(key)) continue;
        seen.add(key);
        const made = terraformReleaseSets(state, installer, hook.path, pairs, why);
        if (typeof made === 'string') out.declines.push(made);
        else out.push(made);
      }
    }
    for (const hook of valuesHooks(state, object, path)) {
      out.add(state, `${hook.file}: .Values.${hook.path.join('.')}`, hook.file, (file) => {
        const root = hook.locate(file);
        return root ? ensurePairs(root, hook.path, pairs, why) : { decline: `cannot locate the values in ${hook.file}` };
      });
    }
    for (const site of templateSites) tryAt(site);
  }
  for (const candidate of overlayPatch(state, object, path, pairs, why)) out.push(candidate);
  // A value that differs per cluster and that a Flux Kustomization already substitutes: written as its variable, so
  // the shared component stays shared and each cluster's value stays where it is set.
  const substituted = variables ? substitutedPairs(state, object, pairs) : null;
  if (substituted) {
    const again = setPairs(state, object, path, substituted, why, false, perUnit);
    for (const candidate of again.candidates) out.push({ ...candidate, label: `${candidate.label} (as Flux variables)` });
  }
  return out;
}

/** The pairs with each value a Flux variable of the object's unit holds written as `${VARIABLE}`; null when none. */
function substitutedPairs(state: EditState, object: RenderedObject, pairs: Readonly<Record<string, string>>): Record<string, string> | null {
  if (object.unit.kind !== 'flux-kustomization') return null;
  const scope = state.scan.substitutions.find((item) => item.unit.kind === object.unit.kind && item.unit.path === object.unit.path && item.unit.variant === object.unit.variant);
  if (!scope) return null;
  let changed = false;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(pairs)) {
    const variable = [...scope.variables].filter(([, item]) => item.value === value).map(([name]) => name).sort()[0];
    out[key] = variable ? `\${${variable}}` : value;
    if (variable) changed = true;
  }
  return changed ? out : null;
}

/** Candidates that take `key` out of the map at `path` of an object, where the key is written. */
export function removeKey(state: EditState, object: RenderedObject, path: readonly string[], key: string, why: string): Candidates {
  const out = new Collector();
  const pair = pairOf(getIn(object.root, path), key);
  if (!pair) return out;
  // Objects Terraform makes: HCL editors, unless the key is written in a YAML values document.
  if (object.unit.kind === 'terraform' && !editable(pair.keyOrigin)) return terraformRemoveKey(state, object, path, key, why);
  const origin = pair.keyOrigin;
  const label = where(origin);
  if (origin.source === 'kustomize-labels') {
    out.add(state, label, origin.file, (file) => {
      const site = kustomizeLabelSite(file, origin);
      return site ? removeKustomizeLabel(file, site, key, why) : { decline: `cannot locate ${key} at ${label}` };
    });
  } else if (origin.source === 'kustomize-json6902') {
    out.add(state, label, origin.file, (file) => removeJsonPatchOperation(file, origin, why));
  } else if (origin.source === 'chart-template' && origin.span) {
    out.add(state, label, origin.file, (file) => {
      const found = locatePairByKey(file, origin.span?.[0] ?? -1);
      if (found && !file.template) return removeKeys(found.map, [key], why, 'key');
      const removal = templateLineRemoval(file, origin.span?.[0] ?? -1, found?.pair.value?.range?.[1] ?? lineEndOf(file.text, origin.span?.[0] ?? 0));
      if ('decline' in removal) return removal;
      return { edits: [{ file: file.path, start: removal.start, end: removal.end, expect: file.text.slice(removal.start, removal.end), text: '', why }], intents: [] };
    });
  } else if (editable(origin)) {
    out.add(state, label, origin.file, (file) => {
      const found = locatePairByKey(file, origin.span?.[0] ?? -1);
      return found ? removeKeys(found.map, [key], why, isValues(origin) || object.kind === 'HelmRelease' ? 'braces' : 'key') : { decline: `cannot locate ${key} at ${label}` };
    });
  } else {
    out.declines.push(`${key} at ${label} comes from ${origin.via ?? origin.source}; pod2wi cannot edit it there`);
  }
  for (const candidate of overlayPatch(state, object, path, { [key]: null }, why)) out.push(candidate);
  return out;
}

/** Removes the JSON 6902 operation written at `origin` from its patch list. */
function removeJsonPatchOperation(file: FileModel, origin: Origin, why: string): Built {
  const start = origin.span?.[0] ?? -1;
  const located = locate(file, start);
  if (!located) return { decline: `cannot locate the patch operation at ${origin.file}:${origin.line}` };
  // Walk up to the sequence item that holds the operation.
  for (let depth = located.path.length - 1; depth >= 0; depth--) {
    const index = located.path[depth];
    if (typeof index !== 'number') continue;
    const seqPath = located.path.slice(0, depth);
    let node: unknown = file.docs[located.doc]?.contents;
    for (const step of seqPath) node = typeof step === 'number' ? (isYamlSeq(node) ? node.items[step] : null) : isYamlMap(node) ? pairFor(node, step)?.value : null;
    if (isYamlSeq(node)) return removeEntries({ file, doc: located.doc, path: seqPath, node }, [index], why);
  }
  return { decline: `the operation at ${origin.file}:${origin.line} is not in a patch list` };
}

/** A values file and a key path in it that a chart's templates read, as an edit site. */
interface ValuesHook {
  readonly file: string;
  readonly path: readonly string[];
  readonly locate: (file: FileModel) => Located<import('yaml').YAMLMap> | null;
}

const valuesReference = /\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g;

/** The `.Values` paths a chart's templates and helpers read. */
function chartValuesPaths(state: EditState, chartDir: string): string[][] {
  const prefix = `${chartDir ? `${chartDir}/` : ''}templates/`;
  const found = new Map<string, string[]>();
  for (const path of state.files.list(chartDir)) {
    if (!path.startsWith(prefix)) continue;
    const text = state.files.read(path) ?? '';
    for (const match of text.matchAll(valuesReference)) {
      const parts = (match[1] ?? '').slice(1).split('.');
      found.set(parts.join('.'), parts);
    }
  }
  return [...found.values()];
}

/** How well a values path fits the map being set: pod labels want `podLabels`, annotations `…Annotations`. */
function hookScore(valuesPath: readonly string[], mapPath: readonly string[], kind: string): number {
  const last = (valuesPath[valuesPath.length - 1] ?? '').toLowerCase();
  const joined = valuesPath.join('.').toLowerCase();
  const target = (mapPath[mapPath.length - 1] ?? '').toLowerCase();
  const podTemplate = mapPath.includes('template') || kind === 'Pod';
  if (target === 'labels') {
    if (podTemplate && last === 'podlabels') return 10;
    if (podTemplate && last.endsWith('podlabels')) return 8;
    if (last === 'labels' || last.endsWith('labels')) return kind === 'ServiceAccount' ? (joined.includes('serviceaccount') ? 9 : 2) : 3;
  }
  if (target === 'annotations') {
    if (kind === 'ServiceAccount') return joined.includes('serviceaccount') && last === 'annotations' ? 10 : 0;
    if (podTemplate && last === 'podannotations') return 10;
    if (podTemplate && last.endsWith('podannotations')) return 8;
    if (last.endsWith('annotations') && !joined.includes('serviceaccount')) return 2;
  }
  return 0;
}

/** Values files an object's chart render reads, most specific first, with how to find their root map. */
function valuesSites(state: EditState, object: RenderedObject): { file: string; locate: (file: FileModel) => Located<import('yaml').YAMLMap> | null }[] {
  const sites: { file: string; locate: (file: FileModel) => Located<import('yaml').YAMLMap> | null }[] = [];
  const unit = object.unit;
  const rootOf = (file: FileModel) => {
    const root = file.docs[0]?.contents;
    return isYamlMap(root) ? { file, doc: 0, path: [], node: root } : null;
  };
  if (unit.kind === 'helm-release') {
    const releaseFile = unit.variant.split('#')[0] ?? '';
    const name = unit.variant.slice(releaseFile.length + 1);
    const release = state.scan.releases.find((item) => item.object.at.file === releaseFile && item.releaseName.value === name);
    const span = release?.object.root.origin.span;
    if (release && span) {
      sites.push({
        file: releaseFile,
        locate: (file) => {
          const root = locateMap(file, span[0]);
          const spec = root ? pairFor(root.node, 'spec')?.value : null;
          const values = isYamlMap(spec) ? pairFor(spec, 'values')?.value : null;
          return root && isYamlMap(spec) && isYamlMap(values) ? { ...root, path: [...root.path, 'spec', 'values'], node: values } : null;
        },
      });
    }
  }
  const chartDir = unit.path;
  if (unit.kind === 'chart' && unit.variant && unit.variant.includes('.y')) {
    const variantFile = unit.variant.includes('/') ? unit.variant : joinPath(chartDir, unit.variant);
    if (state.files.has(variantFile)) sites.push({ file: variantFile, locate: rootOf });
  }
  for (const name of ['values.yaml', 'values.yml']) {
    const file = joinPath(chartDir, name);
    if (state.files.has(file)) sites.push({ file, locate: rootOf });
  }
  return sites;
}

function valuesHooks(state: EditState, object: RenderedObject, mapPath: readonly string[]): ValuesHook[] {
  const chart = state.scan.charts.find((item) => item.dir === object.unit.path);
  if (!chart) return [];
  const paths = chartValuesPaths(state, chart.dir)
    .map((path) => ({ path, score: hookScore(path, mapPath, object.kind) }))
    .filter((item) => item.score > 0)
    .sort((a, b) => b.score - a.score || a.path.length - b.path.length || a.path.join('.').localeCompare(b.path.join('.')));
  const hooks: ValuesHook[] = [];
  for (const site of valuesSites(state, object)) for (const { path } of paths) hooks.push({ file: site.file, path, locate: site.locate });
  return hooks;
}

/** Kustomize patch lines for a map at `path` of an object; null leaves remove a key. */
type PatchTree = { readonly [key: string]: string | null | PatchTree };

function nest(path: readonly string[], leaf: PatchTree): PatchTree {
  return path.reduceRight<PatchTree>((tree, key) => ({ [key]: tree }), leaf);
}

function patchText(object: RenderedObject, name: string, body: PatchTree): string {
  const lines = [`apiVersion: ${object.apiVersion}`, `kind: ${object.kind}`];
  const render = (tree: PatchTree, indent: number) => {
    for (const [key, value] of Object.entries(tree)) {
      const pad = ' '.repeat(indent);
      const quotedKey = /^[A-Za-z0-9_.\/-]+$/.test(key) && !/^(true|false|null|yes|no|on|off|~)$/i.test(key) ? key : JSON.stringify(key);
      if (value === null) lines.push(`${pad}${quotedKey}: null`);
      else if (typeof value === 'string') lines.push(`${pad}${quotedKey}: ${JSON.stringify(value)}`);
      else {
        lines.push(`${pad}${quotedKey}:`);
        render(value, indent + 2);
      }
    }
  };
  const metadata = (body.metadata && typeof body.metadata === 'object' ? body.metadata : {}) as PatchTree;
  render({ metadata: { name, ...metadata }, ...Object.fromEntries(Object.entries(body).filter(([key]) => key !== 'metadata')) }, 0);
  return `${lines.join('\n')}\n`;
}

/** The name an object had before its own kustomization's prefix and suffix: the text written in its resource. */
function inputNames(object: RenderedObject): string[] {
  const names = new Set<string>();
  const node = object.name;
  if (node?.kind === 'scalar' && node.parts) {
    for (const part of node.parts) if ('text' in part && part.origin.source !== 'kustomize-name') names.add(part.text);
  }
  const rendered = objectName(object);
  if (rendered) names.add(rendered);
  return [...names];
}

/**
 * A strategic-merge patch in the object's own kustomization (the overlay), for a change that differs per overlay:
 * a new patch file beside the kustomization, listed under `patches:`.
 */
function overlayPatch(state: EditState, object: RenderedObject, path: readonly string[], pairs: Readonly<Record<string, string | null>>, why: string): Candidate[] {
  if (object.unit.kind !== 'kustomization') return [];
  const kustomization = object.unit.path;
  const kfile = modelOf(state, kustomization);
  if (!kfile) return [];
  const dir = dirname(kustomization);
  const base = (objectName(object) ?? 'object').toLowerCase().replace(/[^a-z0-9.-]+/g, '-');
  const patchName = `${base}-${object.kind.toLowerCase()}-workload-identity.yaml`;
  const patchPath = joinPath(dir, patchName);
  const candidates: Candidate[] = [];
  for (const name of inputNames(object)) {
    const existing = state.files.read(patchPath);
    const body = nest(path, Object.fromEntries(Object.entries(pairs)) as PatchTree);
    let patch: string;
    if (existing === null) patch = patchText(object, name, body);
    else continue;
    const root = kfile.docs[0]?.contents;
    if (!isYamlMap(root)) continue;
    const list = childSeq({ file: kfile, doc: 0, path: [], node: root }, 'patches');
    const built: Built = list ? appendItem(list, { path: patchName }, why) : ensureListKey(kfile, root, patchName, why);
    if (declined(built)) continue;
    let after: string;
    try {
      after = applyEdits(kfile.text, built.edits);
    } catch {
      continue;
    }
    candidates.push({ label: `${patchPath} (patch in ${kustomization})`, texts: new Map([[patchPath, patch], [kustomization, after]]) });
  }
  return candidates;
}

/** Adds `patches:` with one `- path:` item at the end of a kustomization. */
function ensureListKey(file: FileModel, root: import('yaml').YAMLMap, patchName: string, why: string): Built {
  const end = file.text.length;
  const lead = file.text.endsWith('\n') || end === 0 ? '' : file.eol;
  void root;
  const text = `${lead}patches:${file.eol}- path: ${patchName}${file.eol}`;
  return { edits: [{ file: file.path, start: end, end, expect: '', text, why }], intents: [] };
}

/** Candidates that add a new object to the unit of `near` (a workload), as its own document or file. */
export function createObject(state: EditState, near: RenderedObject, tree: Tree, why: string): Candidates {
  const out = new Collector();
  const origin = near.at;
  const file = modelOf(state, origin.file);
  const name = typeof tree.metadata === 'object' && typeof tree.metadata.name === 'string' ? tree.metadata.name : 'object';
  if (file && origin.source === 'manifest') {
    const located = origin.span ? locate(file, origin.span[0]) : null;
    if (located && located.path.length === 2 && located.path[0] === 'items') {
      const root = file.docs[located.doc]?.contents;
      const items = isYamlMap(root) ? childSeq({ file, doc: located.doc, path: [], node: root }, 'items') : null;
      if (items) out.add(state, `${origin.file} (List item)`, origin.file, () => appendItem(items, tree, why));
    }
    // A file of several objects, or a Kustomize resource (no new resources entry needed), takes another document;
    // a file of one object gets a sibling file.
    const several = file.docs.filter((doc) => doc.contents !== null && doc.contents !== undefined).length > 1;
    const asDocument = () => {
      if (!file.json && !(located && located.path.length === 2 && located.path[0] === 'items')) out.add(state, `${origin.file} (new document)`, origin.file, (model) => appendDocument(model, tree, why));
    };
    if (several || near.unit.kind === 'kustomization') asDocument();
    const path = joinPath(dirname(origin.file), `${name}-${String(tree.kind ?? 'object').toLowerCase()}.${file.json ? 'json' : 'yaml'}`);
    if (!state.files.has(path)) {
      const text = newFileText(tree, file.json, file.indentStep, file.eol);
      if (near.unit.kind === 'kustomization') {
        // A new file in a kustomization needs a resources entry in the kustomization that lists the workload's file.
        const owner = kustomizationListing(state, origin.file);
        if (owner) {
          const kfile = modelOf(state, owner.kustomization);
          const root = kfile?.docs[0]?.contents;
          const resources = kfile && isYamlMap(root) ? childSeq({ file: kfile, doc: 0, path: [], node: root }, 'resources') : null;
          const entry = joinPath('', path.slice(dirname(owner.kustomization) ? dirname(owner.kustomization).length + 1 : 0));
          if (kfile && resources) {
            const built = appendScalarItem(resources, entry, why);
            if (!declined(built)) {
              try {
                out.push({ label: `${path} (new file, listed in ${owner.kustomization})`, texts: new Map([[path, text], [owner.kustomization, applyEdits(kfile.text, built.edits)]]) });
              } catch {
                // Overlapping edits: this candidate is not possible.
              }
            }
          }
        }
      } else {
        out.push({ label: `${path} (new file)`, texts: new Map([[path, text]]) });
      }
    }
    if (!several && near.unit.kind !== 'kustomization') asDocument();
  }
  if (isTerraformText(origin) && tree.kind === 'ServiceAccount' && typeof tree.metadata === 'object') {
    const metadata = tree.metadata;
    const annotations = typeof metadata.annotations === 'object' ? (metadata.annotations as Record<string, string>) : {};
    // Terraform's kubernetes provider puts an object without a namespace in `default`: the workload's is written out.
    const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : (scalarRef(near.namespace)?.value || null);
    for (const candidate of terraformCreateServiceAccount(state, near, name, namespace, annotations, why).candidates) out.push(candidate);
  }
  if (origin.source === 'chart-template' && !/[{}$]/.test(name) && /^[a-z0-9][a-z0-9.-]*$/.test(name)) {
    // A chart gets the object as a template of its own, plain YAML with no template syntax.
    const path = joinPath(dirname(origin.file), `${name}-${String(tree.kind ?? 'object').toLowerCase()}.yaml`);
    if (!state.files.has(path)) {
      const { namespace: _namespace, ...metadata } = (typeof tree.metadata === 'object' ? tree.metadata : {}) as Record<string, string | Tree>;
      out.push({ label: `${path} (new template)`, texts: new Map([[path, newFileText({ ...tree, metadata }, false, 2, '\n')]]) });
    }
  }
  return out;
}

/** The kustomization whose `resources` lists a file, with the entry. */
function kustomizationListing(state: EditState, path: string): { kustomization: string } | null {
  for (const kustomization of state.scan.kustomizations) {
    const text = state.files.read(kustomization);
    if (!text) continue;
    const dir = dirname(kustomization);
    const relative = dir ? (path.startsWith(`${dir}/`) ? path.slice(dir.length + 1) : null) : path;
    if (relative && new RegExp(`^\\s*-\\s*["']?(\\./)?${escapeRegExp(relative)}["']?\\s*$`, 'm').test(text)) return { kustomization };
  }
  return null;
}

/**
 * Candidates that stop an object from rendering: its document (or List item, or whole file) removed where it is
 * written, with the kustomization entries that list a removed file; a chart's values switch turned off.
 */
export function deleteObject(state: EditState, object: RenderedObject, why: string): Candidates {
  if (object.unit.kind === 'terraform' && isTerraformText(object.at)) return terraformDeleteObject(state, object, why);
  const out = new Collector();
  const origin = object.at;
  if (origin.source === 'manifest' && origin.span) {
    const file = modelOf(state, origin.file);
    const located = file ? locate(file, origin.span[0]) : null;
    if (file && located) {
      const documents = file.docs.filter((doc) => doc.contents !== null && doc.contents !== undefined).length;
      // Patches that target the object go with it, or the overlays applying them no longer build.
      const patches = patchRemovals(state, object, why);
      if (located.path.length === 0 && documents <= 1) {
        const texts = new Map<string, string | null>(patches);
        texts.set(origin.file, null);
        for (const kustomization of state.scan.kustomizations) {
          const listed = resourceEntryRemoval(state, kustomization, origin.file, why, texts.get(kustomization) ?? undefined);
          if (listed !== null) texts.set(kustomization, listed);
        }
        out.push({ label: `delete ${origin.file}`, texts });
      } else if (located.path.length === 0) {
        out.add(state, `${origin.file} (document)`, origin.file, (model) => removeDocuments(model, [located.doc], why), patches);
      } else if (located.path.length === 2 && located.path[0] === 'items' && typeof located.path[1] === 'number') {
        const root = file.docs[located.doc]?.contents;
        const items = isYamlMap(root) ? childSeq({ file, doc: located.doc, path: [], node: root }, 'items') : null;
        if (items) out.add(state, `${origin.file} (List item)`, origin.file, () => removeEntries(items, [located.path[1] as number], why));
      }
    }
  }
  for (const condition of object.conditions) {
    const flag = /^(?:(?:if|with)\s+)?\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*$/.exec(condition.expression.trim());
    if (!flag || condition.value !== true) continue;
    const valuesPath = (flag[1] ?? '').slice(1).split('.');
    for (const site of valuesSites(state, object)) {
      out.add(state, `${site.file}: .Values.${valuesPath.join('.')}`, site.file, (file) => {
        const root = site.locate(file);
        if (!root) return { decline: `cannot locate the values in ${site.file}` };
        return ensureFalse(root, valuesPath, why);
      });
    }
  }
  if (origin.source === 'chart-template') {
    // A template document: removed as text (its `---`-separated range), or the whole template when it was the last.
    const file = modelOf(state, origin.file);
    const doc = file ? file.docs.findIndex((item) => {
      const range = item.range;
      return range !== undefined && file.lines.line(range[0]) <= origin.line && origin.line <= file.lines.line(Math.max(range[0], range[2] - 1));
    }) : -1;
    if (file && doc >= 0) {
      const documents = file.docs.filter((item) => item.contents !== null && item.contents !== undefined).length;
      if (documents > 1) out.add(state, `${origin.file} (template document)`, origin.file, (model) => removeDocuments(model, [doc], why));
      out.push({ label: `delete ${origin.file}`, texts: new Map([[origin.file, null]]) });
    }
  }
  for (const candidate of overlayPatch(state, object, [], { $patch: 'delete' }, why)) out.push(candidate);
  return out;
}

/** Candidates that set a chart's values switch (`armAuth.type`) to another mode, in each values file the render reads. */
export function setSwitch(state: EditState, object: RenderedObject, valuesPath: readonly string[], value: string, why: string): Candidates {
  const out = new Collector();
  for (const site of valuesSites(state, object)) {
    out.add(state, `${site.file}: .Values.${valuesPath.join('.')} = ${value}`, site.file, (file) => {
      const root = site.locate(file);
      if (!root) return { decline: `cannot locate the values in ${site.file}` };
      return ensurePairs(root, valuesPath.slice(0, -1), { [valuesPath[valuesPath.length - 1] ?? '']: value }, why);
    });
  }
  return out;
}

/** The `.Values` paths and literal values a chart's templates compare (`eq .Values.armAuth.type "workloadIdentity"`, or through a variable). */
export function chartComparisons(state: EditState, object: RenderedObject): { path: readonly string[]; value: string }[] {
  const chart = state.scan.charts.find((item) => item.dir === object.unit.path);
  if (!chart) return [];
  const found = new Map<string, { path: string[]; value: string }>();
  for (const file of chart.files) {
    if (!file.includes('/templates/') && !file.startsWith('templates/')) continue;
    const text = state.files.read(file) ?? '';
    if (!text.includes('eq ')) continue;
    const variables = new Map<string, string[]>();
    for (const match of text.matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)\s*:=\s*\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) variables.set(match[1] ?? '', (match[2] ?? '').slice(1).split('.'));
    for (const match of text.matchAll(/\beq\s+(?:\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)|\$([A-Za-z_][A-Za-z0-9_]*))\s+"([^"\\]*)"/g)) {
      const path = match[1] ? match[1].slice(1).split('.') : variables.get(match[2] ?? '');
      if (path) found.set(`${path.join('.')}=${match[3] ?? ''}`, { path, value: match[3] ?? '' });
    }
  }
  return [...found.values()];
}

/** Sets a values switch to false, written as a boolean. */
function ensureFalse(root: Located<import('yaml').YAMLMap>, path: readonly string[], why: string): Built {
  const built = ensurePairs(root, path.slice(0, -1), { [path[path.length - 1] ?? '']: '\u0000false' }, why);
  if (declined(built)) return built;
  // ensurePairs writes strings; a switch must be the boolean false.
  return { edits: built.edits.map((edit) => ({ ...edit, text: edit.text.replace(/(["']?)\u0000false\1/g, 'false') })), intents: [] };
}

/**
 * The patches of every build that were applied to the object's source document: their entries removed from the
 * kustomizations listing them, and a patch file that patched nothing else deleted.
 */
function patchRemovals(state: EditState, object: RenderedObject, why: string): Map<string, string | null> {
  const texts = new Map<string, string | null>();
  const entries = new Map<string, Set<number>>();
  const sameSource = (other: RenderedObject | undefined) => other !== undefined && other.at.file === object.at.file && other.at.line === object.at.line;
  const files = new Map<string, boolean>();
  for (const build of state.scan.kustomizeBuilds) {
    for (const patch of build.patches) {
      const hits = patch.matched.some((match) => match.objects.some((index) => sameSource(build.objects[index])));
      if (patch.file) files.set(patch.file, (files.get(patch.file) ?? true) && (hits || patch.matched.every((match) => match.objects.length === 0)));
      if (!hits) continue;
      const offset = patch.at.file === patch.kustomization && patch.at.span ? patch.at.span[0] : patch.file ? entryOffset(state, patch.kustomization, patch.file) : null;
      if (offset === null) continue;
      (entries.get(patch.kustomization) ?? entries.set(patch.kustomization, new Set()).get(patch.kustomization))?.add(offset);
    }
  }
  for (const [kustomization, offsets] of entries) {
    let text = state.files.read(kustomization);
    if (text === null) continue;
    // One entry at a time, from the end, each located again in the text the previous removal left.
    for (const offset of [...offsets].sort((a, b) => b - a)) {
      const file = fileModel(kustomization, text, false, false);
      const located = locate(file, offset);
      if (!located) continue;
      const at = located.path.findIndex((step, index) => typeof step === 'number' && index > 0 && typeof located.path[index - 1] === 'string' && /^patch/.test(String(located.path[index - 1])));
      if (at < 0) continue;
      const listPath = located.path.slice(0, at);
      const root = file.docs[located.doc]?.contents;
      const list = isYamlMap(root) ? childSeq({ file, doc: located.doc, path: [], node: root }, String(listPath[0])) : null;
      if (!list) continue;
      const built = removeEntries(list, [located.path[at] as number], why, 'key');
      if (declined(built)) continue;
      try {
        text = applyEdits(text, built.edits);
      } catch {
        continue;
      }
    }
    texts.set(kustomization, text);
  }
  for (const [file, only] of files) {
    if (!only) continue;
    const stillListed = [...entries.keys()].some((kustomization) => (texts.get(kustomization) ?? '').includes(file.slice(file.lastIndexOf('/') + 1)));
    if (!stillListed) texts.set(file, null);
  }
  return texts;
}

/** Where a kustomization lists a patch file: the offset of its entry in a patch list, or null. */
function entryOffset(state: EditState, kustomization: string, patchFile: string): number | null {
  const file = modelOf(state, kustomization);
  const root = file?.docs[0]?.contents;
  if (!file || !isYamlMap(root)) return null;
  const dir = dirname(kustomization);
  for (const key of ['patches', 'patchesStrategicMerge', 'patchesJson6902', 'patchesJSON6902']) {
    const list = pairFor(root, key)?.value;
    if (!isYamlSeq(list)) continue;
    for (const item of list.items) {
      const value = isYamlMap(item) ? pairFor(item, 'path')?.value : item;
      const text = value && typeof value === 'object' && 'value' in value ? String((value as { value: unknown }).value) : null;
      const start = (item as { range?: [number, number, number] }).range?.[0];
      if (text !== null && start !== undefined && joinPath(dir, text) === patchFile) return start;
    }
  }
  return null;
}

/** The kustomization's text without the `resources` entry naming `path`, or null when it does not list it. */
function resourceEntryRemoval(state: EditState, kustomization: string, path: string, why: string, current?: string): string | null {
  const file = current === undefined ? modelOf(state, kustomization) : fileModel(kustomization, current, false, false);
  const root = file?.docs[0]?.contents;
  if (!file || !isYamlMap(root)) return null;
  const dir = dirname(kustomization);
  for (const key of ['resources', 'bases']) {
    const list = childSeq({ file, doc: 0, path: [], node: root }, key);
    if (!list) continue;
    const index = list.node.items.findIndex((item) => joinPath(dir, String((item as { value?: unknown }).value ?? '')) === path);
    if (index < 0) continue;
    const built = removeEntries(list, [index], why, 'key');
    if (declined(built)) return null;
    try {
      return applyEdits(file.text, built.edits);
    } catch {
      return null;
    }
  }
  return null;
}

/** The scalar at a path of a rendered object, as text. */
export function renderedText(object: RenderedObject, path: readonly string[]): string | null {
  return textOf(getIn(object.root, path));
}

/** Whether a node renders under an object. */
export function renders(object: RenderedObject, path: readonly string[]): RNode | null {
  return path.length === 0 ? object.root : getIn(object.root, path);
}

export { get };
