import { isMap, type Node, type YAMLMap } from 'yaml';
import type { HelmRelease } from '../k8s/flux.js';
import type { ValuesLayer } from '../k8s/helm/chart.js';
import { type K8sObject } from '../k8s/object.js';
import type { Entry } from '../k8s/source-doc.js';
import { immutableSelectorKinds, mapEntries, readWorkload, type WorkloadView } from '../k8s/workloads.js';
import type { Location } from '../model/location.js';
import type { WorkloadReport } from '../model/report.js';
import type { Decision } from '../plan/decide.js';
import type { ServiceAccountPlan, WorkloadPlan } from '../plan/model.js';
import { isPodIdentityObject } from '../podidentity/crds.js';
import { podIdentityLabel } from '../podidentity/graph.js';
import {
  clientIdAnnotation,
  proxyPortAnnotation,
  proxySidecarAnnotation,
  tenantIdAnnotation,
  useLabel,
} from '../podidentity/inventory.js';
import type { Analysis } from '../run.js';
import type { FixFindingId } from './finding-ids.js';
import {
  childMap,
  childSeq,
  keyString,
  lineEndOf,
  locate,
  locateMap,
  locatePairByKey,
  pairFor,
  scalarString,
  type FileModel,
  type Located,
} from './file-model.js';
import { blockInjections, linesToAdd, templateLineRemoval, valuesPathOf } from './helm-edits.js';
import {
  kustomizationClosure,
  kustomizeLabelSite,
  offsetOf,
  patchTemplateLabels,
  removeKustomizeLabel,
  removeResourceEntry,
} from './kustomize-edits.js';
import { Work, type FixNote } from './work.js';
import type { Workspace } from './workspace.js';
import {
  appendDocument,
  appendItem,
  ensurePairs,
  newFileText,
  removeDocuments,
  removeEntries,
  removeKeys,
  type Tree,
} from './yaml-edits.js';

/** The three phases of the migration guide: side by side, then off pod identity, then off the proxy. */
export const phases = ['parallel', 'cutover', 'finalize'] as const;
export type Phase = (typeof phases)[number];

export const nextPhase: Readonly<Record<Phase, Phase | null>> = { parallel: 'cutover', cutover: 'finalize', finalize: null };

/** A workload as the fix stage sees it: the report, the plan, and where its pod template is written. */
export interface Target {
  readonly report: WorkloadReport;
  readonly plan: WorkloadPlan | null;
  /** The workload read from its manifest; null for a HelmRelease of a chart outside the repository. */
  readonly view: WorkloadView | null;
  readonly object: K8sObject;
  /**
   * For a HelmRelease of an external chart: the release, the values entry that sets aadpodidbinding (null once it is
   * gone), and an entry of the values map that holds the pod labels (aadpodidbinding, or the use label).
   */
  readonly release: { readonly release: HelmRelease; readonly label: Entry | null; readonly labels: Entry } | null;
}

/** A workload (or other subject) that gets no edit in this phase, with why. */
export interface Skip {
  readonly workload: string;
  readonly reason: string;
  readonly at: Location;
  readonly id: FixFindingId;
}

export interface PhaseContext {
  readonly analysis: Analysis;
  readonly workspace: Workspace;
  readonly targets: readonly Target[];
  /** The migration verdict decided again for a workload (finalize: is the SDK workload-identity capable now?). */
  readonly decideAgain: (report: WorkloadReport) => Decision;
  /**
   * Whether this run edits a target's workload. Every target is still seen, so decisions about shared objects (a
   * binding used by several workloads) account for the workloads left out.
   */
  readonly selected: (target: Target) => boolean;
}

export interface PhaseResult {
  readonly works: Work[];
  readonly skipped: Skip[];
  readonly notes: FixNote[];
}

function originOf(object: K8sObject): string | null {
  return object.overlay?.kustomization ?? object.helm?.release ?? (object.helm ? object.helm.chart.dir || '.' : null);
}

/** Pairs each reported workload with the object and view it was read from, and its plan. */
export function findTargets(analysis: Analysis): Target[] {
  const plans = new Map(analysis.plan.workloads.map((plan) => [plan.workload, plan]));
  const views: WorkloadView[] = [];
  for (const object of analysis.manifests.objects) {
    if (isPodIdentityObject(object) || object.kind === 'ServiceAccount' || object.kind === 'Namespace') continue;
    const view = readWorkload(object);
    if (view) views.push(view);
  }
  const targets: Target[] = [];
  for (const report of analysis.report.workloads) {
    const plan = plans.get(report.id) ?? null;
    if (report.kind === 'HelmRelease') {
      const found = analysis.manifests.releaseLabels.find(
        (item) => item.release.object.at.file === report.file && item.release.object.at.line === report.line && (report.podIdentity === null || (item.label.keyAt.file === report.podIdentity.file && item.label.keyAt.line === report.podIdentity.line)),
      );
      if (found) targets.push({ report, plan, view: null, object: found.release.object, release: { release: found.release, label: found.label, labels: found.label } });
      continue;
    }
    const view = views.find((candidate) => candidate.kind === report.kind && candidate.object.at.file === report.file && candidate.object.at.line === report.line && originOf(candidate.object) === report.origin);
    if (view) targets.push({ report, plan, view, object: view.object, release: null });
  }
  // Releases of external charts already off aad-pod-identity are no workload of the scan any more (it finds them by
  // their aadpodidbinding value); the finalize phase still needs them, by their use label.
  const charted = new Set(analysis.manifests.charts.map((chart) => chart.dir));
  for (const release of analysis.manifests.releases) {
    if (targets.some((target) => target.release?.release === release) || release.chart === 'aad-pod-identity') continue;
    if (release.chart && charted.has(release.chart.replace(/^\.\//, '').replace(/\/$/, ''))) continue;
    const use = release.values ? valuesEntry(release.values, useLabel) : null;
    if (!use) continue;
    targets.push({ report: releaseReport(release, 'default'), plan: null, view: null, object: release.object, release: { release, label: null, labels: use } });
  }
  return targets;
}

/** The first entry with `key` under a values map, located in its file. */
function valuesEntry(layer: ValuesLayer, key: string): Entry | null {
  let found: Entry | null = null;
  const visit = (node: unknown): void => {
    if (found) return;
    if (isMap(node)) {
      for (const pair of node.items) {
        const keyNode = pair.key as Node | null;
        if (keyString(pair) === key && keyNode?.range) {
          const keyAt = { file: layer.doc.file, ...layer.doc.index.position(keyNode.range[0]) };
          found = { key, keyAt, node: (pair.value as Node | null) ?? null, value: { value: scalarString(pair.value), at: keyAt }, doc: layer.doc, via: 'values', conditions: [] };
          return;
        }
        visit(pair.value);
      }
    }
  };
  visit(layer.root);
  return found;
}

/** The report of a release's pods as the scan would write it: what the verdict needs (its id, no containers). */
function releaseReport(release: HelmRelease, fallbackNamespace: string): WorkloadReport {
  const namespace = release.namespace?.value ?? release.object.namespace?.value ?? fallbackNamespace;
  const at = release.object.at;
  return {
    id: `HelmRelease/${namespace}/${release.releaseName}`,
    kind: 'HelmRelease',
    name: release.releaseName,
    namespace,
    namespaceSource: 'helm-release',
    namespaceAt: null,
    source: release.object.source,
    endLine: at.line,
    credentialUses: [],
    origin: null,
    generic: true,
    file: at.file,
    line: at.line,
    serviceAccount: { name: release.releaseName, implicit: false, exists: false, file: at.file, line: at.line },
    podIdentity: null,
    workloadIdentity: { useLabel: true, clientId: null, tenantId: null, proxySidecar: true, proxySidecarPort: null, useLabelAt: null, clientIdAt: null },
    os: 'unknown',
    osAt: null,
    hostNetwork: false,
    containers: [],
    injectedSidecars: [],
    migration: { path: 'migrated', blocked: false, reasons: [], warnings: [] },
  };
}

const noClientId = 'no identity with a usable client ID is bound to it, so there is nothing to annotate its ServiceAccount with (see client-id-unknown in pod2wi scan)';

const at = (report: WorkloadReport): Location => ({ file: report.podIdentity?.file ?? report.file, line: report.podIdentity?.line ?? report.line, column: 1 });
const where = (location: { file: string; line: number }) => `${location.file}:${location.line}`;

function reasonsText(plan: WorkloadPlan, codes: (code: string) => boolean): string {
  const chosen = plan.reasons.filter((reason) => codes(reason.code));
  const list = chosen.length > 0 ? chosen : plan.reasons.slice(-1);
  return list.map((reason) => `${reason.message}${reason.file ? ` (${reason.file}:${reason.line ?? 1})` : ''}`).join('; ');
}

/** Why a workload is not on a path pod2wi edits: its verdict, with the evidence. */
function verdictReason(plan: WorkloadPlan | null): string {
  if (!plan) return 'no migration plan';
  if (plan.blocked) return `blocked: ${reasonsText(plan, (code) => code.startsWith('blocked-'))}`;
  if (plan.path === 'unknown') return `path unknown: ${reasonsText(plan, (code) => ['application-unlinked', 'no-credential-evidence', 'sdk-version-unknown'].includes(code))}`;
  return `path ${plan.path}`;
}

/** The map of the pod template (or the Pod itself) in the file model. */
function templateMap(ctx: PhaseContext, target: Target): { file: FileModel; map: Located<YAMLMap> } | null {
  const file = ctx.workspace.model(target.object.doc.file);
  const node = target.view?.template.node;
  const start = node?.range?.[0];
  if (!file || start === undefined) return null;
  const map = locateMap(file, start);
  return map ? { file, map } : null;
}

function valuesRoot(ctx: PhaseContext, layer: ValuesLayer): { file: FileModel; map: Located<YAMLMap> } | null {
  const file = ctx.workspace.model(layer.doc.file);
  const start = layer.root?.range?.[0];
  if (!file || start === undefined || !isMap(layer.root)) return null;
  const map = locateMap(file, start);
  return map ? { file, map } : null;
}

/** The map holding an entry, found by the entry's key location. */
function mapOfEntry(ctx: PhaseContext, entry: Entry): { file: FileModel; map: Located<YAMLMap> } | null {
  const file = ctx.workspace.model(entry.doc.file);
  if (!file) return null;
  const found = locatePairByKey(file, offsetOf(file, entry.keyAt));
  return found ? { file, map: found.map } : null;
}

function parentMap(map: Located<YAMLMap>): Located<YAMLMap> | null {
  const root = map.file.docs[map.doc]?.contents as Node | null | undefined;
  if (!isMap(root)) return null;
  let current: Located<YAMLMap> | null = { file: map.file, doc: map.doc, path: [], node: root };
  for (const key of map.path.slice(0, -1)) current = current ? childMap(current, key) : null;
  return current;
}

const proxyPairs = (plan: WorkloadPlan): Record<string, string> =>
  plan.proxy ? { [proxySidecarAnnotation]: 'true', ...(plan.proxy.port !== null ? { [proxyPortAnnotation]: String(plan.proxy.port) } : {}) } : {};

const serviceAccountPairs = (account: ServiceAccountPlan): Record<string, string> => ({
  [clientIdAnnotation]: account.clientId,
  ...(account.tenantId ? { [tenantIdAnnotation]: account.tenantId } : {}),
});

/**
 * Keeps only the pairs not already in effect (written inline, or through values, an include or Kustomize). A pair
 * in effect with another value that is not written inline is declined: pod2wi would write one place and the
 * other would still win.
 */
function missingPairs(work: Work, entries: readonly Entry[], pairs: Readonly<Record<string, string>>): Record<string, string> {
  const missing: Record<string, string> = {};
  for (const [key, value] of Object.entries(pairs)) {
    const found = entries.filter((entry) => entry.key === key);
    if (found.length > 0 && found.every((entry) => entry.value?.value === value)) continue;
    const elsewhere = found.find((entry) => entry.via !== 'inline' && entry.value?.value !== value);
    if (elsewhere) {
      work.decline(`${key} is set to ${JSON.stringify(elsewhere.value?.value ?? elsewhere.value?.template ?? '')} by ${where(elsewhere.keyAt)} (${elsewhere.via}); change it there`);
      continue;
    }
    missing[key] = value;
  }
  return missing;
}

// ---------------------------------------------------------------------------------------------------- parallel

/**
 * Parallel phase: the use label on the pod template, the client-id (and tenant-id) on the ServiceAccount (created
 * when planned), the proxy annotations on the legacy path. aadpodidbinding stays: both run side by side.
 */
export function parallel(ctx: PhaseContext): PhaseResult {
  const works: Work[] = [];
  const skipped: Skip[] = [];
  const notes: FixNote[] = [];
  for (const target of ctx.targets) {
    const plan = target.plan;
    const id = target.report.id;
    if (!ctx.selected(target) || !plan || plan.path === 'migrated' || plan.path === 'not-applicable') continue;
    if (plan.path === 'unknown' || plan.blocked) {
      skipped.push({ workload: id, reason: verdictReason(plan), at: at(target.report), id: 'fix-skipped' });
      continue;
    }
    if (!plan.identity || !plan.serviceAccount) {
      skipped.push({ workload: id, reason: noClientId, at: at(target.report), id: 'fix-skipped' });
      continue;
    }
    const work = new Work(id, at(target.report));
    if (target.release) parallelRelease(ctx, target, plan, work);
    else parallelWorkload(ctx, target, plan, work);
    works.push(work);
  }
  sharedManifests(ctx, works, skipped);
  return { works, skipped, notes };
}

function parallelWorkload(ctx: PhaseContext, target: Target, plan: WorkloadPlan, work: Work): void {
  const account = plan.serviceAccount;
  if (!account || !target.view) return;
  const id = target.report.id;
  templatePairs(ctx, target, work, 'labels', { [useLabel]: 'true' }, `${id}: label the pod template for workload identity (the webhook only mutates pods carrying it)`);
  if (plan.proxy) {
    templatePairs(ctx, target, work, 'annotations', proxyPairs(plan), `${id}: inject the migration proxy sidecar (legacy SDK: it still asks IMDS for tokens)`);
  }
  if (account.action === 'reuse') reuseServiceAccount(ctx, target, account, work);
  else if (account.action === 'create') createServiceAccount(ctx, target, account, work);
  else work.decline(`ServiceAccount ${account.name} is managed by a chart pod2wi cannot see`);
  recreateNote(target, work, account.changesWorkload);
}

/** Pods no controller re-creates, and Job templates (immutable), take the change only when re-created by hand. */
function recreateNote(target: Target, work: Work, accountChanges: boolean): void {
  const id = target.report.id;
  if (target.report.kind === 'Pod') {
    work.note('fix-recreate-pod', at(target.report), `${id}: the webhook only mutates pods when they are created${accountChanges ? ' and a Pod\'s serviceAccountName cannot change in place' : ''}; delete and re-create the Pod`);
  } else if (target.report.kind === 'Job') {
    work.note('fix-recreate-pod', at(target.report), `${id}: a Job's pod template cannot change once it exists; delete and re-create the Job (or let its next run pick the change up)`);
  }
}

function templatePairs(ctx: PhaseContext, target: Target, work: Work, which: 'labels' | 'annotations', pairs: Readonly<Record<string, string>>, why: string): void {
  const view = target.view;
  if (!view) return;
  const missing = missingPairs(work, which === 'labels' ? view.template.labels : view.template.annotations, pairs);
  if (Object.keys(missing).length === 0) return;
  const template = templateMap(ctx, target);
  if (!template) {
    work.decline(`cannot locate the pod template of ${target.report.id} in ${target.object.doc.file}`);
    return;
  }
  if (target.object.source === 'helm') {
    helmTemplatePairs(ctx, target, work, which, missing, why, template);
    return;
  }
  work.add(template.file, ensurePairs(template.map, ['metadata', which], missing, why));
}

/**
 * Pod labels and annotations of a chart's template: where the chart takes them from values (`toYaml
 * .Values.podLabels`), the values are edited; where the template writes them, the template; where the label comes
 * from values but the chart has no values for annotations, nothing (a finding gives the lines to add).
 */
function helmTemplatePairs(
  ctx: PhaseContext,
  target: Target,
  work: Work,
  which: 'labels' | 'annotations',
  pairs: Readonly<Record<string, string>>,
  why: string,
  template: { file: FileModel; map: Located<YAMLMap> },
): void {
  const view = target.view;
  const instance = target.object.helm;
  if (!view || !instance) return;
  const metadata = childMap(template.map, 'metadata');
  const pair = metadata ? pairFor(metadata.node, which) : null;
  const keyOffset = pair?.key.range?.[0];
  const injections = keyOffset === undefined ? [] : blockInjections(template.file, keyOffset);
  const valuesPath = injections.map(valuesPathOf).find((path): path is string[] => path !== null) ?? null;
  const label = view.template.labels.find((entry) => entry.key === podIdentityLabel);
  if (which === 'labels' && label?.via === 'values') {
    const holder = mapOfEntry(ctx, label);
    if (!holder) {
      work.decline(`cannot locate the values map holding aadpodidbinding (${where(label.keyAt)})`);
      return;
    }
    work.add(holder.file, ensurePairs(holder.map, [], pairs, why));
    return;
  }
  if (valuesPath) {
    const preferred = label?.via === 'values' ? instance.values.find((layer) => layer.doc.file === label.doc.file) : undefined;
    const layer = preferred ?? instance.values[0];
    const root = layer ? valuesRoot(ctx, layer) : null;
    if (!root) {
      work.decline(`the chart takes pod ${which} from .Values.${valuesPath.join('.')}, but its values file is empty`, 'fix-chart-cannot-express');
      return;
    }
    work.add(root.file, ensurePairs(root.map, valuesPath, pairs, why));
    return;
  }
  if (label?.via === 'values') {
    const lines = linesToAdd(which, Object.entries(pairs), 6);
    work.decline(
      `chart ${instance.chart.dir || '.'} takes the pod labels from values but has no values for pod ${which}; add to ${template.file.path} under spec.template.metadata:\n${lines}`,
      'fix-chart-cannot-express',
    );
    return;
  }
  work.add(template.file, ensurePairs(template.map, ['metadata', which], pairs, why));
}

function serviceAccountObject(ctx: PhaseContext, target: Target, account: ServiceAccountPlan): K8sObject | null {
  const existing = account.existing;
  if (!existing) return null;
  const candidates = ctx.analysis.manifests.objects.filter((object) => object.kind === 'ServiceAccount' && object.at.file === existing.file && object.at.line === existing.line);
  return (
    candidates.find((object) => object.helm === target.object.helm && originOf(object) === originOf(target.object)) ??
    candidates.find((object) => originOf(object) === originOf(target.object)) ??
    candidates[0] ??
    null
  );
}

function reuseServiceAccount(ctx: PhaseContext, target: Target, account: ServiceAccountPlan, work: Work): void {
  const object = serviceAccountObject(ctx, target, account);
  const file = object ? ctx.workspace.model(object.doc.file) : null;
  const start = object?.node.range?.[0];
  const map = file && start !== undefined ? locateMap(file, start) : null;
  if (!object || !file || !map) {
    work.decline(`cannot locate ServiceAccount ${account.name}${account.existing ? ` at ${where(account.existing)}` : ''}`);
    return;
  }
  const annotations = mapEntries(object.doc, object.node, ['metadata', 'annotations']);
  const current = annotations.find((entry) => entry.key === clientIdAnnotation)?.value?.value;
  if (current && current !== account.clientId) {
    work.decline(`ServiceAccount ${account.name} already has ${clientIdAnnotation}: ${current}, not the client ID of the bound identity (${account.clientId}); decide which identity it should use`);
    return;
  }
  const why = `${target.report.id}: give ServiceAccount ${account.name} the identity's client ID (the webhook sets AZURE_CLIENT_ID from it)`;
  const pairs = missingPairs(work, annotations, serviceAccountPairs(account));
  if (Object.keys(pairs).length === 0) return;
  if (object.source !== 'helm' || !object.helm) {
    work.add(file, ensurePairs(map, ['metadata', 'annotations'], pairs, why));
    return;
  }
  const metadata = childMap(map, 'metadata');
  const pair = metadata ? pairFor(metadata.node, 'annotations') : null;
  const keyOffset = pair?.key.range?.[0];
  const injections = keyOffset === undefined ? [] : blockInjections(file, keyOffset);
  const valuesPath = injections.map(valuesPathOf).find((path): path is string[] => path !== null) ?? null;
  if (valuesPath) {
    const layer = object.helm.values[0];
    const root = layer ? valuesRoot(ctx, layer) : null;
    if (!root) {
      work.decline(`the chart takes ServiceAccount annotations from .Values.${valuesPath.join('.')}, but its values file is empty`, 'fix-chart-cannot-express');
      return;
    }
    work.add(root.file, ensurePairs(root.map, valuesPath, pairs, why));
    return;
  }
  if (injections.length > 0) {
    work.decline(
      `ServiceAccount ${account.name} takes its annotations from a named template; add to ${file.path} under metadata:\n${linesToAdd('annotations', Object.entries(pairs), 2)}`,
      'fix-chart-cannot-express',
    );
    return;
  }
  work.add(file, ensurePairs(map, ['metadata', 'annotations'], pairs, why));
}

/** The name as written in a Kustomize base, given the rendered name: without the overlay's prefix and suffix. */
function writtenName(target: Target, name: string): string | null {
  const overlay = target.object.overlay;
  if (!overlay || (!overlay.namePrefix && !overlay.nameSuffix)) return name;
  if (!name.startsWith(overlay.namePrefix) || !name.endsWith(overlay.nameSuffix) || name.length <= overlay.namePrefix.length + overlay.nameSuffix.length) return null;
  return name.slice(overlay.namePrefix.length, name.length - overlay.nameSuffix.length);
}

function objectCount(file: FileModel): number {
  let count = 0;
  for (const doc of file.docs) {
    const root = doc.contents;
    if (!isMap(root)) continue;
    const items = pairFor(root, 'items')?.value;
    const kind = scalarString(pairFor(root, 'kind')?.value) ?? '';
    count += kind.endsWith('List') && items && 'items' in items ? (items as { items: unknown[] }).items.length : 1;
  }
  return count;
}

function dirOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash + 1);
}

function createServiceAccount(ctx: PhaseContext, target: Target, account: ServiceAccountPlan, work: Work): void {
  const id = target.report.id;
  const name = writtenName(target, account.name);
  if (name === null) {
    work.decline(`ServiceAccount ${account.name} does not carry the overlay's name prefix/suffix, so its name in the base is unclear`);
    return;
  }
  const file = ctx.workspace.model(target.object.doc.file);
  const start = target.object.node.range?.[0];
  if (!file || start === undefined) {
    work.decline(`cannot locate ${id} in ${target.object.doc.file}`);
    return;
  }
  const namespace = target.object.source !== 'helm' && target.object.namespace?.value && target.object.namespace.template === undefined ? target.object.namespace.value : null;
  const tree: Tree = {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name, ...(namespace ? { namespace } : {}), annotations: serviceAccountPairs(account) },
  };
  const why = `${id}: ServiceAccount ${account.name} for workload identity (${account.reason === 'default' ? 'the workload ran as default' : account.reason === 'missing' ? 'named by the workload but not in the repository' : 'its account is shared with workloads of other identities'})`;
  const located = locate(file, start);
  const inList = located !== null && located.path.length > 0;
  if (target.object.source === 'helm') {
    const chartDir = target.object.helm?.chart.dir ?? '';
    const path = `${chartDir ? `${chartDir}/` : ''}templates/${name}-serviceaccount.yaml`;
    if (ctx.workspace.exists(path)) {
      work.decline(`${path} already exists`);
      return;
    }
    work.creates.push({ file: path, text: newFileText(tree, false, file.indentStep, file.eol), docs: [tree] });
  } else if (inList && located) {
    const items = located.path.length === 2 && located.path[0] === 'items' ? listOf(file, located) : null;
    if (!items) {
      work.decline(`cannot locate the items of the List holding ${id}`);
      return;
    }
    work.add(file, appendItem(items, tree, why));
  } else if (target.object.source === 'kustomize' || (!file.json && objectCount(file) > 1)) {
    // A Kustomize resource file gets the account as another document, so the kustomization needs no new entry.
    work.add(file, appendDocument(file, tree, why));
  } else {
    const path = `${dirOf(file.path)}${name}-serviceaccount.${file.json ? 'json' : 'yaml'}`;
    if (ctx.workspace.exists(path)) {
      work.decline(`${path} already exists`);
      return;
    }
    work.creates.push({ file: path, text: newFileText(tree, file.json, file.indentStep, file.eol), docs: [tree] });
  }
  if (account.changesWorkload) {
    const template = templateMap(ctx, target);
    const spec = template ? childMap(template.map, 'spec') : null;
    if (!template || !spec) {
      work.decline(`cannot locate the pod spec of ${id}`);
      return;
    }
    const pairs: Record<string, string> = { serviceAccountName: name };
    // The deprecated alias would contradict the new name if left behind.
    if (pairFor(spec.node, 'serviceAccount')) pairs.serviceAccount = name;
    work.add(template.file, ensurePairs(spec, [], pairs, `${id}: run as ServiceAccount ${account.name}`));
  }
}

function listOf(file: FileModel, located: Located): ReturnType<typeof childSeq> {
  const root = file.docs[located.doc]?.contents as Node | null | undefined;
  if (!isMap(root)) return null;
  return childSeq({ file, doc: located.doc, path: [], node: root }, 'items');
}

function siblingAnnotationsKey(key: string): string | null {
  if (key === 'labels') return 'annotations';
  const match = /^(.*)Labels$/.exec(key);
  return match ? `${match[1]}Annotations` : null;
}

/** A HelmRelease of a chart outside the repository: its values, by the conventions most charts follow. */
function parallelRelease(ctx: PhaseContext, target: Target, plan: WorkloadPlan, work: Work): void {
  const release = target.release;
  const account = plan.serviceAccount;
  if (!release || !account) return;
  const id = target.report.id;
  const holder = mapOfEntry(ctx, release.labels);
  if (!holder) {
    work.decline(`cannot locate the values map holding aadpodidbinding (${where(release.labels.keyAt)})`);
    return;
  }
  work.add(holder.file, ensurePairs(holder.map, [], { [useLabel]: 'true' }, `${id}: label the chart's pods for workload identity`));
  if (plan.proxy) {
    const owner = holder.map.path[holder.map.path.length - 1];
    const key = typeof owner === 'string' ? siblingAnnotationsKey(owner) : null;
    const parent = key ? parentMap(holder.map) : null;
    if (!key || !parent) {
      work.decline(`the chart's values set pod labels under ${holder.map.path.join('.')}; pod2wi does not know where they take pod annotations. Add to the release values:\n${linesToAdd('podAnnotations', Object.entries(proxyPairs(plan)), 4)}`, 'fix-chart-cannot-express');
      return;
    }
    work.add(holder.file, ensurePairs(parent, [key], proxyPairs(plan), `${id}: inject the migration proxy sidecar (legacy SDK)`));
  }
  const values = release.release.values;
  const root = values ? valuesRoot(ctx, values) : null;
  if (!root) {
    work.decline(`HelmRelease ${release.release.releaseName} has no spec.values map`);
    return;
  }
  const serviceAccount = childMap(root.map, 'serviceAccount');
  if (serviceAccount && scalarString(pairFor(serviceAccount.node, 'create')?.value) === 'false') {
    work.decline(`HelmRelease ${release.release.releaseName} sets serviceAccount.create: false, so the chart does not own the ServiceAccount ${account.name}; annotate it where it is defined:\n${linesToAdd('annotations', Object.entries(serviceAccountPairs(account)), 2)}`, 'fix-chart-cannot-express');
    return;
  }
  work.add(root.file, ensurePairs(root.map, ['serviceAccount', 'annotations'], serviceAccountPairs(account), `${id}: annotate the chart's ServiceAccount with the identity's client ID`));
}

/** Whether a release's values show workload identity: the use label beside aadpodidbinding and a client-id. */
function releaseOnWorkloadIdentity(ctx: PhaseContext, target: Target): boolean {
  const release = target.release;
  if (!release) return false;
  const holder = mapOfEntry(ctx, release.labels);
  const use = holder ? scalarString(pairFor(holder.map.node, useLabel)?.value) : null;
  const values = release.release.values;
  const root = values ? valuesRoot(ctx, values) : null;
  const account = root ? childMap(root.map, 'serviceAccount') : null;
  const annotations = account ? childMap(account, 'annotations') : null;
  const clientId = annotations ? scalarString(pairFor(annotations.node, clientIdAnnotation)?.value) : null;
  return use === 'true' && Boolean(clientId);
}

/**
 * A manifest rendered into several workloads (a Kustomize base under two overlays, a chart under two releases) is
 * edited only when every one of them takes the same edit; otherwise all of them are skipped, with why.
 */
function sharedManifests(ctx: PhaseContext, works: Work[], skipped: Skip[]): void {
  const groups = new Map<string, Target[]>();
  for (const target of ctx.targets) {
    const key = `${target.object.doc.file}#${target.object.node.range?.[0] ?? 0}`;
    groups.set(key, [...(groups.get(key) ?? []), target]);
  }
  for (const members of groups.values()) {
    if (members.length < 2) continue;
    const ids = members.map((member) => member.report.id);
    const editing = works.filter((work) => ids.includes(work.owner) && !work.declined && !work.empty);
    const stopped = skipped.filter((skip) => ids.includes(skip.workload));
    const declinedWorks = works.filter((work) => ids.includes(work.owner) && work.declined);
    if (editing.length === 0 || (stopped.length === 0 && declinedWorks.length === 0)) continue;
    const other = stopped[0]?.workload ?? declinedWorks[0]?.owner ?? '';
    for (const work of editing) {
      work.decline(`its manifest ${members[0]?.object.doc.file ?? ''} also renders ${other}, which gets no edit in this phase; edit both by hand or resolve ${other} first`, 'fix-skipped');
    }
  }
}

// ---------------------------------------------------------------------------------------------------- cut-over

function labelEntries(target: Target): Entry[] {
  if (target.release) return target.release.label ? [target.release.label] : [];
  return (target.view?.template.labels ?? []).filter((entry) => entry.key === podIdentityLabel);
}

const entryKey = (entry: Entry) => `${entry.keyAt.file}:${entry.keyAt.line}:${entry.keyAt.column}`;

/**
 * Cut-over: aadpodidbinding leaves the pod templates of workloads the repository shows on workload identity (never a
 * selector), and AzureIdentity, AzureIdentityBinding and AzurePodIdentityException documents go once nothing in
 * the repository needs them. Decided from the current state, so it runs after the parallel phase was committed.
 */
export function cutover(ctx: PhaseContext): PhaseResult {
  const works: Work[] = [];
  const skipped: Skip[] = [];
  const notes: FixNote[] = [];
  const onWorkloadIdentity = (target: Target) => (target.release ? releaseOnWorkloadIdentity(ctx, target) : target.report.migration.path === 'migrated');
  const carrying = ctx.targets.filter((target) => labelEntries(target).length > 0);
  const eligible = new Set(carrying.filter((target) => ctx.selected(target) && onWorkloadIdentity(target)).map((target) => target.report.id));
  const sharers = new Map<string, Set<string>>();
  for (const target of carrying) {
    for (const entry of labelEntries(target)) sharers.set(entryKey(entry), (sharers.get(entryKey(entry)) ?? new Set()).add(target.report.id));
  }

  for (const target of carrying) {
    const id = target.report.id;
    if (!eligible.has(id)) {
      const plan = target.plan;
      const reason = plan && (plan.blocked || plan.path === 'unknown')
        ? `still on pod identity, ${verdictReason(plan)}`
        : plan && plan.path !== 'migrated' && !plan.identity
          ? `still on pod identity: ${noClientId}`
          : 'still on pod identity: the repository does not show workload identity configured (the use label on the pod template and the client-id on its ServiceAccount); run and deploy pod2wi fix --phase parallel first';
      skipped.push({ workload: id, reason, at: at(target.report), id: 'fix-skipped' });
      continue;
    }
    const selector = target.view?.selectorLabels.find((entry) => entry.key === podIdentityLabel);
    if (selector && immutableSelectorKinds.has(target.report.kind)) {
      notes.push({
        id: 'fix-label-in-selector',
        at: { ...selector.keyAt },
        message: `${id}: aadpodidbinding is in spec.selector, which is immutable and must match the pod template, so it stays on the pod template too; delete and re-create the ${target.report.kind} without it, or leave it (it does nothing once aad-pod-identity is gone)`,
      });
      continue;
    }
    const work = new Work(id, at(target.report));
    const why = `${id}: take the pod off aad-pod-identity (it runs on workload identity now)`;
    for (const entry of labelEntries(target)) {
      const others = [...(sharers.get(entryKey(entry)) ?? [])].filter((other) => !eligible.has(other));
      if (others.length > 0) {
        work.decline(`aadpodidbinding at ${where(entry.keyAt)} also labels ${others.join(', ')}, which is not on workload identity yet`, 'fix-skipped');
        break;
      }
      removeLabel(ctx, entry, work, why);
    }
    works.push(work);
  }

  works.push(...podIdentityObjects(ctx, eligible, carrying, notes, skipped));
  works.push(...patchLabels(ctx, notes, skipped));
  return { works, skipped, notes };
}

function removeLabel(ctx: PhaseContext, entry: Entry, work: Work, why: string): void {
  const file = ctx.workspace.model(entry.doc.file);
  if (!file) {
    work.decline(`cannot read ${entry.doc.file}`);
    return;
  }
  if (entry.via === 'kustomize') {
    const site = kustomizeLabelSite(file, entry.keyAt);
    if (!site) {
      work.decline(`cannot locate aadpodidbinding at ${where(entry.keyAt)}`);
      return;
    }
    const selector = site.kind === 'commonLabels' || site.includeSelectors;
    work.add(file, removeKustomizeLabel(file, site, entry.key, why), selector ? 'fix-label-in-selector' : 'fix-manual-step');
    return;
  }
  if (entry.via === 'include') {
    // A named template's body is not YAML the parser sees: remove its line as text.
    const offset = offsetOf(file, entry.keyAt);
    const removal = templateLineRemoval(file, offset, lineEndOf(file.text, offset));
    if ('decline' in removal) {
      work.decline(`aadpodidbinding at ${where(entry.keyAt)}: ${removal.decline}`);
      return;
    }
    work.add(file, { edits: [{ file: file.path, start: removal.start, end: removal.end, expect: file.text.slice(removal.start, removal.end), text: '', why }], intents: [] });
    return;
  }
  const found = locatePairByKey(file, offsetOf(file, entry.keyAt));
  if (!found) {
    work.decline(`cannot locate aadpodidbinding at ${where(entry.keyAt)}`);
    return;
  }
  work.add(file, removeKeys(found.map, [entry.key], why, entry.via === 'values' ? 'braces' : 'key'));
}

/** Pod-identity objects to delete: a binding whose users are all cut over, an identity whose bindings all go. */
function podIdentityObjects(ctx: PhaseContext, eligible: ReadonlySet<string>, carrying: readonly Target[], notes: FixNote[], skipped: Skip[]): Work[] {
  const { report, manifests } = ctx.analysis;
  const remaining = carrying.filter((target) => !eligible.has(target.report.id));
  const deletedBindings = new Set<string>();
  const chosen: { object: K8sObject; why: string }[] = [];
  const objectsAt = (kind: string, evidence: { file: string; line: number }) =>
    manifests.objects.filter((object) => object.kind === kind && isPodIdentityObject(object) && object.at.file === evidence.file && object.at.line === evidence.line);
  for (const binding of report.bindings) {
    const objects = objectsAt('AzureIdentityBinding', binding);
    if (objects.length === 0) continue;
    if (binding.usedBy.length === 0) {
      notes.push({ id: 'fix-manual-step', at: { file: binding.file, line: binding.line, column: 1 }, message: `AzureIdentityBinding ${binding.namespace}/${binding.name} selects no workload in the repository; pod2wi keeps it (pods outside the repository may use it): delete it when aad-pod-identity is uninstalled` });
      continue;
    }
    if (!binding.usedBy.every((user) => eligible.has(user))) continue;
    deletedBindings.add(`${binding.file}:${binding.line}`);
    for (const object of objects) chosen.push({ object, why: `AzureIdentityBinding ${binding.namespace}/${binding.name}: every workload it selected is on workload identity` });
  }
  for (const identity of report.identities) {
    const objects = objectsAt('AzureIdentity', identity);
    if (objects.length === 0) {
      if (identity.usedBy.length > 0 && identity.usedBy.every((user) => eligible.has(user))) {
        notes.push({ id: 'fix-manual-step', at: { file: identity.file, line: identity.line, column: 1 }, message: `AzureIdentity ${identity.namespace}/${identity.name} is declared in the aad-pod-identity chart's values; remove it there (or uninstall the chart) now that its workloads are on workload identity` });
      }
      continue;
    }
    const naming = report.bindings.filter((binding) => binding.azureIdentity === identity.name && binding.namespace === identity.namespace);
    if (identity.usedBy.length === 0 || !identity.usedBy.every((user) => eligible.has(user))) continue;
    if (!naming.every((binding) => deletedBindings.has(`${binding.file}:${binding.line}`))) continue;
    for (const object of objects) chosen.push({ object, why: `AzureIdentity ${identity.namespace}/${identity.name}: every workload bound to it is on workload identity` });
  }
  if (remaining.length === 0) {
    for (const exception of report.exceptions) {
      for (const object of objectsAt('AzurePodIdentityException', exception)) {
        chosen.push({ object, why: `AzurePodIdentityException ${exception.namespace}/${exception.name}: no workload in the repository uses pod identity any more` });
      }
    }
  } else if (report.exceptions.length > 0 && eligible.size > 0) {
    for (const exception of report.exceptions) {
      skipped.push({ workload: `AzurePodIdentityException ${exception.namespace}/${exception.name}`, reason: `kept while ${remaining.length} workload${remaining.length === 1 ? '' : 's'} still use${remaining.length === 1 ? 's' : ''} pod identity (${remaining.map((target) => target.report.id).join(', ')})`, at: { file: exception.file, line: exception.line, column: 1 }, id: 'fix-skipped' });
    }
  }
  return deleteObjects(ctx, chosen);
}

/** Deletes objects file by file: documents, List items, or the whole file when nothing else is left in it. */
function deleteObjects(ctx: PhaseContext, chosen: readonly { object: K8sObject; why: string }[]): Work[] {
  const byFile = new Map<string, { object: K8sObject; why: string }[]>();
  for (const item of chosen) byFile.set(item.object.doc.file, [...(byFile.get(item.object.doc.file) ?? []), item]);
  const works: Work[] = [];
  for (const [path, items] of [...byFile].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const first = items[0]?.object;
    const work = new Work(`pod-identity objects in ${path}`, { file: path, line: first?.at.line ?? 1, column: 1 });
    works.push(work);
    const file = ctx.workspace.model(path);
    if (!file) {
      work.decline(`cannot read ${path}`);
      continue;
    }
    const why = [...new Set(items.map((item) => item.why))].join('; ');
    const docs = new Set<number>();
    const listItems = new Map<number, Set<number>>();
    for (const { object } of items) {
      const located = locate(file, object.node.range?.[0] ?? -1);
      if (!located) {
        work.decline(`cannot locate ${object.kind} at ${where(object.at)}`);
        continue;
      }
      if (located.path.length === 0) docs.add(located.doc);
      else if (located.path.length === 2 && located.path[0] === 'items' && typeof located.path[1] === 'number') {
        listItems.set(located.doc, (listItems.get(located.doc) ?? new Set()).add(located.path[1]));
      } else work.decline(`${object.kind} at ${where(object.at)} is nested where pod2wi cannot remove it`);
    }
    // A List whose every item goes is a document that goes.
    for (const [doc, indexes] of listItems) {
      const root = file.docs[doc]?.contents;
      const seq = isMap(root) ? pairFor(root, 'items')?.value : null;
      if (seq && 'items' in seq && (seq as { items: unknown[] }).items.length === indexes.size) {
        docs.add(doc);
        listItems.delete(doc);
      }
    }
    const content = file.docs.map((doc, index) => ({ doc, index })).filter(({ doc }) => doc.contents !== null && doc.contents !== undefined && !(isScalarNull(doc.contents)));
    if (listItems.size === 0 && content.every(({ index }) => docs.has(index))) {
      work.deletes.add(path);
      for (const kustomization of ctx.analysis.manifests.kustomizations) {
        if (!kustomization.resources.some((resource) => resource.kind === 'file' && resource.path === path)) continue;
        const kfile = ctx.workspace.model(kustomization.path);
        const built = kfile ? removeResourceEntry(kfile, kustomization, path, `${path} is deleted: it held only pod-identity objects`) : null;
        if (!kfile || !built) work.decline(`cannot remove ${path} from ${kustomization.path}`);
        else work.add(kfile, built);
      }
      continue;
    }
    if (docs.size > 0) work.add(file, removeDocuments(file, [...docs], why));
    for (const [doc, indexes] of listItems) {
      const root = file.docs[doc]?.contents;
      const items = isMap(root) ? childSeq({ file, doc, path: [], node: root }, 'items') : null;
      if (!items) work.decline(`cannot locate the List in ${path}`);
      else work.add(file, removeEntries(items, [...indexes], why));
    }
  }
  return works;
}

function isScalarNull(node: unknown): boolean {
  return node !== null && typeof node === 'object' && 'value' in node && (node as { value: unknown }).value === null && !isMap(node);
}

/** Kustomize patches that write aadpodidbinding into the pod template of a workload now on workload identity. */
function patchLabels(ctx: PhaseContext, notes: FixNote[], skipped: Skip[]): Work[] {
  const { kustomizations } = ctx.analysis.manifests;
  const works: Work[] = [];
  const seen = new Set<string>();
  for (const kustomization of kustomizations) {
    for (const patch of kustomization.patchFiles) {
      if (seen.has(patch)) continue;
      const file = ctx.workspace.model(patch);
      if (!file || !file.text.includes(podIdentityLabel)) continue;
      seen.add(patch);
      const closure = kustomizationClosure(kustomization, kustomizations);
      const work = new Work(`patch ${patch}`, { file: patch, line: file.lines.line(file.text.indexOf(podIdentityLabel)), column: 1 });
      file.docs.forEach((_, doc) => {
        const info = patchTemplateLabels(file, doc);
        const docLine = file.lines.line(file.docs[doc]?.range?.[0] ?? 0);
        if (!info) {
          const range = file.docs[doc]?.range;
          if (range && file.text.slice(range[0], range[2]).includes(podIdentityLabel)) {
            notes.push({ id: 'fix-manual-step', at: { file: patch, line: docLine, column: 1 }, message: `${patch} mentions aadpodidbinding in a patch pod2wi does not read (no kind and metadata.name, or a JSON patch); remove it by hand once its workload is on workload identity` });
          }
          return;
        }
        const inSelector = info.selector ? pairFor(info.selector.node, podIdentityLabel) : null;
        if (inSelector) {
          notes.push({ id: 'fix-label-in-selector', at: { file: patch, line: file.lines.line(inSelector.key.range?.[0] ?? 0), column: 1 }, message: `${patch} puts aadpodidbinding in the selector of ${info.kind} ${info.name}; it stays (selectors are immutable)` });
          return;
        }
        if (!info.labels || !pairFor(info.labels.node, podIdentityLabel)) return;
        const matched = ctx.targets.filter((target) => target.object.source === 'kustomize' && target.object.kind === info.kind && target.object.name?.value === info.name && closure.files.has(target.object.doc.file));
        if (matched.length === 0) {
          notes.push({ id: 'fix-manual-step', at: { file: patch, line: docLine, column: 1 }, message: `${patch} patches ${info.kind} ${info.name}, which pod2wi did not find in ${kustomization.path}'s resources; remove aadpodidbinding by hand when it is on workload identity` });
          return;
        }
        const waiting = matched.filter((target) => target.report.migration.path !== 'migrated');
        if (waiting.length > 0) {
          skipped.push({ workload: `patch ${patch}`, reason: `adds aadpodidbinding to ${waiting.map((target) => target.report.id).join(', ')}, which is not on workload identity yet`, at: { file: patch, line: docLine, column: 1 }, id: 'fix-skipped' });
          return;
        }
        work.add(file, removeKeys(info.labels, [podIdentityLabel], `${matched.map((target) => target.report.id).join(', ')}: the patch no longer adds aadpodidbinding (the workload runs on workload identity)`));
      });
      works.push(work);
    }
  }
  return works;
}

// ---------------------------------------------------------------------------------------------------- finalize

/**
 * Finalize: once a workload's code is workload-identity capable (decided again from the current scan), the proxy
 * annotations go. The keys are removed: any value of inject-proxy-sidecar, "false" included, injects the proxy.
 */
export function finalize(ctx: PhaseContext): PhaseResult {
  const works: Work[] = [];
  const skipped: Skip[] = [];
  const notes: FixNote[] = [];
  for (const target of ctx.targets) {
    const id = target.report.id;
    if (!ctx.selected(target)) continue;
    const entries = proxyEntries(ctx, target);
    if (entries.length === 0) continue;
    const onWorkloadIdentity = target.release ? releaseOnWorkloadIdentity(ctx, target) : target.report.migration.path === 'migrated';
    if (!onWorkloadIdentity) {
      skipped.push({ workload: id, reason: 'has the proxy annotations but is not on workload identity yet; finish the parallel phase first', at: at(target.report), id: 'fix-skipped' });
      continue;
    }
    const decision = target.release && target.plan ? { path: target.plan.path, reasons: target.plan.reasons, blocked: target.plan.blocked } : ctx.decideAgain(target.report);
    if (decision.path !== 'latest') {
      const reasons = decision.reasons.filter((reason) => reason.code.startsWith('uses-') || reason.code.startsWith('sdk-') || reason.code.startsWith('managed-identity') || reason.code === 'application-unlinked' || reason.code === 'no-credential-evidence');
      const text = (reasons.length > 0 ? reasons : decision.reasons.slice(-1)).map((reason) => `${reason.message}${reason.file ? ` (${reason.file}:${reason.line ?? 1})` : ''}`).join('; ');
      skipped.push({ workload: id, reason: `keeps the proxy: ${decision.path === 'legacy' ? 'the code still needs it' : 'pod2wi cannot tell whether the code can do without it'}: ${text}`, at: at(target.report), id: 'fix-skipped' });
      continue;
    }
    const work = new Work(id, at(target.report));
    const why = `${id}: the SDK does workload identity itself now; remove the proxy (a "false" value would still inject it)`;
    const maps = new Map<string, { file: FileModel; map: Located<YAMLMap>; keys: string[]; values: boolean }>();
    for (const entry of entries) {
      if (entry.via !== 'inline' && entry.via !== 'values') {
        work.decline(`${entry.key} at ${where(entry.keyAt)} comes from ${entry.via === 'include' ? 'a named template' : 'a kustomization'}; remove it there by hand`);
        continue;
      }
      const holder = mapOfEntry(ctx, entry);
      if (!holder) {
        work.decline(`cannot locate ${entry.key} at ${where(entry.keyAt)}`);
        continue;
      }
      const key = `${holder.file.path}#${holder.map.node.range?.[0] ?? 0}`;
      const group = maps.get(key) ?? { ...holder, keys: [], values: entry.via === 'values' };
      group.keys.push(entry.key);
      maps.set(key, group);
    }
    for (const group of maps.values()) work.add(group.file, removeKeys(group.map, group.keys, why, group.values ? 'braces' : 'key'));
    works.push(work);
  }
  sharedManifests(ctx, works, skipped);
  return { works, skipped, notes };
}

/** The proxy annotations in effect on a workload's pods, with where they are written. */
function proxyEntries(ctx: PhaseContext, target: Target): Entry[] {
  const keys = [proxySidecarAnnotation, proxyPortAnnotation];
  if (target.view) return target.view.template.annotations.filter((entry) => keys.includes(entry.key));
  const release = target.release;
  if (!release) return [];
  const holder = mapOfEntry(ctx, release.labels);
  const owner = holder?.map.path[holder.map.path.length - 1];
  const key = typeof owner === 'string' ? siblingAnnotationsKey(owner) : null;
  const parent = holder && key ? parentMap(holder.map) : null;
  const annotations = parent && key ? childMap(parent, key) : null;
  if (!annotations) return [];
  const file = annotations.file;
  return annotations.node.items.flatMap((pair) => {
    const name = keyString(pair);
    const keyNode = pair.key as Node | null;
    if (!name || !keys.includes(name) || !keyNode?.range) return [];
    const position = file.lines.position(keyNode.range[0]);
    const entry: Entry = {
      key: name,
      keyAt: { file: file.path, ...position },
      node: (pair.value as Node | null) ?? null,
      value: { value: scalarString(pair.value), at: { file: file.path, ...position } },
      doc: release.labels.doc,
      via: 'values',
      conditions: [],
    };
    return [entry];
  });
}

export const runPhase: Readonly<Record<Phase, (ctx: PhaseContext) => PhaseResult>> = { parallel, cutover, finalize };

