import type { FileSource, RenderProblem } from '../k8s/files.js';
import type { RenderedObject, ScalarRef } from '../k8s/rendered.js';
import type { FindingSink } from '../model/findings-sink.js';
import { compareStrings } from '../model/location.js';
import type { GrammarCache } from '../code/tree-sitter.js';
import { addonAsObjects, addonExceptionAsObject, readAddon, type AddonException, type AddonIdentity, type ClusterSetting } from './addon/index.js';
import type { ClusterState } from './cluster-export.js';

/** A client ID given in `.pod2wi.yaml` (`identities: {<name or resource ID>: {clientId}}`), with where it is written. */
export interface GivenClientId {
  readonly clientId: string;
  readonly file: string;
  readonly line: number;
}

/** Pod identity that lives outside the manifests: the AKS add-on as the repository declares it, and cluster exports. */
export interface ExternalPodIdentity {
  /** AzureIdentity, AzureIdentityBinding and AzurePodIdentityException objects, never edited (unit kind `cluster-export`). */
  readonly objects: readonly RenderedObject[];
  /** The add-on's identities after merging declarations of the same identity (first the cluster's, then IaC, then scripts). */
  readonly identities: readonly AddonIdentity[];
  readonly exceptions: readonly AddonException[];
  readonly settings: readonly ClusterSetting[];
}

/** Which declaration of one identity is trusted first: what the cluster holds, then templates, then commands. */
const rank: Readonly<Record<AddonIdentity['source'], number>> = { 'cluster-export': 0, arm: 1, bicep: 1, terraform: 1, manifest: 2, pipeline: 3, 'az-cli': 3 };

const problemFinding = (problem: RenderProblem): 'addon-read-problem' | 'cluster-state-problem' => (problem.code.startsWith('cluster-state') ? 'cluster-state-problem' : 'addon-read-problem');

/**
 * Reads the add-on declarations of the repository and the cluster exports given with `--cluster-state`, merges what
 * describes the same identity (same namespace and name, on the same cluster when both say which), and turns each into
 * the objects the AKS resource provider creates, so the graph links workloads to them as to any AzureIdentityBinding.
 * A client ID the declarations lack is taken from `.pod2wi.yaml` (by identity name or resource ID) when given there.
 */
export async function readExternalPodIdentity(
  files: FileSource,
  states: readonly ClusterState[],
  given: ReadonlyMap<string, GivenClientId>,
  sink: FindingSink,
  grammars?: GrammarCache,
): Promise<ExternalPodIdentity> {
  const addon = await readAddon(files, grammars ? { grammars } : {});
  for (const problem of addon.problems) sink.add(problemFinding(problem), problem.at, problem.message);
  for (const state of states) for (const problem of state.problems) sink.add(problemFinding(problem), problem.at, problem.message);

  const declared = [...states.flatMap((state) => state.identities), ...addon.identities].filter((identity) => identity.action === 'add');
  const identities = mergeIdentities(declared).map((identity) => withGivenClientId(identity, given));
  const exceptions = mergeExceptions([...states.flatMap((state) => state.exceptions), ...addon.exceptions].filter((exception) => exception.action === 'add'));
  const objects: RenderedObject[] = [...states.flatMap((state) => state.objects)];
  for (const identity of identities) objects.push(...addonAsObjects(identity, 0));
  for (const exception of exceptions) {
    const object = addonExceptionAsObject(exception, 0);
    if (object) objects.push(object);
  }
  return { objects, identities, exceptions, settings: [...states.flatMap((state) => state.settings), ...addon.settings] };
}

function keyOf(item: { readonly name: ScalarRef; readonly namespace: ScalarRef }): string | null {
  return item.name.value !== null && item.namespace.value !== null ? `${item.namespace.value}/${item.name.value}` : null;
}

const sameCluster = (a: ScalarRef | null, b: ScalarRef | null) => a?.value == null || b?.value == null || a.value === b.value;

function mergeIdentities(all: readonly AddonIdentity[]): AddonIdentity[] {
  const ordered = [...all].sort((a, b) => rank[a.source] - rank[b.source] || compareStrings(a.at.file, b.at.file) || a.at.line - b.at.line);
  const kept: AddonIdentity[] = [];
  for (const identity of ordered) {
    const key = keyOf(identity);
    const index = key === null ? -1 : kept.findIndex((other) => keyOf(other) === key && sameCluster(other.cluster, identity.cluster));
    const first = kept[index];
    if (!first) {
      kept.push(identity);
      continue;
    }
    kept[index] = {
      ...first,
      clientId: first.clientId?.value ? first.clientId : (identity.clientId ?? first.clientId),
      resourceId: first.resourceId?.value ? first.resourceId : (identity.resourceId ?? first.resourceId),
      objectId: first.objectId ?? identity.objectId,
      bindingSelector: first.bindingSelector ?? identity.bindingSelector,
      cluster: first.cluster?.value ? first.cluster : (identity.cluster ?? first.cluster),
      resourceGroup: first.resourceGroup?.value ? first.resourceGroup : (identity.resourceGroup ?? first.resourceGroup),
    };
  }
  return kept.sort((a, b) => compareStrings(a.at.file, b.at.file) || a.at.line - b.at.line);
}

function mergeExceptions(all: readonly AddonException[]): AddonException[] {
  const seen = new Set<string>();
  const kept: AddonException[] = [];
  for (const exception of all) {
    const key = keyOf(exception);
    if (key !== null && seen.has(key)) continue;
    if (key !== null) seen.add(key);
    kept.push(exception);
  }
  return kept;
}

function withGivenClientId(identity: AddonIdentity, given: ReadonlyMap<string, GivenClientId>): AddonIdentity {
  if (identity.clientId?.value) return identity;
  const entry = (identity.resourceId?.value ? given.get(identity.resourceId.value.toLowerCase()) : undefined) ?? (identity.name.value ? given.get(identity.name.value) : undefined);
  if (!entry) return identity;
  return {
    ...identity,
    clientId: { value: entry.clientId, display: entry.clientId, origin: { source: 'manifest', file: entry.file, line: entry.line, column: 1, span: null, via: '.pod2wi.yaml identities' }, unknowns: [] },
  };
}
