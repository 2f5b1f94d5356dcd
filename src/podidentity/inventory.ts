import type { FindingSink } from '../model/findings-sink.js';
import type { Location } from '../model/location.js';
import { compareStrings } from '../model/location.js';
import type {
  BindingReport,
  BoundIdentity,
  Evidence,
  ExceptionReport,
  IdentityFields,
  IdentityReport,
  MigrationReason,
  NamespaceReport,
  ServiceAccountReport,
  WorkloadReport,
} from '../model/report.js';
import type { ManifestScan } from '../k8s/read.js';
import { displayName, effectiveName, effectiveNamespace, type K8sObject } from '../k8s/object.js';
import { entries, get, getIn, text, type Entry, type TextValue } from '../k8s/source-doc.js';
import { immutableSelectorKinds, mapEntries, operatingSystem, readWorkload, releaseWorkload, type WorkloadView } from '../k8s/workloads.js';
import { identitiesFromChartValues } from './chart-values.js';
import {
  isPodIdentityObject,
  readAzureIdentity,
  readBinding,
  readException,
  type AzureIdentity,
  type AzureIdentityBinding,
} from './crds.js';
import { linkPodIdentity, podIdentityLabel, type IdentityMatch } from './graph.js';

export const useLabel = 'azure.workload.identity/use';
export const clientIdAnnotation = 'azure.workload.identity/client-id';
export const tenantIdAnnotation = 'azure.workload.identity/tenant-id';
export const proxySidecarAnnotation = 'azure.workload.identity/inject-proxy-sidecar';
export const proxyPortAnnotation = 'azure.workload.identity/proxy-sidecar-port';

export interface InventoryOptions {
  readonly namespace: string | null;
  readonly forceNamespaced: boolean;
}

export interface Inventory {
  readonly namespaces: NamespaceReport[];
  readonly workloads: WorkloadReport[];
  readonly identities: IdentityReport[];
  readonly bindings: BindingReport[];
  readonly exceptions: ExceptionReport[];
  readonly serviceAccounts: ServiceAccountReport[];
}

interface ServiceAccountObject {
  readonly name: string;
  readonly namespace: string;
  readonly object: K8sObject;
  readonly annotations: readonly Entry[];
  readonly labels: readonly Entry[];
}

const evidence = (at: Location): Evidence => ({ file: at.file, line: at.line });

/** The aadpodidbinding entry that wins: a Kustomize label overrides the inline one, else the first written. */
function podIdentityEntry(labels: readonly Entry[]): Entry | null {
  const all = labels.filter((entry) => entry.key === podIdentityLabel);
  return all.filter((entry) => entry.via === 'kustomize').pop() ?? all[0] ?? null;
}

/** Where a value is written: the values line a template resolved it from, else the field itself. */
function valueAt(value: TextValue | null): Evidence | null {
  return value ? evidence(value.resolvedAt ?? value.at) : null;
}

function identityFields(identity: AzureIdentity): IdentityFields {
  return {
    name: identity.name,
    namespace: identity.namespace,
    type: identity.type,
    clientId: identity.clientId?.value || null,
    tenantId: identity.tenantId?.value || null,
    resourceId: identity.resourceId?.value || null,
    subscriptionId: identity.resourceIdParts?.subscriptionId ?? null,
    resourceGroup: identity.resourceIdParts?.resourceGroup ?? null,
    identityName: identity.resourceIdParts?.identityName ?? null,
    clientIdAt: valueAt(identity.clientId),
    tenantIdAt: valueAt(identity.tenantId),
    resourceIdAt: valueAt(identity.resourceId),
    ...evidence(identity.at),
  };
}

/**
 * Turns what the manifest stage read into the report's inventory: workloads with their pod identity and
 * workload-identity state, identities, bindings, exceptions and ServiceAccounts, plus the findings that link them.
 */
export function buildInventory(scan: ManifestScan, options: InventoryOptions, sink: FindingSink): Inventory {
  const identities: AzureIdentity[] = [];
  const bindings: AzureIdentityBinding[] = [];
  const exceptions: ExceptionReport[] = [];
  const serviceAccounts: ServiceAccountObject[] = [];
  const namespaces: { name: string; labels: readonly Entry[]; at: Location }[] = [];
  const views: WorkloadView[] = [];

  for (const object of scan.objects) {
    if (isPodIdentityObject(object)) {
      if (object.kind === 'AzureIdentity') pushIfSet(identities, readAzureIdentity(object, options.namespace, sink));
      else if (object.kind === 'AzureIdentityBinding') pushIfSet(bindings, readBinding(object, options.namespace, sink));
      else if (object.kind === 'AzurePodIdentityException') {
        const exception = readException(object, options.namespace, sink);
        if (exception) {
          exceptions.push({
            name: exception.name,
            namespace: exception.namespace,
            podLabels: Object.fromEntries(exception.podLabels.map((entry) => [entry.key, entry.value?.value ?? ''])),
            ...evidence(exception.at),
          });
        }
      }
      continue;
    }
    if (object.kind === 'CustomResourceDefinition' && text(object.doc, getIn(object.doc, object.node, ['spec', 'group']))?.value === 'aadpodidentity.k8s.io') {
      sink.add('pod-identity-infrastructure', object.at, `CustomResourceDefinition ${displayName(object)} installs aad-pod-identity; delete it at cut-over`);
      continue;
    }
    if (object.kind === 'Namespace' && object.apiVersion === 'v1') {
      const name = effectiveName(object);
      if (name) namespaces.push({ name, labels: entries(object.doc, getIn(object.doc, object.node, ['metadata', 'labels'])), at: object.at });
      continue;
    }
    if (object.kind === 'ServiceAccount' && object.apiVersion === 'v1') {
      const name = effectiveName(object);
      if (name) {
        const metadata = get(object.doc, object.node, 'metadata');
        serviceAccounts.push({
          name,
          namespace: effectiveNamespace(object, options.namespace).value,
          object,
          // Through mapEntries, so a chart's `toYaml .Values.serviceAccount.annotations` counts too.
          annotations: mapEntries(object.doc, object.node, ['metadata', 'annotations']),
          labels: entries(object.doc, get(object.doc, metadata, 'labels')),
        });
      }
      continue;
    }
    if (object.kind === 'Rollout' && object.apiVersion.startsWith('argoproj.io/') && getIn(object.doc, object.node, ['spec', 'workloadRef'])) {
      sink.add('rollout-workload-ref', object.at, `Rollout ${displayName(object)} takes its pod template from spec.workloadRef; that workload carries the labels`);
      continue;
    }
    const view = readWorkload(object);
    if (view) views.push(view);
  }
  for (const { release, label } of scan.releaseLabels) {
    const target = release.namespace;
    // Charts name their ServiceAccount from values, else (by the common `fullname` convention) after the release.
    const fromValues = release.values ? text(release.values.doc, getIn(release.values.doc, release.values.root, ['serviceAccount', 'name'])) : null;
    const account = fromValues?.value ? fromValues : { value: release.releaseName, at: release.object.at };
    views.push(releaseWorkload(
      release.object,
      label,
      target ? { value: target.value, at: target.at, source: 'helm-release' } : effectiveNamespace(release.object, options.namespace),
      account,
    ));
  }
  for (const { layer, namespace } of scan.podIdentityChartValues) {
    const declared = identitiesFromChartValues(layer, namespace, sink);
    identities.push(...declared.identities);
    bindings.push(...declared.bindings);
  }

  // Identify workloads; a duplicate id (the same object from two builds) gets its origin appended.
  const described = views.map((view) => {
    const namespace = view.namespace ?? effectiveNamespace(view.object, options.namespace);
    const name = view.kind === 'HelmRelease' ? (readReleaseName(view.object) ?? displayName(view.object)) : displayName(view.object);
    const origin = view.object.overlay?.kustomization ?? view.object.helm?.release ?? (view.object.helm ? view.object.helm.chart.dir || '.' : null);
    return { view, namespace, name, origin, id: `${view.kind}/${namespace.value}/${name}` };
  });
  const counts = new Map<string, number>();
  for (const item of described) counts.set(item.id, (counts.get(item.id) ?? 0) + 1);
  for (const item of described) {
    if ((counts.get(item.id) ?? 0) > 1) item.id = `${item.id}@${item.origin ?? item.view.object.at.file}`;
  }

  const graph = linkPodIdentity(
    described.map((item) => ({
      id: item.id,
      namespace: item.namespace.value,
      label: podIdentityEntry(item.view.template.labels),
      chart: item.view.object.helm?.chart.dir ?? null,
    })),
    identities,
    bindings,
    { forceNamespaced: options.forceNamespaced },
    sink,
  );

  const accountIndex = new Map<string, ServiceAccountObject>();
  for (const account of serviceAccounts) {
    const key = `${account.namespace}/${account.name}`;
    if (!accountIndex.has(key)) accountIndex.set(key, account);
  }

  const usedLabelLocations = new Set<string>();
  const workloads: WorkloadReport[] = [];
  for (const item of described) {
    const { view, namespace } = item;
    const template = view.template;
    const label = podIdentityEntry(template.labels);
    if (label) usedLabelLocations.add(`${label.keyAt.file}:${label.keyAt.line}`);
    const matches = graph.matches.get(item.id) ?? [];

    const selectorEntry = view.selectorLabels.find((entry) => entry.key === podIdentityLabel);
    if (selectorEntry && immutableSelectorKinds.has(view.kind)) {
      sink.add('label-in-selector', selectorEntry.keyAt, `${item.id}: aadpodidbinding is in spec.selector.matchLabels; the selector is immutable, so removing it later means deleting and re-creating the ${view.kind}`);
    }
    const onMetadata = view.metadataLabels.find((entry) => entry.key === podIdentityLabel);
    if (onMetadata && !label && template.path.length > 0) {
      sink.add('label-not-on-pod-template', onMetadata.keyAt, `${item.id}: aadpodidbinding is on the ${view.kind} itself, not on spec.template.metadata.labels, so no pod carries it`);
    }

    const saRef = template.serviceAccountName;
    const saName = saRef?.value || saRef?.template || 'default';
    const account = accountIndex.get(`${namespace.value}/${saName}`);
    const saAt = account?.object.at ?? saRef?.at ?? template.at;
    const annotation = (key: string) => account?.annotations.find((entry) => entry.key === key);
    const podAnnotation = (key: string) => template.annotations.find((entry) => entry.key === key);
    const use = template.labels.find((entry) => entry.key === useLabel);
    const clientId = annotation(clientIdAnnotation);
    const os = operatingSystem(template);
    const useLabelOn = use?.value?.value === 'true';
    const clientIdValue = clientId?.value?.value || null;

    const podIdentity = label
      ? {
          selector: label.value?.value ?? null,
          template: label.value?.template ?? null,
          resolvedAt: label.value?.resolvedAt ? evidence(label.value.resolvedAt) : null,
          via: label.via,
          conditions: label.conditions,
          inSelector: selectorEntry !== undefined,
          identities: matches.map(boundIdentity).sort(compareIdentity),
          ...evidence(label.keyAt),
        }
      : null;

    const reasons: MigrationReason[] = [];
    let path: WorkloadReport['migration']['path'] = 'not-applicable';
    if (useLabelOn && clientIdValue) {
      path = 'migrated';
      reasons.push({ code: 'workload-identity-configured', message: `pod template has ${useLabel}: "true" and ServiceAccount ${saName} has ${clientIdAnnotation}`, ...evidence(use?.keyAt ?? template.at) });
    } else if (podIdentity) {
      path = 'unknown';
      reasons.push({
        code: 'pod-identity',
        message: `aadpodidbinding=${podIdentity.selector ?? podIdentity.template ?? ''} binds ${matches.length === 0 ? 'no identity found in the repository' : matches.map((match) => match.identity.name).join(', ')}; the linked application decides latest or legacy`,
        ...evidence(label?.keyAt ?? template.at),
      });
    }

    workloads.push({
      id: item.id,
      kind: view.kind,
      name: item.name,
      namespace: namespace.value,
      namespaceSource: namespace.source,
      namespaceAt: namespace.at ? evidence(namespace.at) : null,
      source: view.object.source,
      endLine: view.object.doc.index.position(view.object.node.range?.[1] ?? 0).line,
      credentialUses: [],
      origin: item.origin,
      generic: view.generic,
      ...evidence(view.object.at),
      serviceAccount: { name: saName, implicit: !saRef?.value && !saRef?.template, exists: account !== undefined, ...evidence(saAt) },
      podIdentity,
      workloadIdentity: {
        useLabel: useLabelOn,
        clientId: clientIdValue,
        tenantId: annotation(tenantIdAnnotation)?.value?.value || null,
        proxySidecar: podAnnotation(proxySidecarAnnotation) !== undefined,
        proxySidecarPort: podAnnotation(proxyPortAnnotation)?.value?.value ?? null,
        useLabelAt: use ? evidence(use.keyAt) : null,
        clientIdAt: clientId ? evidence(clientId.keyAt) : null,
      },
      os: os.os,
      osAt: os.at ? evidence(os.at) : null,
      hostNetwork: template.hostNetwork?.value === 'true',
      containers: template.containers.map((container) => ({
        name: container.name,
        image: container.image?.value ?? container.image?.template ?? null,
        ports: container.ports,
        init: container.init,
        imageAt: valueAt(container.image),
      })),
      injectedSidecars: injectedSidecars(template.annotations, template.labels, namespaces.find((candidate) => candidate.name === namespace.value)?.labels ?? []),
      migration: { path, blocked: false, reasons, warnings: [] },
    });

    for (const container of template.containers) {
      const image = container.image?.value ?? '';
      if (/aad-pod-identity\/(mic|nmi)(:|@|$)/.test(image)) {
        sink.add('pod-identity-infrastructure', container.image?.at ?? container.at, `${item.id} runs aad-pod-identity (${image}); remove it at cut-over`);
      }
    }
  }

  reportSharedServiceAccounts(workloads, accountIndex, sink);

  for (const label of scan.helperLabels) {
    if (usedLabelLocations.has(`${label.at.file}:${label.at.line}`)) continue;
    sink.add('label-in-helper', label.at, `aadpodidbinding: ${label.value} in a named template; every workload that includes it carries pod identity`);
  }

  // Back-references, indexed once: which workloads each identity, binding and ServiceAccount serves.
  const identityUsers = new Map<AzureIdentity, string[]>();
  const bindingUsers = new Map<AzureIdentityBinding, string[]>();
  for (const [id, found] of graph.matches) {
    for (const match of found) {
      identityUsers.set(match.identity, [...(identityUsers.get(match.identity) ?? []), id]);
      bindingUsers.set(match.binding, [...(bindingUsers.get(match.binding) ?? []), id]);
    }
  }
  const accountUsers = new Map<string, string[]>();
  for (const workload of workloads) {
    const key = `${workload.namespace}/${workload.serviceAccount.name}`;
    accountUsers.set(key, [...(accountUsers.get(key) ?? []), workload.id]);
  }
  const sorted = (ids: readonly string[] | undefined) => [...new Set(ids ?? [])].sort(compareStrings);

  return {
    namespaces: dedupe(namespaces.map((item) => ({
      name: item.name,
      namespace: item.name,
      podSecurityEnforce: item.labels.find((entry) => entry.key === 'pod-security.kubernetes.io/enforce')?.value?.value ?? null,
      ...evidence(item.at),
    }))).sort(compareIdentity).map(({ namespace: _namespace, ...rest }) => rest),
    workloads: workloads.sort(compareWorkloads),
    identities: dedupe(identities.map((identity) => ({
      ...identityFields(identity),
      namespaced: identity.namespaced,
      source: identity.object.source,
      usedBy: sorted(identityUsers.get(identity)),
    }))).sort(compareIdentity),
    bindings: dedupe(bindings.map((binding) => ({
      name: binding.name,
      namespace: binding.namespace,
      selector: binding.selector?.value ?? binding.selector?.template ?? null,
      azureIdentity: binding.azureIdentity?.value ?? binding.azureIdentity?.template ?? null,
      identityFound: graph.bindingTargets.get(binding) !== null,
      usedBy: sorted(bindingUsers.get(binding)),
      ...evidence(binding.at),
    }))).sort(compareIdentity),
    exceptions: dedupe(exceptions).sort(compareIdentity),
    serviceAccounts: dedupe(serviceAccounts.map((account) => ({
      name: account.name,
      namespace: account.namespace,
      clientId: account.annotations.find((entry) => entry.key === clientIdAnnotation)?.value?.value || null,
      tenantId: account.annotations.find((entry) => entry.key === tenantIdAnnotation)?.value?.value || null,
      useLabel: account.labels.some((entry) => entry.key === useLabel),
      usedBy: sorted(accountUsers.get(`${account.namespace}/${account.name}`)),
      ...evidence(account.object.at),
    }))).sort(compareIdentity),
  };
}

function readReleaseName(object: K8sObject): string | null {
  const releaseName = getIn(object.doc, object.node, ['spec', 'releaseName']);
  return releaseName ? (text(object.doc, releaseName)?.value ?? null) : null;
}

/** Sidecar injectors a pod asks for: Istio, Linkerd or Dapr, on the pod template or its namespace. */
function injectedSidecars(annotations: readonly Entry[], labels: readonly Entry[], namespaceLabels: readonly Entry[]): WorkloadReport['injectedSidecars'] {
  const found: { system: 'istio' | 'linkerd' | 'dapr'; file: string; line: number }[] = [];
  const on = (entries: readonly Entry[], key: string, values: readonly string[]) => {
    const entry = entries.find((candidate) => candidate.key === key);
    return entry && values.includes((entry.value?.value ?? '').toLowerCase()) ? entry : undefined;
  };
  const istio = on(annotations, 'sidecar.istio.io/inject', ['true']) ?? on(labels, 'sidecar.istio.io/inject', ['true']) ?? on(namespaceLabels, 'istio-injection', ['enabled']);
  const disabledIstio = on(annotations, 'sidecar.istio.io/inject', ['false']) ?? on(labels, 'sidecar.istio.io/inject', ['false']);
  if (istio && !disabledIstio) found.push({ system: 'istio', ...evidence(istio.keyAt) });
  const linkerd = on(annotations, 'linkerd.io/inject', ['enabled']) ?? on(namespaceLabels, 'linkerd.io/inject', ['enabled']);
  if (linkerd) found.push({ system: 'linkerd', ...evidence(linkerd.keyAt) });
  const dapr = on(annotations, 'dapr.io/enabled', ['true']);
  if (dapr) found.push({ system: 'dapr', ...evidence(dapr.keyAt) });
  return found;
}

function pushIfSet<T>(list: T[], item: T | null): void {
  if (item) list.push(item);
}

function boundIdentity(match: IdentityMatch): BoundIdentity {
  return {
    ...identityFields(match.identity),
    binding: { name: match.binding.name, namespace: match.binding.namespace, ...evidence(match.binding.at) },
    crossNamespace: match.crossNamespace,
  };
}

function reportSharedServiceAccounts(
  workloads: readonly WorkloadReport[],
  accounts: ReadonlyMap<string, ServiceAccountObject>,
  sink: FindingSink,
): void {
  const groups = new Map<string, WorkloadReport[]>();
  for (const workload of workloads) {
    if (!workload.podIdentity || workload.podIdentity.identities.length === 0) continue;
    const key = `${workload.namespace}/${workload.serviceAccount.name}`;
    groups.set(key, [...(groups.get(key) ?? []), workload]);
  }
  for (const [key, members] of groups) {
    const identitySet = (workload: WorkloadReport) =>
      (workload.podIdentity?.identities ?? []).map((identity) => `${identity.namespace}/${identity.name}`).sort().join(',');
    const distinct = new Set(members.map(identitySet));
    if (distinct.size <= 1) continue;
    const first = members[0];
    const account = accounts.get(key);
    const at: Location = account?.object.at ?? { file: first?.serviceAccount.file ?? '', line: first?.serviceAccount.line ?? 1, column: 1 };
    sink.add(
      'shared-service-account-conflict',
      at,
      `ServiceAccount ${key} is used by workloads bound to different identities: ${members.map((member) => `${member.id} → ${identitySet(member) || 'none'}`).join('; ')}`,
    );
  }
}

function dedupe<T extends Evidence & { name: string; namespace: string }>(items: T[]): T[] {
  const seen = new Map<string, T>();
  for (const item of items) {
    const key = `${item.namespace}/${item.name}@${item.file}:${item.line}`;
    if (!seen.has(key)) seen.set(key, item);
  }
  return [...seen.values()];
}

function compareIdentity(a: Evidence & { name: string; namespace: string }, b: Evidence & { name: string; namespace: string }): number {
  return compareStrings(a.namespace, b.namespace) || compareStrings(a.name, b.name) || compareStrings(a.file, b.file) || a.line - b.line;
}

function compareWorkloads(a: WorkloadReport, b: WorkloadReport): number {
  return compareStrings(a.namespace, b.namespace) || compareStrings(a.name, b.name) || compareStrings(a.kind, b.kind) || compareStrings(a.id, b.id);
}
