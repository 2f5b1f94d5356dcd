import type { Application } from '../model/application.js';
import type { Evidence, WorkloadReport } from '../model/report.js';
import type { ApplicationLink as ConfiguredLink } from '../config/config.js';
import { isInside } from '../k8s/paths.js';
import type { ApplicationLink } from './model.js';
import { imageName, imageRepository, type ImageBuild } from './images.js';
import { before, stripTrailing } from '../model/text.js';
import { placeholderIn } from '../model/placeholders.js';

/** Images of well-known sidecars and platform containers: never evidence of which application a workload runs. */
const platformImage = /(^|\/)(istio\/proxyv2|linkerd\/proxy|daprio\/daprd|envoyproxy\/envoy|azure-workload-identity\/proxy(-init)?|oss\/azure\/aad-pod-identity\/|azure-cli)(:|$)/;

export interface LinkInputs {
  readonly applications: readonly Application[];
  readonly builds: readonly ImageBuild[];
  readonly configured: readonly ConfiguredLink[];
  /** Line of the n-th configured application in the configuration file, for evidence. */
  readonly configLine: (index: number) => Evidence | null;
  /** The files of every workload of the report: an application with manifests of its own in its folder owns those. */
  readonly workloadFiles?: readonly string[];
}

/** Names an application is known by: its folder, its manifest name, an npm scope or Go module path stripped. */
function applicationNames(app: Application): Set<string> {
  const names = new Set<string>();
  const folder = app.path === '.' ? '' : app.path.slice(app.path.lastIndexOf('/') + 1);
  for (const name of [folder, app.name]) {
    if (!name) continue;
    const lower = name.toLowerCase();
    names.add(lower);
    names.add(lower.replace(/^@[^/]+\//, '').replace(/^.*\//, '').replace(/\.(api|service|web)$/, ''));
    names.add(lower.replace(/\./g, '-'));
    // .NET projects are named <Solution>.<Service> (Contoso.Orders.Api) and their images after the service.
    const dotted = lower.replace(/^.*\//, '').split('.');
    if (dotted.length > 1) names.add(dotted[dotted.length - 1] ?? '');
  }
  names.delete('');
  return names;
}

function deepestApplication(applications: readonly Application[], folder: string): Application | null {
  let best: Application | null = null;
  for (const app of applications) {
    const path = app.path === '.' ? '' : app.path;
    if (!isInside(folder, path) && folder !== path) continue;
    if (!best || path.length > (best.path === '.' ? 0 : best.path.length)) best = app;
  }
  return best;
}

/**
 * Links a workload to the applications it runs, trying in order: an explicit mapping in `.pod2wi.yaml`; an image a
 * build in the repository produces from an application folder; an image named like an application; a Helm chart
 * inside an application folder; the only application of the repository. Each link says how and how surely.
 */
export function linkApplications(workload: WorkloadReport, inputs: LinkInputs): ApplicationLink[] {
  const { applications } = inputs;
  // Credential uses outside every application folder are on record, but no workload runs them.
  const real = applications.filter((app) => app.kind !== 'loose-files');
  if (real.length === 0) return [];
  const images = workload.containers
    .filter((container) => container.image !== null && !platformImage.test(container.image))
    .map((container) => ({ repository: knownRepository(imageRepository(container.image ?? '')), at: container.imageAt }))
    .filter((image) => image.repository.length > 0 && !image.repository.startsWith(':'));
  const baseId = before(workload.id, '@');

  const configured = inputs.configured.flatMap((link, index) => {
    const byWorkload = link.workloads?.some((id) => id === workload.id || id === baseId) ?? false;
    const byImage = link.images?.some((image) => images.some(({ repository }) => repository === imageRepository(image) || imageName(repository) === imageRepository(image))) ?? false;
    if (!byWorkload && !byImage) return [];
    return [{
      path: stripTrailing(link.path, '/') || '.',
      confidence: 'explicit' as const,
      method: 'config' as const,
      message: `.pod2wi.yaml links ${link.path} to this workload by ${byWorkload ? 'id' : 'image'}`,
      evidence: inputs.configLine(index),
    }];
  });
  if (configured.length > 0) return dedupe(configured);

  // A chart living inside an application folder says the same as a matching image name, with more certainty.
  const chartFolder = workload.source === 'helm' ? chartFolderOf(workload) : null;
  const chartOwner = chartFolder === null ? null : deepestApplication(real, chartFolder);
  const links: ApplicationLink[] = [];
  for (const { repository, at } of images) {
    const name = imageName(repository);
    const build = inputs.builds.find((candidate) => candidate.repository !== '' && (candidate.repository === repository || imageName(candidate.repository) === name));
    const built = build ? deepestApplication(real, build.context) : null;
    if (build && built) {
      links.push({
        path: built.path,
        confidence: 'high',
        method: 'image-build',
        message: `image ${repository} is built from ${build.context || '.'} (${build.via})`,
        evidence: { file: build.at.file, line: build.at.line },
      });
      continue;
    }
    const named = real.filter((app) => applicationNames(app).has(name));
    if (named.length === 1 && named[0]) {
      const app = named[0];
      const dockerfile = inputs.builds.find((candidate) => candidate.via === 'dockerfile' && deepestApplication(real, candidate.context) === app);
      const chart = chartOwner === app;
      const also = [dockerfile ? 'which has a Dockerfile' : null, chart ? 'and holds its Helm chart' : null].filter(Boolean).join(' ');
      links.push({
        path: app.path,
        confidence: dockerfile || chart ? 'high' : 'medium',
        method: 'image-name',
        message: `image ${repository} is named like application ${app.path}${also ? `, ${also}` : ''}`,
        evidence: at,
      });
    }
  }
  if (links.length > 0) return dedupe(links);

  // A chart, kustomization or manifest inside an application folder deploys that application. The repository root as
  // an application holds every file, which says less.
  const owner = chartOwner ?? deepestApplication(real, folderOf(workload.file));
  if (owner) {
    const root = owner.path === '.';
    const what = chartOwner ? 'its Helm chart lives' : 'its manifest lives';
    return [{
      path: owner.path,
      confidence: root ? 'medium' : 'high',
      method: chartOwner ? 'chart-in-application' : 'manifest-in-application',
      message: root ? `${what} in the repository, whose root is application .` : `${what} inside application ${owner.path}`,
      evidence: { file: workload.file, line: workload.line },
    }];
  }

  // The only application of the repository, unless the workload's images are evidently someone else's (named unlike
  // the application, which builds an image of its own) or chosen at deploy time.
  const only = real.length === 1 ? real[0] : undefined;
  if (only) {
    const buildsOwn = inputs.builds.some((build) => deepestApplication(real, build.context) === only);
    const names = applicationNames(only);
    const foreign = images.length > 0 && images.every(({ repository }) => !names.has(imageName(repository)));
    // Images written only as placeholders (`${image}`, an empty repository in a chart's defaults) are chosen at deploy time.
    const chosenAtDeploy = images.length === 0 && workload.containers.some((container) => container.image !== null);
    // An application that deploys itself from its own folder is not what a manifest elsewhere runs.
    const deploysItself = only.path !== '.' && (inputs.workloadFiles ?? []).some((file) => isInside(file, only.path));
    if (!(buildsOwn && (foreign || chosenAtDeploy)) && !deploysItself) {
      return [{ path: only.path, confidence: 'low', method: 'single-application', message: `the repository holds one application, ${only.path}`, evidence: null }];
    }
  }
  return [];
}

/**
 * The part of an image repository written in the repository: a registry set at deploy time
 * (`${REGISTRY}/shop/orders`) leaves the path, which still names the image; a placeholder in the path leaves nothing.
 */
export function knownRepository(repository: string): string {
  const segments = repository.split('/');
  let first = 0;
  while (first < segments.length - 1 && placeholderIn(segments[first] ?? '') !== null) first++;
  const rest = segments.slice(first);
  return rest.some((segment) => placeholderIn(segment) !== null) ? '' : rest.join('/');
}

function folderOf(file: string): string {
  const slash = file.lastIndexOf('/');
  return slash < 0 ? '' : file.slice(0, slash);
}

/** The chart folder of a Helm workload: its origin for a chart's defaults, else the folder above templates/. */
function chartFolderOf(workload: WorkloadReport): string | null {
  if (workload.origin === null) return null;
  const folder = /\.ya?ml$/.test(workload.origin) ? workload.file.replace(/\/templates\/.*$/, '') : workload.origin;
  return folder === '.' ? '' : folder;
}

function dedupe(links: readonly ApplicationLink[]): ApplicationLink[] {
  const seen = new Map<string, ApplicationLink>();
  for (const link of links) if (!seen.has(link.path)) seen.set(link.path, link);
  return [...seen.values()];
}
