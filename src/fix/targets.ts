import type { HelmRelease } from '../k8s/flux.js';
import { scalarRef } from '../k8s/rendered.js';
import type { Field, WorkloadView } from '../k8s/workloads.js';
import type { Location } from '../model/location.js';
import type { WorkloadReport } from '../model/report.js';
import type { WorkloadPlan } from '../plan/model.js';
import { podIdentityLabel } from '../podidentity/graph.js';
import { useLabel } from '../podidentity/inventory.js';
import type { Analysis } from '../run.js';
import { objectKey, type ObjectKey } from './changes.js';

/** A workload as the fix sees it: the report, the plan, and the rendered object it was read from. */
export interface Target {
  readonly report: WorkloadReport;
  readonly plan: WorkloadPlan | null;
  /** The rendered workload; for a HelmRelease of a chart outside the repository, the release's own view. */
  readonly view: WorkloadView;
  /** The object whose fields change: the workload, or the HelmRelease whose values configure the pods. */
  readonly key: ObjectKey;
  /** Another target renders as the same object (same build, kind, namespace and name from another file). */
  readonly twinOf?: string;
  /**
   * For a HelmRelease of an external chart: the release, and the values field that sets the pod labels (the
   * aadpodidbinding entry, or the use label once it is gone).
   */
  readonly release: { readonly release: HelmRelease; readonly labels: Field } | null;
}

/** Pairs each reported workload with its rendered object and plan. */
export function findTargets(analysis: Analysis): Target[] {
  const namespace = null;
  const plans = new Map(analysis.plan.workloads.map((plan) => [plan.workload, plan]));
  const targets: Target[] = [];
  for (const report of analysis.report.workloads) {
    const view = analysis.views.get(report.id);
    if (!view) continue;
    if (report.kind === 'HelmRelease') {
      const release = analysis.manifests.releases.find((item) => item.object === view.object);
      const labels = view.template.labels[0];
      if (!release || !labels) continue;
      targets.push({ report, plan: plans.get(report.id) ?? null, view, key: objectKey(view.object, namespace), release: { release, labels } });
      continue;
    }
    targets.push({ report, plan: plans.get(report.id) ?? null, view, key: objectKey(view.object, namespace), release: null });
  }
  // Two written objects of one kind, namespace and name in the same build (the same Deployment in two plain files,
  // one per cluster) cannot be told apart once rendered again: the first is edited, the others are reported.
  const firsts = new Map<ObjectKey, Target>();
  targets.forEach((target, index) => {
    const first = firsts.get(target.key);
    if (!first) firsts.set(target.key, target);
    else if (target.view.object.at.file !== first.view.object.at.file) targets[index] = { ...target, twinOf: first.report.id };
  });
  // Releases of external charts already off aad-pod-identity are no workload of the scan any more (it finds them by
  // their aadpodidbinding value); the finalize phase still needs them, by their use label.
  const chartDirs = new Set(analysis.manifests.charts.map((chart) => chart.dir));
  for (const release of analysis.manifests.releases) {
    if (targets.some((target) => target.release?.release === release) || release.chart === 'aad-pod-identity') continue;
    if (release.chart && chartDirs.has(release.chart.replace(/^\.\//, '').replace(/\/$/, ''))) continue;
    const use = fieldNamed(release.values, useLabel);
    if (!use) continue;
    const view: WorkloadView = {
      object: release.object,
      kind: 'HelmRelease',
      generic: true,
      template: { path: ['spec', 'values'], node: null, at: use.keyOrigin, labels: [use], annotations: [], unknownLabels: [], serviceAccountName: null, hostNetwork: null, nodeSelector: [], containers: [], affinityOs: null, tolerations: [] },
      metadataLabels: [],
      selectorLabels: [],
    };
    targets.push({ report: releaseReport(release), plan: null, view, key: objectKey(release.object, namespace), release: { release, labels: use } });
  }
  return targets;
}

/** The first field named `key` anywhere under a values map. */
export function fieldNamed(node: import('../k8s/rendered.js').RNode | null, key: string): Field | null {
  if (!node) return null;
  if (node.kind === 'map') {
    for (const pair of node.pairs) {
      if (pair.key === key) return { key, keyOrigin: pair.keyOrigin, value: pair.value, conditions: pair.conditions ?? [] };
      const inner = fieldNamed(pair.value, key);
      if (inner) return inner;
    }
  }
  if (node.kind === 'seq') for (const item of node.items) {
    const inner = fieldNamed(item, key);
    if (inner) return inner;
  }
  return null;
}

/** The report of a release's pods as the scan would write it: what the verdict needs (its id, no containers). */
function releaseReport(release: HelmRelease): WorkloadReport {
  const namespace = release.namespace?.value ?? scalarRef(release.object.namespace)?.value ?? 'default';
  const at = release.object.at;
  return {
    id: `HelmRelease/${namespace}/${release.releaseName.value}`,
    kind: 'HelmRelease',
    name: release.releaseName.value,
    namespace,
    namespaceSource: 'helm-release',
    namespaceAt: null,
    source: 'manifest',
    endLine: at.line,
    credentialUses: [],
    origin: null,
    unit: release.object.unit.label,
    generic: true,
    file: at.file,
    line: at.line,
    serviceAccount: { name: release.releaseName.value, implicit: false, exists: false, file: at.file, line: at.line },
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

/** Where a target's findings point: its aadpodidbinding label, else the object. */
export function targetAt(target: Target): Location {
  const report = target.report;
  return { file: report.podIdentity?.file ?? report.file, line: report.podIdentity?.line ?? report.line, column: 1 };
}

/** The label fields of a target that are aadpodidbinding. */
export function podIdentityFields(target: Target): Field[] {
  if (target.release) return target.release.labels.key === podIdentityLabel ? [target.release.labels] : [];
  return target.view.template.labels.filter((field) => field.key === podIdentityLabel);
}
