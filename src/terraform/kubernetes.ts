import type { RenderProblem } from '../k8s/files.js';
import { isMap, type Origin, type RenderedObject, type RMap, type RNode, type RPair } from '../k8s/rendered.js';
import { objectOf } from '../k8s/rendered-objects.js';
import type { Env, Evaluator, TfInstance } from './evaluate.js';
import type { HclBody } from './hcl-syntax.js';
import { addressOf, conditionsOf, unitOf } from './instances.js';
import { attributeOf, originIn, type TfFile, type TfResource } from './modules.js';

/**
 * Kubernetes objects Terraform creates: the kubernetes provider's typed resources (their snake_case blocks mapped to
 * the API's camelCase fields) and whole manifests (`kubernetes_manifest`, `kubectl_manifest`).
 */

/** apiVersion and kind each typed resource of the kubernetes provider creates. */
export const typedResources: Readonly<Record<string, { readonly apiVersion: string; readonly kind: string }>> = {
  kubernetes_deployment: { apiVersion: 'apps/v1', kind: 'Deployment' },
  kubernetes_deployment_v1: { apiVersion: 'apps/v1', kind: 'Deployment' },
  kubernetes_stateful_set: { apiVersion: 'apps/v1', kind: 'StatefulSet' },
  kubernetes_stateful_set_v1: { apiVersion: 'apps/v1', kind: 'StatefulSet' },
  kubernetes_daemonset: { apiVersion: 'apps/v1', kind: 'DaemonSet' },
  kubernetes_daemon_set_v1: { apiVersion: 'apps/v1', kind: 'DaemonSet' },
  kubernetes_job: { apiVersion: 'batch/v1', kind: 'Job' },
  kubernetes_job_v1: { apiVersion: 'batch/v1', kind: 'Job' },
  kubernetes_cron_job: { apiVersion: 'batch/v1beta1', kind: 'CronJob' },
  kubernetes_cron_job_v1: { apiVersion: 'batch/v1', kind: 'CronJob' },
  kubernetes_pod: { apiVersion: 'v1', kind: 'Pod' },
  kubernetes_pod_v1: { apiVersion: 'v1', kind: 'Pod' },
  kubernetes_service_account: { apiVersion: 'v1', kind: 'ServiceAccount' },
  kubernetes_service_account_v1: { apiVersion: 'v1', kind: 'ServiceAccount' },
  kubernetes_namespace: { apiVersion: 'v1', kind: 'Namespace' },
  kubernetes_namespace_v1: { apiVersion: 'v1', kind: 'Namespace' },
};

/** Blocks the provider repeats, each a list field of the API (block type → field name). */
const listBlocks: Readonly<Record<string, string>> = {
  container: 'containers',
  init_container: 'initContainers',
  env: 'env',
  env_from: 'envFrom',
  port: 'ports',
  volume: 'volumes',
  volume_mount: 'volumeMounts',
  volume_device: 'volumeDevices',
  toleration: 'tolerations',
  image_pull_secrets: 'imagePullSecrets',
  image_pull_secret: 'imagePullSecrets',
  secret: 'secrets',
  host_aliases: 'hostAliases',
  topology_spread_constraint: 'topologySpreadConstraints',
  readiness_gate: 'readinessGates',
  match_expressions: 'matchExpressions',
  items: 'items',
  volume_claim_template: 'volumeClaimTemplates',
};

/** Field names that are not a plain camelCase of the block or argument. */
const renamed: Readonly<Record<string, string>> = {
  host_ipc: 'hostIPC',
  host_pid: 'hostPID',
  job_template: 'jobTemplate',
};

/** Resource arguments that are Terraform's own, not part of the object. */
const providerOnly = new Set(['wait_for_rollout', 'wait_for_completion', 'wait_for_default_secret', 'timeouts', 'count', 'for_each', 'depends_on', 'provider', 'lifecycle', 'connection', 'provisioner']);

export function camelCase(name: string): string {
  return renamed[name] ?? name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * A block body as an API map: arguments camelCased with their values as written (map keys such as label names are
 * kept), blocks as maps or, for repeated kinds, lists. Origins point at the HCL.
 */
function apiMap(evaluator: Evaluator, body: HclBody, file: TfFile, env: Env, origin: Origin, top: boolean): RMap {
  const pairs: RPair[] = [];
  const lists = new Map<string, { keyOrigin: Origin; items: RNode[] }>();
  for (const item of body.items) {
    if (item.kind === 'attribute') {
      if (top && providerOnly.has(item.name)) continue;
      pairs.push({ key: camelCase(item.name), keyOrigin: keyOrigin(file, item.nameSpan, item.name), value: evaluator.evaluate(item.expr, file, env) });
      continue;
    }
    if (providerOnly.has(item.type) || item.type === 'dynamic') continue;
    const value = apiMap(evaluator, item.body, file, env, originIn(file, item.span), false);
    const listName = listBlocks[item.type];
    if (listName) {
      const list = lists.get(listName) ?? { keyOrigin: keyOrigin(file, item.typeSpan, item.type), items: [] };
      list.items.push(value);
      if (!lists.has(listName)) {
        lists.set(listName, list);
        pairs.push({ key: listName, keyOrigin: list.keyOrigin, value: { kind: 'seq', items: list.items, origin: { ...originIn(file, item.span), span: null } } });
      }
      continue;
    }
    const key = camelCase(item.type);
    const existing = pairs.findIndex((pair) => pair.key === key);
    if (existing >= 0) continue;
    pairs.push({ key, keyOrigin: keyOrigin(file, item.typeSpan, item.type), value });
  }
  // List values were pushed by reference; rebuild them with their final items.
  return { kind: 'map', pairs: pairs.map((pair) => (pair.value.kind === 'seq' && lists.has(pair.key) ? { ...pair, value: { ...pair.value, items: [...(lists.get(pair.key)?.items ?? [])] } } : pair)), origin };
}

function keyOrigin(file: TfFile, span: readonly [number, number], written: string): Origin {
  const origin = originIn(file, span);
  return camelCase(written) === written ? origin : { ...origin, span: null, via: written };
}

/** The object a typed kubernetes_* resource creates. */
export function readTypedResource(evaluator: Evaluator, instance: TfInstance, resource: TfResource, index: number): RenderedObject | null {
  const kind = typedResources[resource.type];
  if (!kind) return null;
  const env = evaluator.envOf(instance);
  const at = originIn(resource.file, resource.block.span);
  const body = apiMap(evaluator, resource.block.body, resource.file, env, at, true);
  const generated: Origin = { ...at, span: null, via: resource.type };
  const root: RMap = {
    kind: 'map',
    pairs: [
      { key: 'apiVersion', keyOrigin: generated, value: { kind: 'scalar', value: kind.apiVersion, origin: generated } },
      { key: 'kind', keyOrigin: generated, value: { kind: 'scalar', value: kind.kind, origin: generated } },
      ...body.pairs,
    ],
    origin: at,
  };
  return objectOf(root, unitOf(instance), conditionsOf(evaluator, instance, resource), index, at);
}

/** The objects of a `kubernetes_manifest` (`manifest`) or `kubectl_manifest` (`yaml_body`) resource. */
export function readManifestResource(evaluator: Evaluator, instance: TfInstance, resource: TfResource, index: number, problems: RenderProblem[]): RenderedObject | null {
  const attrName = resource.type === 'kubernetes_manifest' ? 'manifest' : 'yaml_body';
  const attr = attributeOf(resource.block.body, attrName);
  const at = originIn(resource.file, resource.block.span);
  if (!attr) return null;
  const env = evaluator.envOf(instance);
  const document = evaluator.document(attr.expr, resource.file, env, 'manifest');
  for (const message of document.problems) problems.push({ code: 'terraform-manifest-yaml', at: originIn(resource.file, attr.span, false), message });
  const node = document.node;
  if (!node || !isMap(node)) {
    if (node?.kind === 'unknown') {
      problems.push({ code: 'terraform-manifest-unknown', at: originIn(resource.file, attr.span, false), message: `${resource.file.path}:${at.line}: ${addressOf(instance, resource)}: the ${attrName} is not known from the repository (${node.parts.map((part) => ('unknown' in part ? part.unknown.reason : '')).join(' ')})` });
    }
    return null;
  }
  let root = node;
  const override = resource.type === 'kubectl_manifest' ? attributeOf(resource.block.body, 'override_namespace') : null;
  if (override) {
    const value = evaluator.evaluate(override.expr, resource.file, env);
    root = withNamespace(root, value, originIn(resource.file, override.span));
  }
  const object = objectOf(root, unitOf(instance), conditionsOf(evaluator, instance, resource), index, at);
  if (!object) {
    problems.push({ code: 'terraform-manifest-not-an-object', at: originIn(resource.file, attr.span, false), message: `${resource.file.path}:${at.line}: ${addressOf(instance, resource)}: the ${attrName} has no apiVersion and kind` });
  }
  return object;
}

/** metadata.namespace replaced (kubectl_manifest `override_namespace`). */
function withNamespace(root: RMap, value: RNode, at: Origin): RMap {
  const metadataIndex = root.pairs.findIndex((pair) => pair.key === 'metadata');
  const metadata = metadataIndex >= 0 ? root.pairs[metadataIndex]?.value : undefined;
  const base: RMap = metadata && isMap(metadata) ? metadata : { kind: 'map', pairs: [], origin: { ...at, span: null } };
  const pairs = base.pairs.filter((pair) => pair.key !== 'namespace');
  pairs.push({ key: 'namespace', keyOrigin: at, value });
  const next: RMap = { ...base, pairs };
  const rootPairs = [...root.pairs];
  if (metadataIndex >= 0) rootPairs[metadataIndex] = { key: 'metadata', keyOrigin: rootPairs[metadataIndex]?.keyOrigin ?? at, value: next };
  else rootPairs.push({ key: 'metadata', keyOrigin: at, value: next });
  return { ...root, pairs: rootPairs };
}

