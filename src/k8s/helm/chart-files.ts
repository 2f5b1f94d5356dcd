import ignore from 'ignore';
import { compareStrings } from '../../model/location.js';
import type { FileSource, RenderProblem } from '../files.js';
import { generatedOrigin, get, isMap, isSeq, textOf, type Origin, type RenderUnit, type RMap, type RNode } from '../rendered.js';
import { readTree } from '../yaml-tree.js';
import type { ValuesSource } from './values.js';

/**
 * Helm charts found in a repository's files, the way Helm loads them (helm.sh/helm/v3/pkg/chart/loader): Chart.yaml
 * (apiVersion v1 or v2, `type: library`), templates/ (files starting with `_` define templates and render nothing;
 * NOTES.txt is not a manifest), values files, and dependencies: Chart.yaml `dependencies` (requirements.yaml for
 * v1), subchart folders in charts/, `file://` repositories, `alias`, `condition`, `tags`. A dependency whose chart is
 * not in the repository (a chart repository URL, a packaged .tgz) is remote: its templates are unknown.
 */

/** A chart dependency, resolved to a folder in the repository or known to be remote. */
export interface ChartDependency {
  /** The chart's name as declared (or as the subchart's Chart.yaml names it). */
  readonly name: string;
  readonly alias: string | null;
  readonly version: string | null;
  readonly repository: string | null;
  /** Comma-separated values paths; the first that holds a bool decides (Helm's condition). */
  readonly condition: string | null;
  readonly tags: readonly string[];
  /** `import-values` is declared (pod2wi does not apply it and says so). */
  readonly importValues: boolean;
  readonly declared: 'Chart.yaml' | 'requirements.yaml' | 'charts-folder';
  readonly origin: Origin;
  readonly resolved: { readonly kind: 'local'; readonly dir: string } | { readonly kind: 'remote'; readonly reason: string };
}

/** A chart folder. */
export interface HelmChart {
  /** Root-relative folder (`charts/api`). */
  readonly dir: string;
  readonly chartFile: string;
  readonly name: string;
  readonly version: string;
  readonly apiVersion: 'v1' | 'v2';
  readonly type: 'application' | 'library';
  /** Chart.yaml as read (source 'helm-builtin'). */
  readonly metadata: RMap | null;
  /** `values.yaml` of the chart, when present. */
  readonly valuesFile: string | null;
  /** Files under templates/ (after .helmignore), sorted. */
  readonly templates: readonly string[];
  readonly dependencies: readonly ChartDependency[];
  /** The chart whose charts/ folder holds this one, or null. */
  readonly parent: string | null;
  /** An application chart that is not a subchart folder: render it on its own. */
  readonly renderable: boolean;
  readonly problems: readonly RenderProblem[];
}

/** The files of a chart as `.Files` sees them (not templates/, charts/, Chart.yaml, values.yaml; .helmignore applied). */
export function chartFiles(files: FileSource, chart: HelmChart): string[] {
  const ignored = helmIgnore(files, chart.dir);
  const skip = new Set(['Chart.yaml', 'values.yaml', 'values.schema.json', 'requirements.yaml', 'requirements.lock', 'Chart.lock', '.helmignore']);
  return files
    .list(chart.dir)
    .map((path) => relativeTo(chart.dir, path))
    .filter((rel) => !skip.has(rel) && !rel.startsWith('templates/') && !rel.startsWith('charts/') && !ignored(rel))
    .sort(compareStrings);
}

function relativeTo(dir: string, path: string): string {
  return dir === '' ? path : path.slice(dir.length + 1);
}

function join(dir: string, rel: string): string {
  return dir === '' ? rel : `${dir}/${rel}`;
}

/** Normalises `a/./b/../c` and refuses paths that leave the repository. */
export function normalisePath(path: string): string | null {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return null;
      out.pop();
      continue;
    }
    out.push(part);
  }
  return out.join('/');
}

function helmIgnore(files: FileSource, dir: string): (rel: string) => boolean {
  const text = files.read(join(dir, '.helmignore'));
  if (!text) return () => false;
  const matcher = ignore().add(text.split(/\r?\n/).filter((line) => line.trim() !== '' && !line.trim().startsWith('#')));
  return (rel) => {
    try {
      return matcher.ignores(rel);
    } catch {
      return false;
    }
  };
}

function stringOf(node: RNode | null): string | null {
  const text = textOf(node);
  return text === null || text === '' ? null : text;
}

function readChartFile(files: FileSource, chartFile: string): { metadata: RMap | null; problems: RenderProblem[] } {
  const text = files.read(chartFile);
  const problems: RenderProblem[] = [];
  if (text === null) return { metadata: null, problems: [{ code: 'chart-invalid', at: generatedOrigin('Chart.yaml', { source: 'helm-builtin', file: chartFile, line: 1, column: 1, span: null }), message: `${chartFile} cannot be read` }] };
  const tree = readTree(chartFile, text, { source: 'helm-builtin', version: '1.1' });
  for (const problem of tree.problems) problems.push({ code: 'chart-invalid', at: problem.at, message: `${chartFile} does not parse: ${problem.message}` });
  const node = tree.documents[0]?.node ?? null;
  return { metadata: isMap(node) ? node : null, problems };
}

function dependenciesOf(files: FileSource, dir: string, metadata: RMap | null, apiVersion: 'v1' | 'v2', problems: RenderProblem[]): { node: RNode; declared: 'Chart.yaml' | 'requirements.yaml' }[] {
  const fromChart = get(metadata, 'dependencies');
  if (isSeq(fromChart) && fromChart.items.length > 0) return fromChart.items.map((node) => ({ node, declared: 'Chart.yaml' as const }));
  const requirementsFile = join(dir, 'requirements.yaml');
  if (apiVersion === 'v1' || files.has(requirementsFile)) {
    const text = files.read(requirementsFile);
    if (text !== null) {
      const tree = readTree(requirementsFile, text, { source: 'helm-builtin', version: '1.1' });
      for (const problem of tree.problems) problems.push({ code: 'chart-invalid', at: problem.at, message: `${requirementsFile} does not parse: ${problem.message}` });
      const deps = get(tree.documents[0]?.node ?? null, 'dependencies');
      if (isSeq(deps)) return deps.items.map((node) => ({ node, declared: 'requirements.yaml' as const }));
    }
  }
  return [];
}

/** Every chart in the repository, dependencies resolved, sorted by folder. */
export function findCharts(files: FileSource): HelmChart[] {
  const all = files.list('');
  const chartFiles = all.filter((path) => path === 'Chart.yaml' || path.endsWith('/Chart.yaml'));
  const dirs = new Set(chartFiles.map((path) => (path === 'Chart.yaml' ? '' : path.slice(0, -'/Chart.yaml'.length))));
  const names = new Map<string, string>();
  const base = chartFiles.map((chartFile) => {
    const dir = chartFile === 'Chart.yaml' ? '' : chartFile.slice(0, -'/Chart.yaml'.length);
    const { metadata, problems } = readChartFile(files, chartFile);
    const name = stringOf(get(metadata, 'name')) ?? '';
    names.set(dir, name);
    return { dir, chartFile, metadata, problems };
  });
  const charts = base.map(({ dir, chartFile, metadata, problems }) => {
    const at: Origin = metadata?.origin ?? { source: 'helm-builtin', file: chartFile, line: 1, column: 1, span: null };
    const apiVersionText = stringOf(get(metadata, 'apiVersion'));
    const apiVersion: 'v1' | 'v2' = apiVersionText === 'v1' ? 'v1' : 'v2';
    if (metadata && apiVersionText !== 'v1' && apiVersionText !== 'v2') problems.push({ code: 'chart-invalid', at, message: `${chartFile}: apiVersion ${apiVersionText ?? '(missing)'} is neither v1 nor v2; read as v2` });
    const name = names.get(dir) ?? '';
    if (metadata && name === '') problems.push({ code: 'chart-invalid', at, message: `${chartFile} has no name` });
    const type = stringOf(get(metadata, 'type')) === 'library' ? 'library' : 'application';
    const parentMatch = /^(.*)\/charts\/[^/]+$/.exec(dir);
    const parent = parentMatch && dirs.has(parentMatch[1] ?? '') ? (parentMatch[1] ?? '') : dir.startsWith('charts/') && dirs.has('') && !dir.slice('charts/'.length).includes('/') ? '' : null;
    const ignored = helmIgnore(files, dir);
    const templates = files
      .list(join(dir, 'templates'))
      .filter((path) => !ignored(relativeTo(dir, path)))
      .sort(compareStrings);
    const dependencies: ChartDependency[] = [];
    for (const { node, declared } of dependenciesOf(files, dir, metadata, apiVersion, problems)) {
      const depName = stringOf(get(node, 'name')) ?? '';
      const repository = stringOf(get(node, 'repository'));
      const tagsNode = get(node, 'tags');
      const tags = isSeq(tagsNode) ? tagsNode.items.map((item) => textOf(item) ?? '').filter(Boolean) : [];
      const origin = node.origin;
      let resolved: ChartDependency['resolved'];
      const local = repository?.startsWith('file://') ? normalisePath(join(dir, repository.slice('file://'.length))) : null;
      const inChartsFolder = [...dirs].find((candidate) => candidate.startsWith(join(dir, 'charts/')) && !candidate.slice(join(dir, 'charts/').length).includes('/') && names.get(candidate) === depName);
      if (local !== null && dirs.has(local)) resolved = { kind: 'local', dir: local };
      else if (inChartsFolder !== undefined) resolved = { kind: 'local', dir: inChartsFolder };
      else if (repository?.startsWith('file://')) resolved = { kind: 'remote', reason: `${repository} is not a chart folder in the repository` };
      else resolved = { kind: 'remote', reason: `chart ${depName}${stringOf(get(node, 'version')) ? ` ${stringOf(get(node, 'version'))}` : ''} comes from ${repository ?? 'a chart repository'}, which is not in the repository` };
      dependencies.push({
        name: depName,
        alias: stringOf(get(node, 'alias')),
        version: stringOf(get(node, 'version')),
        repository,
        condition: stringOf(get(node, 'condition')),
        tags,
        importValues: get(node, 'import-values') !== null,
        declared,
        origin,
        resolved,
      });
    }
    // Subchart folders nobody declared are dependencies too (Helm loads everything in charts/).
    const declaredDirs = new Set(dependencies.flatMap((dep) => (dep.resolved.kind === 'local' ? [dep.resolved.dir] : [])));
    for (const candidate of [...dirs].sort(compareStrings)) {
      const prefix = join(dir, 'charts/');
      if (!candidate.startsWith(prefix) || candidate.slice(prefix.length).includes('/') || declaredDirs.has(candidate)) continue;
      dependencies.push({
        name: names.get(candidate) ?? candidate.slice(prefix.length),
        alias: null,
        version: null,
        repository: null,
        condition: null,
        tags: [],
        importValues: false,
        declared: 'charts-folder',
        origin: { source: 'helm-builtin', file: join(candidate, 'Chart.yaml'), line: 1, column: 1, span: null },
        resolved: { kind: 'local', dir: candidate },
      });
    }
    for (const archive of files.list(join(dir, 'charts')).filter((path) => /\/charts\/[^/]+\.tgz$/.test(path) && path.slice(0, path.lastIndexOf('/charts/')) === dir)) {
      const archiveName = archive.slice(archive.lastIndexOf('/') + 1).replace(/-\d[^/]*\.tgz$/, '').replace(/\.tgz$/, '');
      if (dependencies.some((dep) => dep.name === archiveName)) continue;
      dependencies.push({
        name: archiveName,
        alias: null,
        version: null,
        repository: null,
        condition: null,
        tags: [],
        importValues: false,
        declared: 'charts-folder',
        origin: { source: 'helm-builtin', file: archive, line: 1, column: 1, span: null },
        resolved: { kind: 'remote', reason: `${archive} is a packaged chart, which pod2wi does not unpack` },
      });
    }
    const valuesFile = files.has(join(dir, 'values.yaml')) ? join(dir, 'values.yaml') : null;
    const chart: HelmChart = {
      dir,
      chartFile,
      name,
      version: stringOf(get(metadata, 'version')) ?? '',
      apiVersion,
      type,
      metadata,
      valuesFile,
      templates,
      dependencies,
      parent,
      renderable: type === 'application' && parent === null && metadata !== null,
      problems,
    };
    return chart;
  });
  return charts.sort((a, b) => compareStrings(a.dir, b.dir));
}

/** One way to render a chart: its values layers and release. */
export interface ChartInstance {
  readonly chart: HelmChart;
  readonly unit: RenderUnit;
  /** Values given by the user, lowest first, layered over the chart's values.yaml. */
  readonly values: readonly ValuesLayer[];
  /** From a HelmRelease (`releaseName`, else its name), or null: then `.Release.Name` stays unknown. */
  readonly releaseName: { readonly value: string; readonly origin: Origin } | null;
  readonly namespace: { readonly value: string; readonly origin: Origin } | null;
  /** Problems found while reading the layers (a values file that does not parse). */
  readonly problems?: readonly RenderProblem[];
}

/** A values document: a values file, or a HelmRelease's spec.values. */
export interface ValuesLayer {
  readonly node: RMap;
  readonly source: ValuesSource;
}

const variantPattern = /^values[-.].+\.ya?ml$/;

/**
 * The ways the repository renders a chart: its defaults (values.yaml), and each values-*.yaml / values.*.yaml beside
 * it and each ci/*-values.yaml (chart-testing's convention) layered on the defaults. Each is its own RenderUnit variant.
 */
export function chartVariants(files: FileSource, chart: HelmChart): ChartInstance[] {
  const label = chart.dir === '' ? '.' : chart.dir;
  const base: ChartInstance = {
    chart,
    unit: { kind: 'chart', path: chart.dir, variant: '', label },
    values: [],
    releaseName: null,
    namespace: null,
  };
  const variants: ChartInstance[] = [base];
  const candidates = files
    .list(chart.dir)
    .map((path) => relativeTo(chart.dir, path))
    .filter((rel) => (!rel.includes('/') && variantPattern.test(rel) && rel !== 'values.yaml') || /^ci\/[^/]+-values\.ya?ml$/.test(rel))
    .sort(compareStrings);
  for (const rel of candidates) {
    const path = join(chart.dir, rel);
    const { layer, problems } = readValuesLayer(files, path, 'chart-values');
    variants.push({
      chart,
      unit: { kind: 'chart', path: chart.dir, variant: rel, label: `${label} (${rel})` },
      values: layer ? [layer] : [],
      releaseName: null,
      namespace: null,
      ...(problems.length > 0 ? { problems } : {}),
    });
  }
  return variants;
}

/** A values file read as a layer (with `path` on every origin). */
export function readValuesLayer(files: FileSource, path: string, source: ValuesSource): { layer: ValuesLayer | null; problems: RenderProblem[] } {
  const text = files.read(path);
  const at: Origin = { source, file: path, line: 1, column: 1, span: null };
  if (text === null) return { layer: null, problems: [{ code: 'values-invalid', at, message: `${path} cannot be read` }] };
  const tree = readTree(path, text, { source, paths: true, version: '1.1' });
  const problems: RenderProblem[] = tree.problems.map((problem) => ({ code: 'values-invalid', at: problem.at, message: `${path} does not parse (Helm would refuse it): ${problem.message}` }));
  const node = tree.documents[0]?.node ?? null;
  if (node === null) return { layer: { node: { kind: 'map', pairs: [], origin: at }, source }, problems };
  if (!isMap(node)) {
    problems.push({ code: 'values-invalid', at: node.origin, message: `${path} is not a map of values` });
    return { layer: null, problems };
  }
  return { layer: { node, source }, problems };
}
