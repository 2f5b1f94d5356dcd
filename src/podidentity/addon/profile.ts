import { displayText, isMap, isSeq, scalarRef, unknownsOf, type Origin, type RMap, type RNode, type ScalarRef } from '../../k8s/rendered.js';
import { AddonCollector, unknownRef } from './collect.js';
import type { AddonRead, AddonSource, ClusterSetting } from './types.js';

/**
 * The cluster-level reading shared by every source that carries a managed cluster as data (ARM, Bicep, YAML/JSON
 * documents, `az aks show`, a Terraform azapi body): `podIdentityProfile`, `oidcIssuerProfile` and
 * `securityProfile.workloadIdentity` of a managed cluster's `properties`.
 */
export interface ClusterContext {
  readonly source: AddonSource;
  /** The cluster's name when the surrounding declaration says (the resource's `name`). */
  readonly cluster: ScalarRef | null;
  readonly resourceGroup: ScalarRef | null;
}

/** ARM property names are case-insensitive: the value of `key` in any casing (the last pair wins). */
export function getKey(node: RNode | null | undefined, key: string): RNode | null {
  if (!isMap(node)) return null;
  const lower = key.toLowerCase();
  for (let i = node.pairs.length - 1; i >= 0; i--) {
    const pair = node.pairs[i];
    if (pair && pair.key.toLowerCase() === lower) return pair.value;
  }
  return null;
}

/** Like {@link getKey}, with where the key is written. */
function keyOrigin(node: RMap, key: string): Origin | null {
  const lower = key.toLowerCase();
  for (let i = node.pairs.length - 1; i >= 0; i--) {
    const pair = node.pairs[i];
    if (pair && pair.key.toLowerCase() === lower) return pair.keyOrigin;
  }
  return null;
}

function expressionOf(node: RNode): string {
  return displayText(node) ?? unknownsOf(node).map((unknown) => unknown.expression).join(' ');
}

/**
 * Reads a managed cluster's `properties` map into `collector`. An entry whose list is computed (a parameter without a
 * default, a loop) becomes an `addon-list-unknown` problem; an entry without name or namespace is kept with an
 * unknown name or namespace and an `addon-entry-incomplete` problem.
 */
export function readClusterProperties(properties: RNode | null, context: ClusterContext, collector: AddonCollector): void {
  if (!properties) return;
  // A computed `properties` (a variable the reader could not follow) is not read: nothing says it holds a profile.
  if (!isMap(properties)) return;
  const profile = getKey(properties, 'podIdentityProfile');
  if (profile) readProfile(profile, context, collector);
  const oidc = getKey(properties, 'oidcIssuerProfile');
  if (isMap(oidc)) setting(oidc, 'enabled', 'oidc-issuer', context, collector);
  const workloadIdentity = getKey(getKey(properties, 'securityProfile'), 'workloadIdentity');
  if (isMap(workloadIdentity)) setting(workloadIdentity, 'enabled', 'workload-identity', context, collector);
}

/**
 * Reads a `podIdentityProfile` value itself (the output of `az aks show --query podIdentityProfile`, or the profile
 * of a managed cluster's properties).
 */
export function readProfile(profile: RNode, context: ClusterContext, collector: AddonCollector): void {
  if (!isMap(profile)) {
    if (profile.kind === 'unknown') {
      collector.problem('addon-list-unknown', profile.origin, `podIdentityProfile is computed (${expressionOf(profile)}): its identities are not known from the repository`);
    }
    return;
  }
  setting(profile, 'enabled', 'pod-identity', context, collector);
  setting(profile, 'allowNetworkPluginKubenet', 'pod-identity-kubenet', context, collector);
  // A profile known to be disabled holds no identities the cluster serves: computed lists in it are not worth a problem.
  const enabled = getKey(profile, 'enabled');
  const disabled = enabled?.kind === 'scalar' && (enabled.value === false || enabled.value === 'false');
  const quiet = disabled ? new AddonCollector() : collector;
  for (const entry of entries(profile, 'userAssignedIdentities', quiet)) readIdentity(entry, context, collector);
  for (const entry of entries(profile, 'userAssignedIdentityExceptions', quiet)) readException(entry, context, collector);
}

function setting(map: RMap, key: string, name: ClusterSetting['setting'], context: ClusterContext, collector: AddonCollector): void {
  const value = getKey(map, key);
  const at = keyOrigin(map, key);
  // `null` (as `az aks show` prints a setting never set) says nothing.
  if (!value || !at || (value.kind === 'scalar' && value.value === null)) return;
  let enabled: boolean | null = null;
  let expression: string | null = null;
  if (value.kind === 'scalar' && typeof value.value === 'boolean') enabled = value.value;
  else if (value.kind === 'scalar' && (value.value === 'true' || value.value === 'false')) enabled = value.value === 'true';
  else expression = expressionOf(value);
  collector.settings.push({ setting: name, enabled, expression, cluster: context.cluster, resourceGroup: context.resourceGroup, source: context.source, at: value.kind === 'scalar' ? value.origin : at });
}

/** The map entries of a list-valued key; computed lists and entries become problems. */
function entries(profile: RMap, key: string, collector: AddonCollector): RMap[] {
  const list = getKey(profile, key);
  if (!list || (list.kind === 'scalar' && list.value === null)) return [];
  if (!isSeq(list)) {
    collector.problem('addon-list-unknown', list.origin, `podIdentityProfile.${key} is computed (${expressionOf(list)}): its entries are not known from the repository`);
    return [];
  }
  for (const unknown of list.unknowns ?? []) {
    collector.problem('addon-list-unknown', unknown.origin, `podIdentityProfile.${key} has entries computed by ${unknown.expression} (${unknown.reason}): they are not known from the repository`);
  }
  const maps: RMap[] = [];
  for (const item of list.items) {
    if (isMap(item)) maps.push(item);
    else collector.problem('addon-list-unknown', item.origin, `an entry of podIdentityProfile.${key} is computed (${expressionOf(item)}): it is not known from the repository`);
  }
  return maps;
}

/** A scalar field of an entry; maps and sequences where a string belongs count as absent. */
function field(map: RNode | null, key: string): ScalarRef | null {
  return scalarRef(getKey(map, key));
}

function required(map: RMap, key: string, what: string, collector: AddonCollector): ScalarRef {
  const value = field(map, key);
  if (value && value.display !== '') return value;
  collector.problem('addon-entry-incomplete', map.origin, `${what} has no ${key}`);
  return unknownRef(key, `the ${what} has no ${key}`, map.origin);
}

function readIdentity(entry: RMap, context: ClusterContext, collector: AddonCollector): void {
  const identity = getKey(entry, 'identity');
  collector.identities.push({
    name: required(entry, 'name', 'pod identity', collector),
    namespace: required(entry, 'namespace', 'pod identity', collector),
    bindingSelector: nonEmpty(field(entry, 'bindingSelector')),
    clientId: nonEmpty(field(identity, 'clientId')),
    // An Azure Service Operator ManagedCluster writes the resource ID as identity.resourceReference.armId.
    resourceId: nonEmpty(field(identity, 'resourceId')) ?? nonEmpty(field(getKey(identity, 'resourceReference'), 'armId')),
    objectId: nonEmpty(field(identity, 'objectId')),
    cluster: context.cluster,
    resourceGroup: context.resourceGroup,
    action: 'add',
    source: context.source,
    at: entry.origin,
  });
}

function readException(entry: RMap, context: ClusterContext, collector: AddonCollector): void {
  const labels = getKey(entry, 'podLabels');
  const podLabels: Record<string, ScalarRef> = {};
  if (isMap(labels)) {
    for (const pair of [...labels.pairs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
      const value = scalarRef(pair.value);
      if (value) podLabels[pair.key] = value;
    }
    for (const unknown of labels.unknowns ?? []) collector.problem('addon-list-unknown', unknown.origin, `podLabels of a pod identity exception include labels computed by ${unknown.expression}`);
  } else if (labels) {
    collector.problem('addon-list-unknown', labels.origin, `podLabels of a pod identity exception are computed (${expressionOf(labels)})`);
  } else {
    collector.problem('addon-entry-incomplete', entry.origin, 'pod identity exception has no podLabels');
  }
  collector.exceptions.push({
    name: required(entry, 'name', 'pod identity exception', collector),
    namespace: required(entry, 'namespace', 'pod identity exception', collector),
    podLabels,
    cluster: context.cluster,
    resourceGroup: context.resourceGroup,
    action: 'add',
    source: context.source,
    at: entry.origin,
  });
}

function nonEmpty(value: ScalarRef | null): ScalarRef | null {
  return value && value.display !== '' ? value : null;
}

/**
 * Reads the body of a managed-cluster resource given as data by another reader (a Terraform `azapi_resource` or
 * `azapi_update_resource` whose `type` is `Microsoft.ContainerService/managedClusters@…`, its `body` converted to a
 * tree): the body's `properties` (or the body itself when it is the properties map). The Terraform reader calls this
 * with `source: 'terraform'` and the resource's name when it knows it.
 */
export function readManagedClusterBody(body: RNode, context: ClusterContext): AddonRead {
  const collector = new AddonCollector();
  const properties = getKey(body, 'properties');
  readClusterProperties(properties ?? body, context, collector);
  return collector.result();
}
