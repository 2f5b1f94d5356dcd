import { compareStrings } from '../../model/location.js';
import { isScalar, parseAllDocuments, type Node } from 'yaml';
import type { Location } from '../../model/location.js';
import type { Repo } from '../../walk/repo.js';
import { LineIndex } from '../line-index.js';
import {
  entries,
  getIn,
  nodeLocation,
  type Entry,
  type Resolution,
  type SourceDoc,
  type TemplateContext,
} from '../source-doc.js';
import { isMap, isSeq } from 'yaml';
import { evaluate, truthiness, type Evaluated, type Evaluator } from './expression.js';
import { lexActions, sanitizeTemplate, type Injection, type SanitizedTemplate } from './template.js';

/** A Helm chart found in the repository: a folder with Chart.yaml. Paths are root-relative. */
export interface Chart {
  readonly dir: string;
  readonly name: string;
  readonly version: string | null;
  readonly appVersion: string | null;
  readonly chartFile: string;
  /** Files under templates/ that render manifests (.yaml, .yml, .json not starting with `_`). */
  readonly templates: readonly string[];
  /** Files under templates/ that only define named templates (`_*.tpl`, `*.tpl`, `_*.yaml`). */
  readonly helpers: readonly string[];
  /** values.yaml first, then the alternatives (values-*.yaml, values.*.yaml) in name order. */
  readonly valuesFiles: readonly string[];
  /** Charts this one can include named templates from: nested charts and file:// dependencies. */
  readonly family: readonly string[];
}

/** A values document (values.yaml, or a HelmRelease's spec.values) and its root map. */
export interface ValuesLayer {
  readonly doc: SourceDoc;
  readonly root: Node | null;
}

/** One way a chart is rendered: the defaults, or a HelmRelease with its own values and namespace. */
export interface HelmInstance {
  readonly chart: Chart;
  /** Values layers, most specific first. */
  readonly values: readonly ValuesLayer[];
  readonly namespace: { readonly value: string; readonly at: Location } | null;
  readonly releaseName: string | null;
  /** The HelmRelease file for a release instance, null for the chart's defaults. */
  readonly release: string | null;
}

interface DefineSource {
  readonly file: string;
  readonly text: string;
  readonly bodyStart: number;
  readonly bodyEnd: number;
}

export function dirname(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

export function joinPath(dir: string, name: string): string {
  const parts = (dir ? `${dir}/${name}` : name).split('/');
  const out: string[] = [];
  for (const part of parts) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0 || out[out.length - 1] === '..') out.push('..');
      else out.pop();
    } else out.push(part);
  }
  return out.join('/');
}

export function isInside(path: string, dir: string): boolean {
  return dir === '' || path.startsWith(`${dir}/`);
}

/** The chart folder holding `path` (the deepest one), or null: walks up the path's parents through a set. */
export function chartDirOf(path: string, chartDirs: ReadonlySet<string>): string | null {
  let dir = dirname(path);
  for (;;) {
    if (chartDirs.has(dir)) return dir;
    if (dir === '') return null;
    dir = dirname(dir);
  }
}

/** Finds every chart and sorts each file of its templates/ folder into rendered templates and helpers. */
export function findCharts(repo: Repo): Chart[] {
  const chartFiles = repo.files.filter((file) => /(^|\/)Chart\.ya?ml$/.test(file.path)).map((file) => file.path);
  if (chartFiles.length === 0) return [];
  const dirs = new Set(chartFiles.map(dirname));
  const members = new Map<string, { templates: string[]; helpers: string[]; values: string[] }>();
  for (const dir of dirs) members.set(dir, { templates: [], helpers: [], values: [] });
  for (const file of repo.files) {
    const dir = chartDirOf(file.path, dirs);
    const bucket = dir === null ? undefined : members.get(dir);
    if (dir === null || !bucket) continue;
    const rest = dir ? file.path.slice(dir.length + 1) : file.path;
    const base = rest.slice(rest.lastIndexOf('/') + 1);
    if (rest.startsWith('templates/')) {
      if (/\.tpl$/.test(base) || (base.startsWith('_') && /\.(ya?ml|json)$/.test(base))) bucket.helpers.push(file.path);
      else if (/\.(ya?ml|json)$/.test(base)) bucket.templates.push(file.path);
    } else if (/^values([-.][^/]+)?\.ya?ml$/.test(rest)) {
      bucket.values.push(file.path);
    }
  }
  const charts: Chart[] = [];
  for (const chartFile of chartFiles) {
    const dir = dirname(chartFile);
    const meta = readChartMeta(repo, chartFile);
    const nested = [...dirs].filter((other) => other !== dir && isInside(other, dir));
    const bucket = members.get(dir) ?? { templates: [], helpers: [], values: [] };
    const valuesFiles = [...bucket.values].sort((a, b) => valuesRank(a) - valuesRank(b) || compareStrings(a, b));
    const family = [dir, ...nested, ...meta.localDependencies.map((dep) => joinPath(dir, dep))];
    charts.push({ dir, name: meta.name ?? dir.split('/').pop() ?? 'chart', version: meta.version, appVersion: meta.appVersion, chartFile, templates: bucket.templates, helpers: bucket.helpers, valuesFiles, family });
  }
  return charts.sort((a, b) => compareStrings(a.dir, b.dir));
}

function valuesRank(path: string): number {
  return /(^|\/)values\.ya?ml$/.test(path) ? 0 : 1;
}

function readChartMeta(repo: Repo, chartFile: string) {
  const file = repo.read(chartFile);
  const meta: { name: string | null; version: string | null; appVersion: string | null; localDependencies: string[] } = {
    name: null, version: null, appVersion: null, localDependencies: [],
  };
  if (!file) return meta;
  try {
    const doc = parseAllDocuments(file.text)[0];
    const data = doc && !Array.isArray(doc) ? (doc.toJS() as Record<string, unknown> | null) : null;
    if (!data || typeof data !== 'object') return meta;
    meta.name = typeof data.name === 'string' ? data.name : null;
    meta.version = data.version === undefined || data.version === null ? null : String(data.version);
    meta.appVersion = data.appVersion === undefined || data.appVersion === null ? null : String(data.appVersion);
    if (Array.isArray(data.dependencies)) {
      for (const dep of data.dependencies) {
        const repository = (dep as { repository?: unknown }).repository;
        if (typeof repository === 'string' && repository.startsWith('file://')) meta.localDependencies.push(repository.slice(7));
      }
    }
  } catch {
    // Chart.yaml that does not parse: the chart still renders with its folder name.
  }
  return meta;
}

/** Parses a plain YAML file into one SourceDoc per document (values files). */
export function valuesLayers(repo: Repo, path: string): ValuesLayer[] {
  const file = repo.read(path);
  if (!file) return [];
  const index = new LineIndex(file.text);
  return parseAllDocuments(file.text, { uniqueKeys: false }).flatMap((doc) => {
    if (doc.errors.length > 0) return [];
    const source: SourceDoc = { file: path, text: file.text, index, contents: doc.contents as Node | null, template: null };
    return [{ doc: source, root: doc.contents as Node | null }];
  });
}

/** Every named template a chart can include, by name (first definition wins, in path order). */
export function collectDefines(repo: Repo, charts: readonly Chart[], chart: Chart): Map<string, DefineSource> {
  const defines = new Map<string, DefineSource>();
  const files = charts
    .filter((other) => chart.family.includes(other.dir))
    .flatMap((other) => [...other.helpers, ...other.templates])
    .sort();
  for (const path of files) {
    const file = repo.read(path);
    if (!file || !file.text.includes('define')) continue;
    for (const define of sanitizeTemplate(file.text).defines) {
      if (!defines.has(define.name)) {
        defines.set(define.name, { file: path, text: file.text, bodyStart: define.bodyStart, bodyEnd: define.bodyEnd });
      }
    }
  }
  return defines;
}

/**
 * The context a chart instance's templates resolve through: values layers for `.Values`, Chart.yaml for `.Chart`,
 * the release for `.Release`, and the chart family's named templates for `include`.
 */
export function helmContext(
  instance: HelmInstance,
  defines: ReadonlyMap<string, DefineSource>,
  sanitized: SanitizedTemplate,
  depth = 0,
): TemplateContext {
  const valueNode = (path: readonly string[]): { node: Node; layer: ValuesLayer } | null => {
    let fallback: { node: Node; layer: ValuesLayer } | null = null;
    for (const layer of instance.values) {
      const node = path.length === 0 ? layer.root : getIn(layer.doc, layer.root, path);
      if (!node) continue;
      if (isScalar(node) && (node.value === '' || node.value === null)) {
        fallback ??= { node, layer };
        continue;
      }
      return { node, layer };
    }
    return fallback;
  };

  const evaluator: Evaluator<Location> = {
    ref(path) {
      const [head, ...rest] = path;
      if (head === 'Values') {
        const found = valueNode(rest);
        if (!found) return { value: '', at: null };
        if (!isScalar(found.node)) return null;
        const raw = found.node.value;
        return { value: raw === null || raw === undefined ? '' : String(raw), at: nodeLocation(found.layer.doc, found.node) };
      }
      if (head === 'Chart' && rest.length === 1) {
        const key = rest[0];
        const value = key === 'Name' ? instance.chart.name : key === 'Version' ? instance.chart.version : key === 'AppVersion' ? instance.chart.appVersion : null;
        return value === null ? null : { value, at: null };
      }
      if (head === 'Release' && rest.length === 1) {
        if (rest[0] === 'Namespace' && instance.namespace) return { value: instance.namespace.value, at: instance.namespace.at };
        if (rest[0] === 'Name' && instance.releaseName) return { value: instance.releaseName, at: null };
      }
      return null;
    },
    truthy(path) {
      const [head, ...rest] = path;
      if (head === 'Values') {
        const found = valueNode(rest);
        if (!found) return false;
        const node = found.node;
        if (isMap(node) || isSeq(node)) return node.items.length > 0;
        if (!isScalar(node)) return null;
        const raw = node.value;
        return !(raw === null || raw === undefined || raw === false || raw === 0 || raw === '');
      }
      if (head === 'Chart') return true;
      const known = evaluator.ref(path);
      return known ? known.value !== '' : null;
    },
    include(name) {
      const define = defines.get(name);
      if (!define || depth > 8) return null;
      return renderSimpleDefine(define, (expression) => evaluate(expression, evaluator, null));
    },
  };

  const context: TemplateContext = {
    kind: 'helm',
    sanitized,
    chart: instance.chart.dir,
    resolve(expression, dot): Resolution | null {
      const result = evaluate(expression, evaluator, dot);
      return result ? { value: result.value, at: result.at } : null;
    },
    isActive(line) {
      let unknown = false;
      for (const condition of sanitized.conditions[line - 1] ?? []) {
        if (condition.keyword === 'range') continue;
        const dot = condition.dot;
        for (const earlier of condition.negated) {
          const truth = truthiness(earlier, evaluator, dot);
          if (truth === true) return false;
          if (truth === null) unknown = true;
        }
        if (!condition.expression) continue;
        const truth = truthiness(condition.expression, evaluator, dot);
        if (truth === false) return false;
        if (truth === null) unknown = true;
      }
      return unknown ? null : true;
    },
    inject(injection: Injection): Entry[] {
      return injectEntries(injection, instance, defines, valueNode, depth);
    },
  };
  return context;
}

/** A define whose body is literal text and output actions (no control flow): its rendered text, trimmed. */
function renderSimpleDefine(
  define: DefineSource,
  evaluateExpression: (expression: string) => Evaluated<Location> | null,
): Evaluated<Location> | null {
  const body = define.text.slice(define.bodyStart, define.bodyEnd);
  const actions = lexActions(body);
  let out = '';
  let cursor = 0;
  let at: Location | null = null;
  for (const action of actions) {
    out += body.slice(cursor, action.start);
    cursor = action.end;
    if (action.kind === 'comment') continue;
    if (action.kind !== 'output') return null;
    const value = evaluateExpression(action.inner);
    if (!value) return null;
    out += value.value;
    at ??= value.at;
  }
  out += body.slice(cursor);
  const trimmed = out.trim();
  return trimmed.includes('\n') ? null : { value: trimmed, at };
}

function injectEntries(
  injection: Injection,
  instance: HelmInstance,
  defines: ReadonlyMap<string, DefineSource>,
  valueNode: (path: readonly string[]) => { node: Node; layer: ValuesLayer } | null,
  depth: number,
): Entry[] {
  const include = /^(?:include|template)\s+"([^"]+)"/.exec(injection.expression);
  if (include) {
    const define = defines.get(include[1] ?? '');
    if (!define || depth > 8) return [];
    return defineEntries(define, instance, defines, depth + 1);
  }
  const toYaml = /\btoYaml\s+(\$?\.[\w.]*)/.exec(injection.expression);
  if (!toYaml) return [];
  let ref = toYaml[1] ?? '';
  if (ref === '.' && injection.dot) ref = injection.dot;
  const path = ref.replace(/^\$?\./, '').split('.').filter(Boolean);
  if (path[0] !== 'Values') return [];
  const found = valueNode(path.slice(1));
  if (!found || !isMap(found.node)) return [];
  return entries(found.layer.doc, found.node).map((entry) => ({ ...entry, via: 'values' as const }));
}

/** The top-level entries a named template emits, located in the helper file, resolved in the same instance. */
function defineEntries(
  define: DefineSource,
  instance: HelmInstance,
  defines: ReadonlyMap<string, DefineSource>,
  depth: number,
): Entry[] {
  // Keep only the body, on its own lines, so positions stay those of the helper file.
  const masked = define.text
    .split('')
    .map((c, i) => (i >= define.bodyStart && i < define.bodyEnd) || c === '\n' || c === '\r' ? c : ' ')
    .join('');
  const sanitized = sanitizeTemplate(masked);
  const context = helmContext(instance, defines, sanitized, depth);
  const parsed = parseAllDocuments(sanitized.text, { uniqueKeys: false });
  const index = new LineIndex(masked);
  const found: Entry[] = [];
  for (const doc of parsed) {
    const source: SourceDoc = { file: define.file, text: sanitized.text, index, contents: doc.contents as Node | null, template: context };
    if (doc.errors.length > 0 || !isMap(doc.contents)) continue;
    for (const entry of entries(source, doc.contents)) found.push({ ...entry, via: 'include' });
  }
  // Includes at the top level of the body (`{{ include "x.selectorLabels" . }}` inside "x.labels").
  const topIndent = Math.min(
    ...found.map((entry) => entry.keyAt.column - 1),
    ...sanitized.injections.map((injection) => injection.indent),
  );
  for (const injection of sanitized.injections) {
    if (injection.indent <= topIndent) found.push(...context.inject(injection).map((entry) => ({ ...entry, via: 'include' as const })));
  }
  return found;
}
