import { objectName } from './namespaces.js';
import { joinPath } from './paths.js';
import {
  get,
  getIn,
  isMap,
  isSeq,
  scalarRef,
  textOf,
  type Condition,
  type Origin,
  type RenderedObject,
  type RenderUnit,
  type RMap,
  type RNode,
  type RPair,
  type RScalar,
  type RUnknown,
} from './rendered.js';
import type { Field } from './workloads.js';
import type { TerraformSet } from '../terraform/releases.js';

/**
 * A chart release an installer declares in the repository: a Flux HelmRelease, or a Terraform helm_release (whose
 * `object` is made from the resource: kind HelmRelease, `spec.releaseName`, `spec.chart.spec`, `spec.values`).
 */
export interface HelmRelease {
  readonly object: RenderedObject;
  /** `spec.chart.spec.chart`: a path inside a GitRepository, or a chart name in a HelmRepository. */
  readonly chart: string | null;
  /** `spec.chart.spec.version`, when pinned. */
  readonly version: string | null;
  readonly sourceKind: string | null;
  /** spec.values with the origins of the HelmRelease's file, re-labelled as release values. */
  readonly values: RMap | null;
  readonly namespace: { readonly value: string; readonly origin: Origin } | null;
  readonly releaseName: { readonly value: string; readonly origin: Origin };
  /** The chart repository when the installer names it (a helm_release `repository`); null otherwise. */
  readonly repository: string | null;
  /** For a Terraform helm_release: its address and the repository's chart folder it installs (null: not local). */
  readonly terraform: { readonly address: string; readonly localChart: string | null; readonly sets: readonly TerraformSet[] } | null;
  /** For a dependency of a repository chart that pod2wi cannot render: the parent chart and the values file giving its values. */
  readonly dependencyOf?: { readonly chart: string; readonly valuesFile: string };
}

export function isHelmRelease(object: RenderedObject): boolean {
  return object.kind === 'HelmRelease' && object.apiVersion.startsWith('helm.toolkit.fluxcd.io/');
}

export function isFluxKustomization(object: RenderedObject): boolean {
  return object.kind === 'Kustomization' && object.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/');
}

/** What a release made from something other than a HelmRelease manifest (a helm_release, a chart dependency) holds. */
export interface ReleaseParts {
  readonly apiVersion: string;
  /** The origin of each node the release adds (keys, the kind, the maps), read as `via` what made it. */
  readonly made: (what: string) => Origin;
  readonly name: RScalar | RUnknown;
  /** The object's own name when it differs from the node written under metadata (null: a release that names none). */
  readonly objectName?: RScalar | RUnknown | null;
  readonly namespace: { readonly value: string; readonly origin: Origin } | null;
  /** spec.chart.spec: the nodes that name the chart, its version and repository, each when given. */
  readonly chart: { readonly chart: RNode | null; readonly version: RNode | null; readonly repository: RNode | null };
  readonly values: RMap;
  readonly unit: RenderUnit;
  readonly at: Origin;
  /** The origin of the object's root map (made('object') when absent). */
  readonly rootOrigin?: Origin;
  readonly conditions: readonly Condition[];
  readonly index: number;
}

/**
 * The object of a release that no HelmRelease manifest declares, shaped as one (metadata, spec.releaseName,
 * spec.chart.spec, spec.values), so the stages that follow read every release alike.
 */
export function releaseObject(parts: ReleaseParts): RenderedObject {
  const { made } = parts;
  const scalar = (value: string, origin: Origin): RScalar => ({ kind: 'scalar', value, origin });
  const pair = (key: string, value: RNode): RPair => ({ key, keyOrigin: made(key), value });
  const map = (pairs: RPair[], origin: Origin = made('object')): RMap => ({ kind: 'map', pairs, origin });
  const namespace = parts.namespace ? scalar(parts.namespace.value, parts.namespace.origin) : null;
  const metadata: RPair[] = [pair('name', parts.name)];
  if (namespace) metadata.push(pair('namespace', namespace));
  const chartSpec: RPair[] = [];
  for (const key of ['chart', 'version', 'repository'] as const) {
    const node = parts.chart[key];
    if (node) chartSpec.push(pair(key, node));
  }
  const root = map([
    pair('apiVersion', scalar(parts.apiVersion, made('apiVersion'))),
    pair('kind', scalar('HelmRelease', made('kind'))),
    pair('metadata', map(metadata)),
    pair('spec', map([pair('releaseName', parts.name), pair('chart', map([pair('spec', map(chartSpec))])), pair('values', parts.values)])),
  ], parts.rootOrigin);
  const name = parts.objectName === undefined ? parts.name : parts.objectName;
  return { apiVersion: parts.apiVersion, kind: 'HelmRelease', name, namespace, root, unit: parts.unit, at: parts.at, conditions: parts.conditions, index: parts.index };
}

/** Marks a values tree as given by an installer: each origin becomes `release-values` with its key path. */
export function asReleaseValues(node: RNode, path: readonly (string | number)[] = []): RNode {
  const origin = { ...node.origin, source: node.origin.source === 'manifest' ? ('release-values' as const) : node.origin.source, path };
  switch (node.kind) {
    case 'scalar':
    case 'unknown':
      return { ...node, origin };
    case 'map':
      return {
        ...node,
        origin,
        pairs: node.pairs.map((pair) => ({
          ...pair,
          keyOrigin: { ...pair.keyOrigin, source: pair.keyOrigin.source === 'manifest' ? 'release-values' : pair.keyOrigin.source, path: [...path, pair.key] },
          value: asReleaseValues(pair.value, [...path, pair.key]),
        })),
      };
    case 'seq':
      return { ...node, origin, items: node.items.map((item, index) => asReleaseValues(item, [...path, index])) };
  }
}

export function readHelmRelease(object: RenderedObject): HelmRelease {
  const spec = get(object.root, 'spec');
  const chartSpec = getIn(spec, ['chart', 'spec']);
  const valuesNode = get(spec, 'values');
  const target = scalarRef(get(spec, 'targetNamespace'));
  const own = scalarRef(object.namespace);
  const namespace = target?.value ? { value: target.value, origin: target.origin } : own?.value ? { value: own.value, origin: own.origin } : null;
  const given = scalarRef(get(spec, 'releaseName'));
  const name = objectName(object) ?? 'release';
  // Flux names the release [targetNamespace-]name unless spec.releaseName says otherwise.
  const releaseName = given?.value
    ? { value: given.value, origin: given.origin }
    : { value: target?.value ? `${target.value}-${name}` : name, origin: object.name?.origin ?? object.at };
  const values = valuesNode && isMap(valuesNode) ? asReleaseValues(valuesNode) : null;
  return {
    object,
    chart: textOf(get(chartSpec, 'chart')),
    version: textOf(get(chartSpec, 'version')),
    sourceKind: textOf(getIn(chartSpec, ['sourceRef', 'kind'])),
    values: values && isMap(values) ? values : null,
    namespace,
    releaseName,
    repository: null,
    terraform: null,
  };
}

/** The chart of the repository a release installs, when its chart path points at one (`./charts/api`). */
export function localChartDir(release: HelmRelease, chartDirs: readonly string[]): string | null {
  if (release.terraform) return release.terraform.localChart !== null && chartDirs.includes(release.terraform.localChart) ? release.terraform.localChart : null;
  if (!release.chart || (release.sourceKind !== null && release.sourceKind !== 'GitRepository' && release.sourceKind !== 'Bucket')) return null;
  const path = joinPath('', release.chart.replace(/\/$/, ''));
  if (!path || !release.chart.includes('/')) return null;
  const found = chartDirs.filter((dir) => dir === path || dir.endsWith(`/${path}`));
  return found.length === 1 ? (found[0] ?? null) : null;
}

/** How a label the chart itself writes (from a value such as AGIC's `armAuth.type`) is told apart from one in the values. */
export const impliedLabelVia = 'set by the chart from its values';

/** Whether a release's label field is one its chart writes from another value (see {@link impliedLabelVia}). */
export function isImpliedLabel(field: Field): boolean {
  return field.keyOrigin.via?.startsWith(impliedLabelVia) ?? false;
}

/** Every `aadpodidbinding` key under a values node, as label fields located in the values. */
export function labelsInValues(node: RNode | null): Field[] {
  const found: Field[] = [];
  const visit = (current: RNode | null): void => {
    if (isMap(current)) {
      for (const pair of current.pairs) {
        if (pair.key === 'aadpodidbinding') found.push({ key: pair.key, keyOrigin: pair.keyOrigin, value: pair.value, conditions: pair.conditions ?? [] });
        visit(pair.value);
      }
    } else if (isSeq(current)) {
      for (const item of current.items) visit(item);
    }
  };
  visit(node);
  return found;
}

/** A Flux Kustomization: the folder it applies and the variables it substitutes after the build. */
export interface FluxKustomization {
  readonly object: RenderedObject;
  /** spec.path, relative to the source's root (taken as the scanned root), normalised; null when absent. */
  readonly path: string | null;
  readonly targetNamespace: { readonly value: string; readonly origin: Origin } | null;
  /** spec.postBuild.substitute, by name. */
  readonly substitute: ReadonlyMap<string, { readonly value: string; readonly origin: Origin }>;
  /** spec.postBuild.substituteFrom: ConfigMaps and Secrets by kind and name, with `optional`. */
  readonly substituteFrom: readonly { readonly kind: string; readonly name: string; readonly optional: boolean; readonly origin: Origin }[];
}

export function readFluxKustomization(object: RenderedObject): FluxKustomization {
  const spec = get(object.root, 'spec');
  const path = textOf(get(spec, 'path'));
  const target = scalarRef(get(spec, 'targetNamespace'));
  const substitute = new Map<string, { value: string; origin: Origin }>();
  const given = getIn(spec, ['postBuild', 'substitute']);
  if (isMap(given)) {
    for (const pair of given.pairs) {
      const value = scalarRef(pair.value);
      if (value?.value !== null && value) substitute.set(pair.key, { value: value.value ?? '', origin: value.origin });
    }
  }
  const from = getIn(spec, ['postBuild', 'substituteFrom']);
  const substituteFrom = (isSeq(from) ? from.items : []).flatMap((item) => {
    const kind = textOf(get(item, 'kind'));
    const name = textOf(get(item, 'name'));
    return kind && name ? [{ kind, name, optional: textOf(get(item, 'optional')) === 'true', origin: item.origin }] : [];
  });
  return {
    object,
    path: path === null ? null : joinPath('', path),
    targetNamespace: target?.value ? { value: target.value, origin: target.origin } : null,
    substitute,
    substituteFrom,
  };
}
