import type { FindingSink } from '../model/findings-sink.js';
import type { Location } from '../model/location.js';
import type { Repo } from '../walk/repo.js';
import { chartDirOf, collectDefines, findCharts, helmContext, valuesLayers, type Chart, type HelmInstance } from './helm/chart.js';
import { hasTemplateSyntax, type SanitizedTemplate } from './helm/template.js';
import { isHelmRelease, labelsInValues, localChart, readHelmRelease, type HelmRelease } from './flux.js';
import { buildKustomizations, isKustomizationFile, type Kustomization } from './kustomize.js';
import { objectsOf, type K8sObject } from './object.js';
import { parseManifestFile, type ParsedFile } from './parse.js';
import type { Entry, TemplateContext } from './source-doc.js';
import { findTextLabels } from './text-labels.js';
import type { ValuesLayer } from './helm/chart.js';

/** Everything the manifest stage read from the repository. */
export interface ManifestScan {
  readonly objects: readonly K8sObject[];
  readonly charts: readonly Chart[];
  readonly kustomizations: readonly Kustomization[];
  readonly releases: readonly HelmRelease[];
  /** Values that declare identities for the aad-pod-identity chart itself, with the namespace they default to. */
  readonly podIdentityChartValues: readonly { layer: ValuesLayer; namespace: string }[];
  /** Releases of charts outside the repository whose values set aadpodidbinding: their pods carry it. */
  readonly releaseLabels: readonly { release: HelmRelease; label: Entry }[];
  /** Literal aadpodidbinding lines inside Helm helpers (define bodies), for the report when no workload used them. */
  readonly helperLabels: readonly { at: Location; value: string }[];
  /** Files read as manifests (plain, template, kustomize resource). */
  readonly manifestFiles: number;
}

const manifestExtension = /\.(ya?ml|json)$/i;
const templateManifest = /\.(ya?ml)\.(tpl|tmpl|gotmpl)$/i;
const manifestHint = /\b(apiVersion|kind)\b|aadpodidbinding/;

const goTemplate = (sanitized: SanitizedTemplate): TemplateContext => ({
  kind: 'go-template',
  sanitized,
  chart: null,
  resolve: () => null,
  isActive: () => null,
  inject: () => [],
});

/**
 * Reads every manifest in the repository: plain YAML and JSON files, Kustomize builds, Helm chart templates
 * (per values set: the chart's defaults, or each Flux HelmRelease that installs it), and Go-templated YAML.
 * A file consumed by a kustomization is read only through it; files of a chart's templates/ only through Helm.
 */
export function readManifests(repo: Repo, namespaceOption: string | null, sink: FindingSink): ManifestScan {
  const charts = findCharts(repo);
  const chartDirs = new Set(charts.map((chart) => chart.dir));
  const parsed = new Map<string, ParsedFile>();
  let manifestFiles = 0;

  const parseFile = (path: string): ParsedFile => {
    const cached = parsed.get(path);
    if (cached) return cached;
    const file = repo.read(path);
    let result: ParsedFile = { docs: [], problems: [] };
    if (file && manifestHint.test(file.text)) {
      // Go templates, and files named as templates (Terraform templatefile `%{ }`, `${ }`) are not plain YAML.
      const templated = hasTemplateSyntax(file.text) || templateManifest.test(path) || /^\s*%\{/m.test(file.text);
      result = parseManifestFile(file, templated ? goTemplate : null);
      for (const problem of result.problems) {
        const labels = templated ? findTextLabels(path, file.text, problem.start, problem.end) : [];
        if (templated) {
          sink.add('template-unparsed', problem.at, `template document does not read as YAML (${problem.message}); its workloads are not reported`);
        } else {
          sink.add(problem.looksLikeManifest ? 'manifest-parse-error' : 'yaml-parse-error', problem.at, problem.message);
        }
        for (const label of labels) sink.add('template-text-label', label.at, `aadpodidbinding: ${label.value} in a document pod2wi could not parse`);
      }
      if (result.docs.length > 0 || result.problems.length > 0) manifestFiles++;
    }
    parsed.set(path, result);
    return result;
  };

  const kustomize = buildKustomizations(repo, (path) => parseFile(path).docs.flatMap((doc) => objectsOf(doc, 'kustomize')), sink);

  const objects: K8sObject[] = [...kustomize.objects];
  for (const file of repo.files) {
    const path = file.path;
    if (!manifestExtension.test(path) && !templateManifest.test(path)) continue;
    if (isKustomizationFile(path) || kustomize.ownedFiles.has(path)) continue;
    const chart = chartDirOf(path, chartDirs);
    if (chart !== null) {
      const rest = chart ? path.slice(chart.length + 1) : path;
      // A chart's templates are read through Helm; its Chart.yaml and values are not manifests. crds/ is plain YAML.
      if (rest.startsWith('templates/') || /^(Chart\.(ya?ml|lock)|values([-.][^/]*)?\.ya?ml)$/.test(rest)) continue;
    }
    objects.push(...parseFile(path).docs.flatMap((doc) => objectsOf(doc, 'manifest')));
  }

  const releases = objects.filter(isHelmRelease).map(readHelmRelease);
  const podIdentityChartValues: { layer: ValuesLayer; namespace: string }[] = [];
  const helperLabels: { at: Location; value: string }[] = [];
  const releaseLabels: { release: HelmRelease; label: Entry }[] = [];
  const defaultNamespace = namespaceOption ?? 'default';

  for (const chart of charts) {
    const ownReleases = releases.filter((release) => localChart(release, charts) === chart);
    const defaults = chart.valuesFiles.flatMap((path) => valuesLayers(repo, path));
    if (chart.name === 'aad-pod-identity') {
      sink.add('pod-identity-infrastructure', { file: chart.chartFile, line: 1, column: 1 }, `the aad-pod-identity chart is vendored at ${chart.dir || '.'}; uninstall it at cut-over`);
      const main = defaults.filter((layer) => /(^|\/)values\.ya?ml$/.test(layer.doc.file));
      for (const layer of main) podIdentityChartValues.push({ layer, namespace: defaultNamespace });
      for (const release of ownReleases) if (release.values) podIdentityChartValues.push({ layer: release.values, namespace: release.namespace?.value ?? defaultNamespace });
      continue;
    }
    const instances: HelmInstance[] = ownReleases.length
      ? ownReleases.map((release) => ({
          chart,
          values: [...(release.values ? [release.values] : []), ...defaults],
          namespace: release.namespace,
          releaseName: release.releaseName,
          release: release.object.doc.file,
        }))
      : [{ chart, values: defaults, namespace: null, releaseName: null, release: null }];
    const defines = collectDefines(repo, charts, chart);
    let first = true;
    for (const instance of instances) {
      for (const path of chart.templates) {
        const file = repo.read(path);
        if (!file) continue;
        const result = parseManifestFile(file, (sanitized) => helmContext(instance, defines, sanitized));
        if (first) {
          manifestFiles++;
          for (const problem of result.problems) {
            sink.add('template-unparsed', problem.at, `Helm template document does not read as YAML once its actions are blanked (${problem.message}); its workloads are not reported`);
            for (const label of findTextLabels(path, file.text, problem.start, problem.end)) {
              sink.add('template-text-label', label.at, `aadpodidbinding: ${label.value} in a template document pod2wi could not parse`);
            }
          }
        }
        objects.push(...result.docs.flatMap((doc) => objectsOf(doc, 'helm', instance)));
      }
      first = false;
    }
    for (const path of chart.helpers) {
      const file = repo.read(path);
      if (file) helperLabels.push(...findTextLabels(path, file.text));
    }
  }

  for (const release of releases) {
    if (localChart(release, charts)) continue;
    if (release.chart === 'aad-pod-identity') {
      sink.add('pod-identity-infrastructure', release.object.at, `HelmRelease ${release.releaseName} installs aad-pod-identity; remove it at cut-over`);
      if (release.values) podIdentityChartValues.push({ layer: release.values, namespace: release.namespace?.value ?? defaultNamespace });
      continue;
    }
    for (const label of labelsInValues(release.object.doc, release.values?.root ?? null)) {
      releaseLabels.push({ release, label });
      sink.add('helm-release-values-label', label.keyAt, `HelmRelease ${release.releaseName} (chart ${release.chart ?? '?'}) sets aadpodidbinding=${label.value?.value ?? '?'} through its values; its pods are reported as one workload`);
    }
  }

  return {
    objects,
    charts,
    kustomizations: kustomize.kustomizations,
    releases,
    podIdentityChartValues,
    releaseLabels,
    helperLabels,
    manifestFiles,
  };
}
