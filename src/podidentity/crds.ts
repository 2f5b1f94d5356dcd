import { isMap, type Node } from 'yaml';
import type { FindingSink } from '../model/findings-sink.js';
import type { Location } from '../model/location.js';
import { effectiveName, effectiveNamespace, type K8sObject } from '../k8s/object.js';
import { entries, get, pairOf, nodeLocation, text, type Entry, type TextValue } from '../k8s/source-doc.js';

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
  readonly object: K8sObject;
  /** The name as rendered, or the template text when it could not be resolved. */
  readonly name: string;
  /** What bindings refer to it by: the name, or chart-qualified template text (see `referenceKey`). */
  readonly key: string;
  readonly namespace: string;
  readonly type: IdentityType;
  readonly clientId: TextValue | null;
  readonly tenantId: TextValue | null;
  readonly resourceId: TextValue | null;
  readonly resourceIdParts: ResourceIdParts | null;
  /** `aadpodidentity.k8s.io/Behavior: namespaced`: matches only pods and bindings of its own namespace. */
  readonly namespaced: boolean;
  readonly at: Location;
}

export interface AzureIdentityBinding {
  readonly object: K8sObject;
  readonly name: string;
  readonly namespace: string;
  readonly azureIdentity: TextValue | null;
  /** `referenceKey` of spec.azureIdentity, compared with AzureIdentity.key. */
  readonly identityKey: string | null;
  readonly selector: TextValue | null;
  readonly at: Location;
}

export interface AzurePodIdentityException {
  readonly object: K8sObject;
  readonly name: string;
  readonly namespace: string;
  readonly podLabels: readonly Entry[];
  readonly at: Location;
}

/**
 * How one object refers to another by name: the literal name, or — when both are written with the same unresolved
 * template expression in the same chart (`{{ $fullname }}-identity`) — the chart and the normalised template text.
 */
export function referenceKey(value: TextValue | null, chart: string | null, prefix = '', suffix = ''): string | null {
  if (!value) return null;
  if (value.value) return `${prefix}${value.value}${suffix}`;
  if (value.template) return `{{${chart ?? ''}}}${value.template.replace(/\{\{-?\s*/g, '{{').replace(/\s*-?\}\}/g, '}}').replace(/\s+/g, ' ')}`;
  return null;
}

/** The name an object is shown by: effective name, else its template text. */
function objectName(object: K8sObject): string | null {
  return effectiveName(object) ?? object.name?.template ?? null;
}

export function isPodIdentityObject(object: K8sObject): boolean {
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
function field(object: K8sObject, spec: Node | null, camel: string, pascal: string[]): { node: Node | null; pascal: { name: string; at: Location } | null } {
  const own = pairOf(object.doc, spec, camel);
  if (own) return { node: (own.value as Node | null) ?? null, pascal: null };
  for (const name of pascal) {
    const old = pairOf(object.doc, spec, name);
    if (old) return { node: (old.value as Node | null) ?? null, pascal: { name, at: nodeLocation(object.doc, old.key as Node) } };
  }
  return { node: null, pascal: null };
}

function reportPascal(object: K8sObject, fields: readonly ({ name: string; at: Location } | null)[], sink: FindingSink): void {
  const used = fields.filter((field): field is { name: string; at: Location } => field !== null).sort((a, b) => a.at.line - b.at.line);
  const first = used[0];
  if (!first) return;
  const names = used.map((field) => field.name);
  sink.add('pascal-case-fields', first.at, `${object.kind} ${effectiveName(object) ?? ''} uses PascalCase field${used.length > 1 ? 's' : ''} ${names.join(', ')}: aad-pod-identity ≥ 1.6 reads ${names.map(toCamel).join(', ')} (read anyway)`);
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

export function readAzureIdentity(
  object: K8sObject,
  namespaceOption: string | null,
  sink: FindingSink,
  spec: Node | null = get(object.doc, object.node, 'spec'),
): AzureIdentity | null {
  const name = objectName(object);
  const key = referenceKey(object.name, object.helm?.chart.dir ?? null, object.overlay?.namePrefix, object.overlay?.nameSuffix);
  if (!name || !key) return null;
  const type = field(object, spec, 'type', ['Type']);
  const clientId = field(object, spec, 'clientID', ['ClientID', 'clientId', 'ClientId']);
  const tenantId = field(object, spec, 'tenantID', ['TenantID', 'tenantId', 'TenantId']);
  const resourceId = field(object, spec, 'resourceID', ['ResourceID', 'resourceId', 'ResourceId']);
  reportPascal(object, [type.pascal, clientId.pascal, tenantId.pascal, resourceId.pascal], sink);

  const typeText = text(object.doc, type.node);
  const typeValue = typeText?.value === '' || !typeText ? '0' : typeText.value;
  const identityType = typeValue === null ? 'user-assigned-managed-identity' : identityTypes[typeValue];
  const resolvedType = identityType ?? 'user-assigned-managed-identity';
  const clientIdText = text(object.doc, clientId.node);
  const tenantIdText = text(object.doc, tenantId.node);
  const resourceIdText = text(object.doc, resourceId.node);
  const parts = resourceIdText?.value ? splitResourceId(resourceIdText.value) : null;
  const namespaced = entries(object.doc, get(object.doc, get(object.doc, object.node, 'metadata'), 'annotations')).some(
    (entry) => entry.key === 'aadpodidentity.k8s.io/Behavior' && entry.value?.value === 'namespaced',
  );

  const label = `AzureIdentity ${name}`;
  if (typeText && typeValue !== null && !identityType) {
    sink.add('identity-incomplete', typeText.at, `${label}: type ${typeValue} is not 0, 1 or 2; read as a user-assigned managed identity`);
  }
  const clientAt = clientIdText?.at ?? object.at;
  if (!clientIdText) sink.add('identity-client-id-unresolved', clientAt, `${label} has no clientID`);
  else if (clientIdText.value === null) sink.add('identity-client-id-unresolved', clientAt, `${label}: clientID ${clientIdText.template ?? ''} could not be resolved from values`);
  else if (clientIdText.value === '') sink.add('identity-client-id-unresolved', clientIdText.resolvedAt ?? clientAt, `${label}: clientID is empty${clientIdText.template ? ` (${clientIdText.template})` : ''}`);
  else if (!isGuid(clientIdText.value)) sink.add('identity-client-id-unresolved', clientAt, `${label}: clientID "${clientIdText.value}" is not a GUID (placeholder?)`);

  if (resolvedType === 'user-assigned-managed-identity') {
    if (resourceIdText?.value && !parts) {
      sink.add('identity-invalid-resource-id', resourceIdText.at, `${label}: resourceID "${resourceIdText.value}" is not /subscriptions/…/resourceGroups/…/providers/Microsoft.ManagedIdentity/userAssignedIdentities/…`);
    } else if (!resourceIdText?.value) {
      const where = resourceIdText?.resolvedAt ?? resourceIdText?.at ?? object.at;
      const why = !resourceIdText ? 'has no resourceID' : resourceIdText.value === null ? `resourceID ${resourceIdText.template ?? ''} could not be resolved from values` : 'has an empty resourceID';
      sink.add('identity-invalid-resource-id', where, `${label} ${why}; the federated credential needs the identity's name and resource group`);
    }
  } else if (!tenantIdText?.value || !clientIdText?.value) {
    sink.add('identity-incomplete', object.at, `${label} (${resolvedType}) needs clientID and tenantID for a federated credential on its app registration`);
  }

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

export function readBinding(object: K8sObject, namespaceOption: string | null, sink: FindingSink): AzureIdentityBinding | null {
  const spec = get(object.doc, object.node, 'spec');
  const name = objectName(object);
  if (!name) return null;
  const identity = field(object, spec, 'azureIdentity', ['AzureIdentity', 'AzureIdentityName']);
  const azureIdentity = text(object.doc, identity.node);
  const selector = field(object, spec, 'selector', ['Selector']);
  reportPascal(object, [identity.pascal, selector.pascal], sink);
  return {
    object,
    name,
    namespace: effectiveNamespace(object, namespaceOption).value,
    azureIdentity,
    identityKey: referenceKey(azureIdentity, object.helm?.chart.dir ?? null),
    selector: text(object.doc, selector.node),
    at: object.at,
  };
}

export function readException(object: K8sObject, namespaceOption: string | null, sink: FindingSink): AzurePodIdentityException | null {
  const spec = get(object.doc, object.node, 'spec');
  const name = objectName(object);
  if (!name) return null;
  const podLabels = field(object, spec, 'podLabels', ['PodLabels']);
  reportPascal(object, [podLabels.pascal], sink);
  const labels = isMap(podLabels.node) ? entries(object.doc, podLabels.node) : [];
  const namespace = effectiveNamespace(object, namespaceOption).value;
  sink.add(
    'pod-identity-exception',
    object.at,
    `AzurePodIdentityException ${namespace}/${name}: pods labelled ${labels.map((entry) => `${entry.key}=${entry.value?.value ?? '?'}`).join(', ') || '(none)'} bypass NMI; delete it with aad-pod-identity`,
  );
  return { object, name, namespace, podLabels: labels, at: nodeLocation(object.doc, object.node) };
}
