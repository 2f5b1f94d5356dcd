import type { Location } from '../model/location.js';
import { effectiveNamespace, type EffectiveNamespace } from './namespaces.js';
import {
  get,
  getIn,
  isMap,
  isSeq,
  textOf,
  type Condition,
  type Origin,
  type RenderedObject,
  type RMap,
  type RNode,
  type RScalar,
  type RUnknown,
  type Unknown,
} from './rendered.js';

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

/**
 * A key of a rendered map (a label, an annotation) with where its key and value came from and the template branches
 * taken around it.
 */
export interface Field {
  readonly key: string;
  readonly keyOrigin: Origin;
  readonly value: RNode;
  readonly conditions: readonly Condition[];
}

export interface ContainerView {
  readonly name: string | null;
  readonly image: RScalar | RUnknown | null;
  readonly ports: readonly number[];
  readonly init: boolean;
  readonly at: Origin;
}

/** A pod template as rendered: its labels and annotations with origins, and the facts the migration needs. */
export interface PodTemplateView {
  /** Path from the object root to the template: `[]` for a Pod. */
  readonly path: readonly string[];
  readonly node: RMap | null;
  readonly at: Origin;
  readonly labels: readonly Field[];
  readonly annotations: readonly Field[];
  /** Content of the labels map the renderer could not know (an include of a template outside the repository). */
  readonly unknownLabels: readonly Unknown[];
  readonly serviceAccountName: RScalar | RUnknown | null;
  readonly hostNetwork: RScalar | null;
  readonly nodeSelector: readonly Field[];
  readonly containers: readonly ContainerView[];
  /** `kubernetes.io/os` required by node affinity. */
  readonly affinityOs: RScalar | null;
  readonly tolerations: readonly { readonly key: string | null; readonly value: string | null; readonly at: Origin }[];
}

export interface WorkloadView {
  readonly object: RenderedObject;
  /** Set when the namespace is not the object's own (a HelmRelease's pods land in its target namespace). */
  readonly namespace?: EffectiveNamespace;
  /** Known kind, or the object's own kind for a generic workload (anything with spec.template.spec.containers). */
  readonly kind: string;
  readonly generic: boolean;
  readonly template: PodTemplateView;
  readonly metadataLabels: readonly Field[];
  readonly selectorLabels: readonly Field[];
  /** For a release of a chart that is not rendered: the chart it installs, with where its version (else name) is written. */
  readonly chart?: ChartInstall;
}

export interface ChartInstall {
  readonly name: string;
  readonly version: string | null;
  readonly repository: string | null;
  readonly at: Origin;
}

/** The pod-template path of a kind, or null when the object is not a workload pod2wi knows. */
export function podTemplatePath(object: RenderedObject): { path: readonly string[]; generic: boolean } | null {
  const known = podTemplatePaths[object.kind];
  if (known) return { path: known, generic: false };
  if (object.kind === 'Rollout' && object.apiVersion.startsWith('argoproj.io/')) return { path: ['spec', 'template'], generic: false };
  if (isSeq(getIn(object.root, ['spec', 'template', 'spec', 'containers']))) return { path: ['spec', 'template'], generic: true };
  return null;
}

/** The fields of the map at `path` under `node` (empty when absent or not a map). */
export function fieldsAt(node: RNode | null | undefined, path: readonly string[]): Field[] {
  return fieldsOf(path.length === 0 ? node : getIn(node, path));
}

/** The fields of a map node, in order; a duplicated key keeps only its last occurrence, as Kubernetes reads it. */
export function fieldsOf(node: RNode | null | undefined): Field[] {
  if (!isMap(node)) return [];
  const last = new Map<string, number>();
  node.pairs.forEach((pair, index) => last.set(pair.key, index));
  return node.pairs.flatMap((pair, index) =>
    last.get(pair.key) === index ? [{ key: pair.key, keyOrigin: pair.keyOrigin, value: pair.value, conditions: pair.conditions ?? [] }] : [],
  );
}

export function readWorkload(object: RenderedObject): WorkloadView | null {
  const where = podTemplatePath(object);
  if (!where) return null;
  const templateNode = where.path.length === 0 ? object.root : getIn(object.root, where.path);
  const template = readPodTemplate(object, where.path, isMap(templateNode) ? templateNode : null);
  const selectorPath = object.kind === 'ReplicationController' ? ['spec', 'selector'] : ['spec', 'selector', 'matchLabels'];
  return {
    object,
    kind: object.kind,
    generic: where.generic,
    template,
    metadataLabels: fieldsAt(object.root, ['metadata', 'labels']),
    selectorLabels: where.path.length === 0 ? [] : fieldsAt(object.root, selectorPath),
  };
}

function scalarOrUnknown(node: RNode | null): RScalar | RUnknown | null {
  return node && (node.kind === 'scalar' || node.kind === 'unknown') ? node : null;
}

function scalar(node: RNode | null): RScalar | null {
  return node?.kind === 'scalar' ? node : null;
}

function readPodTemplate(object: RenderedObject, path: readonly string[], node: RMap | null): PodTemplateView {
  const spec = get(node, 'spec');
  const labelsNode = getIn(node, ['metadata', 'labels']);
  return {
    path,
    node,
    at: node?.origin ?? object.at,
    labels: fieldsOf(labelsNode),
    annotations: fieldsAt(node, ['metadata', 'annotations']),
    unknownLabels: isMap(labelsNode) ? (labelsNode.unknowns ?? []) : labelsNode?.kind === 'unknown' ? labelsNode.parts.flatMap((part) => ('unknown' in part ? [part.unknown] : [])) : [],
    serviceAccountName: scalarOrUnknown(get(spec, 'serviceAccountName')) ?? scalarOrUnknown(get(spec, 'serviceAccount')),
    hostNetwork: scalar(get(spec, 'hostNetwork')),
    nodeSelector: fieldsAt(spec, ['nodeSelector']),
    containers: [...readContainers(get(spec, 'initContainers'), true), ...readContainers(get(spec, 'containers'), false)],
    affinityOs: readAffinityOs(spec),
    tolerations: (isSeq(get(spec, 'tolerations')) ? (get(spec, 'tolerations') as { items: readonly RNode[] }).items : []).flatMap((item) =>
      isMap(item) ? [{ key: textOf(get(item, 'key')), value: textOf(get(item, 'value')), at: item.origin }] : [],
    ),
  };
}

function readContainers(node: RNode | null, init: boolean): ContainerView[] {
  if (!isSeq(node)) return [];
  return node.items.flatMap((item) => {
    if (!isMap(item)) return [];
    const portsNode = get(item, 'ports');
    const ports = (isSeq(portsNode) ? portsNode.items : []).flatMap((port) => {
      const value = Number(textOf(get(port, 'containerPort')));
      return Number.isInteger(value) ? [value] : [];
    });
    return [{ name: textOf(get(item, 'name')), image: scalarOrUnknown(get(item, 'image')), ports, init, at: item.origin }];
  });
}

function readAffinityOs(spec: RNode | null): RScalar | null {
  const terms = getIn(spec, ['affinity', 'nodeAffinity', 'requiredDuringSchedulingIgnoredDuringExecution', 'nodeSelectorTerms']);
  for (const term of isSeq(terms) ? terms.items : []) {
    const expressions = get(term, 'matchExpressions');
    for (const expression of isSeq(expressions) ? expressions.items : []) {
      const key = textOf(get(expression, 'key'));
      const operator = textOf(get(expression, 'operator'));
      if ((key === 'kubernetes.io/os' || key === 'beta.kubernetes.io/os') && operator === 'In') {
        const values = get(expression, 'values');
        const first = isSeq(values) ? scalar(values.items[0] ?? null) : null;
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
  for (const field of template.nodeSelector) {
    const value = textOf(field.value)?.toLowerCase();
    if ((field.key === 'kubernetes.io/os' || field.key === 'beta.kubernetes.io/os') && (value === 'windows' || value === 'linux')) return { os: value, at: field.keyOrigin };
  }
  const affinity = textOf(template.affinityOs)?.toLowerCase();
  if (template.affinityOs && (affinity === 'windows' || affinity === 'linux')) return { os: affinity, at: template.affinityOs.origin };
  for (const toleration of template.tolerations) {
    if ((toleration.key === 'os' || toleration.key === 'kubernetes.io/os') && toleration.value?.toLowerCase() === 'windows') return { os: 'windows', at: toleration.at };
  }
  for (const container of template.containers) {
    const image = textOf(container.image);
    if (image && windowsImage.test(image)) return { os: 'windows', at: container.image?.origin ?? container.at };
  }
  return { os: 'unknown', at: null };
}

/**
 * The pods of a HelmRelease whose chart is not in the repository, as far as its values tell: the label field, the
 * release's target namespace, the ServiceAccount its values name. Nothing else of the pod template is known.
 */
export function releaseWorkload(object: RenderedObject, label: Field, namespace: EffectiveNamespace, serviceAccountName: RScalar | RUnknown, chart?: ChartInstall, values?: RNode | null): WorkloadView {
  return {
    ...(chart ? { chart } : {}),
    object,
    namespace,
    kind: 'HelmRelease',
    generic: true,
    template: {
      path: ['spec', 'values'],
      node: null,
      at: label.keyOrigin,
      labels: [label],
      annotations: [],
      unknownLabels: [],
      serviceAccountName,
      hostNetwork: null,
      nodeSelector: [],
      containers: values ? imagesInValues(values) : [],
      affinityOs: null,
      tolerations: [],
    },
    metadataLabels: [],
    selectorLabels: [],
  };
}

/**
 * The images a release's values name, as containers of its pods (the chart itself is not in the repository): every
 * `image: repo:tag` string and every `image: {registry, repository, tag}` map, in document order. A path through
 * `initContainers` marks an init container. Charts differ in where they put images; the values are all pod2wi has,
 * and an image named there is run by the release in every chart seen so far.
 */
function imagesInValues(values: RNode): ContainerView[] {
  const found: ContainerView[] = [];
  const visit = (node: RNode, path: readonly string[]) => {
    if (found.length >= 64 || path.length > 12) return;
    if (node.kind === 'seq') {
      node.items.forEach((item, index) => visit(item, [...path, String(index)]));
      return;
    }
    if (node.kind !== 'map') return;
    for (const pair of node.pairs) {
      if (pair.key === 'image') {
        const image = imageOf(pair.value);
        if (image) {
          found.push({ name: null, image, ports: [], init: path.some((part) => /^initContainers$/i.test(part)), at: pair.keyOrigin });
          continue;
        }
      }
      visit(pair.value, [...path, pair.key]);
    }
  };
  visit(values, []);
  return found;
}

/** `repo:tag` text, or a `{registry?, repository, tag?}` map composed the way charts compose it. */
function imageOf(node: RNode): RScalar | null {
  if (node.kind === 'scalar') {
    const text = typeof node.value === 'string' ? node.value.trim() : '';
    return /^[a-z0-9][a-z0-9._\/:@-]*$/i.test(text) && /[a-z]/i.test(text) ? { kind: 'scalar', value: text, origin: node.origin } : null;
  }
  if (node.kind !== 'map') return null;
  const part = (key: string) => {
    const pair = node.pairs.find((candidate) => candidate.key === key);
    return pair && pair.value.kind === 'scalar' && pair.value.value !== null && String(pair.value.value).trim() !== '' ? { text: String(pair.value.value).trim(), origin: pair.value.origin } : null;
  };
  const repository = part('repository') ?? part('name');
  if (!repository) return null;
  const registry = part('registry');
  const tag = part('tag');
  const text = `${registry && !repository.text.startsWith(`${registry.text}/`) ? `${registry.text}/` : ''}${repository.text}${tag ? `:${tag.text.replace(/^:/, '')}` : ''}`;
  return { kind: 'scalar', value: text, origin: (tag ?? repository).origin };
}

export { effectiveNamespace, type EffectiveNamespace };

/**
 * The template branches a label depends on, without the one that only iterates the values it comes from
 * (`{{- with .Values.podLabels }}` around `toYaml .`): that branch holds whenever the label exists.
 */
export function labelConditions(field: Field): readonly Condition[] {
  const path = field.keyOrigin.path;
  const fromValues = (field.keyOrigin.source === 'chart-values' || field.keyOrigin.source === 'release-values') && path !== undefined;
  return field.conditions.filter((condition) => {
    if (!fromValues || condition.value !== true) return true;
    const match = /^(?:with\s+|if\s+)?\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)$/.exec(condition.expression.trim());
    if (!match) return true;
    const holder = (match[1] ?? '').slice(1).split('.');
    return !holder.every((part, index) => String(path[index]) === part);
  });
}
