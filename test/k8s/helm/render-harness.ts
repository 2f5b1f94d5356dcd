import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { stringify, parse as parseYaml } from 'yaml';
import { fileSource, type FileSource } from '../../../src/k8s/files.js';
import { chartVariants, findCharts, readValuesLayer, type ChartInstance } from '../../../src/k8s/helm/chart-files.js';
import { renderChart, type ChartRender } from '../../../src/k8s/helm/render.js';
import { displayText, get, getIn, isMap, toPlain, type Condition, type Origin, type RenderedObject, type RMap, type RNode } from '../../../src/k8s/rendered.js';

/** A fixture folder as a FileSource (paths relative to the folder). */
export function fixtureFiles(root: string): FileSource {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? walk(path) : [relative(root, path).split('\\').join('/')];
    });
  const paths = walk(root).filter((path) => !path.startsWith('expected/'));
  return fileSource(paths, (path) => readFileSync(join(root, path), 'utf8').replace(/^\uFEFF/, ''));
}

/** `file:line:column (source)`, plus what an editor needs: the verbatim span, the values path, what computed it. */
export function describeOrigin(origin: Origin): string {
  let out = `${origin.file}:${origin.line}:${origin.column} (${origin.source})`;
  if (origin.span) out += ` span ${origin.span[0]}-${origin.span[1]}`;
  if (origin.path && origin.path.length > 0) out += ` path ${origin.path.join('.')}`;
  if (origin.via) out += ` via ${origin.via.replace(/\s+/g, ' ')}`;
  return out;
}

function describeConditions(conditions: readonly Condition[]): string[] {
  return conditions.map((c) => `${c.expression} = ${c.value === null ? 'unknown' : String(c.value)} @ ${describeOrigin(c.origin)}`);
}

function mapOrigins(node: RNode | null, prefix: string, out: Record<string, unknown>): void {
  if (!isMap(node)) return;
  for (const pair of node.pairs) {
    const value = pair.value;
    const entry: Record<string, unknown> = {
      key: describeOrigin(pair.keyOrigin),
      value: value.kind === 'scalar' || value.kind === 'unknown' ? describeOrigin(value.origin) : `${value.kind} ${describeOrigin(value.origin)}`,
    };
    if (value.kind === 'unknown') entry.unknowns = value.parts.flatMap((part) => ('unknown' in part ? [`${part.unknown.expression}: ${part.unknown.reason}`] : []));
    if (pair.conditions && pair.conditions.length > 0) entry.conditions = describeConditions(pair.conditions);
    out[`${prefix}.${pair.key}`] = entry;
  }
  if (node.unknowns && node.unknowns.length > 0) out[`${prefix} (unknown content)`] = node.unknowns.map((u) => `${u.expression}: ${u.reason} @ ${describeOrigin(u.origin)}`);
}

function scalarOrigin(node: RNode | null, key: string, out: Record<string, unknown>): void {
  if (!node) return;
  const entry: Record<string, unknown> = { value: describeOrigin(node.origin) };
  if (node.kind === 'unknown') entry.unknowns = node.parts.flatMap((part) => ('unknown' in part ? [`${part.unknown.expression}: ${part.unknown.reason}`] : []));
  out[key] = entry;
}

/** The readable record of one object: its data, and where the fields that matter came from. */
export function describeObject(object: RenderedObject): Record<string, unknown> {
  const origins: Record<string, unknown> = {};
  scalarOrigin(object.name, 'metadata.name', origins);
  scalarOrigin(object.namespace, 'metadata.namespace', origins);
  mapOrigins(getIn(object.root, ['metadata', 'labels']), 'metadata.labels', origins);
  mapOrigins(getIn(object.root, ['metadata', 'annotations']), 'metadata.annotations', origins);
  const podTemplate = getIn(object.root, ['spec', 'template']) ?? getIn(object.root, ['spec', 'jobTemplate', 'spec', 'template']);
  mapOrigins(getIn(podTemplate, ['metadata', 'labels']), 'template.labels', origins);
  mapOrigins(getIn(podTemplate, ['metadata', 'annotations']), 'template.annotations', origins);
  scalarOrigin(getIn(podTemplate, ['spec', 'serviceAccountName']), 'template.serviceAccountName', origins);
  return {
    kind: `${object.apiVersion} ${object.kind}`,
    name: displayText(object.name),
    at: describeOrigin(object.at),
    conditions: describeConditions(object.conditions),
    origins,
    data: toPlain(object.root),
  };
}

export function describeRender(instance: ChartInstance, render: ChartRender): Record<string, unknown> {
  return {
    unit: instance.unit.label,
    release: instance.releaseName ? `${instance.releaseName.value} in ${instance.namespace?.value ?? '(unknown namespace)'}` : 'unknown',
    objects: render.objects.map(describeObject),
    problems: render.problems.map((p) => `${p.code} ${describeOrigin(p.at)}: ${p.message}`),
    untaken: render.untaken.map((u) => `${u.file} [${u.start}, ${u.end}) ${u.keyword} ${u.branch}: ${u.expression} = ${u.value === null ? 'unknown' : String(u.value)}`),
    subcharts: render.subcharts.map((s) => `${s.path} (${s.dir ?? 'remote'}): ${s.enabled ? 'enabled' : 'disabled'}, ${s.reason}`),
    files: render.files,
  };
}

/** Extra instances a fixture declares in `instances.yaml`: a release name, a namespace, release values files. */
function declaredInstances(files: FileSource, charts: ReturnType<typeof findCharts>): ChartInstance[] {
  const text = files.read('instances.yaml');
  if (text === null) return [];
  const spec = parseYaml(text) as { instances?: { chart: string; releaseName?: string; namespace?: string; values?: string[]; label?: string }[] };
  return (spec.instances ?? []).flatMap((entry, index) => {
    const chart = charts.find((c) => c.dir === entry.chart);
    if (!chart) return [];
    const at: Origin = { source: 'release-values', file: 'instances.yaml', line: 1, column: 1, span: null };
    const values = (entry.values ?? []).flatMap((path) => {
      const { layer } = readValuesLayer(files, path, 'release-values');
      return layer ? [layer] : [];
    });
    return [
      {
        chart,
        unit: { kind: 'helm-release', path: 'instances.yaml', variant: String(index), label: entry.label ?? `release ${index}` },
        values,
        releaseName: entry.releaseName ? { value: entry.releaseName, origin: at } : null,
        namespace: entry.namespace ? { value: entry.namespace, origin: at } : null,
      } satisfies ChartInstance,
    ];
  });
}

/** Renders every renderable chart of a fixture (each variant, and declared instances) into readable YAML. */
export function renderFixture(root: string): string {
  const files = fixtureFiles(root);
  const charts = findCharts(files);
  const instances = [...charts.filter((chart) => chart.renderable).flatMap((chart) => chartVariants(files, chart)), ...declaredInstances(files, charts)];
  const described = instances.map((instance) => describeRender(instance, renderChart(files, instance, { charts })));
  return stringify(described, { lineWidth: 0, aliasDuplicateObjects: false });
}

export type { RMap };
export { get };
