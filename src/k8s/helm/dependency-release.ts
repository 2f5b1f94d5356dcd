import type { HelmRelease } from '../flux.js';
import { asReleaseValues, releaseObject } from '../flux.js';
import { generatedOrigin, type Origin, type RenderUnit, type RMap, type RScalar } from '../rendered.js';
import type { ChartDependency, HelmChart } from './chart-files.js';

/** The apiVersion of the objects made for dependencies pod2wi cannot render (no API serves it; it keeps them apart). */
export const chartDependencyApiVersion = 'chart-dependency.pod2wi/v1';

/**
 * A dependency of a chart that is not in the repository (a chart repository, an OCI registry) is installed with the
 * values its parent gives under the dependency's alias (or name). pod2wi cannot render that chart, but those values
 * say what its pods carry, as a HelmRelease's values do: the dependency becomes a release of its own, whose values are
 * the parent's subtree (origins in the parent's values file, so `fix` edits them there), named after the alias.
 */
export function dependencyReleaseOf(chart: HelmChart, dependency: ChartDependency, valuesFile: string, subtree: RMap, unit: RenderUnit, at: Origin, index: number): HelmRelease {
  const key = dependency.alias ?? dependency.name;
  const made = (what: string): Origin => generatedOrigin(`dependency ${key} of chart ${chart.dir || '.'}: ${what}`, at);
  const scalar = (value: string): RScalar => ({ kind: 'scalar', value, origin: made(value) });
  const given = asReleaseValues(subtree);
  const values: RMap = given.kind === 'map' ? given : subtree;
  const object = releaseObject({
    apiVersion: chartDependencyApiVersion,
    made,
    name: { kind: 'scalar', value: key, origin: at },
    namespace: null,
    chart: { chart: scalar(dependency.name), version: dependency.version ? scalar(dependency.version) : null, repository: dependency.repository ? scalar(dependency.repository) : null },
    values,
    unit,
    at,
    conditions: [],
    index,
  });
  return {
    object,
    chart: dependency.name,
    version: dependency.version,
    sourceKind: null,
    values,
    namespace: null,
    releaseName: { value: key, origin: at },
    repository: dependency.repository,
    terraform: null,
    dependencyOf: { chart: chart.dir, valuesFile },
  };
}
