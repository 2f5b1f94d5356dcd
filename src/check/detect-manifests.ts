import { parseAllDocuments } from 'yaml';
import { labelsInValues } from '../k8s/flux.js';
import { displayName, effectiveNamespace } from '../k8s/namespaces.js';
import { dirname, joinPath } from '../k8s/paths.js';
import { get, getIn, isMap, isScalar, isSeq, scalarRef, textOf, type Origin, type RenderedObject, type RNode } from '../k8s/rendered.js';
import { labelConditions, readWorkload, type Field } from '../k8s/workloads.js';
import { readTree } from '../k8s/yaml-tree.js';
import { viaOf } from '../podidentity/inventory.js';
import { isPodIdentityObject, podIdentityGroup } from '../podidentity/crds.js';
import { podIdentityLabel } from '../podidentity/graph.js';
import type { GateContext } from './context.js';
import { isLabelAt, labelToken } from './detect-text.js';
import { kedaOperatorPodIdentity, kedaPodIdentityProvider, kedaWorkloadIdentityProvider, readSecretProviderClass, readTriggerAuthentication } from '../podidentity/secret-store.js';

/** API groups of admission policies: a policy that denies the label names it, and is not a use of it. */
const policyGroups = new Set([
  'kyverno.io',
  'policies.kyverno.io',
  'templates.gatekeeper.sh',
  'constraints.gatekeeper.sh',
  'admissionregistration.k8s.io',
]);

const kustomizationName = /(^|\/)(kustomization\.ya?ml|Kustomization)$/;

export function isPolicyObject(object: RenderedObject): boolean {
  const slash = object.apiVersion.indexOf('/');
  return slash > 0 && policyGroups.has(object.apiVersion.slice(0, slash));
}

/** `Kind namespace/name` as the cluster will see it, for messages. */
export function objectTitle(object: RenderedObject, namespace: string | null): string {
  return `${object.kind} ${effectiveNamespace(object, namespace).value}/${displayName(object)}`;
}

/** The text of a name or namespace as written in the object's own file (before a prefix, a namespace override). */
function writtenText(node: RNode | null, file: string): string {
  if (!node) return '';
  if (node.kind === 'scalar' && node.parts) {
    const own = node.parts.find((part) => 'text' in part && part.origin.file === file && part.origin.source !== 'kustomize-name');
    if (own && 'text' in own) return own.text;
  }
  if (node.origin.source === 'kustomize-namespace') return '';
  return scalarRef(node)?.display ?? '';
}

/** `Kind/namespace/name` as written in the file: stable across overlays, for fingerprints. */
export function objectSubject(object: RenderedObject): string {
  return `${object.kind}/${writtenText(object.namespace, object.at.file)}/${writtenText(object.name, object.at.file)}`;
}

/** First and last line of an object's text in its own file (its first line when it is not written verbatim). */
export function objectLines(object: RenderedObject, fileText: string | null): readonly [number, number] {
  const span = object.root.origin.span;
  if (!span || fileText === null || object.root.origin.file !== object.at.file) return [object.at.line, object.at.line];
  let line = object.root.origin.line;
  const end = Math.min(Math.max(span[0], span[1] - 1), fileText.length);
  for (let i = span[0]; i < end; i++) if (fileText.charCodeAt(i) === 10) line++;
  return [object.root.origin.line, line];
}

const labelValue = (entry: Field): string => scalarRef(entry.value)?.display ?? '';

/**
 * The structural detectors over what the manifest stage read: aadpodidbinding on workloads (pod template, selector,
 * controller metadata; inline, from Helm named templates and values, from Kustomize labels), anywhere else in an
 * object, in Kustomize label sets and patches, in Helm named templates, in HelmRelease values; pod-identity objects;
 * the installation of aad-pod-identity itself.
 */
export function detectManifests(context: GateContext): void {
  const { manifests, detections, coverage, namespace } = context;
  const lines = (object: RenderedObject) => objectLines(object, context.texts.file(object.at.file)?.text ?? null);
  const objects = manifests.objects.filter((object) => {
    if (!isPolicyObject(object)) return true;
    const [from, to] = lines(object);
    coverage.addRange(object.at.file, from, to);
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
      const how = { inline: '', include: ' (from a named template)', values: ' (from Helm values)', kustomize: ' (from Kustomize)' }[viaOf(entry, object)];
      const conditions = labelConditions(entry);
      const when = conditions.length > 0 ? ` when ${conditions.map((condition) => condition.expression).join(' and ')}` : '';
      detections.add({ ruleId: 'aadpodidbinding-label', at: entry.keyOrigin, message: `${title}: aadpodidbinding=${labelValue(entry)} on the pod template${how}${when}` });
    }
    for (const entry of view.selectorLabels) {
      if (entry.key !== podIdentityLabel) continue;
      detections.add({ ruleId: 'aadpodidbinding-label', at: entry.keyOrigin, message: `${title}: aadpodidbinding=${labelValue(entry)} in the selector, which is immutable: removing it means re-creating the ${object.kind}` });
    }
    for (const entry of view.metadataLabels) {
      if (entry.key !== podIdentityLabel) continue;
      detections.add({ ruleId: 'aadpodidbinding-label', at: entry.keyOrigin, message: `${title}: aadpodidbinding=${labelValue(entry)} on the ${object.kind}'s own labels` });
    }
    for (const container of view.template.containers) {
      const image = textOf(container.image) ?? '';
      if (/aad-pod-identity\/(mic|nmi)(:|@|$)/.test(image)) {
        detections.add({ ruleId: 'pod-identity-install', at: container.image?.origin ?? container.at, message: `${title} runs aad-pod-identity's ${/\/mic/.test(image) ? 'MIC' : 'NMI'} (${image}); remove it once no workload uses pod identity`, subject: objectSubject(object) });
      }
    }
  }

  for (const release of manifests.releases) {
    const binding = kedaOperatorPodIdentity(release);
    if (binding) {
      detections.add({ ruleId: 'keda-pod-identity', at: binding.keyOrigin, message: `${objectTitle(release.object, namespace)}: podIdentity.activeDirectory.identity: ${binding.value} gives the KEDA operator aad-pod-identity; use podIdentity.azureWorkload.enabled and clientId`, subject: objectSubject(release.object) });
    }
  }
  for (const { release, label } of manifests.releaseLabels) {
    detections.add({
      ruleId: 'aadpodidbinding-label',
      at: label.keyOrigin,
      message: `${release.terraform ? `helm_release ${release.terraform.address}` : objectTitle(release.object, namespace)}: its values set aadpodidbinding=${labelValue(label)} for chart ${release.chart ?? '?'}, so its pods carry the label`,
    });
  }
  // A Terraform helm_release's values (a `set` block, a yamlencode map, a values file), whatever its chart renders.
  for (const release of manifests.releases) {
    if (!release.terraform) continue;
    for (const label of labelsInValues(release.values)) {
      if (detections.hasLine('aadpodidbinding-label', label.keyOrigin.file, label.keyOrigin.line)) continue;
      detections.add({
        ruleId: 'aadpodidbinding-label',
        at: label.keyOrigin,
        message: `helm_release ${release.terraform.address}: its values set aadpodidbinding=${labelValue(label)} for chart ${release.chart ?? '?'}, so its pods carry the label`,
      });
    }
  }
  for (const object of objects) {
    const title = objectTitle(object, namespace);
    if (isPodIdentityObject(object)) {
      const [from, to] = lines(object);
      coverage.addRange(object.at.file, from, to);
      detections.add({ ruleId: 'pod-identity-object', at: object.at, message: `${title}: aad-pod-identity object; delete it at cut-over`, subject: objectSubject(object) });
      continue;
    }
    if (object.kind === 'CustomResourceDefinition' && textOf(getIn(object.root, ['spec', 'group'])) === podIdentityGroup) {
      const [from, to] = lines(object);
      coverage.addRange(object.at.file, from, to);
      detections.add({ ruleId: 'pod-identity-install', at: object.at, message: `CustomResourceDefinition ${displayName(object)} installs aad-pod-identity's API; delete it at cut-over`, subject: objectSubject(object) });
      continue;
    }
    const chart = installedChart(object);
    if (chart) {
      detections.add({ ruleId: 'pod-identity-install', at: object.at, message: `${title} installs the ${chart} chart; remove it once no workload uses pod identity`, subject: objectSubject(object) });
    }
    const providerClass = readSecretProviderClass(object, namespace);
    if (providerClass?.podIdentity && providerClass.usePodIdentity) {
      detections.add({
        ruleId: 'secret-provider-pod-identity',
        at: providerClass.usePodIdentity.keyOrigin,
        message: `${title}: usePodIdentity: ${providerClass.usePodIdentity.shown} gets Key Vault tokens from aad-pod-identity; set clientID to the identity's client ID and usePodIdentity: "false"`,
        subject: objectSubject(object),
      });
    }
    const trigger = readTriggerAuthentication(object, namespace);
    if (trigger && trigger.provider.value === kedaPodIdentityProvider) {
      detections.add({
        ruleId: 'keda-pod-identity',
        at: trigger.providerKeyOrigin,
        message: `${trigger.namespace === null ? `${object.kind} ${displayName(object)}` : title}: podIdentity.provider: ${kedaPodIdentityProvider} is aad-pod-identity; use ${kedaWorkloadIdentityProvider} once the KEDA operator runs on workload identity`,
        subject: objectSubject(object),
      });
    }
    for (const found of keysNamed(object.root, podIdentityLabel)) {
      detections.add({ ruleId: 'aadpodidbinding-label', at: found.at, message: `${title}: aadpodidbinding${found.value === null ? '' : `=${found.value}`} at ${found.path.join('.')}` });
    }
  }

  for (const label of manifests.conditionalLabels) {
    detections.add({ ruleId: 'aadpodidbinding-label', at: label.at, message: `template sets aadpodidbinding=${label.value} when ${label.condition} (${label.unit.label}); pods carry the label when an installer sets that` });
  }
  detectKustomizePatches(context);
}

/** The chart an object installs when it is aad-pod-identity: a Flux HelmRelease or an Argo CD Application. */
function installedChart(object: RenderedObject): string | null {
  const candidates: (string | null | undefined)[] = [];
  if (object.kind === 'HelmRelease') candidates.push(textOf(getIn(object.root, ['spec', 'chart', 'spec', 'chart'])));
  if (object.kind === 'Application' && object.apiVersion.startsWith('argoproj.io/')) {
    candidates.push(textOf(getIn(object.root, ['spec', 'source', 'chart'])));
    const sources = getIn(object.root, ['spec', 'sources']);
    if (isSeq(sources)) for (const source of sources.items) candidates.push(textOf(get(source, 'chart')));
  }
  const found = candidates.find((chart): chart is string => typeof chart === 'string' && /(^|\/)aad-pod-identity\/?$/.test(chart));
  return found === undefined ? null : 'aad-pod-identity';
}

interface FoundKey {
  readonly at: Origin;
  readonly path: readonly string[];
  readonly value: string | null;
}

/** Every map key named `name` under a rendered node, with its path. */
export function keysNamed(root: RNode | null, name: string): FoundKey[] {
  const found: FoundKey[] = [];
  const visit = (node: RNode | null, path: readonly string[]): void => {
    if (isMap(node)) {
      for (const pair of node.pairs) {
        if (pair.key === name) found.push({ at: pair.keyOrigin, path: [...path, pair.key], value: scalarRef(pair.value)?.display ?? null });
        visit(pair.value, [...path, pair.key]);
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
    if (!kustomizationName.test(file.path)) continue;
    const source = texts.file(file.path);
    if (!source?.text.includes('patch')) continue;
    const tree = readTree(file.path, source.text, { source: 'manifest' });
    const root = tree.documents[0]?.node ?? null;
    if (!isMap(root)) continue;
    const lines = texts.lines(file.path) ?? [];
    const dir = dirname(file.path);
    for (const key of ['patchesStrategicMerge', 'patches', 'patchesJson6902', 'patchesJSON6902']) {
      const list = get(root, key);
      if (!isSeq(list)) continue;
      for (const item of list.items) {
        const target = describeTarget(isMap(item) ? get(item, 'target') : null);
        const pathNode = isMap(item) ? get(item, 'path') : item;
        const inline = isMap(item) ? get(item, 'patch') : null;
        const pathValue = textOf(pathNode);
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
        if (!isScalar(patch) || !patch.origin.span) continue;
        const [start, end] = patch.origin.span;
        const removals = labelRemovals(String(patch.value ?? ''));
        for (let offset = source.text.indexOf(podIdentityLabel, start); offset >= 0 && offset < end; offset = source.text.indexOf(podIdentityLabel, offset + 1)) {
          const line = lineOf(source.text, offset);
          const column = offset - source.text.lastIndexOf('\n', offset - 1);
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

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function describeTarget(target: RNode | null): string {
  if (!isMap(target)) return '';
  const kind = textOf(get(target, 'kind'));
  const name = textOf(get(target, 'name'));
  const described = [kind, name].filter((part): part is string => typeof part === 'string' && part !== '').join(' ');
  return described ? ` to ${described}` : '';
}
