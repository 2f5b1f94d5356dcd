import { isMap, isSeq, scalarRef, type RMap, type RNode, type ScalarRef } from '../../k8s/rendered.js';
import type { AddonCollector } from './collect.js';
import { getKey, readClusterProperties } from './profile.js';
import type { AddonSource } from './types.js';

/** Documents are searched for a profile this deep. */
const maxSearchDepth = 64;

/**
 * Reads every `podIdentityProfile` in a YAML or JSON document that is not a template: a managed cluster as
 * `az aks show` or the ARM API gives it (`properties.podIdentityProfile`, or at the top level), an Azure Service
 * Operator `ManagedCluster` (`spec.podIdentityProfile`), a request body. The map holding the profile is read as the
 * cluster's properties; the cluster's name is that map's `azureName` or `name`, or its parent's `name` or
 * `metadata.name`; its group is `resourceGroup` beside them. Returns how many profiles it read.
 */
export function readProfileDocuments(root: RNode | null, source: AddonSource, collector: AddonCollector): number {
  let found = 0;
  const visit = (node: RNode, parent: RMap | null, depth: number): void => {
    if (depth > maxSearchDepth) return;
    if (isSeq(node)) {
      for (const item of node.items) visit(item, parent, depth + 1);
      return;
    }
    if (!isMap(node)) return;
    if (getKey(node, 'podIdentityProfile')) {
      found++;
      readClusterProperties(node, { source, cluster: clusterName(node, parent), resourceGroup: groupOf(node, parent) }, collector);
      return;
    }
    for (const pair of node.pairs) visit(pair.value, node, depth + 1);
  };
  if (root) visit(root, null, 0);
  return found;
}

function clusterName(holder: RMap, parent: RMap | null): ScalarRef | null {
  return scalarRef(getKey(holder, 'azureName')) ?? scalarRef(getKey(holder, 'name')) ?? scalarRef(getKey(parent, 'azureName')) ?? scalarRef(getKey(parent, 'name')) ?? scalarRef(getKey(getKey(parent, 'metadata'), 'name'));
}

function groupOf(holder: RMap, parent: RMap | null): ScalarRef | null {
  return scalarRef(getKey(holder, 'resourceGroup')) ?? scalarRef(getKey(parent, 'resourceGroup'));
}
