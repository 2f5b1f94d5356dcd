import type { FindingSink } from '../model/findings-sink.js';
import { get, isMap, isSeq, scalarRef, type RenderedObject, type RenderUnit, type RMap, type RNode, type RScalar } from '../k8s/rendered.js';
import { readAzureIdentity, type AzureIdentity, type AzureIdentityBinding } from './crds.js';

/**
 * Identities declared through the aad-pod-identity chart's own values, which its templates turn into an
 * AzureIdentity and an AzureIdentityBinding each:
 * - chart ≥ 3.0: `azureIdentities` is a map keyed by identity name;
 * - chart 2.x: `azureIdentities` is a list of `{name, namespace, ..., binding: {name, selector}}`;
 * - chart < 2.0: a single `azureIdentity` plus `azureIdentityBinding`.
 * Each record points at its lines in the values file (or the HelmRelease's spec.values).
 */
export function identitiesFromChartValues(
  values: RMap,
  unit: RenderUnit,
  releaseNamespace: string,
  sink: FindingSink,
): { identities: AzureIdentity[]; bindings: AzureIdentityBinding[] } {
  const identities: AzureIdentity[] = [];
  const bindings: AzureIdentityBinding[] = [];
  const add = (key: RScalar | null, item: RMap, bindingNode: RNode | null) => {
    const nameNode = get(item, 'name');
    const name: RScalar | null = nameNode?.kind === 'scalar' && scalarRef(nameNode)?.value ? nameNode : key;
    const nameText = scalarRef(name)?.value;
    if (!name || !nameText) return;
    const namespaceNode = get(item, 'namespace');
    const namespace: RScalar = namespaceNode?.kind === 'scalar' && scalarRef(namespaceNode)?.value ? namespaceNode : { kind: 'scalar', value: releaseNamespace, origin: { ...name.origin, span: null } };
    const synthetic = (kind: string, root: RMap, objectName: RScalar): RenderedObject => ({
      apiVersion: 'aadpodidentity.k8s.io/v1',
      kind,
      name: objectName,
      namespace,
      root,
      unit,
      at: root.origin,
      conditions: [],
      index: 0,
    });
    if (scalarRef(get(item, 'enabled'))?.value === 'false') return;
    const identity = readAzureIdentity(synthetic('AzureIdentity', item, name), releaseNamespace, sink, item);
    if (!identity) return;
    identities.push({ ...identity, at: name.origin });
    if (!isMap(bindingNode)) return;
    const bindingName = get(bindingNode, 'name');
    const resolvedName: RScalar = bindingName?.kind === 'scalar' && scalarRef(bindingName)?.value ? bindingName : { kind: 'scalar', value: `${nameText}-binding`, origin: { ...name.origin, span: null } };
    bindings.push({
      object: synthetic('AzureIdentityBinding', bindingNode, resolvedName),
      name: scalarRef(resolvedName)?.value ?? '',
      namespace: scalarRef(namespace)?.value ?? releaseNamespace,
      azureIdentity: scalarRef(name),
      identityKey: nameText,
      selector: scalarRef(get(bindingNode, 'selector')),
      at: bindingNode.origin,
    });
  };

  const declared = get(values, 'azureIdentities');
  if (isMap(declared)) {
    for (const pair of declared.pairs) {
      if (isMap(pair.value)) add({ kind: 'scalar', value: pair.key, origin: pair.keyOrigin }, pair.value, get(pair.value, 'binding'));
    }
  } else if (isSeq(declared)) {
    for (const item of declared.items) if (isMap(item)) add(null, item, get(item, 'binding'));
  }
  const single = get(values, 'azureIdentity');
  if (isMap(single)) add(null, single, get(values, 'azureIdentityBinding'));
  return { identities, bindings };
}
