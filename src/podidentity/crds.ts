import type { FindingSink } from '../model/findings-sink.js';
import type { Location } from '../model/location.js';
import { effectiveNamespace, objectName } from '../k8s/namespaces.js';
import { get, isMap, pairOf, scalarRef, type RenderedObject, type RNode, type ScalarRef, type Origin } from '../k8s/rendered.js';
import { fieldsAt, fieldsOf, type Field } from '../k8s/workloads.js';
import { setAtDeployTime } from '../model/placeholders.js';

export const podIdentityGroup = 'aadpodidentity.k8s.io';

export type IdentityType = 'user-assigned-managed-identity' | 'service-principal' | 'service-principal-certificate';

const identityTypes: Readonly<Record<string, IdentityType>> = {
  '0': 'user-assigned-managed-identity',
  '1': 'service-principal',
  '2': 'service-principal-certificate',
};

/** The parts of a user-assigned identity resource ID. */
export interface ResourceIdParts {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly identityName: string;
}

/** An AzureIdentity as written, with the namespace it lands in. */
export interface AzureIdentity {
  readonly object: RenderedObject;
  /** The name as rendered, or the template text when it could not be resolved. */
  readonly name: string;
  /** What bindings refer to it by: the name, or chart-qualified template text (see `referenceKey`). */
  readonly key: string;
  readonly namespace: string;
  readonly type: IdentityType;
  readonly clientId: ScalarRef | null;
  readonly tenantId: ScalarRef | null;
  readonly resourceId: ScalarRef | null;
  readonly resourceIdParts: ResourceIdParts | null;
  /** `aadpodidentity.k8s.io/Behavior: namespaced`: matches only pods and bindings of its own namespace. */
  readonly namespaced: boolean;
  readonly at: Location;
}

export interface AzureIdentityBinding {
  readonly object: RenderedObject;
  readonly name: string;
  readonly namespace: string;
  readonly azureIdentity: ScalarRef | null;
  /** `referenceKey` of spec.azureIdentity, compared with AzureIdentity.key. */
  readonly identityKey: string | null;
  readonly selector: ScalarRef | null;
  readonly at: Location;
}

export interface AzurePodIdentityException {
  readonly object: RenderedObject;
  readonly name: string;
  readonly namespace: string;
  readonly podLabels: readonly Field[];
  readonly at: Location;
}

/**
 * How one object refers to another by name: the name when known, or — when both are written with the same unknown
 * part in the same unit (`{{ .Release.Name }}-identity` in one chart render) — the unit and the display text.
 */
export function referenceKey(value: ScalarRef | null, unit: string): string | null {
  if (!value) return null;
  if (value.value) return value.value;
  if (value.unknowns.length > 0 && value.display) return `{{${unit}}}${value.display}`;
  return null;
}

export function isPodIdentityObject(object: RenderedObject): boolean {
  return object.apiVersion.startsWith(`${podIdentityGroup}/`);
}

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
  return guid.test(value) && !/^0{8}-0{4}-0{4}-0{4}-0{12}$/.test(value);
}

/**
 * Reads a spec field in either casing: the camelCase name aad-pod-identity ≥ 1.6 uses, or the PascalCase name of
 * older manifests (reported, since CRDs of 1.8+ prune it).
 */
function field(spec: RNode | null, camel: string, pascal: string[]): { node: RNode | null; pascal: { name: string; at: Location } | null } {
  const own = pairOf(spec, camel);
  if (own) return { node: own.value, pascal: null };
  for (const name of pascal) {
    const old = pairOf(spec, name);
    if (old) return { node: old.value, pascal: { name, at: old.keyOrigin } };
  }
  return { node: null, pascal: null };
}

function reportPascal(object: RenderedObject, fields: readonly ({ name: string; at: Location } | null)[], sink: FindingSink): void {
  const used = fields.filter((field): field is { name: string; at: Location } => field !== null).sort((a, b) => a.at.line - b.at.line);
  const first = used[0];
  if (!first) return;
  const names = used.map((field) => field.name);
  sink.add('pascal-case-fields', first.at, `${object.kind} ${objectName(object) ?? ''} uses PascalCase field${used.length > 1 ? 's' : ''} ${names.join(', ')}: aad-pod-identity ≥ 1.6 reads ${names.map(toCamel).join(', ')} (read anyway)`);
}

function toCamel(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

export function splitResourceId(resourceId: string): ResourceIdParts | null {
  const parts = resourceId.split('/');
  if (parts[0] !== '' || parts.length !== 9) return null;
  const [, subscriptions, subscriptionId, resourceGroups, resourceGroup, providers, provider, type, identityName] = parts;
  if (
    subscriptions?.toLowerCase() !== 'subscriptions' ||
    resourceGroups?.toLowerCase() !== 'resourcegroups' ||
    providers?.toLowerCase() !== 'providers' ||
    provider?.toLowerCase() !== 'microsoft.managedidentity' ||
    type?.toLowerCase() !== 'userassignedidentities' ||
    !subscriptionId || !resourceGroup || !identityName
  ) {
    return null;
  }
  return { subscriptionId, resourceGroup, identityName };
}

/** What is missing or wrong in an AzureIdentity's clientID, tenantID and resourceID, as findings. */
function reportIdentityFields(
  label: string,
  name: string,
  addon: boolean,
  clientIdText: ScalarRef | null,
  tenantIdText: ScalarRef | null,
  resourceIdText: ScalarRef | null,
  resourceIdValid: boolean,
  resolvedType: IdentityType,
  clientAt: Origin,
  at: Origin,
  sink: FindingSink,
): void {
  if (!clientIdText && addon) {
    const fetch = resourceIdText?.value ? `az identity show --ids ${resourceIdText.value} --query clientId -o tsv` : 'az identity show -g <group> -n <identity> --query clientId -o tsv';
    sink.add('identity-client-id-unresolved', clientAt, `${label} (AKS pod-identity add-on): the declaration holds no client ID; get it with \`${fetch}\` and give it in .pod2wi.yaml (identities: {${name}: {clientId: ...}}) or with --cluster-state`);
  } else if (!clientIdText) sink.add('identity-client-id-unresolved', clientAt, `${label} has no clientID`);
  else if (clientIdText.value === null) sink.add('identity-client-id-unresolved', clientAt, `${label}: clientID ${clientIdText.display} is not known from the repository (${clientIdText.unknowns[0]?.reason ?? 'unknown'})`);
  else if (clientIdText.value === '') sink.add('identity-client-id-unresolved', clientAt, `${label}: clientID is empty`);
  else if (!isGuid(clientIdText.value)) {
    const deployTime = setAtDeployTime(clientIdText.value);
    // Keyed by the placeholder itself, the value tells apart identities of one name (one per cluster).
    if (deployTime) sink.add('set-at-deploy-time', clientAt, `${label}: clientID "${clientIdText.value}" is ${deployTime}; give the real one in .pod2wi.yaml (identities: {${name}: {clientId: ...}}, or {"${clientIdText.value}": {clientId: ...}} when several identities share the name)`);
    else sink.add('identity-client-id-unresolved', clientAt, `${label}: clientID "${clientIdText.value}" is not a GUID`);
  }

  if (resolvedType === 'user-assigned-managed-identity') {
    const resourceAtDeploy = resourceIdText?.value && !resourceIdValid ? setAtDeployTime(resourceIdText.value) : null;
    if (resourceIdText?.value && resourceAtDeploy) {
      sink.add('set-at-deploy-time', resourceIdText.origin, `${label}: resourceID "${resourceIdText.value}" is ${resourceAtDeploy}; the federated credential's commands name the identity by it, so they take the identity's name and resource group where you run them`);
    } else if (resourceIdText?.value && !resourceIdValid) {
      sink.add('identity-invalid-resource-id', resourceIdText.origin, `${label}: resourceID "${resourceIdText.value}" is not /subscriptions/…/resourceGroups/…/providers/Microsoft.ManagedIdentity/userAssignedIdentities/…`);
    } else if (!resourceIdText?.value) {
      const where = resourceIdText?.origin ?? at;
      const why = !resourceIdText ? 'has no resourceID' : resourceIdText.value === null ? `resourceID ${resourceIdText.display} is not known from the repository` : 'has an empty resourceID';
      sink.add('identity-invalid-resource-id', where, `${label} ${why}; the federated credential needs the identity's name and resource group`);
    }
  } else if (!tenantIdText?.value || !clientIdText?.value) {
    sink.add('identity-incomplete', at, `${label} (${resolvedType}) needs clientID and tenantID for a federated credential on its app registration`);
  }
}

export function readAzureIdentity(
  object: RenderedObject,
  namespaceOption: string | null,
  sink: FindingSink,
  spec: RNode | null = get(object.root, 'spec'),
): AzureIdentity | null {
  const name = objectName(object);
  const key = referenceKey(scalarRef(object.name), object.unit.path);
  if (!name || !key) return null;
  const type = field(spec, 'type', ['Type']);
  const clientId = field(spec, 'clientID', ['ClientID', 'clientId', 'ClientId']);
  const tenantId = field(spec, 'tenantID', ['TenantID', 'tenantId', 'TenantId']);
  const resourceId = field(spec, 'resourceID', ['ResourceID', 'resourceId', 'ResourceId']);
  reportPascal(object, [type.pascal, clientId.pascal, tenantId.pascal, resourceId.pascal], sink);

  const typeText = scalarRef(type.node);
  const typeValue = typeText?.value === '' || !typeText ? '0' : typeText.value;
  const identityType = typeValue === null ? 'user-assigned-managed-identity' : identityTypes[typeValue];
  const resolvedType = identityType ?? 'user-assigned-managed-identity';
  const clientIdText = scalarRef(clientId.node);
  const tenantIdText = scalarRef(tenantId.node);
  const resourceIdText = scalarRef(resourceId.node);
  const parts = resourceIdText?.value ? splitResourceId(resourceIdText.value) : null;
  const namespaced = fieldsAt(object.root, ['metadata', 'annotations']).some(
    (entry) => entry.key === 'aadpodidentity.k8s.io/Behavior' && scalarRef(entry.value)?.value === 'namespaced',
  );

  const label = `AzureIdentity ${name}`;
  if (typeText && typeValue !== null && !identityType) {
    sink.add('identity-incomplete', typeText.origin, `${label}: type ${typeValue} is not 0, 1 or 2; read as a user-assigned managed identity`);
  }
  const clientAt = clientIdText?.origin ?? object.at;
  const addon = object.unit.kind === 'cluster-export' && object.unit.variant.startsWith('aks-add-on:');
  // An add-on identity whose name the repository does not know links to nothing: its binding's finding says so once.
  const quiet = addon && scalarRef(object.name)?.value == null;
  if (!quiet) reportIdentityFields(label, name, addon, clientIdText, tenantIdText, resourceIdText, parts !== null, resolvedType, clientAt, object.at, sink);

  return {
    object,
    name,
    key,
    namespace: effectiveNamespace(object, namespaceOption).value,
    type: resolvedType,
    clientId: clientIdText,
    tenantId: tenantIdText,
    resourceId: resourceIdText,
    resourceIdParts: parts,
    namespaced,
    at: object.at,
  };
}

export function readBinding(object: RenderedObject, namespaceOption: string | null, sink: FindingSink): AzureIdentityBinding | null {
  const spec = get(object.root, 'spec');
  const name = objectName(object);
  if (!name) return null;
  const identity = field(spec, 'azureIdentity', ['AzureIdentity', 'AzureIdentityName']);
  const azureIdentity = scalarRef(identity.node);
  const selector = field(spec, 'selector', ['Selector']);
  reportPascal(object, [identity.pascal, selector.pascal], sink);
  return {
    object,
    name,
    namespace: effectiveNamespace(object, namespaceOption).value,
    azureIdentity,
    identityKey: referenceKey(azureIdentity, object.unit.path),
    selector: scalarRef(selector.node),
    at: object.at,
  };
}

export function readException(object: RenderedObject, namespaceOption: string | null, sink: FindingSink): AzurePodIdentityException | null {
  const spec = get(object.root, 'spec');
  const name = objectName(object);
  if (!name) return null;
  const podLabels = field(spec, 'podLabels', ['PodLabels']);
  reportPascal(object, [podLabels.pascal], sink);
  const labels = isMap(podLabels.node) ? fieldsOf(podLabels.node) : [];
  const namespace = effectiveNamespace(object, namespaceOption).value;
  sink.add(
    'pod-identity-exception',
    object.at,
    `AzurePodIdentityException ${namespace}/${name}: pods labelled ${labels.map((entry) => `${entry.key}=${scalarRef(entry.value)?.display ?? '?'}`).join(', ') || '(none)'} bypass NMI; delete it with aad-pod-identity`,
  );
  return { object, name, namespace, podLabels: labels, at: object.at };
}
