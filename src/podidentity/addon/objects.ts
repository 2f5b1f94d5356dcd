import { generatedOrigin, type Origin, type RenderedObject, type RenderUnit, type RMap, type RNode, type RPair, type RScalar, type RUnknown, type ScalarPart, type ScalarRef } from '../../k8s/rendered.js';
import { podIdentityGroup } from '../crds.js';
import { effectiveSelector, type AddonException, type AddonIdentity } from './types.js';

/**
 * The objects the AKS resource provider creates in the cluster for an add-on declaration, as the rendered objects the
 * pod-identity graph reads (aadpodidentity.k8s.io/v1): an AzureIdentity and an AzureIdentityBinding per identity, an
 * AzurePodIdentityException per exception. They are never edited as objects: their unit is of kind
 * `cluster-export` (what the cluster holds, not a file of the repository), and every field's origin is where the
 * declaration writes it (a Bicep line, a command's argument), or a `generated` origin at the declaration for what the
 * add-on fills in itself.
 *
 * - The AzureIdentity is named like the identity (AKS docs: "az aks pod-identity add ... --name"), type 0 (user-assigned
 *   managed identity), with `resourceID` and `clientID` when the declaration holds them, and the annotation
 *   `aadpodidentity.k8s.io/Behavior: namespaced`, because the add-on runs in managed mode, where identities serve pods
 *   of their own namespace only (aad-pod-identity docs, "Managed mode").
 * - The AzureIdentityBinding is named `<name>-binding`: the name the add-on gives it is not documented (read from a
 *   cluster export to know it); its selector is the binding selector, or the identity's name when none is given.
 * - A declaration that removes an identity (`az aks pod-identity delete`) gives no object.
 */
export function addonAsObjects(identity: AddonIdentity, firstIndex = 0): RenderedObject[] {
  if (identity.action !== 'add') return [];
  const at = identity.at;
  const made = (why: string): Origin => generatedOrigin(why, at);
  const unit = addonUnit(identity.at, identity.source, identity.name, identity.namespace);
  const name = refNode(identity.name);
  const namespace = refNode(identity.namespace);
  const spec: RPair[] = [pair('type', { kind: 'scalar', value: 0, origin: made('the add-on creates user-assigned managed identities (type 0)') }, made('AzureIdentity spec'))];
  if (identity.resourceId) spec.push(pair('resourceID', refNode(identity.resourceId), made('identity.resourceId')));
  if (identity.clientId) spec.push(pair('clientID', refNode(identity.clientId), made('identity.clientId')));
  const azureIdentity = objectOf('AzureIdentity', name, namespace, [pair('aadpodidentity.k8s.io/Behavior', { kind: 'scalar', value: 'namespaced', origin: made('the add-on runs in managed mode: an identity serves pods of its own namespace only') }, made('managed mode'))], spec, unit, at, firstIndex);
  const bindingName = joined([...partsOf(identity.name), { text: '-binding', origin: made('the binding name the add-on uses is not documented; <name>-binding assumed') }], made('binding name'));
  const selector = effectiveSelector(identity);
  const binding = objectOf(
    'AzureIdentityBinding',
    bindingName,
    namespace,
    [],
    [pair('azureIdentity', name, made('the binding refers to its identity by name')), pair('selector', refNode(selector), made('bindingSelector'))],
    unit,
    at,
    firstIndex + 1,
  );
  return [azureIdentity, binding];
}

/** The AzurePodIdentityException an add-on exception becomes; null for a removal. */
export function addonExceptionAsObject(exception: AddonException, index = 0): RenderedObject | null {
  if (exception.action !== 'add') return null;
  const at = exception.at;
  const made = (why: string): Origin => generatedOrigin(why, at);
  const labels: RMap = {
    kind: 'map',
    pairs: Object.entries(exception.podLabels).map(([key, value]) => pair(key, refNode(value), value.origin)),
    origin: made('podLabels'),
  };
  return objectOf('AzurePodIdentityException', refNode(exception.name), refNode(exception.namespace), [], [pair('podLabels', labels, made('podLabels'))], addonUnit(at, exception.source, exception.name, exception.namespace), at, index);
}

/** The unit of add-on objects: what the cluster holds because of one declaration. */
function addonUnit(at: Origin, source: AddonIdentity['source'], name: ScalarRef, namespace: ScalarRef): RenderUnit {
  const label = source === 'cluster-export' ? `cluster export ${at.file}` : `AKS pod-identity add-on (${at.file}:${at.line})`;
  const unit: RenderUnit = { kind: 'cluster-export', path: at.file, variant: `aks-add-on:${at.line}:${name.display}`, label };
  return namespace.value !== null ? { ...unit, namespace: { value: namespace.value, origin: namespace.origin } } : unit;
}

function pair(key: string, value: RNode, keyOrigin: Origin): RPair {
  return { key, keyOrigin, value };
}

function objectOf(kind: string, name: RScalar | RUnknown, namespace: RScalar | RUnknown, annotations: readonly RPair[], spec: readonly RPair[], unit: RenderUnit, at: Origin, index: number): RenderedObject {
  const made = (why: string): Origin => generatedOrigin(why, at);
  const apiVersion = `${podIdentityGroup}/v1`;
  const metadata: RPair[] = [pair('name', name, made('metadata.name')), pair('namespace', namespace, made('metadata.namespace'))];
  if (annotations.length > 0) metadata.push(pair('annotations', { kind: 'map', pairs: [...annotations], origin: made('annotations') }, made('annotations')));
  const root: RMap = {
    kind: 'map',
    pairs: [
      pair('apiVersion', { kind: 'scalar', value: apiVersion, origin: made('the add-on creates aad-pod-identity objects') }, made('apiVersion')),
      pair('kind', { kind: 'scalar', value: kind, origin: made(`the add-on creates an ${kind}`) }, made('kind')),
      pair('metadata', { kind: 'map', pairs: metadata, origin: made('metadata') }, made('metadata')),
      pair('spec', { kind: 'map', pairs: [...spec], origin: made('spec') }, made('spec')),
    ],
    origin: made(`the ${kind} the AKS pod-identity add-on creates`),
  };
  return { apiVersion, kind, name, namespace, root, unit, at, conditions: [], index };
}

/**
 * A ScalarRef as a node: a scalar when known, else an unknown whose parts are rebuilt from the display text (each
 * unknown shown as `{{ expression }}`, in order).
 */
function refNode(ref: ScalarRef): RScalar | RUnknown {
  if (ref.value !== null) return { kind: 'scalar', value: ref.value, origin: ref.origin };
  return { kind: 'unknown', parts: partsOf(ref), origin: { ...ref.origin, span: null } };
}

function partsOf(ref: ScalarRef): ScalarPart[] {
  if (ref.value !== null) return [{ text: ref.value, origin: ref.origin }];
  const parts: ScalarPart[] = [];
  let rest = ref.display;
  for (const unknown of ref.unknowns) {
    const shown = `{{ ${unknown.expression} }}`;
    const at = rest.indexOf(shown);
    if (at < 0) return ref.unknowns.map((item) => ({ unknown: item }));
    if (at > 0) parts.push({ text: rest.slice(0, at), origin: { ...ref.origin, span: null } });
    parts.push({ unknown });
    rest = rest.slice(at + shown.length);
  }
  if (rest) parts.push({ text: rest, origin: { ...ref.origin, span: null } });
  return parts;
}

function joined(parts: readonly ScalarPart[], origin: Origin): RScalar | RUnknown {
  if (parts.every((part) => 'text' in part)) return { kind: 'scalar', value: parts.map((part) => ('text' in part ? part.text : '')).join(''), origin };
  return { kind: 'unknown', parts: [...parts], origin };
}
