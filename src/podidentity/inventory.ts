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
  ObjectSource,
  SecretProviderClassReport,
  ServiceAccountReport,
  TriggerAuthenticationReport,
  WorkloadReport,
} from '../model/report.js';
import type { ManifestScan } from '../k8s/read.js';
import { displayName, effectiveNamespace, objectName } from '../k8s/namespaces.js';
import { getIn, scalarRef, textOf, type Origin, type RenderedObject, type RNode, type RenderUnit, type RScalar, type RUnknown, type ScalarRef } from '../k8s/rendered.js';
import { fieldsAt, immutableSelectorKinds, labelConditions, operatingSystem, readWorkload, releaseWorkload, type ChartInstall, type Field, type WorkloadView } from '../k8s/workloads.js';
import type { HelmRelease } from '../k8s/flux.js';
import { identitiesFromChartValues } from './chart-values.js';
import {
  isPodIdentityObject,
  readAzureIdentity,
  readBinding,
  readException,
  type AzureIdentity,
  type AzureIdentityBinding,
} from './crds.js';
import { linkPodIdentity, podIdentityLabel, unitKey, type IdentityMatch } from './graph.js';
import { pushTo } from '../model/collections.js';
import {
  kedaOperatorPodIdentity,
  kedaPodIdentityProvider,
  kedaWorkloadIdentityProvider,
  mountedSecretProviderClasses,
  readSecretProviderClass,
  readTriggerAuthentication,
  type SecretProviderClass,
  type TriggerAuthentication,
} from './secret-store.js';

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
  readonly secretProviderClasses: SecretProviderClassReport[];
  readonly triggerAuthentications: TriggerAuthenticationReport[];
  /** The rendered workload behind each reported workload id. */
  readonly views: ReadonlyMap<string, WorkloadView>;
}

interface ServiceAccountObject {
  readonly name: string;
  readonly namespace: string;
  readonly object: RenderedObject;
  readonly annotations: readonly Field[];
  readonly labels: readonly Field[];
}

const evidence = (at: Location): Evidence => ({ file: at.file, line: at.line });

/** The aadpodidbinding label of a rendered map (the renderer already applied overrides). */
function podIdentityEntry(labels: readonly Field[]): Field | null {
  return labels.find((entry) => entry.key === podIdentityLabel) ?? null;
}

/** Where a value is written (for a value passed through a template, the values line). */
function valueAt(value: ScalarRef | null): Evidence | null {
  return value ? evidence(value.origin) : null;
}

/** Where an image is written: the values line of its first part taken from values (`{{ .Values.image.repository }}`). */
function imageAt(image: RScalar | RUnknown | null): Evidence | null {
  if (!image) return null;
  const parts = image.kind === 'unknown' ? image.parts : (image.parts ?? []);
  const fromValues = parts.find((part) => 'text' in part && (part.origin.source === 'chart-values' || part.origin.source === 'release-values'));
  return fromValues && 'text' in fromValues ? evidence(fromValues.origin) : valueAt(scalarRef(image));
}

/** How a label reaches the pod template, from where its key was written. */
export function viaOf(field: Field, object: RenderedObject): 'inline' | 'include' | 'values' | 'kustomize' {
  const source = field.keyOrigin.source;
  if (source === 'chart-values' || source === 'release-values') return 'values';
  if (source.startsWith('kustomize-')) return 'kustomize';
  if (source === 'chart-template' && field.keyOrigin.file !== object.at.file) return 'include';
  return 'inline';
}

/** The value written somewhere else than its key (a values line, a patch), or null. */
function resolvedAt(field: Field): Evidence | null {
  const value = scalarRef(field.value);
  if (!value || value.origin.file === field.keyOrigin.file) return null;
  return evidence(value.origin);
}

/** The kustomization, chart folder or HelmRelease file that rendered an object; null for a plain manifest. */
export function unitOrigin(unit: RenderUnit): string | null {
  switch (unit.kind) {
    case 'manifest':
      return null;
    case 'kustomization':
    case 'terraform':
    case 'cluster-export':
      return unit.path;
    case 'helm-release':
      return unit.variant.split('#')[0] || unit.path;
    case 'flux-kustomization': {
      // `file#name`, or `file#name@folder` for one copy of a Kustomization several cluster folders build.
      const [file, rest] = unit.variant.split('#');
      const copy = rest?.includes('@') ? rest.slice(rest.indexOf('@')) : '';
      return `${file || unit.path}${copy}`;
    }
    case 'chart':
      return unit.variant ? (unit.path ? `${unit.path}/${unit.variant}` : unit.variant) : unit.path || '.';
  }
}

/** The last line of an object's own text: the furthest line of its file any of its fields was written on. */
function endLineOf(object: RenderedObject): number {
  let last = object.at.line;
  const visit = (node: RNode): void => {
    if (node.origin.file === object.at.file && node.origin.line > last) last = node.origin.line;
    if (node.kind === 'map') {
      for (const pair of node.pairs) visit(pair.value);
    } else if (node.kind === 'seq') {
      for (const item of node.items) visit(item);
    }
  };
  visit(object.root);
  return last;
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
  const namespaces: { name: string; labels: readonly Field[]; at: Location }[] = [];
  const views: WorkloadView[] = [];
  const providerClasses: SecretProviderClass[] = [];
  const triggerAuthentications: TriggerAuthentication[] = [];

  for (const object of scan.objects) {
    const providerClass = readSecretProviderClass(object, options.namespace);
    if (providerClass) {
      providerClasses.push(providerClass);
      continue;
    }
    const triggerAuthentication = readTriggerAuthentication(object, options.namespace);
    if (triggerAuthentication) {
      triggerAuthentications.push(triggerAuthentication);
      continue;
    }
    if (isPodIdentityObject(object)) {
      if (object.kind === 'AzureIdentity') pushIfSet(identities, readAzureIdentity(object, options.namespace, sink));
      else if (object.kind === 'AzureIdentityBinding') pushIfSet(bindings, readBinding(object, options.namespace, sink));
      else if (object.kind === 'AzurePodIdentityException') {
        const exception = readException(object, options.namespace, sink);
        if (exception) {
          exceptions.push({
            name: exception.name,
            namespace: exception.namespace,
            podLabels: Object.fromEntries(exception.podLabels.map((entry) => [entry.key, scalarRef(entry.value)?.display ?? ''])),
            ...evidence(exception.at),
          });
        }
      }
      continue;
    }
    if (object.kind === 'CustomResourceDefinition' && textOf(getIn(object.root, ['spec', 'group'])) === 'aadpodidentity.k8s.io') {
      sink.add('pod-identity-infrastructure', object.at, `CustomResourceDefinition ${displayName(object)} installs aad-pod-identity; delete it at cut-over`);
      continue;
    }
    if (object.kind === 'Namespace' && object.apiVersion === 'v1') {
      const name = objectName(object);
      if (name) namespaces.push({ name, labels: fieldsAt(object.root, ['metadata', 'labels']), at: object.at });
      continue;
    }
    if (object.kind === 'ServiceAccount' && object.apiVersion === 'v1') {
      const name = objectName(object);
      if (name) {
        serviceAccounts.push({
          name,
          namespace: effectiveNamespace(object, options.namespace).value,
          object,
          annotations: fieldsAt(object.root, ['metadata', 'annotations']),
          labels: fieldsAt(object.root, ['metadata', 'labels']),
        });
      }
      continue;
    }
    if (object.kind === 'Rollout' && object.apiVersion.startsWith('argoproj.io/') && getIn(object.root, ['spec', 'workloadRef'])) {
      sink.add('rollout-workload-ref', object.at, `Rollout ${displayName(object)} takes its pod template from spec.workloadRef; that workload carries the labels`);
      continue;
    }
    const view = readWorkload(object);
    if (view) views.push(view);
  }
  for (const { release, label } of scan.releaseLabels) {
    const target = release.namespace;
    // Charts name their ServiceAccount from values, else (by the common `fullname` convention) after the release.
    // `serviceAccount.create: false` with no name: the pods run as the namespace's default ServiceAccount.
    const fromValues = getIn(release.values, ['serviceAccount', 'name']);
    const create = getIn(release.values, ['serviceAccount', 'create']);
    const account: RScalar | RUnknown = (fromValues?.kind === 'scalar' && textOf(fromValues)) || fromValues?.kind === 'unknown'
      ? fromValues
      : create?.kind === 'scalar' && textOf(create) === 'false'
        ? { kind: 'scalar', value: 'default', origin: create.origin }
        : { kind: 'scalar', value: release.releaseName.value, origin: release.releaseName.origin };
    views.push(releaseWorkload(
      release.object,
      label,
      target ? { value: target.value, at: target.origin, source: 'helm-release' } : effectiveNamespace(release.object, options.namespace),
      account,
      chartOf(release, scan.objects),
      release.values,
    ));
  }
  for (const { values, unit, namespace } of scan.podIdentityChartValues) {
    const declared = identitiesFromChartValues(values, unit, namespace, sink);
    identities.push(...declared.identities);
    bindings.push(...declared.bindings);
  }

  // Identify workloads; a duplicate id (the same object from two builds) gets its origin appended.
  const described = views.map((view) => {
    const namespace = view.namespace ?? effectiveNamespace(view.object, options.namespace);
    const name = view.kind === 'HelmRelease' ? (readReleaseName(view.object) ?? displayName(view.object)) : displayName(view.object);
    const origin = unitOrigin(view.object.unit);
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
      unitKey: unitKey(item.view.object.unit),
    })),
    identities,
    bindings,
    { forceNamespaced: options.forceNamespaced },
    sink,
  );

  // A workload's ServiceAccount is looked up in its own unit first, then in the rest of the repository.
  const accountIndex = new Map<string, ServiceAccountObject>();
  for (const account of serviceAccounts) {
    for (const key of [`${unitKey(account.object.unit)}|${account.namespace}/${account.name}`, `${account.namespace}/${account.name}`]) {
      if (!accountIndex.has(key)) accountIndex.set(key, account);
    }
  }

  const usedLabelLocations = new Set<string>();
  const workloads: WorkloadReport[] = [];
  for (const item of described) {
    const { view, namespace } = item;
    const template = view.template;
    const label = podIdentityEntry(template.labels);
    if (label) usedLabelLocations.add(`${label.keyOrigin.file}:${label.keyOrigin.line}`);
    const matches = graph.matches.get(item.id) ?? [];

    const selectorEntry = view.selectorLabels.find((entry) => entry.key === podIdentityLabel);
    if (selectorEntry && immutableSelectorKinds.has(view.kind)) {
      sink.add('label-in-selector', selectorEntry.keyOrigin, `${item.id}: aadpodidbinding is in spec.selector.matchLabels; the selector is immutable, so removing it later means deleting and re-creating the ${view.kind}`);
    }
    const onMetadata = view.metadataLabels.find((entry) => entry.key === podIdentityLabel);
    if (onMetadata && !label && template.path.length > 0) {
      sink.add('label-not-on-pod-template', onMetadata.keyOrigin, `${item.id}: aadpodidbinding is on the ${view.kind} itself, not on spec.template.metadata.labels, so no pod carries it`);
    }
    for (const unknown of template.unknownLabels) {
      sink.add('render-problem', unknown.origin, `${item.id}: its pod labels include ${unknown.expression}, which pod2wi cannot render (${unknown.reason}); aadpodidbinding may be set there`);
    }

    const saRef = scalarRef(template.serviceAccountName);
    const saName = saRef?.display || 'default';
    const account = accountIndex.get(`${unitKey(view.object.unit)}|${namespace.value}/${saName}`) ?? accountIndex.get(`${namespace.value}/${saName}`);
    const saAt = account?.object.at ?? saRef?.origin ?? template.at;
    const annotation = (key: string) => account?.annotations.find((entry) => entry.key === key);
    const podAnnotation = (key: string) => template.annotations.find((entry) => entry.key === key);
    const use = template.labels.find((entry) => entry.key === useLabel);
    const clientId = annotation(clientIdAnnotation);
    const os = operatingSystem(template);
    const useLabelOn = scalarRef(use?.value)?.value === 'true';
    const clientIdValue = scalarRef(clientId?.value)?.value || null;
    const labelValue = label ? scalarRef(label.value) : null;

    const podIdentity = label
      ? {
          selector: labelValue?.value ?? null,
          template: labelValue && labelValue.value === null ? labelValue.display : null,
          resolvedAt: resolvedAt(label),
          via: viaOf(label, view.object),
          conditions: labelConditions(label).map((condition) => condition.expression),
          inSelector: selectorEntry !== undefined,
          identities: matches.map(boundIdentity).sort(compareIdentity),
          ...evidence(label.keyOrigin),
        }
      : null;

    const reasons: MigrationReason[] = [];
    let path: WorkloadReport['migration']['path'] = 'not-applicable';
    if (useLabelOn && clientIdValue) {
      path = 'migrated';
      reasons.push({ code: 'workload-identity-configured', message: `pod template has ${useLabel}: "true" and ServiceAccount ${saName} has ${clientIdAnnotation}`, ...evidence(use?.keyOrigin ?? template.at) });
    } else if (podIdentity) {
      path = 'unknown';
      reasons.push({
        code: 'pod-identity',
        message: `aadpodidbinding=${labelValue?.display ?? ''} binds ${matches.length === 0 ? 'no identity found in the repository' : matches.map((match) => match.identity.name).join(', ')}; the linked application decides latest or legacy`,
        ...evidence(label?.keyOrigin ?? template.at),
      });
    }

    workloads.push({
      id: item.id,
      kind: view.kind,
      name: item.name,
      namespace: namespace.value,
      namespaceSource: namespace.source,
      namespaceAt: namespace.at ? evidence(namespace.at) : null,
      source: sourceOf(view.object.unit),
      ...(view.chart ? { chart: { name: view.chart.name, version: view.chart.version, repository: view.chart.repository, ...evidence(view.chart.at) } } : {}),
      unit: view.object.unit.label,
      endLine: endLineOf(view.object),
      credentialUses: [],
      origin: item.origin,
      generic: view.generic,
      ...evidence(view.object.at),
      serviceAccount: { name: saName, implicit: !saRef, exists: account !== undefined, ...evidence(saAt) },
      podIdentity,
      workloadIdentity: {
        useLabel: useLabelOn,
        clientId: clientIdValue,
        tenantId: scalarRef(annotation(tenantIdAnnotation)?.value)?.value || null,
        proxySidecar: podAnnotation(proxySidecarAnnotation) !== undefined,
        proxySidecarPort: scalarRef(podAnnotation(proxyPortAnnotation)?.value)?.display ?? null,
        useLabelAt: use ? evidence(use.keyOrigin) : null,
        clientIdAt: clientId ? evidence(clientId.keyOrigin) : null,
      },
      os: os.os,
      osAt: os.at ? evidence(os.at) : null,
      hostNetwork: textOf(template.hostNetwork) === 'true',
      containers: template.containers.map((container) => ({
        name: container.name,
        image: scalarRef(container.image)?.display ?? null,
        ports: container.ports,
        init: container.init,
        imageAt: imageAt(container.image),
      })),
      injectedSidecars: injectedSidecars(template.annotations, template.labels, namespaces.find((candidate) => candidate.name === namespace.value)?.labels ?? []),
      migration: { path, blocked: false, reasons, warnings: [] },
    });

    for (const container of template.containers) {
      const image = textOf(container.image) ?? '';
      if (/aad-pod-identity\/(mic|nmi)(:|@|$)/.test(image)) {
        sink.add('pod-identity-infrastructure', container.image?.origin ?? container.at, `${item.id} runs aad-pod-identity (${image}); remove it at cut-over`);
      }
    }
  }

  reportSharedServiceAccounts(workloads, accountIndex, sink);
  const providerClassUsers = linkSecretProviderClasses(described, providerClasses);
  reportTokenBrokers(providerClasses, providerClassUsers, triggerAuthentications, sink);
  for (const release of scan.releases) {
    const binding = kedaOperatorPodIdentity(release);
    if (binding) sink.add('keda-pod-identity', binding.keyOrigin, `HelmRelease ${displayName(release.object)}: podIdentity.activeDirectory.identity: ${binding.value} labels the KEDA operator's pods aadpodidbinding=${binding.value}; on workload identity the chart takes podIdentity.azureWorkload.enabled: true and clientId instead`);
  }

  const conditional = new Set(scan.conditionalLabels.map((label) => `${label.at.file}:${label.at.line}`));
  for (const label of scan.helperLabels) {
    const key = `${label.at.file}:${label.at.line}`;
    if (usedLabelLocations.has(key) || conditional.has(key)) continue;
    sink.add('label-in-helper', label.at, `aadpodidbinding: ${label.value} in a named template no workload of the repository renders; every workload that includes it carries pod identity`);
  }
  for (const label of scan.conditionalLabels) {
    if (usedLabelLocations.has(`${label.at.file}:${label.at.line}`)) continue;
    sink.add('conditional-label', label.at, `aadpodidbinding: ${label.value} renders only when ${label.condition} in ${label.unit.label}; pods carry pod identity when an installer sets that`);
  }

  // Back-references, indexed once: which workloads each identity, binding and ServiceAccount serves.
  const identityUsers = new Map<AzureIdentity, string[]>();
  const bindingUsers = new Map<AzureIdentityBinding, string[]>();
  for (const [id, found] of graph.matches) {
    for (const match of found) {
      pushTo(identityUsers, match.identity, id);
      pushTo(bindingUsers, match.binding, id);
    }
  }
  const accountUsers = new Map<string, string[]>();
  for (const workload of workloads) {
    const key = `${workload.namespace}/${workload.serviceAccount.name}`;
    pushTo(accountUsers, key, workload.id);
  }
  const sorted = (ids: readonly string[] | undefined) => [...new Set(ids ?? [])].sort(compareStrings);

  return {
    views: new Map(described.map((item) => [item.id, item.view])),
    namespaces: dedupe(namespaces.map((item) => ({
      name: item.name,
      namespace: item.name,
      podSecurityEnforce: scalarRef(item.labels.find((entry) => entry.key === 'pod-security.kubernetes.io/enforce')?.value)?.value ?? null,
      ...evidence(item.at),
    }))).sort(compareIdentity).map(({ namespace: _namespace, ...rest }) => rest),
    workloads: workloads.sort(compareWorkloads),
    identities: dedupe(identities.map((identity) => ({
      ...identityFields(identity),
      namespaced: identity.namespaced,
      source: sourceOf(identity.object.unit),
      unit: identity.object.unit.label,
      usedBy: sorted(identityUsers.get(identity)),
    }))).sort(compareIdentity),
    bindings: dedupe(bindings.map((binding) => ({
      name: binding.name,
      namespace: binding.namespace,
      selector: binding.selector?.display ?? null,
      azureIdentity: binding.azureIdentity?.display ?? null,
      unit: binding.object.unit.label,
      identityFound: graph.bindingTargets.get(binding) !== null,
      usedBy: sorted(bindingUsers.get(binding)),
      ...evidence(binding.at),
    }))).sort(compareIdentity),
    exceptions: dedupe(exceptions).sort(compareIdentity),
    serviceAccounts: dedupe(serviceAccounts.map((account) => ({
      name: account.name,
      namespace: account.namespace,
      clientId: scalarRef(account.annotations.find((entry) => entry.key === clientIdAnnotation)?.value)?.value || null,
      tenantId: scalarRef(account.annotations.find((entry) => entry.key === tenantIdAnnotation)?.value)?.value || null,
      unit: account.object.unit.label,
      useLabel: account.labels.some((entry) => entry.key === useLabel),
      usedBy: sorted(accountUsers.get(`${account.namespace}/${account.name}`)),
      ...evidence(account.object.at),
    }))).sort(compareIdentity),
    secretProviderClasses: dedupe(providerClasses.map((item) => ({
      name: item.name,
      namespace: item.namespace,
      unit: item.object.unit.label,
      usePodIdentity: item.usePodIdentity?.value?.display ?? null,
      usePodIdentityAt: item.usePodIdentity ? evidence(item.usePodIdentity.keyOrigin) : null,
      podIdentity: item.podIdentity,
      clientId: item.clientId?.value || null,
      clientIdAt: item.clientIdKeyOrigin ? evidence(item.clientIdKeyOrigin) : null,
      usedBy: sorted(providerClassUsers.get(item)),
      ...evidence(item.object.at),
    }))).sort(compareIdentity),
    triggerAuthentications: dedupe(triggerAuthentications.map((item) => ({
      kind: item.kind,
      name: item.name,
      namespace: item.namespace ?? '',
      unit: item.object.unit.label,
      provider: item.provider.value ?? '',
      providerAt: evidence(item.providerKeyOrigin),
      podIdentity: item.provider.value === kedaPodIdentityProvider,
      identityId: item.identityId?.value || null,
      ...evidence(item.object.at),
    }))).sort(compareIdentity).map((item) => ({ ...item, namespace: item.kind === 'ClusterTriggerAuthentication' ? null : item.namespace })),
  };
}

/** The chart a HelmRelease installs: `spec.chart.spec` with the URL of the HelmRepository its sourceRef names. */
function chartOf(release: HelmRelease, objects: readonly RenderedObject[]): ChartInstall | undefined {
  if (!release.chart) return undefined;
  const spec = getIn(release.object.root, ['spec', 'chart', 'spec']);
  // Where the version is written: the postBuild variable a `${VERSION}` takes it from, else the line itself.
  const at = scalarRef(getIn(spec, ['version']))?.origin ?? (getIn(spec, ['chart']) ?? release.object.root).origin;
  const sourceName = textOf(getIn(spec, ['sourceRef', 'name']));
  const sourceNamespace = textOf(getIn(spec, ['sourceRef', 'namespace'])) ?? effectiveNamespace(release.object, null).value;
  const repository = release.sourceKind === 'HelmRepository' && sourceName
    ? objects.find((object) => object.kind === 'HelmRepository' && objectName(object) === sourceName && effectiveNamespace(object, null).value === sourceNamespace)
    : undefined;
  return { name: release.chart, version: release.version, repository: release.repository ?? (repository ? textOf(getIn(repository.root, ['spec', 'url'])) : null), at };
}

/**
 * The workloads that mount each SecretProviderClass: a CSI volume of the Secrets Store driver naming it, in the
 * workload's namespace (the driver looks the class up there), in the workload's own render first.
 */
function linkSecretProviderClasses(
  workloads: readonly { id: string; view: WorkloadView; namespace: { value: string } }[],
  classes: readonly SecretProviderClass[],
): Map<SecretProviderClass, string[]> {
  const users = new Map<SecretProviderClass, string[]>();
  if (classes.length === 0) return users;
  for (const workload of workloads) {
    for (const name of mountedSecretProviderClasses(workload.view)) {
      const candidates = classes.filter((item) => item.name === name && item.namespace === workload.namespace.value);
      const own = candidates.filter((item) => unitKey(item.object.unit) === unitKey(workload.view.object.unit));
      for (const item of own.length > 0 ? own : candidates) pushTo(users, item, workload.id);
    }
  }
  return users;
}

/** Findings for objects that get tokens from aad-pod-identity outside the pod's code: CSI provider classes, KEDA. */
function reportTokenBrokers(
  classes: readonly SecretProviderClass[],
  users: ReadonlyMap<SecretProviderClass, readonly string[]>,
  triggers: readonly TriggerAuthentication[],
  sink: FindingSink,
): void {
  const seen = new Set<string>();
  const once = (at: Origin, message: string, add: () => void) => {
    const key = `${at.file}:${at.line}:${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    add();
  };
  for (const item of classes) {
    if (!item.podIdentity || !item.usePodIdentity) continue;
    const at = item.usePodIdentity.keyOrigin;
    const mounted = [...new Set(users.get(item) ?? [])].sort(compareStrings);
    const message = `SecretProviderClass ${item.namespace}/${item.name}: usePodIdentity: ${item.usePodIdentity.shown} makes the Key Vault provider ask aad-pod-identity for the token of ${mounted.length > 0 ? `the pods that mount it (${mounted.join(', ')})` : 'the pods that mount it (none in the repository)'}; on workload identity it needs clientID: <client id> and usePodIdentity: "false"`;
    once(at, message, () => sink.add('secret-provider-pod-identity', at, message));
  }
  for (const item of triggers) {
    if (item.provider.value !== kedaPodIdentityProvider) continue;
    const at = item.providerKeyOrigin;
    const title = `${item.kind} ${item.namespace === null ? '' : `${item.namespace}/`}${item.name}`;
    const message = `${title}: podIdentity.provider: ${kedaPodIdentityProvider} makes the KEDA operator get its Azure token from aad-pod-identity${item.identityId?.value ? ` (identityId ${item.identityId.value})` : ''}; on workload identity it is provider: ${kedaWorkloadIdentityProvider}, with the KEDA operator's ServiceAccount annotated and its pods labelled`;
    once(at, message, () => sink.add('keda-pod-identity', at, message));
  }
}

function readReleaseName(object: RenderedObject): string | null {
  return textOf(getIn(object.root, ['spec', 'releaseName'])) || null;
}

function sourceOf(unit: RenderUnit): ObjectSource {
  switch (unit.kind) {
    case 'kustomization':
    case 'flux-kustomization':
      return 'kustomize';
    case 'chart':
    case 'helm-release':
      return 'helm';
    case 'terraform':
      return 'terraform';
    case 'cluster-export':
      return unit.variant.startsWith('aks-add-on:') ? 'addon' : 'cluster-export';
    case 'manifest':
      return 'manifest';
  }
}

/** Sidecar injectors a pod asks for: Istio, Linkerd or Dapr, on the pod template or its namespace. */
function injectedSidecars(annotations: readonly Field[], labels: readonly Field[], namespaceLabels: readonly Field[]): WorkloadReport['injectedSidecars'] {
  const found: { system: 'istio' | 'linkerd' | 'dapr'; file: string; line: number }[] = [];
  const on = (entries: readonly Field[], key: string, values: readonly string[]) => {
    const entry = entries.find((candidate) => candidate.key === key);
    return entry && values.includes((scalarRef(entry.value)?.value ?? '').toLowerCase()) ? entry : undefined;
  };
  const istio = on(annotations, 'sidecar.istio.io/inject', ['true']) ?? on(labels, 'sidecar.istio.io/inject', ['true']) ?? on(namespaceLabels, 'istio-injection', ['enabled']);
  const disabledIstio = on(annotations, 'sidecar.istio.io/inject', ['false']) ?? on(labels, 'sidecar.istio.io/inject', ['false']);
  if (istio && !disabledIstio) found.push({ system: 'istio', ...evidence(istio.keyOrigin) });
  const linkerd = on(annotations, 'linkerd.io/inject', ['enabled']) ?? on(namespaceLabels, 'linkerd.io/inject', ['enabled']);
  if (linkerd) found.push({ system: 'linkerd', ...evidence(linkerd.keyOrigin) });
  const dapr = on(annotations, 'dapr.io/enabled', ['true']);
  if (dapr) found.push({ system: 'dapr', ...evidence(dapr.keyOrigin) });
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
    // Each overlay or chart render is its own environment; plain manifests share one.
    pushTo(groups, `${workload.unit}\u0000${workload.namespace}/${workload.serviceAccount.name}`, workload);
  }
  for (const [group, members] of groups) {
    const key = group.slice(group.indexOf('\u0000') + 1);
    const identitySet = (workload: WorkloadReport) =>
      (workload.podIdentity?.identities ?? []).map((identity) => `${identity.namespace}/${identity.name}`).sort().join(',');
    const distinct = new Set(members.map(identitySet));
    if (distinct.size <= 1) continue;
    const first = members[0];
    const account = [...accounts.values()].find((candidate) => candidate.object.unit.label === members[0]?.unit && `${candidate.namespace}/${candidate.name}` === key) ?? accounts.get(key);
    const at: Location = account?.object.at ?? { file: first?.serviceAccount.file ?? '', line: first?.serviceAccount.line ?? 1, column: 1 };
    sink.add(
      'shared-service-account-conflict',
      at,
      `ServiceAccount ${key} is used by workloads bound to different identities: ${members.map((member) => `${member.id} → ${identitySet(member) || 'none'}`).join('; ')}`,
    );
  }
}

function dedupe<T extends Evidence & { name: string; namespace: string; unit?: string }>(items: T[]): T[] {
  const seen = new Map<string, T>();
  for (const item of items) {
    const key = `${item.unit ?? ''}|${item.namespace}/${item.name}@${item.file}:${item.line}`;
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
