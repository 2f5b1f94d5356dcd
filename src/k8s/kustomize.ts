import { compareStrings } from '../model/location.js';
import { isMap, isScalar, isSeq, parseAllDocuments, type Node } from 'yaml';
import type { FindingSink } from '../model/findings-sink.js';
import type { Repo } from '../walk/repo.js';
import { dirname, joinPath } from './helm/chart.js';
import { LineIndex } from './line-index.js';
import type { K8sObject, Overlay } from './object.js';
import { effectiveName } from './object.js';
import { entries, get, nodeLocation, text, type Entry, type SourceDoc, type TextValue } from './source-doc.js';

const kustomizationNames = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

interface Resource {
  readonly entry: string;
  readonly at: ReturnType<typeof nodeLocation>;
  readonly kind: 'file' | 'kustomization' | 'remote' | 'outside' | 'missing';
  /** Root-relative path for a file, or the kustomization file for a folder. */
  readonly path: string;
}

interface LabelSet {
  readonly entries: readonly Entry[];
  readonly templates: boolean;
  readonly selectors: boolean;
}

/** One kustomization file, read. */
export interface Kustomization {
  readonly path: string;
  readonly dir: string;
  readonly resources: readonly Resource[];
  readonly namespace: TextValue | null;
  readonly namePrefix: string;
  readonly nameSuffix: string;
  readonly labels: readonly LabelSet[];
  /** Patch files: consumed by the build, never objects of their own. */
  readonly patchFiles: readonly string[];
}

export interface KustomizeResult {
  /** Objects of every root build, with their overlay. */
  readonly objects: readonly K8sObject[];
  /** Files a kustomization consumes (resources and patches): not read again as plain manifests. */
  readonly ownedFiles: ReadonlySet<string>;
  readonly kustomizations: readonly Kustomization[];
}

export function isKustomizationFile(path: string): boolean {
  return kustomizationNames.includes(path.slice(path.lastIndexOf('/') + 1));
}

const remote = /^(https?:|git:|ssh:|git@|github\.com\/|gitlab\.com\/|bitbucket\.org\/)|\?ref=|\/\/.+\?/;

/**
 * Renders every Kustomize root (a kustomization no other one includes) the way `kustomize build` would for the
 * parts that matter here: resources from local files and folders, namespace, namePrefix/nameSuffix, commonLabels
 * and labels. Patches are not applied; one that mentions aadpodidbinding is reported. Remote bases are noted.
 */
export function buildKustomizations(
  repo: Repo,
  objectsInFile: (path: string) => K8sObject[],
  sink: FindingSink,
): KustomizeResult {
  const kustomizations = new Map<string, Kustomization>();
  for (const file of repo.files) {
    if (!isKustomizationFile(file.path)) continue;
    const kustomization = readKustomization(repo, file.path, sink);
    if (kustomization) kustomizations.set(file.path, kustomization);
  }

  const included = new Set<string>();
  const owned = new Set<string>();
  for (const kustomization of kustomizations.values()) {
    for (const resource of kustomization.resources) {
      if (resource.kind === 'kustomization') included.add(resource.path);
      if (resource.kind === 'file') owned.add(resource.path);
    }
    for (const patch of kustomization.patchFiles) owned.add(patch);
  }

  const objects: K8sObject[] = [];
  for (const root of [...kustomizations.values()].sort((a, b) => compareStrings(a.path, b.path))) {
    if (included.has(root.path)) continue;
    const rendered = render(root, kustomizations, objectsInFile, new Set());
    // serviceAccountName references follow renamed ServiceAccounts of the same build.
    const serviceAccountNames = new Map<string, string>();
    for (const object of rendered) {
      const written = object.name?.value;
      const renamed = effectiveName(object);
      if (object.kind === 'ServiceAccount' && written && renamed) serviceAccountNames.set(written, renamed);
    }
    for (const object of rendered) {
      const overlay = object.overlay ?? emptyOverlay(root.path);
      objects.push({ ...object, overlay: { ...overlay, kustomization: root.path, serviceAccountNames } });
    }
  }
  return { objects, ownedFiles: owned, kustomizations: [...kustomizations.values()] };
}

function emptyOverlay(kustomization: string): Overlay {
  return {
    kustomization,
    namespace: null,
    namePrefix: '',
    nameSuffix: '',
    metadataLabels: [],
    templateLabels: [],
    selectorLabels: [],
    serviceAccountNames: new Map(),
  };
}

function render(
  kustomization: Kustomization,
  all: ReadonlyMap<string, Kustomization>,
  objectsInFile: (path: string) => K8sObject[],
  visiting: Set<string>,
): K8sObject[] {
  if (visiting.has(kustomization.path)) return [];
  visiting.add(kustomization.path);
  const inner: K8sObject[] = [];
  for (const resource of kustomization.resources) {
    if (resource.kind === 'file') inner.push(...objectsInFile(resource.path));
    const child = resource.kind === 'kustomization' ? all.get(resource.path) : undefined;
    if (child) inner.push(...render(child, all, objectsInFile, visiting));
  }
  visiting.delete(kustomization.path);

  const metadata = kustomization.labels.flatMap((set) => set.entries);
  const templates = kustomization.labels.filter((set) => set.templates || set.selectors).flatMap((set) => set.entries);
  const selectors = kustomization.labels.filter((set) => set.selectors).flatMap((set) => set.entries);
  return inner.map((object) => {
    const overlay = object.overlay ?? emptyOverlay(kustomization.path);
    return {
      ...object,
      source: 'kustomize' as const,
      overlay: {
        ...overlay,
        // Outer kustomizations run their transformers last: their namespace wins, their prefix goes outside.
        namespace: kustomization.namespace?.value ? kustomization.namespace : overlay.namespace,
        namePrefix: `${kustomization.namePrefix}${overlay.namePrefix}`,
        nameSuffix: `${overlay.nameSuffix}${kustomization.nameSuffix}`,
        metadataLabels: [...overlay.metadataLabels, ...metadata],
        templateLabels: [...overlay.templateLabels, ...templates],
        selectorLabels: [...overlay.selectorLabels, ...selectors],
      },
    };
  });
}

function readKustomization(repo: Repo, path: string, sink: FindingSink): Kustomization | null {
  const file = repo.read(path);
  if (!file) return null;
  const parsed = parseAllDocuments(file.text, { uniqueKeys: false })[0];
  if (!parsed || Array.isArray(parsed)) return null;
  const index = new LineIndex(file.text);
  const doc: SourceDoc = { file: path, text: file.text, index, contents: parsed.contents as Node | null, template: null };
  if (parsed.errors.length > 0) {
    const error = parsed.errors[0];
    sink.add('manifest-parse-error', { file: path, ...index.position(error?.pos[0] ?? 0) }, `kustomization does not parse: ${error?.message.split('\n')[0] ?? ''}`);
    return null;
  }
  const root = doc.contents;
  if (!isMap(root)) return null;
  const dir = dirname(path);

  const resources: Resource[] = [];
  for (const key of ['resources', 'bases', 'components', 'crds']) {
    const list = get(doc, root, key);
    if (!isSeq(list)) continue;
    for (const item of list.items) {
      const entry = text(doc, item as Node);
      if (!entry?.value) continue;
      resources.push(classifyResource(repo, dir, entry.value, entry.at));
    }
  }
  for (const resource of resources) {
    if (resource.kind === 'remote') {
      sink.add('kustomize-remote-resource', resource.at, `remote resource ${resource.entry} is not fetched; its workloads and identities are not in this scan`);
    } else if (resource.kind === 'outside') {
      sink.add('kustomize-remote-resource', resource.at, `resource ${resource.entry} is outside the scanned root; scan a parent folder to include it`);
    } else if (resource.kind === 'missing') {
      sink.add('kustomize-missing-resource', resource.at, `resource ${resource.entry} does not exist (no file, and no kustomization in that folder)`);
    }
  }

  const labels: LabelSet[] = [];
  const common = get(doc, root, 'commonLabels');
  if (isMap(common)) labels.push({ entries: kustomizeEntries(doc, common), templates: true, selectors: true });
  const labelList = get(doc, root, 'labels');
  if (isSeq(labelList)) {
    for (const item of labelList.items) {
      const pairs = get(doc, item as Node, 'pairs');
      if (!isMap(pairs)) continue;
      labels.push({
        entries: kustomizeEntries(doc, pairs),
        templates: text(doc, get(doc, item as Node, 'includeTemplates'))?.value === 'true',
        selectors: text(doc, get(doc, item as Node, 'includeSelectors'))?.value === 'true',
      });
    }
  }

  return {
    path,
    dir,
    resources,
    namespace: text(doc, get(doc, root, 'namespace')),
    namePrefix: text(doc, get(doc, root, 'namePrefix'))?.value ?? '',
    nameSuffix: text(doc, get(doc, root, 'nameSuffix'))?.value ?? '',
    labels,
    patchFiles: readPatches(repo, doc, root, dir, sink),
  };
}

function kustomizeEntries(doc: SourceDoc, node: Node): Entry[] {
  return entries(doc, node).map((entry) => ({ ...entry, via: 'kustomize' as const }));
}

function classifyResource(repo: Repo, dir: string, entry: string, at: Resource['at']): Resource {
  if (remote.test(entry)) return { entry, at, kind: 'remote', path: entry };
  const path = joinPath(dir, entry);
  if (path === '..' || path.startsWith('../')) return { entry, at, kind: 'outside', path };
  if (repo.has(path)) return { entry, at, kind: 'file', path };
  for (const name of kustomizationNames) {
    const candidate = joinPath(path, name);
    if (repo.has(candidate)) return { entry, at, kind: 'kustomization', path: candidate };
  }
  return { entry, at, kind: 'missing', path };
}

/** Reads the patch entries, reports those mentioning aadpodidbinding, and returns the patch files. */
function readPatches(repo: Repo, doc: SourceDoc, root: Node, dir: string, sink: FindingSink): string[] {
  const files: string[] = [];
  const report = (where: ReturnType<typeof nodeLocation>, origin: string) =>
    sink.add('kustomize-patch-mentions-label', where, `${origin} mentions aadpodidbinding; pod2wi does not render patches, review it by hand`);
  const inspect = (item: Node | null, inline: Node | null) => {
    const pathValue = isScalar(item) ? text(doc, item) : null;
    if (pathValue?.value && !pathValue.value.includes('\n')) {
      const path = joinPath(dir, pathValue.value);
      if (repo.has(path)) {
        files.push(path);
        const patchFile = repo.read(path);
        const offset = patchFile?.text.indexOf('aadpodidbinding') ?? -1;
        if (patchFile && offset >= 0) report({ file: path, ...new LineIndex(patchFile.text).position(offset) }, `patch ${path}`);
      }
      return;
    }
    const inlineText = isScalar(inline) ? text(doc, inline) : pathValue;
    if (inlineText?.value?.includes('aadpodidbinding')) report(inlineText.at, 'inline patch');
  };
  for (const key of ['patchesStrategicMerge', 'patches', 'patchesJson6902', 'patchesJSON6902']) {
    const list = get(doc, root, key);
    if (!isSeq(list)) continue;
    for (const item of list.items) {
      if (isMap(item)) inspect(get(doc, item, 'path'), get(doc, item, 'patch'));
      else inspect(item as Node, null);
    }
  }
  return files;
}

