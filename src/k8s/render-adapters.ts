import type { FileSource, RenderProblem } from './files.js';
import type { Condition, Origin, RenderedObject, RenderUnit, RMap } from './rendered.js';

/**
 * The renderers as the repository reader uses them: Helm charts and Kustomize builds. Kept behind this small surface
 * so the reader does not depend on how each renderer is organised.
 */

/** A chart of the repository. */
export interface ChartRef {
  readonly dir: string;
  readonly name: string;
  readonly version: string | null;
  readonly chartFile: string;
  /** `type: library`: never rendered alone. */
  readonly library: boolean;
  /** Every file of the chart: Chart.yaml, values, templates, helpers, its own subcharts. */
  readonly files: readonly string[];
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
}

export function listCharts(_files: FileSource): ChartRef[] {
  return [];
}

/** The chart with its own values, and with each alternative values file layered on them. */
export function renderChartVariants(_files: FileSource, _chart: ChartRef): ChartResult[] {
  return [];
}

/** The chart as an installer (a HelmRelease) renders it. */
export function renderChartInstall(_files: FileSource, _chart: ChartRef, install: ReleaseInstall): ChartResult {
  return { unit: install.unit, objects: [], problems: [], untaken: [], files: [] };
}

export function listKustomizations(_files: FileSource): string[] {
  return [];
}

/** Kustomizations no other kustomization includes. */
export function kustomizeRoots(_files: FileSource, kustomizations: readonly string[]): string[] {
  return [...kustomizations];
}

/** A kustomization built (its result memoised in `memo` for builds that share bases). */
export function buildKustomize(_files: FileSource, path: string, _memo: Map<string, unknown>): KustomizeResult {
  return { unit: { kind: 'kustomization', path, variant: '', label: path }, objects: [], problems: [], files: [] };
}

/** Flux post-build substitution over rendered objects. */
export function substituteVariables(
  objects: readonly RenderedObject[],
  _variables: ReadonlyMap<string, { readonly value: string; readonly origin: Origin }>,
): { objects: readonly RenderedObject[]; problems: readonly RenderProblem[] } {
  return { objects, problems: [] };
}
