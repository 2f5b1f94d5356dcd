import { isMap, type Node } from 'yaml';
import type { Location } from '../model/location.js';
import type { Chart, ValuesLayer } from './helm/chart.js';
import { effectiveName, type K8sObject } from './object.js';
import { get, getIn, nodeLocation, text, type Entry, type SourceDoc } from './source-doc.js';

/** A Flux HelmRelease: which chart it installs, where, and with which values. */
export interface HelmRelease {
  readonly object: K8sObject;
  /** `spec.chart.spec.chart`: a path inside a GitRepository, or a chart name in a HelmRepository. */
  readonly chart: string | null;
  readonly sourceKind: string | null;
  readonly values: ValuesLayer | null;
  readonly namespace: { readonly value: string; readonly at: Location } | null;
  readonly releaseName: string;
}

export function isHelmRelease(object: K8sObject): boolean {
  return object.kind === 'HelmRelease' && object.apiVersion.startsWith('helm.toolkit.fluxcd.io/');
}

export function readHelmRelease(object: K8sObject): HelmRelease {
  const { doc, node } = object;
  const spec = get(doc, node, 'spec');
  const chart = text(doc, getIn(doc, spec, ['chart', 'spec', 'chart']));
  const sourceKind = text(doc, getIn(doc, spec, ['chart', 'spec', 'sourceRef', 'kind']));
  const valuesNode = get(doc, spec, 'values');
  const target = text(doc, get(doc, spec, 'targetNamespace'));
  const own = object.overlay?.namespace ?? object.namespace;
  const namespace = target?.value ? target : own?.value ? own : null;
  return {
    object,
    chart: chart?.value ?? null,
    sourceKind: sourceKind?.value ?? null,
    values: isMap(valuesNode) ? { doc, root: valuesNode } : null,
    namespace: namespace?.value ? { value: namespace.value, at: namespace.at } : null,
    releaseName: text(doc, get(doc, spec, 'releaseName'))?.value || effectiveName(object) || 'release',
  };
}

/** The chart of the repository a release installs, when its chart path points at one (`./charts/api`). */
export function localChart(release: HelmRelease, charts: readonly Chart[]): Chart | null {
  if (!release.chart || (release.sourceKind !== null && release.sourceKind !== 'GitRepository' && release.sourceKind !== 'Bucket')) return null;
  const path = release.chart.replace(/^\.\//, '').replace(/\/$/, '');
  if (!path || !release.chart.includes('/')) return null;
  const found = charts.filter((chart) => chart.dir === path || chart.dir.endsWith(`/${path}`));
  return found.length === 1 ? (found[0] ?? null) : null;
}

/** Every `aadpodidbinding` key under a values node, as label entries located in the values. */
export function labelsInValues(doc: SourceDoc, node: Node | null): Entry[] {
  const found: Entry[] = [];
  const visit = (current: unknown): void => {
    if (isMap(current)) {
      for (const pair of current.items) {
        const key = (pair.key as { value?: unknown } | null)?.value;
        if (key === 'aadpodidbinding') {
          const keyAt = nodeLocation(doc, pair.key as Node);
          const valueNode = (pair.value as Node | null) ?? null;
          found.push({ key, keyAt, node: valueNode, value: text(doc, valueNode) ?? { value: '', at: keyAt }, doc, via: 'values', conditions: [] });
        }
        visit(pair.value);
      }
    } else if (current && typeof current === 'object' && 'items' in current && Array.isArray((current as { items: unknown[] }).items)) {
      for (const item of (current as { items: unknown[] }).items) visit(item);
    }
  };
  visit(node);
  return found;
}
