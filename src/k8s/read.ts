import type { FindingSink } from '../model/findings-sink.js';
import type { Location } from '../model/location.js';
import { compareStrings } from '../model/location.js';
import { pushTo } from '../model/collections.js';
import type { Repo } from '../walk/repo.js';
import { fileSource, type FileSource, type RenderProblem } from './files.js';
import {
  asReleaseValues,
  isFluxKustomization,
  isHelmRelease,
  impliedLabelVia,
  labelsInValues,
  localChartDir,
  readFluxKustomization,
  readHelmRelease,
  type FluxKustomization,
  type HelmRelease,
} from './flux.js';
import type { FindingId } from '../rules/finding-ids.js';
import { LineIndex } from './line-index.js';
import { isInside, joinPath } from './paths.js';
import {
  buildKustomize,
  kustomizeRoots,
  listCharts,
  listKustomizations,
  renderChartInstall,
  renderChartVariants,
  rendererState,
  substituteVariables,
  type ChartRef,
  type ChartResult,
  type KustomizeResult,
} from './render-adapters.js';
import { renderLooseTemplate } from './helm/loose.js';
import { createRenderCache } from './helm/render.js';
import { dependencyReleaseOf } from './helm/dependency-release.js';
import { fluxVariables } from './kustomize/substitute.js';
import { chartsLabellingFromValues } from '../rules/controllers.js';
import { clusterApplies, embeddedManifests, isEmbeddingFile, mayEmbedManifests, type ClusterApplies } from './embedded.js';
import { applyFluxPatches } from './kustomize/flux-patches.js';
import { get, getIn, isMap, isSeq, scalarRef, textOf, type Condition, type Origin, type RenderedObject, type RenderUnit, type RMap, type RNode } from './rendered.js';
import { objectsOfDocument } from './rendered-objects.js';
import { findTextLabels } from './text-labels.js';
import type { Field } from './workloads.js';
import { readTree } from './yaml-tree.js';
import { mentionsClusterResources, readTerraformRecorded, releaseOf, terraformFiles, type TerraformScan } from '../terraform/scan.js';

/**
 * Everything the manifest stage read from the repository: one list of rendered objects (plain manifests, Kustomize
 * builds, Helm charts with each values source, Flux releases and post-build substitutions), each with its unit and
 * the origin of every field, plus what installers say about charts outside the repository.
 */
export interface ManifestScan {
  /** The files as the renderers read them; the fix renders again over the same source with its edits applied. */
  readonly files: FileSource;
  readonly objects: readonly RenderedObject[];
  readonly units: readonly RenderUnit[];
  readonly charts: readonly ChartRef[];
  /** Every kustomization file. */
  readonly kustomizations: readonly string[];
  readonly kustomizeBuilds: readonly KustomizeResult[];
  readonly chartRenders: readonly ChartResult[];
  readonly releases: readonly HelmRelease[];
  readonly fluxKustomizations: readonly FluxKustomization[];
  /** Values that declare identities for the aad-pod-identity chart itself, with the namespace they default to. */
  readonly podIdentityChartValues: readonly { readonly values: RMap; readonly unit: RenderUnit; readonly namespace: string }[];
  /** Releases of charts outside the repository whose values set aadpodidbinding: their pods carry it. */
  readonly releaseLabels: readonly { readonly release: HelmRelease; readonly label: Field }[];
  /** aadpodidbinding written in a template branch that does not render with the values in use. */
  readonly conditionalLabels: readonly { readonly at: Location; readonly value: string; readonly condition: string; readonly unit: RenderUnit }[];
  /** aadpodidbinding written in a chart's named templates (helpers), whether or not anything includes them. */
  readonly helperLabels: readonly { readonly at: Location; readonly value: string }[];
  /** Files read as manifests (plain, template, kustomize resource). */
  readonly manifestFiles: number;
  /** The variables each Flux Kustomization substitutes into the unit it renders. */
  readonly substitutions: readonly { readonly unit: RenderUnit; readonly variables: ReadonlyMap<string, { readonly value: string; readonly origin: Origin }> }[];
  /** Terraform files read because some of them create objects or releases in a cluster (0 when none does). */
  readonly terraformFiles: number;
  /** What could not be read or rendered, as findings (also given to the scan's sink). */
  readonly problems: readonly ScanProblem[];
}

/** A finding of the reading stage, before it reaches a sink. */
export interface ScanProblem {
  readonly id: FindingId;
  /** The renderer's own code (`patch-no-match`), when a renderer reported it. */
  readonly code?: string;
  readonly at: Location;
  readonly message: string;
}

/**
 * Renders kept between runs over the same files (the fix renders again after each edit): a unit is reused while
 * every file it read still has the same text.
 */
export class RenderCache {
  /** Parsed templates and values of the Helm renderer, checked against the files' text on each use. */
  readonly helm = createRenderCache();
  readonly #entries = new Map<string, { readonly reads: readonly (readonly [string, string | null])[]; readonly value: unknown }>();

  get<T>(key: string, files: FileSource): T | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    for (const [path, text] of entry.reads) if (files.read(path) !== text) return undefined;
    return entry.value as T;
  }

  set(key: string, files: FileSource, read: readonly string[], value: unknown): void {
    this.#entries.set(key, { reads: read.map((path) => [path, files.read(path)] as const), value });
  }
}

/** Collects findings in a list (the renders the fix repeats must not report twice). */
class ProblemList {
  readonly all: ScanProblem[] = [];
  add(id: FindingId, at: Location, message: string, code?: string): void {
    this.all.push(code === undefined ? { id, at: { file: at.file, line: at.line, column: at.column }, message } : { id, code, at: { file: at.file, line: at.line, column: at.column }, message });
  }
}

const armSchema = /"\$schema"\s*:\s*"https?:\/\/schema\.management\.azure\.com\/schemas\//;
const manifestExtension = /\.(ya?ml|json)$/i;
const templateManifest = /\.(ya?ml)\.(tpl|tmpl|gotmpl)$/i;
const manifestHint = /\b(apiVersion|kind)\b|aadpodidbinding/;
const kustomizationName = /(^|\/)(kustomization\.ya?ml|Kustomization)$/;
/** Folders of stored rendered output: helm-unittest `__snapshot__`, `snapshots/`, golden test outputs. */
const snapshotPath = /(^|\/)(__snapshots?__|snapshots)\//;

/** Problems after which `kustomize build` (or `helm template`) stops: the unit would not deploy at all. */
const buildErrors: ReadonlySet<string> = new Set([
  'outside-root', 'outside-repository', 'kustomization-parse', 'invalid-kustomization', 'ambiguous-kustomization', 'cycle', 'component-kind', 'resource-parse',
  'invalid-resource', 'duplicate-resource', 'patch-parse', 'patch-no-match', 'patch-failed', 'namespace-conflict',
  'replacement-failed', 'var-conflict', 'generator-failed',
]);

/** Maps a renderer's problem code to the finding the scan reports. */
function findingOf(problem: RenderProblem): FindingId {
  if (buildErrors.has(problem.code)) return 'build-error';
  switch (problem.code) {
    case 'terraform-syntax':
    case 'terraform-template-syntax':
      return 'terraform-parse-error';
    case 'terraform-read-failed':
      return 'read-error';
    case 'remote-resource':
      return 'kustomize-remote-resource';
    case 'missing-resource':
      return 'kustomize-missing-resource';
    case 'parse-error':
      return 'manifest-parse-error';
    default:
      return problem.code.startsWith('terraform-') ? 'terraform-not-read' : 'render-problem';
  }
}

/** How much of the repository a render reads. */
export interface RenderOptions {
  /**
   * Which files outside charts, kustomizations and Terraform are read as manifests of their own (plain files and
   * documents embedded in Markdown or scripts), decided before the file is parsed: on its path, and on its text
   * (`read`) only if the path does not settle it; every file when absent.
   * Charts, kustomizations and Terraform are always rendered whole: which files they consume is known only then.
   */
  readonly select?: (path: string, read: () => string) => boolean;
}

/**
 * Reads every manifest of the repository as the deploy tools would render it. A file a kustomization consumes is read
 * only through it; a chart's files only through Helm. Every unit is isolated: a fault inside one becomes a finding.
 */
export function readManifests(repo: Repo, namespaceOption: string | null, sink: FindingSink, options: RenderOptions = {}): ManifestScan {
  const files = fileSource(
    repo.files.map((file) => file.path),
    (path) => repo.read(path)?.text ?? null,
    (path) => repo.read(path, { cache: false })?.text ?? null,
  );
  const scan = renderRepository(files, namespaceOption, new RenderCache(), options);
  for (const problem of scan.problems) sink.add(problem.id, problem.at, problem.message);
  return scan;
}

/**
 * Renders every unit of the files: the scan's repository, or the same with the fix's edits in memory. With a cache,
 * units whose files did not change are not rendered again.
 */
export function renderRepository(files: FileSource, namespaceOption: string | null, cache: RenderCache = new RenderCache(), options: RenderOptions = {}): ManifestScan {
  const { select } = options;
  const sink = new ProblemList();
  const report = (problems: readonly RenderProblem[]) => {
    for (const problem of problems) sink.add(findingOf(problem), problem.at, problem.message, problem.code);
  };
  const cached = <T extends { problems: readonly RenderProblem[] }>(key: string, read: (value: T) => readonly string[], run: () => T): T => {
    const hit = cache.get<T>(key, files);
    if (hit) return hit;
    const value = run();
    cache.set(key, files, read(value), value);
    return value;
  };
  const isolated = <T>(what: string, at: Location, fallback: T, run: () => T): T => {
    try {
      return run();
    } catch (error) {
      if (error instanceof RangeError || error instanceof Error) {
        sink.add('read-error', at, `${what} could not be read: ${(error.message || String(error)).split('\n')[0]}; the rest of the scan goes on`);
        return fallback;
      }
      throw error;
    }
  };

  // Charts and kustomizations first: what they read is not read again as plain manifests.
  const state = rendererState(files, cache.helm);
  const charts = listCharts(files, state);
  const chartFiles = new Set(charts.flatMap((chart) => chart.files));
  const kustomizations = listKustomizations(files);
  const builds: KustomizeResult[] = [];
  const rootPaths = isolated('kustomizations', { file: kustomizations[0] ?? '', line: 1, column: 1 }, [], () => kustomizeRoots(files, kustomizations, state));
  for (const path of rootPaths) {
    const build = isolated(`kustomization ${path}`, { file: path, line: 1, column: 1 }, null, () => cached(`kustomize:${path}`, (value) => value.files, () => buildKustomize(files, path, state)));
    if (!build) continue;
    builds.push(build);
    report(build.problems);
  }
  // Terraform first too: a values file or manifest template it reads (templatefile, file) is read only through it.
  const terraform = readTerraformOf(files, cached, isolated);
  const consumed = new Set([...builds.flatMap((build) => build.files), ...(terraform?.files.filter((path) => !/\.(tf|tfvars)$/.test(path)) ?? [])]);
  // Patch files are fragments of objects: never read as objects of their own, even when kustomize refused them.
  const patchFiles = new Set(kustomizations.flatMap((path) => patchPaths(files, path)));

  let manifestFiles = 0;
  // Memoised on the runbooks and scripts: the fix renders again after each edit, and these rarely change.
  const embedding = files.list('').filter(isEmbeddingFile);
  const clusters = cached(`clusters:${embedding.join('\n')}`, () => embedding, () => ({ value: clustersOf(files, embedding), problems: [] as RenderProblem[] })).value;
  // `path`: the folder a Flux Kustomization must point at to apply the entry (a kustomization's folder, a file).
  const units: { unit: RenderUnit; objects: RenderedObject[]; path: string }[] = [];
  for (const build of builds) units.push({ unit: build.unit, objects: [...build.objects], path: dirOf(build.unit.path) });
  for (const path of files.list('')) {
    if (!manifestExtension.test(path) && !templateManifest.test(path)) {
      if (select && isEmbeddingFile(path) && !select(path, () => files.read(path) ?? '')) continue;
      const embedded = embeddedObjects(files, path, sink);
      if (embedded) {
        manifestFiles++;
        const bodies = clusters?.bodies.get(path) ?? [];
        const byContext = new Map<string | null, RenderedObject[]>();
        for (const object of embedded) pushTo(byContext, bodies.find((candidate) => object.at.line >= candidate.first && object.at.line < candidate.end)?.context ?? null, object);
        for (const [context, objects] of byContext) {
          const unit = context === null ? manifestUnit : clusterUnit(context);
          units.push({ unit, objects: context === null ? objects : objects.map((object) => ({ ...object, unit })), path });
        }
      }
      continue;
    }
    if (kustomizationName.test(path) || consumed.has(path) || chartFiles.has(path) || patchFiles.has(path)) continue;
    if (snapshotPath.test(path)) {
      // Rendered copies kept for tests (helm-unittest, chart-testing snapshots): they mirror a chart, run nowhere.
      const text = files.read(path);
      if (text !== null && manifestHint.test(text)) sink.add('snapshot-file', { file: path, line: 1, column: 1 }, `${path} is a stored copy of rendered output (a test snapshot); it is not linked to live objects and changes when its chart does`);
      continue;
    }
    if (select && !select(path, () => files.read(path) ?? '')) continue;
    const plain = isolated(path, { file: path, line: 1, column: 1 }, null, () =>
      cached(`plain:${path}`, () => [path], () => {
        const local = new ProblemList();
        const objects = readPlainFile(files, path, local);
        return { objects, problems: [] as RenderProblem[], found: local.all };
      }),
    );
    if (plain) sink.all.push(...plain.found);
    const objects = plain?.objects ?? null;
    if (objects === null) continue;
    manifestFiles++;
    const context = clusters?.files.get(path);
    const unit = context ? clusterUnit(context) : manifestUnit;
    if (objects.length > 0) units.push({ unit, objects: unit === manifestUnit ? objects : objects.map((object) => ({ ...object, unit })), path });
  }
  manifestFiles += new Set(builds.flatMap((build) => build.files)).size;
  manifestFiles += charts.reduce((sum, chart) => sum + chart.chart.templates.length, 0);

  // Flux Kustomizations with post-build substitution render their folder once per Kustomization that applies it.
  const fluxKustomizations = units.flatMap((entry) => entry.objects.filter(isFluxKustomization)).map(readFluxKustomization);
  // Flux builds the folder a Kustomization names on its own, even when another kustomization also includes it.
  const built = new Set(builds.map((build) => build.unit.path));
  for (const target of new Set(fluxKustomizations.flatMap((flux) => (flux.path === null ? [] : [flux.path])))) {
    const path = kustomizations.find((candidate) => dirOf(candidate) === target);
    if (!path || built.has(path)) continue;
    built.add(path);
    const build = isolated(`kustomization ${path}`, { file: path, line: 1, column: 1 }, null, () => cached(`kustomize:${path}`, (value) => value.files, () => buildKustomize(files, path, state)));
    if (!build) continue;
    builds.push(build);
    report(build.problems);
    units.push({ unit: build.unit, objects: [...build.objects], path: dirOf(build.unit.path) });
  }
  const configMaps = units.flatMap((entry) => entry.objects.filter((object) => object.kind === 'ConfigMap' || object.kind === 'Secret'));
  // A Flux Kustomization is itself an object another one builds and substitutes (flux-system applies a cluster folder
  // whose Kustomizations carry `${VAR}` in their patches): read them as that substitution leaves them.
  const first = applyFlux(fluxKustomizations, units, configMaps, files, () => undefined);
  const settled = new Map<string, RenderedObject>();
  for (const entry of first.substituted) {
    for (const object of entry.objects) if (isFluxKustomization(object)) settled.set(`${object.at.file}:${object.at.line}|${entry.unit.path}`, object);
  }
  const fluxes = settled.size === 0 ? fluxKustomizations : fluxKustomizations.map((flux) => {
    const after = settled.get(`${flux.object.at.file}:${flux.object.at.line}|${flux.object.unit.path}`);
    return after ? readFluxKustomization(after) : flux;
  });
  const { replaced, substitutions, substituted } = settled.size === 0 ? first : applyFlux(fluxes, units, configMaps, files, report);
  if (settled.size === 0) for (const problems of first.problems) report(problems);
  const rendered = [...units.filter((entry) => !replaced.has(entry)), ...substituted];

  // Terraform: kubernetes_* and manifest resources are objects like any other; helm_releases are releases. A resource
  // whose count or for_each is known to make no instance exists nowhere: its aadpodidbinding is a conditional label.
  const terraformConditional: { at: Location; value: string; condition: string; unit: RenderUnit }[] = [];
  const absent = (conditions: readonly Condition[], root: RNode, unit: RenderUnit): boolean => {
    const off = conditions.find((condition) => condition.value === false);
    if (!off) return false;
    for (const label of labelsInValues(root)) {
      terraformConditional.push({ at: locationOf(label.keyOrigin), value: scalarRef(label.value)?.display ?? '?', condition: `${off.expression} (false here)`, unit });
    }
    return true;
  };
  if (terraform) {
    report(terraform.read.problems);
    const byUnit = new Map<string, { unit: RenderUnit; objects: RenderedObject[]; path: string }>();
    for (const object of terraform.read.objects) {
      if (absent(object.conditions, object.root, object.unit)) continue;
      const key = `${object.unit.path}\u0000${object.unit.variant}`;
      const entry = byUnit.get(key) ?? { unit: object.unit, objects: [], path: object.unit.path === '.' ? '' : object.unit.path };
      entry.objects.push(object);
      byUnit.set(key, entry);
    }
    rendered.push(...byUnit.values());
  }

  // Helm: each chart once per installer (HelmRelease), or with its own values (and alternatives) when none installs it.
  const releases = rendered.flatMap((entry) => entry.objects.filter(isHelmRelease)).map(readHelmRelease);
  if (terraform) {
    const made = terraform.read.releases.filter((release) => !absent(release.conditions, release.values, release.unit)).map((release, index) => releaseOf(release, index));
    releases.push(...made);
    // The own objects of releases of charts from elsewhere, so that a change of their values is seen when the fix
    // renders again; a chart of the repository shows a change of its release's values in its render.
    const byUnit = new Map<string, { unit: RenderUnit; objects: RenderedObject[]; path: string }>();
    const dirs = charts.map((chart) => chart.dir);
    for (const release of made) {
      if (localChartDir(release, dirs) !== null) continue;
      const unit = release.object.unit;
      const key = `${unit.path}\u0000${unit.variant}`;
      const entry = byUnit.get(key) ?? { unit, objects: [], path: unit.path === '.' ? '' : unit.path };
      entry.objects.push(release.object);
      byUnit.set(key, entry);
    }
    rendered.push(...byUnit.values());
  }
  const podIdentityChartValues: { values: RMap; unit: RenderUnit; namespace: string }[] = [];
  const releaseLabels: { release: HelmRelease; label: Field }[] = [];
  const chartRenders: ChartResult[] = [];
  const defaultNamespace = namespaceOption ?? 'default';
  const chartDirs = charts.map((chart) => chart.dir);
  for (const chart of charts) {
    if (chart.library) continue;
    const installs = releases.filter((release) => localChartDir(release, chartDirs) === chart.dir);
    if (chart.name === 'aad-pod-identity') {
      sink.add('pod-identity-infrastructure', { file: chart.chartFile, line: 1, column: 1 }, `the aad-pod-identity chart is vendored at ${chart.dir || '.'}; uninstall it at cut-over`);
      continue;
    }
    const results = installs.length > 0
      ? installs.map((release) => isolated(`chart ${chart.dir || '.'}`, release.object.at, null, () =>
          cached(`chart:${chart.dir}:${releaseUnit(release, chart).variant}:${chart.files.join('\n')}`, (value) => [...value.files, ...chart.files, release.object.at.file, ...(release.terraform ? (terraform?.files ?? []) : [])], () => renderChartInstall(files, chart, {
            unit: releaseUnit(release, chart),
            values: release.values ? [release.values] : [],
            releaseName: release.releaseName,
            namespace: release.namespace,
          }, state))))
      : isolated(`chart ${chart.dir || '.'}`, { file: chart.chartFile, line: 1, column: 1 }, [], () =>
          cached(`charts:${chart.dir}:${chart.files.join('\n')}`, (value) => [...new Set(value.results.flatMap((result) => result.files)), ...chart.files], () => ({ results: renderChartVariants(files, chart, state), problems: [] })).results);
    for (const result of results) {
      if (!result) continue;
      chartRenders.push(result);
      report(result.problems);
      rendered.push({ unit: result.unit, objects: [...result.objects], path: chart.dir });
    }
  }
  // A dependency pod2wi cannot render (a chart repository, a packaged chart) still gets its values from the parent:
  // an aadpodidbinding there labels that dependency's pods, so the dependency is a release of its own.
  for (const chart of charts) {
    if (chart.library) continue;
    const remote = chart.chart.dependencies.filter((dependency) => dependency.resolved.kind === 'remote');
    if (remote.length === 0) continue;
    for (const valuesFile of chart.files.filter((path) => path.slice(chart.dir ? chart.dir.length + 1 : 0).match(/^values([-.][^/]*)?\.ya?ml$/))) {
      const root = readTree(valuesFile, files.read(valuesFile) ?? '', { source: 'chart-values', paths: true }).documents[0]?.node;
      for (const dependency of remote) {
        const key = dependency.alias ?? dependency.name;
        const subtree = isMap(root) ? get(root, key) : null;
        const labels = labelsInValues(subtree);
        // Kept once its pods are on workload identity too, so that taking the label off still renders it.
        if (!isMap(subtree) || (labels.length === 0 && !mentionsUseLabel(subtree))) continue;
        const keyPair = isMap(root) ? root.pairs.find((pair) => pair.key === key) : undefined;
        const base = valuesFile.slice(valuesFile.lastIndexOf('/') + 1);
        const variant = base === 'values.yaml' ? '' : base;
        const unit: RenderUnit = { kind: 'chart', path: chart.dir, variant, label: `${chart.dir || '.'}${variant ? ` (${variant})` : ''}` };
        const release = dependencyReleaseOf(chart.chart, dependency, valuesFile, subtree, unit, keyPair?.keyOrigin ?? subtree.origin, 0);
        releases.push(release);
        rendered.push({ unit, objects: [release.object], path: chart.dir });
        for (const label of labels) {
          sink.add('remote-chart-label', label.keyOrigin, `chart ${chart.dir || '.'} sets aadpodidbinding=${scalarRef(label.value)?.display ?? '?'} for its dependency ${key} (${dependency.name}${dependency.version ? ` ${dependency.version}` : ''} from ${dependency.repository ?? 'a chart repository'}); pod2wi cannot render that chart, so the dependency's pods are reported as one workload, moved to workload identity through the values given to it`);
        }
      }
    }
  }
  for (const release of releases) {
    if (localChartDir(release, chartDirs) !== null) continue;
    if (release.chart === 'aad-pod-identity') {
      sink.add('pod-identity-infrastructure', release.object.at, `${release.terraform ? `helm_release ${release.terraform.address} (release ${release.releaseName.value})` : `HelmRelease ${release.releaseName.value}`} installs aad-pod-identity; remove it at cut-over`);
      if (release.values) podIdentityChartValues.push({ values: release.values, unit: release.object.unit, namespace: release.namespace?.value ?? defaultNamespace });
      continue;
    }
    const labels = labelsInValues(release.values);
    // One workload per release: the key under a labels map (`podLabels`), else the first found, else the label the
    // chart writes itself from another value.
    const chosen = labels.find((label) => /labels$/i.test(String(label.keyOrigin.path?.[label.keyOrigin.path.length - 2] ?? ''))) ?? labels[0] ?? impliedLabel(release);
    if (chosen) releaseLabels.push({ release, label: chosen });
    // A dependency's labels are reported where its parent's values set them (remote-chart-label).
    for (const label of release.dependencyOf ? [] : labels) {
      sink.add('helm-release-values-label', label.keyOrigin, `${releaseTitle(release)} sets aadpodidbinding=${scalarRef(label.value)?.display ?? '?'} through its values; its pods are reported as one workload`);
    }
  }
  for (const chart of charts) {
    if (chart.name !== 'aad-pod-identity') continue;
    const installs = releases.filter((release) => localChartDir(release, chartDirs) === chart.dir);
    const valuesFile = chart.files.find((path) => path === `${chart.dir ? `${chart.dir}/` : ''}values.yaml`);
    const own = valuesFile ? readTree(valuesFile, files.read(valuesFile) ?? '', { source: 'chart-values', paths: true }).documents[0]?.node : null;
    if (own && isMap(own)) podIdentityChartValues.push({ values: own, unit: chartUnit(chart), namespace: defaultNamespace });
    for (const release of installs) {
      const values = release.values ? asReleaseValues(release.values) : null;
      if (values && isMap(values)) podIdentityChartValues.push({ values, unit: release.object.unit, namespace: release.namespace?.value ?? defaultNamespace });
    }
  }

  const helperLabels = charts.flatMap((chart) =>
    chart.files
      .filter((path) => path.startsWith(`${chart.dir ? `${chart.dir}/` : ''}templates/`) && /(^|\/)_[^/]*$|\.tpl$/.test(path))
      .flatMap((path) => {
        const text = files.read(path);
        return text !== null && text.includes('aadpodidbinding') ? findTextLabels(path, text) : [];
      }),
  );
  const conditionalLabels = [...terraformConditional, ...chartRenders.flatMap((result) =>
    result.untaken.flatMap((branch) => {
      const text = files.read(branch.file);
      if (!text) return [];
      return findTextLabels(branch.file, text, branch.start, branch.end).map((label) => ({ at: label.at, value: label.value, condition: `${branch.condition.expression} (${branch.condition.value === null ? 'unknown' : String(branch.condition.value)} here)`, unit: result.unit }));
    }),
  )];

  const objects = rendered.flatMap((entry) => entry.objects);
  return {
    files,
    objects,
    units: [...new Map(rendered.map((entry) => [`${entry.unit.kind}:${entry.unit.path}:${entry.unit.variant}`, entry.unit])).values()].sort((a, b) => compareStrings(a.path, b.path) || compareStrings(a.variant, b.variant)),
    charts,
    kustomizations,
    kustomizeBuilds: builds,
    chartRenders,
    releases,
    fluxKustomizations,
    podIdentityChartValues,
    releaseLabels,
    conditionalLabels,
    helperLabels,
    manifestFiles,
    terraformFiles: terraform && (terraform.read.objects.length > 0 || terraform.read.releases.length > 0) ? terraform.files.filter((path) => path.endsWith('.tf')).length : 0,
    substitutions,
    problems: sink.all,
  };
}

/**
 * The `aadpodidbinding` label a chart of the controller table writes on its pods from a value (AGIC labels them with
 * its fullname when `armAuth.type` is `aadPodIdentity`): a label field located at that value, its value the chart's
 * fullname as Helm's default helper makes it (the release name when it holds the chart's name, else both joined).
 */
function impliedLabel(release: HelmRelease): Field | null {
  const chart = chartsLabellingFromValues().find((candidate) => candidate.name === release.chart);
  const rule = chart?.podIdentityValue;
  if (!chart || !rule) return null;
  const node = getIn(release.values, rule.path.split('.'));
  const set = scalarRef(node);
  if (!node || set?.value !== rule.equals) return null;
  const name = release.releaseName.value;
  const fullname = (name.includes(chart.name) ? name : `${name}-${chart.name}`).slice(0, 63).replace(/-+$/, '');
  const origin: Origin = { ...node.origin, via: `${impliedLabelVia} (${rule.path}: ${rule.equals})` };
  return { key: 'aadpodidbinding', keyOrigin: origin, value: { kind: 'scalar', value: fullname, origin }, conditions: [] };
}

/** Whether a values tree sets the workload-identity `use` label anywhere. */
function mentionsUseLabel(node: RNode): boolean {
  if (isMap(node)) return node.pairs.some((pair) => pair.key === 'azure.workload.identity/use' || mentionsUseLabel(pair.value));
  if (isSeq(node)) return node.items.some(mentionsUseLabel);
  return false;
}

/** How a release is named in findings: the Flux HelmRelease, or the Terraform resource with its chart. */
export function releaseTitle(release: HelmRelease): string {
  if (release.dependencyOf) return `dependency ${release.releaseName.value} of chart ${release.dependencyOf.chart || '.'} (chart ${[release.chart ?? '?', release.version, release.repository ? `from ${release.repository}` : null].filter(Boolean).join(' ')})`;
  if (!release.terraform) return `HelmRelease ${release.releaseName.value} (chart ${release.chart ?? '?'})`;
  const chart = [release.chart ?? '?', release.version, release.repository ? `from ${release.repository}` : null].filter(Boolean).join(' ');
  return `helm_release ${release.terraform.address} (release ${release.releaseName.value}, chart ${chart})`;
}

/**
 * The repository's Terraform, read when some `.tf` file names a resource that creates something in a cluster; null
 * otherwise. Cached on every file the reader opened and on the list of Terraform files.
 */
function readTerraformOf(
  files: FileSource,
  cached: <T extends { problems: readonly RenderProblem[] }>(key: string, read: (value: T) => readonly string[], run: () => T) => T,
  isolated: <T>(what: string, at: Location, fallback: T, run: () => T) => T,
): TerraformScan | null {
  const paths = terraformFiles(files);
  if (paths.length === 0 || !mentionsClusterResources(files, paths)) return null;
  const first = paths[0] ?? '';
  return isolated('Terraform', { file: first, line: 1, column: 1 }, null, () =>
    cached<TerraformScan & { problems: readonly RenderProblem[] }>(`terraform:${paths.join('\n')}`, (value) => value.files, () => {
      const scan = readTerraformRecorded(files);
      return { ...scan, problems: scan.read.problems };
    }),
  );
}

function dirOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/**
 * The unit of every plain manifest: files applied as they are form one environment (a workload finds its
 * ServiceAccount and its binding in any of them), unlike overlays and chart renders, which are one each.
 */
export const manifestUnit: RenderUnit = { kind: 'manifest', path: '', variant: '', label: 'plain manifests' };

function chartUnit(chart: ChartRef): RenderUnit {
  return { kind: 'chart', path: chart.dir, variant: '', label: chart.dir || '.' };
}

function releaseUnit(release: HelmRelease, chart: ChartRef): RenderUnit {
  const name = release.releaseName.value;
  if (release.terraform) {
    return {
      kind: 'helm-release',
      path: chart.dir,
      variant: `${release.object.at.file}#${release.terraform.address}`,
      label: `${chart.dir || '.'} (helm_release ${release.terraform.address}, ${release.object.at.file})`,
      namespace: release.namespace,
    };
  }
  return {
    kind: 'helm-release',
    path: chart.dir,
    variant: `${release.object.at.file}#${name}`,
    label: `${chart.dir || '.'} (HelmRelease ${name}, ${release.object.at.file})`,
    namespace: release.namespace,
  };
}

/**
 * Renders each folder a Flux Kustomization applies as Flux does: its `spec.patches`, then post-build substitution,
 * once per Kustomization (a Kustomization of several clusters gives one unit per cluster).
 */
function applyFlux(
  fluxKustomizations: readonly FluxKustomization[],
  units: readonly { unit: RenderUnit; objects: RenderedObject[]; path: string }[],
  configMaps: readonly RenderedObject[],
  files: FileSource,
  reportNow: ((problems: readonly RenderProblem[]) => void) | (() => undefined),
): {
  replaced: Set<(typeof units)[number]>;
  substitutions: { unit: RenderUnit; variables: ReadonlyMap<string, { readonly value: string; readonly origin: Origin }> }[];
  substituted: { unit: RenderUnit; objects: RenderedObject[]; path: string }[];
  problems: (readonly RenderProblem[])[];
} {
  const problems: (readonly RenderProblem[])[] = [];
  const report = (found: readonly RenderProblem[]) => {
    problems.push(found);
    reportNow(found);
  };
  const replaced = new Set<(typeof units)[number]>();
  const substitutions: { unit: RenderUnit; variables: ReadonlyMap<string, { readonly value: string; readonly origin: Origin }> }[] = [];
  const substituted: { unit: RenderUnit; objects: RenderedObject[]; path: string }[] = [];
  const copies = new Map<string, number>();
  for (const flux of fluxKustomizations) copies.set(`${flux.object.at.file}#${scalarRef(flux.object.name)?.display ?? ''}`, (copies.get(`${flux.object.at.file}#${scalarRef(flux.object.name)?.display ?? ''}`) ?? 0) + 1);
  for (const flux of fluxKustomizations) {
    const substitutes = flux.substitute.size > 0 || flux.substituteFrom.length > 0;
    if (flux.path === null || (!substitutes && !isSeq(getIn(flux.object.root, ['spec', 'patches'])))) continue;
    const under = units.filter((entry) => isInside(entry.path, flux.path ?? ''));
    if (under.length === 0) continue;
    const found = fluxVariables(flux.object.root, configMaps);
    report(found.problems);
    const variables = found.variables;
    const fluxFile = flux.object.at.file;
    const name = scalarRef(flux.object.name)?.display ?? '';
    // The same Kustomization file built into several clusters: each copy is its own unit, named by its cluster's build.
    const of = (copies.get(`${fluxFile}#${name}`) ?? 0) > 1 && flux.object.unit.kind !== 'manifest' ? dirOf(flux.object.unit.path) || '.' : null;
    for (const entry of under) {
      replaced.add(entry);
      const unit: RenderUnit = {
        kind: 'flux-kustomization',
        path: entry.unit.kind === 'manifest' ? entry.path : entry.unit.path,
        variant: `${fluxFile}#${name}${of ? `@${of}` : ''}`,
        label: `${entry.unit.kind === 'manifest' ? entry.path : entry.unit.label} (Flux Kustomization ${name}, ${fluxFile}${of ? ` in ${of}` : ''})`,
        namespace: flux.targetNamespace,
      };
      // Flux appends spec.patches to the folder's kustomization, then substitutes the build's output.
      const patched = applyFluxPatches(files, flux.object, entry.objects);
      report(patched.problems);
      if (substitutes) substitutions.push({ unit, variables });
      const result = substitutes ? substituteVariables(patched.objects, variables, found.missingSources) : { objects: patched.objects, problems: [] };
      report(result.problems);
      substituted.push({ unit, objects: result.objects.map((object) => ({ ...object, unit })), path: entry.path });
    }
  }
  return { replaced, substitutions, substituted, problems };
}

/**
 * A plain manifest file: its objects, or null when it is not a manifest at all (no apiVersion/kind/aadpodidbinding).
 * Documents that do not parse become findings; a file with template syntax that does not parse is reported with the
 * aadpodidbinding lines found in its text.
 */
function readPlainFile(files: FileSource, path: string, sink: ProblemList): RenderedObject[] | null {
  const text = files.read(path);
  if (text === null || !manifestHint.test(text)) return null;
  // ARM templates and parameter files (JSON with comments) are read by the add-on readers, not as Kubernetes objects.
  if (/\.json$/i.test(path) && armSchema.test(text.slice(0, 2000))) return null;
  const unit = manifestUnit;
  if (text.includes('{{') && !/\$\{|%\{/.test(text) && hasBareAction(text)) {
    // A Go template some program fills in: rendered with every reference unknown.
    const loose = renderLooseTemplate(path, text, unit);
    for (const problem of loose.problems) {
      if (problem.code === 'rendered-yaml-invalid' || problem.code === 'template-parse-error') {
        sink.add('template-unparsed', problem.at, `templated document does not read as YAML (${problem.message}); its workloads are not reported`);
        for (const label of findTextLabels(path, text)) sink.add('template-text-label', label.at, `aadpodidbinding: ${label.value} in a document pod2wi could not parse`);
      }
    }
    return loose.objects;
  }
  const tree = readTree(path, text, { source: 'manifest' });
  const templated = /\{\{|\$\{|%\{/.test(text) || templateManifest.test(path);
  for (const problem of tree.problems) {
    if (templated) {
      sink.add('template-unparsed', problem.at, `templated document does not read as YAML (${problem.message}); its workloads are not reported`);
      for (const label of findTextLabels(path, text, problem.start, problem.end)) sink.add('template-text-label', label.at, `aadpodidbinding: ${label.value} in a document pod2wi could not parse`);
    } else {
      sink.add(problem.looksLikeManifest ? 'manifest-parse-error' : 'yaml-parse-error', problem.at, problem.message);
    }
  }
  if (tree.documents.length === 0 && tree.problems.length === 0) return null;
  const objects: RenderedObject[] = [];
  for (const document of tree.documents) objects.push(...objectsOfDocument(document, unit, [], objects.length));
  return objects;
}

/**
 * Whether a text holds a Go template action outside YAML quotes: `name: {{ .Name }}` is a template, while
 * `key: "{{ request.operation }}"` (Kyverno, Argo) is a string of a plain manifest.
 */
function hasBareAction(text: string): boolean {
  for (const line of text.split('\n')) {
    if (!line.includes('{{')) continue;
    const code = line.replace(/"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'/g, '""');
    const hash = code.search(/(^|\s)#/);
    if ((hash < 0 ? code : code.slice(0, hash)).includes('{{')) return true;
  }
  return false;
}

/**
 * Which cluster runbook blocks and manifest files are applied to, when the repository's commands name two clusters or
 * more (`kubectl apply --context …`): each cluster is an environment of its own, so one region's identity does not
 * bind the other region's pods. A file applied to two clusters stays shared; null when one cluster or none is named.
 */
function clustersOf(files: FileSource, embedding: readonly string[]): { bodies: Map<string, ClusterApplies['bodies']>; files: Map<string, string> } | null {
  const bodies = new Map<string, ClusterApplies['bodies']>();
  const applied = new Map<string, Set<string>>();
  const contexts = new Set<string>();
  const known = new Set(files.list(''));
  for (const path of embedding) {
    const text = files.read(path);
    if (text === null || !text.includes('--context')) continue;
    const found = clusterApplies(path, text);
    if (found.bodies.length > 0) bodies.set(path, found.bodies);
    for (const body of found.bodies) contexts.add(body.context);
    for (const item of found.files) {
      // A path as a runbook writes it: from the repository's root (where its commands run), else from its folder.
      const written = item.path.replace(/^\.\//, '');
      const target = [written, joinPath(dirOf(path), written)].find((candidate) => known.has(candidate));
      if (!target) continue;
      contexts.add(item.context);
      (applied.get(target) ?? applied.set(target, new Set()).get(target))?.add(item.context);
    }
  }
  if (contexts.size < 2) return null;
  const single = new Map([...applied].flatMap(([path, names]) => (names.size === 1 ? [[path, [...names][0] ?? '']] : [])));
  return { bodies, files: single };
}

function clusterUnit(context: string): RenderUnit {
  return { kind: 'manifest', path: '', variant: `--context ${context}`, label: `plain manifests applied with --context ${context}` };
}

/** Objects of the manifests a shell script or a Markdown runbook embeds (here-documents, yaml code blocks); null when none. */
function embeddedObjects(files: FileSource, path: string, sink: ProblemList): RenderedObject[] | null {
  // Decided by name before any read: most files of a repository are neither Markdown nor shell.
  if (!isEmbeddingFile(path)) return null;
  const text = files.read(path);
  if (text === null || !mayEmbedManifests(path, text)) return null;
  const masked = embeddedManifests(path, text);
  if (masked === null) return null;
  const tree = readTree(path, masked, { source: 'manifest' });
  for (const problem of tree.problems) if (problem.looksLikeManifest) sink.add('manifest-parse-error', problem.at, `embedded manifest: ${problem.message}`);
  const objects: RenderedObject[] = [];
  for (const document of tree.documents) objects.push(...objectsOfDocument(document, manifestUnit, [], objects.length));
  return objects.length > 0 ? objects : null;
}

/** The files a kustomization names as patches. */
function patchPaths(files: FileSource, kustomization: string): string[] {
  const text = files.read(kustomization);
  if (text === null || !text.includes('atch')) return [];
  const root = readTree(kustomization, text, { source: 'manifest' }).documents[0]?.node;
  if (!isMap(root)) return [];
  const dir = dirOf(kustomization);
  const found: string[] = [];
  for (const key of ['patches', 'patchesStrategicMerge', 'patchesJson6902', 'patchesJSON6902']) {
    const list = root.pairs.find((pair) => pair.key === key)?.value;
    if (list?.kind !== 'seq') continue;
    for (const item of list.items) {
      const entry = item.kind === 'map' ? textOf(get(item, 'path')) : textOf(item);
      if (entry && !entry.includes('\n')) found.push(joinPath(dir, entry));
    }
  }
  return found;
}

/** Where an origin points, as a finding location. */
export function locationOf(origin: Origin): Location {
  return { file: origin.file, line: origin.line, column: origin.column };
}

/** A line index of a file's text (for evidence lines of ranges). */
export function lineIndexOf(files: FileSource, path: string): LineIndex | null {
  const text = files.read(path);
  return text === null ? null : new LineIndex(text);
}
