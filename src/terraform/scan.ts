import type { FileSource } from '../k8s/files.js';
import { asReleaseValues, releaseObject, type HelmRelease } from '../k8s/flux.js';
import { generatedOrigin, isScalar, scalarRef, type RMap, type RNode } from '../k8s/rendered.js';
import { readTerraform, type TerraformRead } from './read.js';
import type { TerraformRelease } from './releases.js';

/**
 * The Terraform of a repository as the manifest stage reads it: the objects its kubernetes_* and manifest resources
 * create, and its helm_releases as releases beside Flux's.
 */

/** A Terraform file name: what makes a folder a module (`.tf`) and the variable files a root loads. */
const terraformFile = /\.(tf|tfvars)$/;
/** Resource types that put something into a cluster: without one, the repository's Terraform is not read. */
const clusterResource = /\b(helm_release|kubernetes_[a-z_0-9]+|kubectl_manifest)\b/;

/** The `.tf` and `.tfvars` files of the files. */
export function terraformFiles(files: FileSource): string[] {
  return files.list('').filter((path) => terraformFile.test(path));
}

/**
 * Whether the repository's Terraform could create anything in a cluster: a cheap text test (a resource type name
 * in some `.tf` file) before the modules are parsed.
 */
export function mentionsClusterResources(files: FileSource, paths: readonly string[]): boolean {
  return paths.some((path) => path.endsWith('.tf') && clusterResource.test(files.read(path) ?? ''));
}

/** What the reader read, with every file it opened (so a cache knows when to read again). */
export interface TerraformScan {
  readonly read: TerraformRead;
  readonly files: readonly string[];
}

/** Reads the Terraform of the files, recording every file the reader opens (templates and values files too). */
export function readTerraformRecorded(files: FileSource): TerraformScan {
  const opened = new Set<string>();
  const recording: FileSource = {
    read: (path) => {
      opened.add(path);
      return files.read(path);
    },
    has: (path) => files.has(path),
    list: (dir) => files.list(dir),
  };
  const read = readTerraform(recording);
  return { read, files: [...opened].sort() };
}

/**
 * A helm_release as a release of the manifest stage: an object of kind HelmRelease made from the resource (so the
 * stages that follow read Flux's and Terraform's releases alike), the chart, version and repository as literals.
 */
export function releaseOf(release: TerraformRelease, index: number): HelmRelease {
  const at = release.at;
  const name = scalarRef(release.name);
  const namespace = release.namespace && isScalar(release.namespace) && String(release.namespace.value ?? '') !== '' ? scalarRef(release.namespace) : null;
  const chart = literal(release.chart);
  const version = literal(release.version);
  const repository = literal(release.repository);
  // Every values origin knows its key path (the fix finds the map holding a label by it).
  const given = asReleaseValues(release.values);
  const values: RMap = given.kind === 'map' ? given : release.values;
  const releaseName = name?.value ? { value: name.value, origin: name.origin } : { value: release.address, origin: at };
  const object = releaseObject({
    apiVersion: terraformReleaseApiVersion,
    made: (what) => generatedOrigin(`helm_release ${what}`, at),
    name: release.name ?? { kind: 'scalar', value: releaseName.value, origin: at },
    objectName: release.name,
    namespace: namespace?.value ? { value: namespace.value, origin: namespace.origin } : null,
    chart: { chart: release.chart, version: release.version, repository: release.repository },
    values,
    unit: release.unit,
    at,
    rootOrigin: at,
    conditions: release.conditions,
    index,
  });
  return {
    object,
    chart,
    version,
    sourceKind: null,
    values,
    namespace: namespace?.value ? { value: namespace.value, origin: namespace.origin } : null,
    releaseName,
    repository,
    terraform: { address: release.address, localChart: release.chartSource.kind === 'local' ? release.chartSource.path : null, sets: release.sets },
  };
}

/** The apiVersion of the objects made for helm_release resources (no API serves it; it only keeps them apart). */
export const terraformReleaseApiVersion = 'terraform.pod2wi/helm_release';

function literal(node: RNode | null): string | null {
  return node && isScalar(node) && node.value !== null && String(node.value) !== '' ? String(node.value) : null;
}
