import { isMap, isScalar, isSeq, type Node, type YAMLMap } from 'yaml';
import type { Location } from '../model/location.js';
import type { EffectiveNamespace, K8sObject } from './object.js';
import {
  asSeq,
  entries,
  get,
  getIn,
  nodeLocation,
  pairOf,
  text,
  type Entry,
  type SourceDoc,
  type TextValue,
} from './source-doc.js';

/** Where each workload kind keeps its pod template (metadata + spec), from the object root. */
const podTemplatePaths: Readonly<Record<string, readonly string[]>> = {
  Pod: [],
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

/** Kinds whose selector is immutable once created. */
export const immutableSelectorKinds: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Rollout']);

export interface ContainerView {
  readonly name: string | null;
  readonly image: TextValue | null;
  readonly ports: readonly number[];
  readonly init: boolean;
  readonly at: Location;
}

/** A pod template as pod2wi reads it: every label with where it is written, and the facts the migration needs. */
export interface PodTemplateView {
  /** Path from the object root to the template: `[]` for a Pod. */
  readonly path: readonly string[];
  readonly node: YAMLMap | null;
  readonly at: Location;
  readonly labels: readonly Entry[];
  readonly annotations: readonly Entry[];
  readonly serviceAccountName: TextValue | null;
  readonly hostNetwork: TextValue | null;
  readonly nodeSelector: readonly Entry[];
  readonly containers: readonly ContainerView[];
  /** `kubernetes.io/os` required by node affinity, with where. */
  readonly affinityOs: TextValue | null;
  readonly tolerations: readonly { key: string | null; value: string | null; at: Location }[];
}

export interface WorkloadView {
  readonly object: K8sObject;
  /** Set when the namespace is not the object's own (a HelmRelease's pods land in its target namespace). */
  readonly namespace?: EffectiveNamespace;
  /** Known kind, or the object's own kind for a generic workload (anything with spec.template.spec.containers). */
  readonly kind: string;
  readonly generic: boolean;
  readonly template: PodTemplateView;
  readonly metadataLabels: readonly Entry[];
  readonly selectorLabels: readonly Entry[];
}

/** The pod-template path of a kind, or null when the object is not a workload pod2wi knows. */
export function podTemplatePath(object: K8sObject): { path: readonly string[]; generic: boolean } | null {
  const known = podTemplatePaths[object.kind];
  if (known) return { path: known, generic: false };
  if (object.kind === 'Rollout' && object.apiVersion.startsWith('argoproj.io/')) {
    return { path: ['spec', 'template'], generic: false };
  }
  if (isSeq(getIn(object.doc, object.node, ['spec', 'template', 'spec', 'containers']))) {
    return { path: ['spec', 'template'], generic: true };
  }
  return null;
}

export function readWorkload(object: K8sObject): WorkloadView | null {
  const where = podTemplatePath(object);
  if (!where) return null;
  const { doc, node } = object;
  const templateNode = where.path.length === 0 ? node : getIn(doc, node, where.path);
  const template = readPodTemplate(object, where.path, isMap(templateNode) ? templateNode : null);
  const metadataLabels = mapEntries(doc, node, ['metadata', 'labels']);
  const selectorPath = object.kind === 'ReplicationController' ? ['spec', 'selector'] : ['spec', 'selector', 'matchLabels'];
  const selectorLabels = where.path.length === 0 ? [] : mapEntries(doc, node, selectorPath);
  const overlay = object.overlay;
  return {
    object,
    kind: object.kind,
    generic: where.generic,
    template,
    metadataLabels: overlay ? [...metadataLabels, ...overlay.metadataLabels] : metadataLabels,
    selectorLabels: overlay && where.path.length > 0 ? [...selectorLabels, ...overlay.selectorLabels] : selectorLabels,
  };
}

function readPodTemplate(object: K8sObject, path: readonly string[], node: YAMLMap | null): PodTemplateView {
  const { doc } = object;
  const spec = get(doc, node, 'spec');
  const overlay = object.overlay;
  const ownLabels = mapEntries(doc, node, ['metadata', 'labels']);
  const overlayLabels = overlay ? (path.length === 0 ? overlay.metadataLabels : overlay.templateLabels) : [];
  const serviceAccount = text(doc, get(doc, spec, 'serviceAccountName')) ?? text(doc, get(doc, spec, 'serviceAccount'));
  return {
    path,
    node,
    at: node ? nodeLocation(doc, node) : object.at,
    labels: [...ownLabels, ...overlayLabels],
    annotations: mapEntries(doc, node, ['metadata', 'annotations']),
    serviceAccountName: serviceAccount && overlay && serviceAccount.value
      ? { ...serviceAccount, value: overlay.serviceAccountNames.get(serviceAccount.value) ?? serviceAccount.value }
      : serviceAccount,
    hostNetwork: text(doc, get(doc, spec, 'hostNetwork')),
    nodeSelector: mapEntries(doc, spec, ['nodeSelector']),
    containers: [...readContainers(doc, get(doc, spec, 'initContainers'), true), ...readContainers(doc, get(doc, spec, 'containers'), false)],
    affinityOs: readAffinityOs(doc, spec),
    tolerations: (asSeq(get(doc, spec, 'tolerations'))?.items ?? []).flatMap((item) =>
      isMap(item)
        ? [{ key: text(doc, get(doc, item, 'key'))?.value ?? null, value: text(doc, get(doc, item, 'value'))?.value ?? null, at: nodeLocation(doc, item) }]
        : [],
    ),
  };
}

/** Entries of the map at `path` under `node`, including what a template injects into that block. */
export function mapEntries(doc: SourceDoc, node: Node | null | undefined, path: readonly string[]): Entry[] {
  const parentPath = path.slice(0, -1);
  const parent = parentPath.length === 0 ? node : getIn(doc, node, parentPath);
  const pair = pairOf(doc, parent, path[path.length - 1] ?? '');
  if (!pair) return [];
  const keyAt = isScalar(pair.key) ? nodeLocation(doc, pair.key) : undefined;
  return entries(doc, (pair.value as Node | null) ?? null, keyAt);
}

function readContainers(doc: SourceDoc, node: Node | null, init: boolean): ContainerView[] {
  return (asSeq(node)?.items ?? []).flatMap((item) => {
    if (!isMap(item)) return [];
    const ports = (asSeq(get(doc, item, 'ports'))?.items ?? []).flatMap((port) => {
      const value = Number(text(doc, get(doc, port as Node, 'containerPort'))?.value);
      return Number.isInteger(value) ? [value] : [];
    });
    return [{
      name: text(doc, get(doc, item, 'name'))?.value ?? null,
      image: text(doc, get(doc, item, 'image')),
      ports,
      init,
      at: nodeLocation(doc, item),
    }];
  });
}

function readAffinityOs(doc: SourceDoc, spec: Node | null): TextValue | null {
  const terms = asSeq(getIn(doc, spec, ['affinity', 'nodeAffinity', 'requiredDuringSchedulingIgnoredDuringExecution', 'nodeSelectorTerms']));
  for (const term of terms?.items ?? []) {
    for (const expression of asSeq(get(doc, term as Node, 'matchExpressions'))?.items ?? []) {
      const key = text(doc, get(doc, expression as Node, 'key'))?.value;
      const operator = text(doc, get(doc, expression as Node, 'operator'))?.value;
      if ((key === 'kubernetes.io/os' || key === 'beta.kubernetes.io/os') && operator === 'In') {
        const values = asSeq(get(doc, expression as Node, 'values'))?.items ?? [];
        const first = text(doc, values[0] as Node);
        if (first) return first;
      }
    }
  }
  return null;
}

export type OperatingSystem = 'linux' | 'windows' | 'unknown';

const windowsImage = /(^|\/)(windows|nanoserver|servercore|windowsservercore)([/:@-]|$)|mcr\.microsoft\.com\/windows|\/dotnet\/framework\/|[:-](ltsc20\d\d|nanoserver|windowsservercore)/i;

/**
 * The pod's operating system from what the manifest says: nodeSelector or required node affinity on
 * kubernetes.io/os, a Windows toleration, or a Windows base image. Unknown when nothing says.
 */
export function operatingSystem(template: PodTemplateView): { os: OperatingSystem; at: Location | null } {
  for (const entry of template.nodeSelector) {
    if ((entry.key === 'kubernetes.io/os' || entry.key === 'beta.kubernetes.io/os') && entry.value?.value) {
      const os = entry.value.value.toLowerCase();
      if (os === 'windows' || os === 'linux') return { os, at: entry.keyAt };
    }
  }
  const affinity = template.affinityOs?.value?.toLowerCase();
  if (template.affinityOs && (affinity === 'windows' || affinity === 'linux')) return { os: affinity, at: template.affinityOs.at };
  for (const toleration of template.tolerations) {
    if ((toleration.key === 'os' || toleration.key === 'kubernetes.io/os') && toleration.value?.toLowerCase() === 'windows') {
      return { os: 'windows', at: toleration.at };
    }
  }
  for (const container of template.containers) {
    const image = container.image?.value;
    if (image && windowsImage.test(image)) return { os: 'windows', at: container.image?.at ?? container.at };
  }
  return { os: 'unknown', at: null };
}

/**
 * The pods of a HelmRelease whose chart is not in the repository, as far as its values tell: the label entry, the
 * release's target namespace. Nothing else of the pod template is known.
 */
export function releaseWorkload(object: K8sObject, label: Entry, namespace: EffectiveNamespace, serviceAccountName: TextValue): WorkloadView {
  return {
    object,
    namespace,
    kind: 'HelmRelease',
    generic: true,
    template: {
      path: ['spec', 'values'],
      node: null,
      at: label.keyAt,
      labels: [label],
      annotations: [],
      serviceAccountName,
      hostNetwork: null,
      nodeSelector: [],
      containers: [],
      affinityOs: null,
      tolerations: [],
    },
    metadataLabels: [],
    selectorLabels: [],
  };
}
