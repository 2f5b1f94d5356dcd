import type { RenderProblem } from '../k8s/files.js';
import { objectsOfDocument } from '../k8s/rendered-objects.js';
import { get, isMap, isSeq, textOf, type Origin, type RenderedObject, type RenderUnit, type RNode } from '../k8s/rendered.js';
import { readTree } from '../k8s/yaml-tree.js';
import { AddonCollector } from './addon/collect.js';
import { readProfileDocuments } from './addon/documents.js';
import { getKey, readProfile } from './addon/profile.js';
import type { AddonException, AddonIdentity, ClusterSetting } from './addon/types.js';

/**
 * Exports of a running cluster given with `--cluster-state FILE`:
 * - `kubectl get azureidentities,azureidentitybindings,azurepodidentityexceptions -A -o yaml` (or `-o json`): a `List`
 *   with `items`, or plain objects in a multi-document YAML;
 * - `az aks show -g RG -n CLUSTER --query podIdentityProfile -o json`: the profile itself;
 * - `az aks show -g RG -n CLUSTER -o json`: the whole managed cluster (`podIdentityProfile` beside `name` and
 *   `resourceGroup`; `properties.podIdentityProfile` in the ARM shape of `az resource show`), or a list of them
 *   (`az aks list -o json`).
 * Every origin has source `cluster-export`: the objects fill the graph and are never edited.
 */
export interface ClusterState {
  /** The Kubernetes objects of the export, in unit `{kind: 'cluster-export', path}`. */
  readonly objects: readonly RenderedObject[];
  /** The add-on's identities from an `az aks show` export (source `cluster-export`). */
  readonly identities: readonly AddonIdentity[];
  readonly exceptions: readonly AddonException[];
  readonly settings: readonly ClusterSetting[];
  /**
   * Problem codes: `cluster-state-parse-error` (a document that does not parse; the others are read),
   * `cluster-state-unrecognized` (a document that is neither Kubernetes objects nor an `az aks show` output),
   * `cluster-state-empty` (nothing in the file), plus the add-on readers' `addon-list-unknown` and
   * `addon-entry-incomplete`.
   */
  readonly problems: readonly RenderProblem[];
}

/** Reads one export. `path` is how the user named the file; it is the `file` of every origin. Never throws. */
export function readClusterState(path: string, text: string): ClusterState {
  const unit: RenderUnit = { kind: 'cluster-export', path, variant: '', label: `cluster export ${path}` };
  const collector = new AddonCollector();
  const problems: RenderProblem[] = [];
  const objects: RenderedObject[] = [];
  const fileOrigin: Origin = { source: 'cluster-export', file: path, line: 1, column: 1, span: null };
  let tree: ReturnType<typeof readTree>;
  try {
    tree = readTree(path, text.replace(/^\uFEFF/, ''), { source: 'cluster-export' });
  } catch (error) {
    return { objects: [], identities: [], exceptions: [], settings: [], problems: [{ code: 'cluster-state-parse-error', at: fileOrigin, message: `${path} could not be read: ${error instanceof Error ? error.message : String(error)}` }] };
  }
  for (const problem of tree.problems) problems.push({ code: 'cluster-state-parse-error', at: problem.at, message: `${path} does not parse here: ${problem.message}` });
  let documents = 0;
  for (const document of tree.documents) {
    const root = document.node;
    if (root === null || (root.kind === 'scalar' && root.value === null)) continue;
    documents++;
    const found = objectsOfDocument(document, unit, [], objects.length);
    if (found.length > 0) {
      objects.push(...found.filter((object) => !object.kind.endsWith('List')));
      continue;
    }
    if (isProfile(root)) {
      readProfile(root, { source: 'cluster-export', cluster: null, resourceGroup: null }, collector);
      continue;
    }
    if (readProfileDocuments(root, 'cluster-export', collector) > 0) continue;
    if (isEmptyList(root) || isManagedCluster(root)) continue;
    problems.push({ code: 'cluster-state-unrecognized', at: document.at, message: `${path}: this document is neither Kubernetes objects (kubectl get -o yaml|json) nor az aks show output` });
  }
  if (documents === 0 && tree.problems.length === 0) problems.push({ code: 'cluster-state-empty', at: fileOrigin, message: `${path} holds nothing` });
  const read = collector.result();
  return { objects, identities: read.identities, exceptions: read.exceptions, settings: read.settings, problems: [...problems, ...read.problems] };
}

/** `az aks show --query podIdentityProfile`: a map of the profile's own keys. */
function isProfile(node: RNode): boolean {
  if (!isMap(node) || node.pairs.length === 0) return false;
  const keys = new Set(['enabled', 'allowNetworkPluginKubenet', 'userAssignedIdentities', 'userAssignedIdentityExceptions']);
  return node.pairs.every((pair) => keys.has(pair.key)) && (getKey(node, 'userAssignedIdentities') !== null || getKey(node, 'enabled') !== null);
}

/** A managed cluster without a pod-identity profile (the add-on never enabled): nothing to read, nothing wrong. */
function isManagedCluster(node: RNode): boolean {
  const items = isSeq(node) ? node.items : [node];
  return items.length > 0 && items.every((item) => /managedClusters$/i.test(textOf(get(item, 'type')) ?? ''));
}

/** `kubectl get ... -o json` with no objects: `{"kind": "List", "items": []}`, or an empty list from `az aks list`. */
function isEmptyList(node: RNode): boolean {
  if (isSeq(node)) return node.items.length === 0;
  return isMap(node) && (textOf(get(node, 'kind')) ?? '').endsWith('List') && isSeq(get(node, 'items'));
}
