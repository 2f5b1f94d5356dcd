import { isMap, isSeq, type Node, type YAMLMap } from 'yaml';
import type { FindingSink } from '../model/findings-sink.js';
import type { ValuesLayer } from '../k8s/helm/chart.js';
import type { K8sObject } from '../k8s/object.js';
import { entries, get, nodeLocation, text, type TextValue } from '../k8s/source-doc.js';
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
  layer: ValuesLayer,
  releaseNamespace: string,
  sink: FindingSink,
): { identities: AzureIdentity[]; bindings: AzureIdentityBinding[] } {
  const { doc, root } = layer;
  const identities: AzureIdentity[] = [];
  const bindings: AzureIdentityBinding[] = [];
  const add = (key: TextValue | null, item: YAMLMap, bindingNode: Node | null) => {
    const nameValue = text(doc, get(doc, item, 'name'));
    const name = nameValue?.value ? nameValue : key;
    if (!name?.value) return;
    const namespaceValue = text(doc, get(doc, item, 'namespace'));
    const namespace: TextValue = namespaceValue?.value ? namespaceValue : { value: releaseNamespace, at: name.at };
    const synthetic = (kind: string, node: YAMLMap, objectName: TextValue): K8sObject => ({
      apiVersion: 'aadpodidentity.k8s.io/v1',
      kind,
      name: objectName,
      namespace,
      at: nodeLocation(doc, node),
      doc,
      node,
      source: 'helm',
      overlay: null,
      helm: null,
    });
    const enabled = text(doc, get(doc, item, 'enabled'))?.value;
    if (enabled === 'false') return;
    const identity = readAzureIdentity(synthetic('AzureIdentity', item, name), releaseNamespace, sink, item);
    if (!identity) return;
    identities.push({ ...identity, at: name.at });
    if (!isMap(bindingNode)) return;
    const bindingName = text(doc, get(doc, bindingNode, 'name'));
    const resolvedName: TextValue = bindingName?.value ? bindingName : { value: `${name.value}-binding`, at: name.at };
    bindings.push({
      object: synthetic('AzureIdentityBinding', bindingNode, resolvedName),
      name: resolvedName.value ?? '',
      namespace: namespace.value ?? releaseNamespace,
      azureIdentity: name,
      identityKey: name.value,
      selector: text(doc, get(doc, bindingNode, 'selector')),
      at: nodeLocation(doc, bindingNode),
    });
  };

  const declared = get(doc, root, 'azureIdentities');
  if (isMap(declared)) {
    for (const entry of entries(doc, declared)) {
      if (isMap(entry.node)) add({ value: entry.key, at: entry.keyAt }, entry.node, get(doc, entry.node, 'binding'));
    }
  } else if (isSeq(declared)) {
    for (const item of declared.items) if (isMap(item)) add(null, item, get(doc, item, 'binding'));
  }
  const single = get(doc, root, 'azureIdentity');
  if (isMap(single)) add(null, single, get(doc, root, 'azureIdentityBinding'));
  return { identities, bindings };
}
