import { isMap, isPair, isScalar, isSeq, parseAllDocuments, type Node } from 'yaml';
import { dirname, joinPath } from '../k8s/helm/chart.js';
import { isKustomizationFile } from '../k8s/kustomize.js';
import { LineIndex } from '../k8s/line-index.js';
import { displayName, effectiveNamespace, type K8sObject } from '../k8s/object.js';
import { get, getIn, isInactive, nodeLocation, text, type Entry, type SourceDoc } from '../k8s/source-doc.js';
import { readWorkload } from '../k8s/workloads.js';
import { isPodIdentityObject, podIdentityGroup } from '../podidentity/crds.js';
import { podIdentityLabel } from '../podidentity/graph.js';
import type { GateContext } from './context.js';
import { isLabelAt, labelToken } from './detect-text.js';

/** API groups of admission policies: a policy that denies the label names it, and is not a use of it. */
const policyGroups = new Set([
  'kyverno.io',
  'policies.kyverno.io',
  'templates.gatekeeper.sh',
  'constraints.gatekeeper.sh',
  'admissionregistration.k8s.io',
]);

export function isPolicyObject(object: K8sObject): boolean {
  const slash = object.apiVersion.indexOf('/');
  return slash > 0 && policyGroups.has(object.apiVersion.slice(0, slash));
}

/** `Kind namespace/name` as the cluster will see it, for messages. */
export function objectTitle(object: K8sObject, namespace: string | null): string {
  return `${object.kind} ${effectiveNamespace(object, namespace).value}/${displayName(object)}`;
}

/** `Kind/namespace/name` as written in the file: stable across overlays, for fingerprints. */
export function objectSubject(object: K8sObject): string {
  return `${object.kind}/${object.namespace?.value ?? object.namespace?.template ?? ''}/${object.name?.value ?? object.name?.template ?? ''}`;
}

/** First and last line of an object's node. */
export function objectLines(object: K8sObject): readonly [number, number] {
  const [start = 0, valueEnd = start] = object.node.range ?? [];
  return [object.doc.index.line(start), object.doc.index.line(Math.max(start, valueEnd - 1))];
}

const labelValue = (entry: Entry): string => entry.value?.value ?? entry.value?.template ?? '';

/**
 * The structural detectors over what the manifest stage read: aadpodidbinding on workloads (pod template, selector,
 * controller metadata; inline, from Helm named templates and values, from Kustomize labels), anywhere else in an
 * object, in Kustomize label sets and patches, in Helm named templates, in HelmRelease values; pod-identity objects;
 * the installation of aad-pod-identity itself.
 */
export function detectManifests(context: GateContext): void {
  const { manifests, detections, coverage, namespace } = context;
  const objects = manifests.objects.filter((object) => {
    if (!isPolicyObject(object)) return true;
    const [from, to] = objectLines(object);
    coverage.addRange(object.doc.file, from, to);
    return false;
  });

  for (const chart of manifests.charts) {
    if (chart.name !== 'aad-pod-identity') continue;
    detections.add({ ruleId: 'pod-identity-install', at: { file: chart.chartFile, line: 1, column: 1 }, message: `the aad-pod-identity chart is vendored at ${chart.dir || '.'}; remove it once no workload uses pod identity` });
    coverage.addFolder(chart.dir);
  }

  // Workloads first: their messages say which pod carries the label and how it got there.
  for (const object of objects) {
    if (isPodIdentityObject(object)) continue;
    const view = readWorkload(object);
    if (!view) continue;
    const title = objectTitle(object, namespace);
    for (const entry of view.template.labels) {
      if (entry.key !== podIdentityLabel) continue;
      const how = { inline: '', include: ' (from a named template)', values: ' (from Helm values)', kustomize: ' (from Kustomize labels)' }[entry.via];
      const when = entry.conditions.length > 0 ? ` when ${entry.conditions.join(' and ')}` : '';
      detections.add({ ruleId: 'aadpodidbinding-label', at: entry.keyAt, message: `${title}: aadpodidbinding=${labelValue(entry)} on the pod template${how}${when}` });
    }
    for (const entry of view.selectorLabels) {
      if (entry.key !== podIdentityLabel) continue;
      detections.add({ ruleId: 'aadpodidbinding-label', at: entry.keyAt, message: `${title}: aadpodidbinding=${labelValue(entry)} in the selector, which is immutable: removing it means re-creating the ${object.kind}` });
    }
    for (const entry of view.metadataLabels) {
      if (entry.key !== podIdentityLabel) continue;
      detections.add({ ruleId: 'aadpodidbinding-label', at: entry.keyAt, message: `${title}: aadpodidbinding=${labelValue(entry)} on the ${object.kind}'s own labels` });
    }
    for (const container of view.template.containers) {
      const image = container.image?.value ?? '';
      if (/aad-pod-identity\/(mic|nmi)(:|@|$)/.test(image)) {
        detections.add({ ruleId: 'pod-identity-install', at: container.image?.at ?? container.at, message: `${title} runs aad-pod-identity's ${/\/mic/.test(image) ? 'MIC' : 'NMI'} (${image}); remove it once no workload uses pod identity`, subject: objectSubject(object) });
      }
    }
  }

  for (const { release, label } of manifests.releaseLabels) {
    detections.add({
      ruleId: 'aadpodidbinding-label',
      at: label.keyAt,
      message: `${objectTitle(release.object, namespace)}: its values set aadpodidbinding=${labelValue(label)} for chart ${release.chart ?? '?'}, so its pods carry the label`,
    });
  }
  for (const object of objects) {
    const title = objectTitle(object, namespace);
    if (isPodIdentityObject(object)) {
      const [from, to] = objectLines(object);
      coverage.addRange(object.doc.file, from, to);
      detections.add({ ruleId: 'pod-identity-object', at: object.at, message: `${title}: aad-pod-identity object; delete it at cut-over`, subject: objectSubject(object) });
      continue;
    }
    if (object.kind === 'CustomResourceDefinition' && text(object.doc, getIn(object.doc, object.node, ['spec', 'group']))?.value === podIdentityGroup) {
      const [from, to] = objectLines(object);
      coverage.addRange(object.doc.file, from, to);
      detections.add({ ruleId: 'pod-identity-install', at: object.at, message: `CustomResourceDefinition ${displayName(object)} installs aad-pod-identity's API; delete it at cut-over`, subject: objectSubject(object) });
      continue;
    }
    const chart = installedChart(object);
    if (chart) {
      detections.add({ ruleId: 'pod-identity-install', at: object.at, message: `${title} installs the ${chart} chart; remove it once no workload uses pod identity`, subject: objectSubject(object) });
    }
    for (const found of keysNamed(object.doc, object.node, podIdentityLabel)) {
      detections.add({ ruleId: 'aadpodidbinding-label', at: found.at, message: `${title}: aadpodidbinding${found.value === null ? '' : `=${found.value}`} at ${found.path.join('.')}` });
    }
  }

  for (const label of manifests.helperLabels) {
    detections.add({ ruleId: 'aadpodidbinding-label', at: label.at, message: `named template sets aadpodidbinding=${label.value}; every workload that includes it carries the label` });
  }
  for (const kustomization of manifests.kustomizations) {
    for (const set of kustomization.labels) {
      for (const entry of set.entries) {
        if (entry.key !== podIdentityLabel) continue;
        const reach = set.templates || set.selectors ? 'every object it builds, pod templates included' : 'the metadata of every object it builds';
        detections.add({ ruleId: 'aadpodidbinding-label', at: entry.keyAt, message: `kustomization puts aadpodidbinding=${labelValue(entry)} on ${reach}` });
      }
    }
  }
  detectKustomizePatches(context);
}

/** The chart an object installs when it is aad-pod-identity: a Flux HelmRelease or an Argo CD Application. */
function installedChart(object: K8sObject): string | null {
  const { doc, node } = object;
  const candidates: (string | null | undefined)[] = [];
  if (object.kind === 'HelmRelease') candidates.push(text(doc, getIn(doc, node, ['spec', 'chart', 'spec', 'chart']))?.value);
  if (object.kind === 'Application' && object.apiVersion.startsWith('argoproj.io/')) {
    candidates.push(text(doc, getIn(doc, node, ['spec', 'source', 'chart']))?.value);
    const sources = getIn(doc, node, ['spec', 'sources']);
    if (isSeq(sources)) for (const source of sources.items) candidates.push(text(doc, get(doc, source as Node, 'chart'))?.value);
  }
  const found = candidates.find((chart): chart is string => typeof chart === 'string' && /(^|\/)aad-pod-identity\/?$/.test(chart));
  return found === undefined ? null : 'aad-pod-identity';
}

interface FoundKey {
  readonly at: ReturnType<typeof nodeLocation>;
  readonly path: readonly string[];
  readonly value: string | null;
}

/** Every map key named `name` under a node, with its path; keys in template branches that do not render are left out. */
export function keysNamed(doc: SourceDoc, root: Node | null, name: string): FoundKey[] {
  const found: FoundKey[] = [];
  const visit = (node: unknown, path: readonly string[]): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        const at = nodeLocation(doc, pair.key as Node);
        if (isInactive(doc, at.line)) continue;
        if (key === name) found.push({ at, path: [...path, key], value: text(doc, (pair.value as Node | null) ?? null)?.value ?? null });
        visit(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => visit(item, [...path, String(index)]));
    }
  };
  visit(root, []);
  return found;
}

/**
 * aadpodidbinding in Kustomize patches, which pod2wi does not render: in patch files (any line outside a comment)
 * and inside inline patch strings, where each occurrence's offset in the string maps back to its kustomization line.
 */
function detectKustomizePatches(context: GateContext): void {
  const { repo, texts, detections } = context;
  for (const file of repo.files) {
    if (!isKustomizationFile(file.path)) continue;
    const source = texts.file(file.path);
    if (!source?.text.includes('patch')) continue;
    const parsed = parseAllDocuments(source.text, { uniqueKeys: false })[0];
    if (!parsed || Array.isArray(parsed) || parsed.errors.length > 0) continue;
    const index = new LineIndex(source.text);
    const doc: SourceDoc = { file: file.path, text: source.text, index, contents: parsed.contents as Node | null, template: null };
    const lines = texts.lines(file.path) ?? [];
    const dir = dirname(file.path);
    for (const key of ['patchesStrategicMerge', 'patches', 'patchesJson6902', 'patchesJSON6902']) {
      const list = get(doc, doc.contents, key);
      if (!isSeq(list)) continue;
      for (const item of list.items) {
        const itemNode = item as Node;
        const target = describeTarget(doc, isMap(itemNode) ? get(doc, itemNode, 'target') : null);
        const pathNode = isMap(itemNode) ? get(doc, itemNode, 'path') : itemNode;
        const inline = isMap(itemNode) ? get(doc, itemNode, 'patch') : null;
        const pathValue = isScalar(pathNode) ? text(doc, pathNode)?.value : null;
        if (pathValue && !pathValue.includes('\n') && !inline) {
          const patchPath = joinPath(dir, pathValue);
          const removals = labelRemovals(texts.file(patchPath)?.text ?? '');
          for (const line of texts.lines(patchPath) ?? []) {
            const column = line.code.search(labelToken);
            if (column < 0) continue;
            if (removesLabel(line.code, removals)) {
              context.coverage.addRange(patchPath, line.number, line.number);
              continue;
            }
            detections.add({ ruleId: 'aadpodidbinding-label', at: { file: patchPath, line: line.number, column: column + 1 }, message: `patch applied by ${file.path}${target} sets aadpodidbinding` });
          }
          continue;
        }
        const patch = inline ?? pathNode;
        if (!isScalar(patch) || !patch.range) continue;
        const [start, end] = patch.range;
        const removals = labelRemovals(String(patch.value ?? ''));
        for (let offset = source.text.indexOf(podIdentityLabel, start); offset >= 0 && offset < end; offset = source.text.indexOf(podIdentityLabel, offset + 1)) {
          const { line, column } = index.position(offset);
          const code = lines[line - 1]?.code ?? '';
          if (!isLabelAt(code, column - 1)) continue;
          if (removesLabel(code, removals)) {
            context.coverage.addRange(file.path, line, line);
            continue;
          }
          detections.add({ ruleId: 'aadpodidbinding-label', at: { file: file.path, line, column }, message: `inline patch${target} sets aadpodidbinding` });
        }
      }
    }
  }
}

/** JSON-patch paths a patch removes (`op: remove`) that end in the label key. */
function labelRemovals(patchText: string): ReadonlySet<string> {
  const removals = new Set<string>();
  if (!patchText.includes('remove')) return removals;
  for (const doc of parseAllDocuments(patchText, { uniqueKeys: false })) {
    if (Array.isArray(doc) || doc.errors.length > 0) continue;
    const operations: unknown = doc.toJS();
    if (!Array.isArray(operations)) continue;
    for (const operation of operations) {
      if (typeof operation !== 'object' || operation === null) continue;
      const { op, path } = operation as { op?: unknown; path?: unknown };
      if (op === 'remove' && typeof path === 'string' && path.endsWith(`/${podIdentityLabel}`)) removals.add(path);
    }
  }
  return removals;
}

/**
 * A patch line that takes the label away: a JSON-patch `path:` the patch removes, or a strategic-merge
 * `aadpodidbinding: null`. Cut-over patches look like this; they are not uses.
 */
function removesLabel(code: string, removals: ReadonlySet<string>): boolean {
  if (new RegExp(`${podIdentityLabel}["']?\\s*:\\s*(null|~)\\s*[,}]?\\s*$`).test(code)) return true;
  const path = /["']?path["']?\s*:\s*["']?([^"'\s,}]+)/.exec(code)?.[1];
  return path !== undefined && removals.has(path);
}

function describeTarget(doc: SourceDoc, target: Node | null): string {
  if (!isMap(target)) return '';
  const kind = text(doc, get(doc, target, 'kind'))?.value;
  const name = text(doc, get(doc, target, 'name'))?.value;
  const described = [kind, name].filter((part): part is string => typeof part === 'string' && part !== '').join(' ');
  return described ? ` to ${described}` : '';
}
