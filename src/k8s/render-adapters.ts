import type { FileSource, RenderProblem } from './files.js';
import { chartVariants, findCharts, readValuesLayer, type HelmChart, type ValuesLayer } from './helm/chart-files.js';
import { createRenderCache, renderChart, type RenderCache as HelmRenderCache, type UntakenBranch as HelmUntaken } from './helm/render.js';
import { buildKustomization, findKustomizations, KustomizeMemo, kustomizeRoots as roots } from './kustomize/build.js';
import type { RenderHelmChart } from './kustomize/context.js';
import { substitute } from './kustomize/substitute.js';
import type { AppliedPatch } from './kustomize/context.js';
import { joinPath } from './paths.js';
import type { Condition, Origin, RenderedObject, RenderUnit, RMap } from './rendered.js';

/**
 * The renderers as the repository reader uses them: Helm charts and Kustomize builds, behind one small surface so the
 * reader does not depend on how each renderer is organised.
 */

/** A chart of the repository. */
export interface ChartRef {
  readonly dir: string;
  readonly name: string;
  readonly version: string | null;
  readonly chartFile: string;
  /** `type: library`, or a subchart folder: never rendered alone. */
  readonly library: boolean;
  /** Every file of the chart: Chart.yaml, values, templates, helpers, its own subcharts. */
  readonly files: readonly string[];
  readonly chart: HelmChart;
}

/** A branch of a template that did not render, with its text range. */
export interface UntakenBranch {
  readonly file: string;
  readonly start: number;
  readonly end: number;
  readonly condition: Condition;
}

export interface ChartResult {
  readonly unit: RenderUnit;
  readonly objects: readonly RenderedObject[];
  readonly problems: readonly RenderProblem[];
  readonly untaken: readonly UntakenBranch[];
  /** Files the render read (templates, helpers, values). */
  readonly files: readonly string[];
}

export interface ReleaseInstall {
  readonly unit: RenderUnit;
  /** Values given by the installer, lowest precedence first. */
  readonly values: readonly RMap[];
  readonly releaseName: { readonly value: string; readonly origin: Origin } | null;
  readonly namespace: { readonly value: string; readonly origin: Origin } | null;
}

export interface KustomizeResult {
  readonly unit: RenderUnit;
  readonly objects: readonly RenderedObject[];
  readonly problems: readonly RenderProblem[];
  /** Every file the build read. */
  readonly files: readonly string[];
  /** Every patch of the build, with the objects it matched. */
  readonly patches: readonly AppliedPatch[];
}

/** State the renderers keep for one repository read (parsed templates, built bases). */
export interface RendererState {
  readonly helm: HelmRenderCache;
  readonly charts: readonly HelmChart[];
  readonly kustomize: KustomizeMemo;
  /** How the repository's own build runs kustomize (see {@link loadRestrictorOf}). */
  readonly loadRestrictor: 'LoadRestrictionsRootOnly' | 'LoadRestrictionsNone';
}

export function rendererState(files: FileSource, helm: HelmRenderCache = createRenderCache()): RendererState {
  let loadRestrictor: RendererState['loadRestrictor'] | null = null;
  return {
    helm,
    charts: findCharts(files),
    kustomize: new KustomizeMemo(),
    // Asked only when a kustomization is built: a repository without one reads no build script for it.
    get loadRestrictor() {
      loadRestrictor ??= loadRestrictorOf(files);
      return loadRestrictor;
    },
  };
}

/** Files that run kustomize builds: make files, scripts, Tiltfiles and CI pipelines. */
const buildScript = /(^|\/)(Makefile|GNUmakefile|Tiltfile|[^/]*\.(mk|sh|bash|ps1|py|star))$|(^|\/)\.github\/workflows\/[^/]+\.ya?ml$|(^|\/)azure-pipelines[^/]*\.ya?ml$/;

/**
 * `LoadRestrictionsNone` when the repository's build scripts run kustomize with `--load-restrictor
 * LoadRestrictionsNone` (cluster-api providers build their templates that way): its kustomizations load files outside
 * their folder, and rendering them as kustomize's default would only report refusals the real build never meets.
 */
export function loadRestrictorOf(files: FileSource): RendererState['loadRestrictor'] {
  for (const path of files.list('')) {
    if (!buildScript.test(path)) continue;
    // Every script of the repository may be asked: read, not kept (the code stage reads them again, uncached).
    const text = (files.peek ?? files.read)(path);
    if (text !== null && /--load[-_]restrictor[= ]+["']?LoadRestrictionsNone/.test(text)) return 'LoadRestrictionsNone';
  }
  return 'LoadRestrictionsRootOnly';
}

export function listCharts(files: FileSource, state: RendererState): ChartRef[] {
  return state.charts.map((chart) => ({
    dir: chart.dir,
    name: chart.name,
    version: chart.version || null,
    chartFile: chart.chartFile,
    library: chart.type === 'library' || !chart.renderable,
    files: files.list(chart.dir),
    chart,
  }));
}

function untaken(branches: readonly HelmUntaken[]): UntakenBranch[] {
  return branches.map((branch) => ({
    file: branch.file,
    start: branch.start,
    end: branch.end,
    condition: { expression: `${branch.keyword} ${branch.expression}${branch.branch === 'else' ? ' (else)' : ''}`, value: branch.value, origin: branch.origin },
  }));
}

function result(unit: RenderUnit, render: ReturnType<typeof renderChart>, extra: readonly RenderProblem[] = []): ChartResult {
  return { unit, objects: render.objects, problems: [...extra, ...render.problems], untaken: untaken(render.untaken), files: render.files };
}

/** The chart with its own values, and with each alternative values file layered on them. */
export function renderChartVariants(files: FileSource, chart: ChartRef, state: RendererState): ChartResult[] {
  return chartVariants(files, chart.chart).map((instance) =>
    result(instance.unit, renderChart(files, instance, { charts: state.charts, cache: state.helm }), instance.problems ?? []),
  );
}

/** The chart as an installer (a HelmRelease) renders it. */
export function renderChartInstall(files: FileSource, chart: ChartRef, install: ReleaseInstall, state: RendererState): ChartResult {
  const values: ValuesLayer[] = install.values.map((node) => ({ node, source: 'release-values' }));
  const render = renderChart(files, { chart: chart.chart, unit: install.unit, values, releaseName: install.releaseName, namespace: install.namespace }, { charts: state.charts, cache: state.helm });
  return result(install.unit, render);
}

export function listKustomizations(files: FileSource): string[] {
  return findKustomizations(files);
}

/** Kustomizations no other kustomization includes. */
export function kustomizeRoots(files: FileSource, kustomizations: readonly string[], state: RendererState): string[] {
  return roots(files, kustomizations, state.kustomize);
}

/** A kustomization built; its `helmCharts` rendered through the chart in `chartHome` when the repository has it. */
export function buildKustomize(files: FileSource, path: string, state: RendererState): KustomizeResult {
  const renderHelmChart: RenderHelmChart = (entry, kustomizationPath) => {
    const dir = joinPath(joinPath(kustomizationPath.slice(0, kustomizationPath.lastIndexOf('/') + 1), entry.chartHome), entry.name);
    const chart = state.charts.find((candidate) => candidate.dir === dir);
    if (!chart) return null;
    const base = kustomizationPath.slice(0, Math.max(0, kustomizationPath.lastIndexOf('/')));
    const layers: ValuesLayer[] = [];
    const problems: RenderProblem[] = [];
    for (const file of [entry.valuesFile, ...entry.additionalValuesFiles].filter(Boolean)) {
      const read = readValuesLayer(files, joinPath(base, file), 'release-values');
      if (read.layer) layers.push(read.layer);
      problems.push(...read.problems);
    }
    if (entry.valuesInline) layers.push({ node: entry.valuesInline, source: 'release-values' });
    const unit: RenderUnit = { kind: 'kustomization', path: kustomizationPath, variant: '', label: base || '.' };
    const render = renderChart(files, {
      chart,
      unit,
      values: layers,
      releaseName: { value: entry.releaseName || entry.name, origin: entry.at },
      namespace: entry.namespace ? { value: entry.namespace, origin: entry.at } : null,
    }, { charts: state.charts, cache: state.helm });
    return { objects: render.objects, problems: [...problems, ...render.problems] };
  };
  const build = buildKustomization(files, path, { renderHelmChart, loadRestrictor: state.loadRestrictor }, state.kustomize);
  return { unit: build.unit, objects: build.objects, problems: build.problems, files: build.files, patches: build.patches };
}

/** Flux post-build substitution over rendered objects. */
export function substituteVariables(
  objects: readonly RenderedObject[],
  variables: ReadonlyMap<string, { readonly value: string; readonly origin: Origin }>,
  missingSources: readonly string[] = [],
): { objects: readonly RenderedObject[]; problems: readonly RenderProblem[] } {
  const outcome = substitute(objects, variables, { missingSources });
  return { objects: outcome.objects, problems: outcome.problems };
}
