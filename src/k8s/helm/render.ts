import { LineIndex } from '../line-index.js';
import { compareStrings } from '../../model/location.js';
import type { FileSource, RenderProblem } from '../files.js';
import { getIn, isMap, textOf, type Condition, type Origin, type RenderedObject, type RMap, type RNode, type Unknown } from '../rendered.js';
import { objectsOfDocument } from '../rendered-objects.js';
import { readTree } from '../yaml-tree.js';
import { chartFiles, findCharts, normalisePath, readValuesLayer, type ChartDependency, type ChartInstance, type HelmChart } from './chart-files.js';
import { toYaml } from './gotemplate/encode.js';
import { fileTemplateSource, ropeTemplateSource } from './gotemplate/engine.js';
import { ExecError, Executor, FailError, GoError, LimitError, type Budget, type ExecProblem, type FunctionDef, type Template, type UntakenBranch } from './gotemplate/exec.js';
import { formatFloat } from './gotemplate/fmt.js';
import { builtinFunctions } from './gotemplate/functions/builtin.js';
import { helmFunctions, type HelmContext } from './gotemplate/functions/helm.js';
import { sprigFunctions } from './gotemplate/functions/sprig.js';
import { parse, ParseError } from './gotemplate/parse.js';
import { Rope, segmentFor, UnknownTable, type MapEntry, type Method, type ScalarSource, type Value } from './gotemplate/values.js';
import { renderedText } from './output-map.js';
import { coalesceValues, emptyMap, mergeUserValues, pathValue, valueOfNode, type MapValue, type ValuesChart } from './values.js';

/**
 * Renders one chart instance the way `helm template` does, in process: the chart and its enabled subcharts, values
 * coalesced as Helm coalesces them, every template run by the Go-template interpreter with Sprig and Helm's functions,
 * and the output read back into rendered objects whose fields say where they came from.
 *
 * What differs from Helm, on purpose:
 * - `.Release.Name` / `.Release.Namespace` come from the instance or stay unknown (never "release-name"/"default").
 * - A template that fails (an execution error, `fail`, a bound) loses its own output; the other templates go on.
 * - Unknown values (release name, remote library defines, random values, `required` without a value) stay symbolic;
 *   any comparison or condition that had to assume something about them is reported.
 * - `.Capabilities` is Helm's default for `helm template` (Kubernetes v1.31.0, built-in API versions), `now` is a
 *   fixed instant, `lookup` returns an empty map: each reported once as an assumption.
 * - Test hooks (`helm.sh/hook: test`) are skipped; other hooks are kept with their annotation.
 *
 * Problem codes (closed set):
 * - `chart-invalid`: Chart.yaml (or requirements.yaml) cannot be read or has no name.
 * - `values-invalid`: a values file does not parse or is not a map (what parsed is used; Helm would refuse it).
 * - `dependency-remote`: a dependency is not in the repository (chart repository, packaged .tgz): its templates are
 *   not rendered and its named templates are unknown.
 * - `dependency-unsupported`: `import-values` is declared; pod2wi does not apply it.
 * - `dependency-cycle`: `file://` dependencies lead back to a chart already being rendered.
 * - `template-parse-error`: a template file does not parse (Helm fails); its output and defines are missing.
 * - `template-error`: running a template failed where Helm fails too; that template's output is dropped.
 * - `fail-called`: the template called `fail`; its output is dropped.
 * - `required-value`: `required` found no value; the value is unknown.
 * - `missing-define`: `include`/`template` of a name nobody defines in the repository; the text is unknown.
 * - `unsupported-function`: a function pod2wi does not implement (or `env`/`call`); its result is unknown.
 * - `assumed-unknown`: a condition or comparison involved an unknown value; the message says what was assumed.
 * - `assumed-environment`: clock, capabilities or cluster lookups were assumed (see above).
 * - `rendered-yaml-invalid`: a template rendered text that is not YAML (Helm fails); the origin is the template line.
 * - `limit-exceeded`: a bound was reached (nesting, template calls, steps, output size); that template is dropped.
 * - `read-error`: an unexpected fault inside one template; the other templates go on.
 */

/** Bounds on one chart render. All are counts, never wall time, so the output never depends on machine speed. */
export interface RenderLimits {
  /** Evaluation steps for the whole chart render. */
  readonly maxSteps?: number;
  /** Nesting of blocks, parentheses and template calls during execution. */
  readonly maxDepth?: number;
  /** Nested template calls (include, template, tpl); Helm allows 1,000 per name. */
  readonly maxCallDepth?: number;
  /** Characters one template may output. */
  readonly maxOutput?: number;
  /** Iterations of one range. */
  readonly maxRange?: number;
  /** Nesting of blocks and parentheses while parsing. */
  readonly maxNesting?: number;
  /** Depth of subcharts. */
  readonly maxChartDepth?: number;
}

export const defaultRenderLimits: Required<RenderLimits> = {
  // A `helm create` chart needs about 500 steps; 200 such templates about 100,000.
  maxSteps: 1_000_000,
  maxDepth: 400,
  maxCallDepth: 100,
  maxOutput: 4_000_000,
  maxRange: 100_000,
  maxNesting: 200,
  maxChartDepth: 20,
};

/** A subchart and whether this render enabled it. */
export interface SubchartState {
  /** Helm's path of the subchart (`parent/charts/alias`). */
  readonly path: string;
  readonly name: string;
  /** The folder, or null for a remote chart. */
  readonly dir: string | null;
  readonly enabled: boolean;
  /** Why: `condition sub.enabled = false`, `tags`, `remote: ...`. */
  readonly reason: string;
  readonly origin: Origin;
}

/** What rendering one chart instance gives. */
export interface ChartRender {
  /** Rendered objects, in template file order then document order. */
  readonly objects: RenderedObject[];
  readonly problems: RenderProblem[];
  /** Branch bodies this render did not run (a label that appears only when a value holds). */
  readonly untaken: UntakenBranch[];
  /** Every file the render read: Chart.yaml, values files, templates and helpers, files read through `.Files`. */
  readonly files: string[];
  readonly subcharts: SubchartState[];
}

/** The fixed instant `now` returns: 2025-01-01T00:00:00Z. */
export const fixedClock = Date.UTC(2025, 0, 1);
/** The Kubernetes version `.Capabilities` reports, as `helm template` 3.16 does without a cluster. */
export const assumedKubeVersion = { version: 'v1.31.0', major: '1', minor: '31' } as const;
const assumedHelmVersion = 'v3.16.0';

/** Helm's default capabilities: the API versions client-go knows, with the kinds charts test for. */
const builtinApiVersions: readonly string[] = [
  'v1', 'admissionregistration.k8s.io/v1', 'admissionregistration.k8s.io/v1alpha1', 'admissionregistration.k8s.io/v1beta1', 'apps/v1', 'apps/v1beta1', 'apps/v1beta2',
  'authentication.k8s.io/v1', 'authentication.k8s.io/v1alpha1', 'authentication.k8s.io/v1beta1', 'authorization.k8s.io/v1', 'authorization.k8s.io/v1beta1', 'autoscaling/v1', 'autoscaling/v2',
  'autoscaling/v2beta1', 'autoscaling/v2beta2', 'batch/v1', 'batch/v1beta1', 'certificates.k8s.io/v1', 'certificates.k8s.io/v1alpha1', 'certificates.k8s.io/v1beta1', 'coordination.k8s.io/v1',
  'coordination.k8s.io/v1alpha1', 'coordination.k8s.io/v1beta1', 'discovery.k8s.io/v1', 'discovery.k8s.io/v1beta1', 'events.k8s.io/v1', 'events.k8s.io/v1beta1', 'extensions/v1beta1',
  'flowcontrol.apiserver.k8s.io/v1', 'flowcontrol.apiserver.k8s.io/v1beta1', 'flowcontrol.apiserver.k8s.io/v1beta2', 'flowcontrol.apiserver.k8s.io/v1beta3', 'internal.apiserver.k8s.io/v1alpha1',
  'networking.k8s.io/v1', 'networking.k8s.io/v1alpha1', 'networking.k8s.io/v1beta1', 'node.k8s.io/v1', 'node.k8s.io/v1alpha1', 'node.k8s.io/v1beta1', 'policy/v1', 'policy/v1beta1',
  'rbac.authorization.k8s.io/v1', 'rbac.authorization.k8s.io/v1alpha1', 'rbac.authorization.k8s.io/v1beta1', 'resource.k8s.io/v1alpha3', 'scheduling.k8s.io/v1', 'scheduling.k8s.io/v1alpha1',
  'scheduling.k8s.io/v1beta1', 'storage.k8s.io/v1', 'storage.k8s.io/v1alpha1', 'storage.k8s.io/v1beta1', 'storagemigration.k8s.io/v1alpha1',
];
const builtinKinds: Readonly<Record<string, readonly string[]>> = {
  v1: ['Binding', 'ConfigMap', 'Endpoints', 'Event', 'LimitRange', 'Namespace', 'Node', 'PersistentVolume', 'PersistentVolumeClaim', 'Pod', 'PodTemplate', 'ReplicationController', 'ResourceQuota', 'Secret', 'Service', 'ServiceAccount'],
  'apps/v1': ['ControllerRevision', 'DaemonSet', 'Deployment', 'ReplicaSet', 'StatefulSet'],
  'batch/v1': ['CronJob', 'Job'],
  'autoscaling/v1': ['HorizontalPodAutoscaler'],
  'autoscaling/v2': ['HorizontalPodAutoscaler'],
  'networking.k8s.io/v1': ['Ingress', 'IngressClass', 'NetworkPolicy'],
  'policy/v1': ['Eviction', 'PodDisruptionBudget'],
  'rbac.authorization.k8s.io/v1': ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'],
  'storage.k8s.io/v1': ['CSIDriver', 'CSINode', 'CSIStorageCapacity', 'StorageClass', 'VolumeAttachment'],
  'scheduling.k8s.io/v1': ['PriorityClass'],
  'admissionregistration.k8s.io/v1': ['MutatingWebhookConfiguration', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'ValidatingWebhookConfiguration'],
  'coordination.k8s.io/v1': ['Lease'],
  'discovery.k8s.io/v1': ['EndpointSlice'],
  'certificates.k8s.io/v1': ['CertificateSigningRequest'],
  'node.k8s.io/v1': ['RuntimeClass'],
  'events.k8s.io/v1': ['Event'],
  'flowcontrol.apiserver.k8s.io/v1': ['FlowSchema', 'PriorityLevelConfiguration'],
};

/** One chart in the render tree. */
interface ChartNode {
  readonly chart: HelmChart;
  /** The name Helm knows it by (alias, else chart name). */
  readonly name: string;
  /** Helm's full path: `root`, `root/charts/sub`. */
  readonly path: string;
  readonly dependency: ChartDependency | null;
  children: ChartNode[];
  readonly remote: { readonly dependency: ChartDependency; readonly reason: string }[];
  defaults: MapValue;
}

function join(dir: string, rel: string): string {
  return dir === '' ? rel : `${dir}/${rel}`;
}

function chartOrigin(chart: HelmChart): Origin {
  return { source: 'helm-builtin', file: chart.chartFile, line: 1, column: 1, span: null };
}

class Problems {
  readonly #seen = new Set<string>();
  readonly list: RenderProblem[] = [];

  add(problem: RenderProblem): void {
    const key = `${problem.code}|${problem.at.file}|${problem.at.line}|${problem.at.column}|${problem.message}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.list.push(problem);
  }

  sorted(): RenderProblem[] {
    return [...this.list].sort((a, b) => compareStrings(a.at.file, b.at.file) || a.at.line - b.at.line || a.at.column - b.at.column || compareStrings(a.code, b.code) || compareStrings(a.message, b.message));
  }
}

/** Helm's order for parsing and running templates: deeper paths first, then names in reverse (engine.sortTemplates). */
function helmOrder(names: readonly string[]): string[] {
  return [...names].sort((a, b) => {
    const da = a.split('/').length;
    const db = b.split('/').length;
    if (da !== db) return db - da;
    return a < b ? 1 : a > b ? -1 : 0;
  });
}

/**
 * What renders of one repository can share: parsed templates and values files, keyed by path and checked against the
 * text (so files changed in memory by a fix are read again). Create one per scan with {@link createRenderCache}.
 */
export interface RenderCache {
  readonly templates: Map<string, { readonly text: string; readonly parsed: ReturnType<typeof parse> | ParseError }>;
  readonly values: Map<string, { readonly text: string | null; readonly read: ReturnType<typeof readValuesLayer> }>;
}

export function createRenderCache(): RenderCache {
  return { templates: new Map(), values: new Map() };
}

/** Options of a render: its bounds, the charts already found, and a cache shared by the renders of one scan. */
export interface RenderOptions extends RenderLimits {
  /** `findCharts(files)`, when the caller has it (so a scan does not read every Chart.yaml again). */
  readonly charts?: readonly HelmChart[];
  readonly cache?: RenderCache;
}

/** Renders one chart instance (see the module comment for what differs from Helm, and the problem codes). */
export function renderChart(files: FileSource, instance: ChartInstance, options: RenderOptions = {}): ChartRender {
  const { charts, cache, ...limits } = options;
  const bounds = { ...defaultRenderLimits, ...limits };
  const problems = new Problems();
  for (const problem of instance.problems ?? []) problems.add(problem);
  for (const problem of instance.chart.problems) problems.add(problem);
  const read = new Set<string>();
  const texts = new Map<string, string | null>();
  const readFile = (path: string): string | null => {
    if (!texts.has(path)) {
      const text = files.read(path);
      texts.set(path, text);
      if (text !== null) read.add(path);
    }
    return texts.get(path) ?? null;
  };
  const lineIndexes = new Map<string, LineIndex | null>();
  const lineIndex = (file: string): LineIndex | null => {
    if (!lineIndexes.has(file)) {
      const text = readFile(file);
      lineIndexes.set(file, text === null ? null : new LineIndex(text));
    }
    return lineIndexes.get(file) ?? null;
  };
  const raw = (origin: Origin): string | null => {
    if (!origin.span) return null;
    const text = readFile(origin.file);
    return text === null ? null : text.slice(origin.span[0], origin.span[1]);
  };
  const unknowns = new UnknownTable();
  const chartsByDir = new Map<string, HelmChart>();
  const allCharts = charts ?? findCharts(files);
  for (const chart of allCharts) chartsByDir.set(chart.dir, chart);
  chartsByDir.set(instance.chart.dir, instance.chart);
  readFile(instance.chart.chartFile);

  // 1. The chart tree: local dependencies (file://, charts/ folders), remote ones remembered.
  const subcharts: SubchartState[] = [];
  const build = (chart: HelmChart, name: string, path: string, dependency: ChartDependency | null, depth: number, visiting: readonly string[]): ChartNode => {
    const node: ChartNode = { chart, name, path, dependency, children: [], remote: [], defaults: emptyMap() };
    const valuesFile = chart.valuesFile;
    if (valuesFile) {
      const text = readFile(valuesFile);
      const cached = cache?.values.get(valuesFile);
      const { layer, problems: found } = cached && cached.text === text ? cached.read : readValuesLayer(files, valuesFile, 'chart-values');
      if (cache && !(cached && cached.text === text)) cache.values.set(valuesFile, { text, read: { layer, problems: found } });
      for (const problem of found) problems.add(problem);
      if (layer) node.defaults = valueOfNode(layer.node, raw, unknowns) as MapValue;
    }
    for (const dep of chart.dependencies) {
      const childName = dep.alias ?? dep.name;
      const childPath = `${path}/charts/${childName}`;
      if (dep.importValues) problems.add({ code: 'dependency-unsupported', at: dep.origin, message: `dependency ${dep.name} declares import-values, which pod2wi does not apply: values it would import are missing` });
      if (dep.resolved.kind === 'remote') {
        node.remote.push({ dependency: dep, reason: dep.resolved.reason });
        problems.add({ code: 'dependency-remote', at: dep.origin, message: `dependency ${childName} is not rendered: ${dep.resolved.reason}` });
        subcharts.push({ path: childPath, name: childName, dir: null, enabled: false, reason: `remote: ${dep.resolved.reason}`, origin: dep.origin });
        continue;
      }
      const target = chartsByDir.get(dep.resolved.dir);
      if (!target || !target.metadata) {
        problems.add({ code: 'dependency-remote', at: dep.origin, message: `dependency ${childName}: ${dep.resolved.dir} is not a readable chart` });
        continue;
      }
      if (visiting.includes(target.dir)) {
        problems.add({ code: 'dependency-cycle', at: dep.origin, message: `dependency ${childName} leads back to ${target.dir || '.'}, which is already being rendered` });
        continue;
      }
      if (depth + 1 > bounds.maxChartDepth) {
        problems.add({ code: 'limit-exceeded', at: dep.origin, message: `subcharts nested deeper than ${bounds.maxChartDepth} levels` });
        continue;
      }
      readFile(target.chartFile);
      node.children.push(build(target, childName, childPath, dep, depth + 1, [...visiting, target.dir]));
    }
    return node;
  };
  const root = build(instance.chart, instance.chart.name || 'chart', instance.chart.name || 'chart', null, 0, [instance.chart.dir]);

  // 2. Values: the user's layers merged, then coalesced with the charts' defaults.
  const layers = instance.values.map((layer) => {
    readFile(layer.node.origin.file);
    return valueOfNode(layer.node, raw, unknowns) as MapValue;
  });
  const user = mergeUserValues(layers);
  const valuesTree = (node: ChartNode): ValuesChart => ({ name: node.name, defaults: node.defaults, subcharts: node.children.map(valuesTree) });

  // 3. Which subcharts are enabled (tags, then conditions, as Helm's processDependencyEnabled).
  const decide = (node: ChartNode, prefix: string): void => {
    const values = coalesceValues(valuesTree(root), user);
    const tags = pathValue(values, 'tags');
    node.children = node.children.filter((child) => {
      const dep = child.dependency;
      let enabled = true;
      let reason = 'enabled';
      if (dep && dep.tags.length > 0 && tags?.k === 'map') {
        let hasTrue = false;
        let hasFalse = false;
        for (const tag of dep.tags) {
          const v = tags.entries.get(tag)?.value;
          if (v?.k === 'bool') {
            if (v.v) hasTrue = true;
            else hasFalse = true;
          }
        }
        if (!hasTrue && hasFalse) {
          enabled = false;
          reason = `tags ${dep.tags.join(', ')} are false`;
        }
      }
      if (dep?.condition) {
        for (const condition of dep.condition.split(',').map((c) => c.trim()).filter(Boolean)) {
          const v = pathValue(values, `${prefix}${condition}`);
          if (v?.k === 'bool') {
            enabled = v.v;
            reason = `condition ${condition} is ${v.v}`;
            break;
          }
        }
      }
      subcharts.push({ path: child.path, name: child.name, dir: child.chart.dir, enabled, reason, origin: dep?.origin ?? chartOrigin(child.chart) });
      return enabled;
    });
    for (const child of node.children) decide(child, `${prefix}${child.name}.`);
  };
  decide(root, '');
  const finalValues = coalesceValues(valuesTree(root), user);

  // 4. Templates of every chart in the tree (library charts give only their helpers).
  interface TemplateFile {
    readonly helmName: string;
    readonly file: string;
    readonly node: ChartNode;
    readonly renders: boolean;
  }
  const templateFiles: TemplateFile[] = [];
  const collect = (node: ChartNode) => {
    const templatesDir = join(node.chart.dir, 'templates');
    for (const file of node.chart.templates) {
      const rel = file.slice(templatesDir.length + 1);
      const base = rel.slice(rel.lastIndexOf('/') + 1);
      const helper = base.startsWith('_');
      if (node.chart.type === 'library' && !helper) continue;
      const renders = !helper && node.chart.type === 'application' && base !== 'NOTES.txt';
      templateFiles.push({ helmName: `${node.path}/templates/${rel}`, file, node, renders });
    }
    for (const child of node.children) collect(child);
  };
  collect(root);
  const remoteCharts = (function remotes(node: ChartNode): { name: string; reason: string }[] {
    return [...node.remote.map((r) => ({ name: r.dependency.alias ?? r.dependency.name, reason: r.reason })), ...node.children.flatMap(remotes)];
  })(root);

  const defines = new Map<string, Template>();
  const mains = new Map<string, Template>();
  const byName = new Map(templateFiles.map((t) => [t.helmName, t]));
  for (const helmName of helmOrder(templateFiles.map((t) => t.helmName))) {
    const tf = byName.get(helmName);
    if (!tf) continue;
    const text = readFile(tf.file);
    if (text === null) continue;
    const source = fileTemplateSource(helmName, tf.file, text);
    try {
      const key = `${helmName}\u0000${bounds.maxNesting}`;
      const cached = cache?.templates.get(key);
      let parsed: ReturnType<typeof parse>;
      if (cached && cached.text === text) {
        if (cached.parsed instanceof ParseError) throw cached.parsed;
        parsed = cached.parsed;
      } else {
        try {
          parsed = parse(text, helmName, { maxNesting: bounds.maxNesting });
          cache?.templates.set(key, { text, parsed });
        } catch (error) {
          if (error instanceof ParseError) cache?.templates.set(key, { text, parsed: error });
          throw error;
        }
      }
      for (const tree of parsed.defines) {
        const existing = defines.get(tree.name);
        if (existing && tree.empty && !existing.tree.empty) continue;
        defines.set(tree.name, { tree, source });
      }
      mains.set(helmName, { tree: parsed.main, source });
    } catch (error) {
      if (error instanceof ParseError) {
        const { line, column } = lineIndex(tf.file)?.position(Math.min(error.pos, text.length)) ?? { line: error.line, column: 1 };
        problems.add({ code: error.message.startsWith('nested deeper') ? 'limit-exceeded' : 'template-parse-error', at: { source: 'chart-template', file: tf.file, line, column, span: null }, message: `${tf.file} does not parse (Helm would fail): ${error.message}` });
      } else {
        problems.add({ code: 'read-error', at: { source: 'chart-template', file: tf.file, line: 1, column: 1, span: null }, message: `${tf.file}: ${error instanceof Error ? error.message : String(error)}` });
      }
    }
  }

  // 5. The functions, and the data each template sees.
  const overlays: ReadonlyMap<string, Template>[] = [];
  const lookup = (name: string): Template | null => {
    for (let i = overlays.length - 1; i >= 0; i--) {
      const found = overlays[i]?.get(name);
      if (found) return found;
    }
    return defines.get(name) ?? mains.get(name) ?? null;
  };
  const missingReason = (name: string): string | null => {
    if (remoteCharts.length === 0) return null;
    const owner = remoteCharts.find((r) => name.startsWith(`${r.name}.`) || name.startsWith(`${r.name}-`));
    if (owner) return `it is defined by chart ${owner.name}, which is not in the repository (${owner.reason})`;
    return `it is probably defined by ${remoteCharts.map((r) => r.name).join(', ')}, which ${remoteCharts.length === 1 ? 'is' : 'are'} not in the repository`;
  };
  let tplCount = 0;
  const helmContext: HelmContext = {
    lookup,
    missingReason,
    parseTpl(text: Rope, at: Origin) {
      const name = `tpl#${tplCount++}`;
      const first = text.segs[0];
      const base: Origin = first && first.src.k === 'origin' ? first.src.origin : first && first.src.k === 'file' && first.src.node ? first.src.node : at;
      const source = ropeTemplateSource(name, text, { ...base, span: null, via: undefined });
      try {
        const parsed = parse(text.text, name, { maxNesting: bounds.maxNesting });
        const own = new Map<string, Template>();
        for (const tree of parsed.defines) own.set(tree.name, { tree, source });
        return { main: { tree: parsed.main, source }, defines: own };
      } catch (error) {
        if (error instanceof ParseError) throw new GoError(`template: ${name}:${error.line}: ${error.message}`);
        throw error;
      }
    },
    withDefines(extra, body) {
      overlays.push(extra);
      try {
        return body();
      } finally {
        overlays.pop();
      }
    },
  };
  const functions = new Map<string, FunctionDef>([...sprigFunctions(fixedClock), ...helmFunctions(helmContext)]);
  const budget: Budget = { steps: 0, maxSteps: bounds.maxSteps };
  const executor = new Executor({
    missingKey: 'zero',
    functions,
    builtins: builtinFunctions(),
    lookup,
    missingTemplate: (name) => ({ expression: `template "${name}"`, reason: missingReason(name) ?? `no template named "${name}" is defined in the repository`, origin: chartOrigin(instance.chart) }),
    unknowns,
    report: (problem: ExecProblem) => problems.add(problem),
    budget,
    maxDepth: bounds.maxDepth,
    maxCallDepth: bounds.maxCallDepth,
    maxOutput: bounds.maxOutput,
    maxRange: bounds.maxRange,
  });

  const release = releaseValue(instance, raw, unknowns);
  const capabilities = capabilitiesValue();
  const dataOf = new Map<ChartNode, MapValue>();
  const buildData = (node: ChartNode, values: MapValue): MapValue => {
    const subchartData = new Map<string, MapEntry>();
    const entries = new Map<string, MapEntry>([
      ['Values', { value: valuesObject(values) }],
      ['Release', { value: release }],
      ['Chart', { value: chartValue(node, raw, node === root) }],
      ['Capabilities', { value: capabilities }],
      ['Files', { value: filesObject(files, node.chart, readFile) }],
      ['Subcharts', { value: { k: 'map', entries: subchartData, t: 'map[string]interface {}' } }],
    ]);
    const data: MapValue = { k: 'map', entries, t: 'map[string]interface {}' };
    dataOf.set(node, data);
    for (const child of node.children) {
      const section = values.entries.get(child.name)?.value;
      const childData = buildData(child, section?.k === 'map' ? section : emptyMap());
      subchartData.set(child.name, { value: childData });
    }
    return data;
  };
  buildData(root, finalValues);

  // One assumption about capabilities, where a template first uses them.
  for (const tf of templateFiles) {
    const text = readFile(tf.file) ?? '';
    const at = text.indexOf('.Capabilities');
    if (at >= 0) {
      const { line, column } = lineIndex(tf.file)?.position(at) ?? { line: 1, column: 1 };
      problems.add({
        code: 'assumed-environment',
        at: { source: 'chart-template', file: tf.file, line, column, span: null },
        message: `.Capabilities is what \`helm template\` assumes without a cluster: Kubernetes ${assumedKubeVersion.version}, built-in API versions only`,
      });
      break;
    }
  }

  // 6. Run each template, Helm's order; read its output back.
  const outputs: { file: string; helmName: string; objects: RenderedObject[] }[] = [];
  for (const helmName of helmOrder(templateFiles.filter((t) => t.renders).map((t) => t.helmName))) {
    const tf = byName.get(helmName);
    const template = mains.get(helmName);
    if (!tf || !template) continue;
    const data = dataOf.get(tf.node);
    if (!data) continue;
    data.entries.set('Template', {
      value: {
        k: 'map',
        entries: new Map([
          ['Name', { value: { k: 'string', s: Rope.of(helmName, { k: 'origin', origin: { source: 'chart-template', file: tf.file, line: 1, column: 1, span: null } }) } }],
          ['BasePath', { value: { k: 'string', s: Rope.of(`${tf.node.path}/templates`, { k: 'origin', origin: { source: 'chart-template', file: tf.file, line: 1, column: 1, span: null } }) } }],
        ]),
        t: 'map[string]interface {}',
      },
    });
    const fileOrigin: Origin = { source: 'chart-template', file: tf.file, line: 1, column: 1, span: null };
    let output;
    try {
      output = executor.run(template, data);
    } catch (error) {
      if (error instanceof ExecError) problems.add({ code: 'template-error', at: error.at, message: `${tf.file}: ${error.message} (Helm would fail; this template's output is left out)` });
      else if (error instanceof FailError) problems.add({ code: 'fail-called', at: error.at, message: `${tf.file} calls fail: ${error.message} (its output is left out)` });
      else if (error instanceof LimitError) problems.add({ code: 'limit-exceeded', at: error.at, message: `${tf.file}: ${error.message} (its output is left out)` });
      else if (error instanceof RangeError) problems.add({ code: 'limit-exceeded', at: fileOrigin, message: `${tf.file}: ${error.message} (its output is left out)` });
      else problems.add({ code: 'read-error', at: fileOrigin, message: `${tf.file}: ${error instanceof Error ? error.message : String(error)}` });
      continue;
    }
    try {
      outputs.push({ file: tf.file, helmName, objects: objectsOf(output, tf.file, instance, unknowns, lineIndex, fileOrigin, problems) });
    } catch (error) {
      problems.add({ code: 'read-error', at: fileOrigin, message: `${tf.file}: rendered output could not be read: ${error instanceof Error ? error.message : String(error)}` });
    }
  }

  let index = 0;
  const objects = outputs
    .sort((a, b) => compareStrings(a.file, b.file))
    .flatMap((o) => o.objects)
    .map((object) => ({ ...object, index: index++ }));
  return {
    objects,
    problems: problems.sorted(),
    untaken: executor.untaken(),
    files: [...read].sort(compareStrings),
    subcharts: subcharts.sort((a, b) => compareStrings(a.path, b.path)),
  };
}

function isTestHook(root: RMap): boolean {
  const hook = textOf(getIn(root, ['metadata', 'annotations', 'helm.sh/hook']));
  return hook !== null && hook.split(',').some((h) => ['test', 'test-success', 'test-failure'].includes(h.trim()));
}

function contentOffset(text: string, start: number): number {
  let i = start;
  for (;;) {
    while (i < text.length && /\s/.test(text[i] ?? '')) i++;
    if (text.startsWith('---', i)) {
      i += 3;
      continue;
    }
    if (text[i] === '#' && text[i + 1] !== '\uE000') {
      const next = text.indexOf('\n', i);
      i = next < 0 ? text.length : next + 1;
      continue;
    }
    return i;
  }
}

function objectsOf(
  output: Parameters<typeof renderedText>[0],
  file: string,
  instance: ChartInstance,
  unknowns: UnknownTable,
  lineIndex: (file: string) => LineIndex | null,
  fileOrigin: Origin,
  problems: Problems,
): RenderedObject[] {
  const rendered = renderedText(output, unknowns, lineIndex, fileOrigin);
  if (rendered.text.trim() === '') return [];
  const tree = readTree(file, rendered.text, { source: 'chart-template', map: rendered.map });
  for (const problem of tree.problems) {
    problems.add({ code: 'rendered-yaml-invalid', at: problem.at, message: `${file} renders text that is not YAML (Helm would fail): ${problem.message}` });
  }
  const objects: RenderedObject[] = [];
  for (const document of tree.documents) {
    if (!document.node) continue;
    const conditions: readonly Condition[] = rendered.documentConditions(contentOffset(rendered.text, document.start));
    for (const object of objectsOfDocument(document, instance.unit, conditions, objects.length)) {
      if (isTestHook(object.root)) continue;
      objects.push(object);
    }
  }
  return objects;
}

// ---- Helm's built-in objects ----

function releaseValue(instance: ChartInstance, raw: (origin: Origin) => string | null, unknowns: UnknownTable): Value {
  const given = (field: { value: string; origin: Origin } | null, expression: string, reason: string): Value => {
    if (field) {
      const src: ScalarSource = { origin: field.origin, raw: raw(field.origin) };
      return { k: 'string', s: Rope.of(field.value, segmentFor(field.value, src)), src };
    }
    const unknown: Unknown = { expression, reason, origin: chartOrigin(instance.chart) };
    return { k: 'string', s: unknowns.rope(unknown) };
  };
  const origin: Origin = { source: 'helm-builtin', file: instance.chart.chartFile, line: 1, column: 1, span: null, via: '.Release' };
  const fixed = (text: string): Value => ({ k: 'string', s: Rope.of(text, { k: 'origin', origin }) });
  return {
    k: 'map',
    t: 'map[string]interface {}',
    entries: new Map<string, MapEntry>([
      ['Name', { value: given(instance.releaseName, '.Release.Name', 'the release name is chosen when the chart is installed, and nothing in the repository names it') }],
      ['Namespace', { value: given(instance.namespace, '.Release.Namespace', 'the namespace is chosen when the chart is installed, and nothing in the repository names it') }],
      ['Service', { value: fixed('Helm') }],
      ['IsInstall', { value: { k: 'bool', v: true } }],
      ['IsUpgrade', { value: { k: 'bool', v: false } }],
      ['Revision', { value: { k: 'int', v: 1, t: 'int' } }],
    ]),
  };
}

function chartValue(node: ChartNode, raw: (origin: Origin) => string | null, isRoot: boolean): Value {
  const metadata = node.chart.metadata;
  const field = (key: string): RNode | null => (isMap(metadata) ? (metadata.pairs.find((pair) => pair.key === key)?.value ?? null) : null);
  const str = (key: string): Value => {
    const n = field(key);
    if (n && n.kind === 'scalar' && n.value !== null) {
      // Chart.yaml fields are strings: a number is read as Go formats it (appVersion 1.10 becomes "1.1").
      const text = typeof n.value === 'number' ? (Number.isInteger(n.value) ? String(n.value) : formatFloat(n.value, 'g', -1)) : String(n.value);
      const src: ScalarSource = { origin: n.origin, raw: raw(n.origin) };
      return { k: 'string', s: Rope.of(text, segmentFor(text, src)), src };
    }
    return { k: 'string', s: Rope.empty };
  };
  const generic = (key: string, fallback: Value): Value => {
    const n = field(key);
    return n ? valueOfNode(n, raw, new UnknownTable()) : fallback;
  };
  const name: Value = node.dependency?.alias ? { k: 'string', s: Rope.of(node.name, { k: 'origin', origin: { ...node.dependency.origin, span: null, via: 'alias' } }) } : str('name');
  const fields = new Map<string, Value>([
    ['Name', name],
    ['Home', str('home')],
    ['Sources', generic('sources', { k: 'list', items: [], t: '[]string', isNil: true })],
    ['Version', str('version')],
    ['Description', str('description')],
    ['Keywords', generic('keywords', { k: 'list', items: [], t: '[]string', isNil: true })],
    ['Maintainers', generic('maintainers', { k: 'list', items: [], t: '[]interface {}', isNil: true })],
    ['Icon', str('icon')],
    ['APIVersion', str('apiVersion')],
    ['Condition', str('condition')],
    ['Tags', str('tags')],
    ['AppVersion', str('appVersion')],
    ['Deprecated', generic('deprecated', { k: 'bool', v: false })],
    ['Annotations', generic('annotations', { k: 'map', entries: new Map(), t: 'map[string]string', isNil: true })],
    ['KubeVersion', str('kubeVersion')],
    ['Dependencies', generic('dependencies', { k: 'list', items: [], t: '[]interface {}', isNil: true })],
    ['Type', str('type')],
    ['IsRoot', { k: 'bool', v: isRoot }],
  ]);
  return { k: 'struct', t: 'struct { chart.Metadata; IsRoot bool }', pointer: false, fields, methods: new Map() };
}

function capabilitiesValue(): Value {
  const origin: Origin = { source: 'helm-builtin', file: '', line: 1, column: 1, span: null, via: '.Capabilities (helm template default)' };
  const s = (text: string): Value => ({ k: 'string', s: Rope.of(text, { k: 'origin', origin }) });
  const versions = new Set<string>();
  for (const gv of builtinApiVersions) {
    versions.add(gv);
    for (const kind of builtinKinds[gv] ?? []) versions.add(`${gv}/${kind}`);
  }
  const has: Method = { params: ['string'], call: ([v]) => ({ k: 'bool', v: v?.k === 'string' && versions.has(v.s.text) }) };
  const kube: Value = {
    k: 'struct',
    t: 'chartutil.KubeVersion',
    pointer: false,
    fields: new Map([
      ['Version', s(assumedKubeVersion.version)],
      ['Major', s(assumedKubeVersion.major)],
      ['Minor', s(assumedKubeVersion.minor)],
    ]),
    methods: new Map<string, Method>([
      ['String', { params: [], call: () => s(assumedKubeVersion.version) }],
      ['GitVersion', { params: [], call: () => s(assumedKubeVersion.version) }],
    ]),
  };
  const apiVersions: Value = { k: 'struct', t: 'chartutil.VersionSet', pointer: false, fields: new Map(), methods: new Map([['Has', has]]) };
  const helm: Value = {
    k: 'struct',
    t: 'version.BuildInfo',
    pointer: false,
    fields: new Map([
      ['Version', s(assumedHelmVersion)],
      ['GitCommit', s('')],
      ['GitTreeState', s('clean')],
      ['GoVersion', s('go1.22.7')],
    ]),
    methods: new Map(),
  };
  return {
    k: 'struct',
    t: 'chartutil.Capabilities',
    pointer: true,
    fields: new Map([
      ['KubeVersion', kube],
      ['APIVersions', apiVersions],
      ['HelmVersion', helm],
    ]),
    methods: new Map(),
  };
}

/** `.Values`: chartutil.Values, a map with Helm's methods. */
function valuesObject(values: MapValue): Value {
  const self: MapValue = { ...values, t: 'chartutil.Values' };
  const computed = { k: 'origin' as const, origin: { source: 'helm-builtin' as const, file: '', line: 1, column: 1, span: null, via: '.Values' } };
  const methods = new Map<string, Method>([
    ['AsMap', { params: [], call: () => ({ ...values, t: 'map[string]interface {}' }) }],
    ['YAML', { params: [], call: () => ({ k: 'string', s: toYaml(values, computed, () => Rope.empty) }) }],
    [
      'Table',
      {
        params: ['string'],
        call: ([name]) => {
          const found = name?.k === 'string' ? pathValue(values, name.s.text) : null;
          if (found?.k === 'map') return { ...found, t: 'chartutil.Values' };
          throw new GoError(`no table named "${name?.k === 'string' ? name.s.text : ''}"`);
        },
      },
    ],
    [
      'PathValue',
      {
        params: ['string'],
        call: ([path]) => {
          const found = path?.k === 'string' ? pathValue(values, path.s.text) : null;
          if (!found || found.k === 'map') throw new GoError(`no value for key "${path?.k === 'string' ? path.s.text : ''}"`);
          return found;
        },
      },
    ],
  ]);
  return { ...self, methods };
}

/** `.Files`: the chart's files (not templates), read through the repository's FileSource only. */
function filesObject(files: FileSource, chart: HelmChart, readFile: (path: string) => string | null): Value {
  const names = chartFiles(files, chart);
  const inChart = (name: string): string | null => {
    const normalised = normalisePath(name);
    if (normalised === null || !names.includes(normalised)) return null;
    return join(chart.dir, normalised);
  };
  const content = (name: string): string | null => {
    const path = inChart(name);
    return path === null ? null : readFile(path);
  };
  const make = (subset: readonly string[], materialise: boolean): Value => {
    const origin: Origin = { source: 'chart-template', file: chart.chartFile, line: 1, column: 1, span: null, via: '.Files' };
    const s = (text: string): Value => ({ k: 'string', s: Rope.of(text, { k: 'origin', origin }) });
    // `.Files` itself is not read up front (a chart may hold large files no template asks for); a Glob's result is.
    const entries = new Map<string, MapEntry>(materialise ? subset.map((name) => [name, { value: { k: 'bytes', text: content(name) ?? '' } }]) : []);
    const methods = new Map<string, Method>([
      ['Get', { params: ['string'], call: ([name]) => s(subset.includes(textOf2(name)) ? (content(textOf2(name)) ?? '') : '') }],
      ['GetBytes', { params: ['string'], call: ([name]) => ({ k: 'bytes', text: subset.includes(textOf2(name)) ? (content(textOf2(name)) ?? '') : '' }) }],
      ['Glob', { params: ['string'], call: ([pattern]) => make(subset.filter((name) => globMatch(textOf2(pattern), name)), true) }],
      ['Lines', { params: ['string'], call: ([name]) => ({ k: 'list', items: (content(textOf2(name)) ?? '').split('\n').map(s), t: '[]string' }) }],
      [
        'AsConfig',
        {
          params: [],
          call: () => {
            const map: MapValue = emptyMap();
            for (const name of subset) map.entries.set(name.slice(name.lastIndexOf('/') + 1), { value: s(content(name) ?? '') });
            return { k: 'string', s: toYaml(map, { k: 'origin', origin }, () => Rope.empty) };
          },
        },
      ],
      [
        'AsSecrets',
        {
          params: [],
          call: () => {
            const map: MapValue = emptyMap();
            for (const name of subset) map.entries.set(name.slice(name.lastIndexOf('/') + 1), { value: s(Buffer.from(content(name) ?? '', 'utf8').toString('base64')) });
            return { k: 'string', s: toYaml(map, { k: 'origin', origin }, () => Rope.empty) };
          },
        },
      ],
    ]);
    return { k: 'map', entries, t: 'engine.files', methods };
  };
  return make(names, false);
}

function textOf2(value: Value | undefined): string {
  return value?.k === 'string' ? value.s.text : '';
}

/** gobwas/glob with `/` as separator, as Helm's Files.Glob: `*` stays in a segment, `**` crosses them. */
export function globMatch(pattern: string, name: string): boolean {
  if (pattern.length > 500) return false;
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        re += '.*';
        i++;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 1);
      if (close < 0) return false;
      const body = pattern.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\');
      re += `[${body}]`;
      i = close;
    } else if (c === '{') {
      const close = pattern.indexOf('}', i + 1);
      if (close < 0) return false;
      re += `(?:${pattern
        .slice(i + 1, close)
        .split(',')
        .map((alt) => alt.replace(/[.+^$()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]'))
        .join('|')})`;
      i = close;
    } else re += c.replace(/[.+^$()|[\]\\{}]/g, '\\$&');
  }
  try {
    return new RegExp(`${re}$`).test(name);
  } catch {
    return false;
  }
}

export type { UntakenBranch };
