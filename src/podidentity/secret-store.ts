import { effectiveNamespace, objectName } from '../k8s/namespaces.js';
import { get, getIn, isMap, isSeq, pairOf, scalarRef, textOf, type Origin, type RenderedObject, type RNode, type ScalarRef } from '../k8s/rendered.js';
import type { HelmRelease } from '../k8s/flux.js';
import type { WorkloadView } from '../k8s/workloads.js';

/**
 * Objects that take Azure tokens on a pod's behalf through aad-pod-identity, outside the pod's own code:
 *
 * - A Secrets Store CSI driver `SecretProviderClass` of the Azure Key Vault provider with
 *   `spec.parameters.usePodIdentity: "true"`: the provider asks NMI for a token for the pod that mounts the volume.
 *   On workload identity it takes `clientID: <client id>` with `usePodIdentity: "false"` (or the key absent), and
 *   the mounting pod's ServiceAccount carries that client ID. Source: azure.github.io/secrets-store-csi-driver-provider-azure
 *   docs/configurations/identity-access-modes (pod-identity-mode, workload-identity-mode).
 * - A KEDA `TriggerAuthentication` / `ClusterTriggerAuthentication` with `spec.podIdentity.provider: azure`: the KEDA
 *   operator's own aad-pod-identity identity; workload identity is `provider: azure-workload` (`identityId` optional,
 *   default the client-id annotation of the operator's ServiceAccount). Source: keda.sh docs
 *   authentication-providers/azure-ad-pod-identity and azure-ad-workload-identity (2.10 to latest).
 */

export const secretsStoreDriver = 'secrets-store.csi.k8s.io';
export const secretsStoreGroup = 'secrets-store.csi.x-k8s.io';
export const kedaGroup = 'keda.sh';

/** KEDA's provider names: aad-pod-identity, and workload identity. */
export const kedaPodIdentityProvider = 'azure';
export const kedaWorkloadIdentityProvider = 'azure-workload';

/**
 * How the provider reads `usePodIdentity`: trimmed, empty means false, else Go's strconv.ParseBool
 * (Azure/secrets-store-csi-driver-provider-azure pkg/provider/types/parameters.go GetUsePodIdentity).
 */
export function parsesTrue(text: string): boolean | null {
  const value = text.trim();
  if (value === '') return false;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return null;
}

/** An Azure-provider SecretProviderClass as rendered. */
export interface SecretProviderClass {
  readonly object: RenderedObject;
  readonly name: string;
  readonly namespace: string;
  /** The usePodIdentity pair under spec.parameters, when written; `shown` as YAML reads it (`"true"`, or `true` for a boolean). */
  readonly usePodIdentity: { readonly value: ScalarRef | null; readonly keyOrigin: Origin; readonly shown: string } | null;
  /** Whether the provider takes its token through aad-pod-identity: usePodIdentity parses as true. */
  readonly podIdentity: boolean;
  readonly clientId: ScalarRef | null;
  readonly clientIdKeyOrigin: Origin | null;
}

export function isSecretProviderClass(object: RenderedObject): boolean {
  return object.kind === 'SecretProviderClass' && object.apiVersion.startsWith(`${secretsStoreGroup}/`);
}

/** Reads a SecretProviderClass of the Azure provider; null for other objects and other providers. */
export function readSecretProviderClass(object: RenderedObject, namespaceOption: string | null): SecretProviderClass | null {
  if (!isSecretProviderClass(object)) return null;
  if (textOf(getIn(object.root, ['spec', 'provider'])) !== 'azure') return null;
  const name = objectName(object);
  if (!name) return null;
  const parameters = getIn(object.root, ['spec', 'parameters']);
  const use = pairOf(parameters, 'usePodIdentity');
  const useValue = use ? scalarRef(use.value) : null;
  const client = pairOf(parameters, 'clientID');
  return {
    object,
    name,
    namespace: effectiveNamespace(object, namespaceOption).value,
    usePodIdentity: use ? { value: useValue, keyOrigin: use.keyOrigin, shown: use.value.kind === 'scalar' && typeof use.value.value === 'string' ? JSON.stringify(use.value.value) : (useValue?.display ?? '') } : null,
    podIdentity: useValue !== null && useValue.value !== null && parsesTrue(useValue.value) === true,
    clientId: client ? scalarRef(client.value) : null,
    clientIdKeyOrigin: client?.keyOrigin ?? null,
  };
}

/** A KEDA TriggerAuthentication or ClusterTriggerAuthentication with an Azure pod identity provider. */
export interface TriggerAuthentication {
  readonly object: RenderedObject;
  readonly kind: 'TriggerAuthentication' | 'ClusterTriggerAuthentication';
  readonly name: string;
  /** The namespace; null for a ClusterTriggerAuthentication (cluster-scoped). */
  readonly namespace: string | null;
  readonly provider: ScalarRef;
  readonly providerKeyOrigin: Origin;
  readonly identityId: ScalarRef | null;
}

/** Reads a KEDA trigger authentication whose podIdentity provider is `azure` or `azure-workload`; null otherwise. */
export function readTriggerAuthentication(object: RenderedObject, namespaceOption: string | null): TriggerAuthentication | null {
  if (object.kind !== 'TriggerAuthentication' && object.kind !== 'ClusterTriggerAuthentication') return null;
  if (!object.apiVersion.startsWith(`${kedaGroup}/`)) return null;
  const name = objectName(object);
  const podIdentity = getIn(object.root, ['spec', 'podIdentity']);
  const provider = pairOf(podIdentity, 'provider');
  const value = provider ? scalarRef(provider.value) : null;
  if (!name || !provider || !value || (value.value !== kedaPodIdentityProvider && value.value !== kedaWorkloadIdentityProvider)) return null;
  const identity = get(podIdentity, 'identityId');
  return {
    object,
    kind: object.kind,
    name,
    namespace: object.kind === 'ClusterTriggerAuthentication' ? null : effectiveNamespace(object, namespaceOption).value,
    provider: value,
    providerKeyOrigin: provider.keyOrigin,
    identityId: scalarRef(identity),
  };
}

/**
 * The SecretProviderClass names a pod template mounts through the Secrets Store CSI driver
 * (`volumes[].csi: {driver: secrets-store.csi.k8s.io, volumeAttributes: {secretProviderClass: <name>}}`), in order.
 */
export function mountedSecretProviderClasses(view: WorkloadView): string[] {
  const volumes = getIn(view.template.node, ['spec', 'volumes']);
  if (!isSeq(volumes)) return [];
  const names: string[] = [];
  for (const volume of volumes.items) {
    const csi: RNode | null = get(volume, 'csi');
    if (!isMap(csi) || textOf(get(csi, 'driver')) !== secretsStoreDriver) continue;
    const name = textOf(getIn(csi, ['volumeAttributes', 'secretProviderClass']));
    if (name && !names.includes(name)) names.push(name);
  }
  return names;
}

/** Whether a Flux HelmRelease installs the KEDA chart (`kedacore/keda`, by chart name). */
export function isKedaRelease(release: HelmRelease): boolean {
  return /(^|\/)keda\/?$/.test(release.chart ?? '');
}

/**
 * The KEDA operator's own aad-pod-identity binding in a HelmRelease of the KEDA chart: the value of
 * `podIdentity.activeDirectory.identity`, which the chart sets as the operator pods' aadpodidbinding label (keda.sh
 * docs, authentication-providers/azure-ad-pod-identity: `--set podIdentity.activeDirectory.identity={your-label-name}`).
 */
export function kedaOperatorPodIdentity(release: HelmRelease): { readonly value: string; readonly keyOrigin: Origin } | null {
  if (!isKedaRelease(release)) return null;
  const pair = pairOf(getIn(release.values, ['podIdentity', 'activeDirectory']), 'identity');
  const value = pair ? scalarRef(pair.value)?.display : null;
  return pair && value ? { value, keyOrigin: pair.keyOrigin } : null;
}
