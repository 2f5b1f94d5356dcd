import type { Application } from '../model/application.js';
import type { Evidence, WorkloadReport } from '../model/report.js';
import type { ApplicationLink as ConfiguredLink } from '../config/config.js';
import { dirname, isInside } from '../k8s/paths.js';
import { pushTo } from '../model/collections.js';
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
  /**
   * The applications and builds indexed once ({@link indexLinks}); built from `applications` and `builds` when absent.
   * A plan links every workload against the same inputs, so it builds the index once: without it, linking is
   * quadratic in applications and builds (minutes on a monorepo of a few thousand applications).
   */
  readonly index?: LinkIndex;
}

/** Lookups over the applications and image builds, each answering what a scan of the whole list would. */
export interface LinkIndex {
  /** The applications that can run in a workload (not loose files), in the order given. */
  readonly real: readonly Application[];
  /** The application of deepest folder holding `folder` (the first of that path), or null. */
  readonly deepest: (folder: string) => Application | null;
  /** Applications known by `name` ({@link applicationNames}), in order. */
  readonly named: (name: string) => readonly Application[];
  /** The first build whose image is `repository` or named `name`, or undefined. */
  readonly build: (repository: string, name: string) => ImageBuild | undefined;
  /** The first Dockerfile build whose context lies in `app` (as its deepest application), or undefined. */
  readonly dockerfile: (app: Application) => ImageBuild | undefined;
  /** Whether some build's context lies in `app` (as its deepest application). */
  readonly builds: (app: Application) => boolean;
}

/** Indexes applications and builds for {@link linkApplications}. */
export function indexLinks(applications: readonly Application[], builds: readonly ImageBuild[]): LinkIndex {
  const real = applications.filter((app) => app.kind !== 'loose-files');
  const byPath = new Map<string, Application>();
  const byName = new Map<string, Application[]>();
  for (const app of real) {
    const path = app.path === '.' ? '' : app.path;
    if (!byPath.has(path)) byPath.set(path, app);
    for (const name of applicationNames(app)) pushTo(byName, name, app);
  }
  const deepest = (folder: string): Application | null => {
    // The deepest application is the first folder on the way up from `folder` that is an application's.
    for (let dir = folder; ; dir = dirname(dir)) {
      const app = byPath.get(dir);
      if (app) return app;
      if (dir === '') return null;
    }
  };
  const byRepository = new Map<string, number>();
  const byImageName = new Map<string, number>();
  const dockerfiles = new Map<Application, ImageBuild>();
  const building = new Set<Application>();
  builds.forEach((build, index) => {
    if (build.repository !== '') {
      if (!byRepository.has(build.repository)) byRepository.set(build.repository, index);
      const name = imageName(build.repository);
      if (!byImageName.has(name)) byImageName.set(name, index);
    }
    const owner = deepest(build.context);
    if (!owner) return;
    building.add(owner);
    if (build.via === 'dockerfile' && !dockerfiles.has(owner)) dockerfiles.set(owner, build);
  });
  return {
    real,
    deepest,
    named: (name) => byName.get(name) ?? [],
    build: (repository, name) => {
      const first = Math.min(byRepository.get(repository) ?? Infinity, byImageName.get(name) ?? Infinity);
      return first === Infinity ? undefined : builds[first];
    },
    dockerfile: (app) => dockerfiles.get(app),
    builds: (app) => building.has(app),
  };
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

/**
 * Links a workload to the applications it runs, trying in order: an explicit mapping in `.pod2wi.yaml`; an image a
 * build in the repository produces from an application folder; an image named like an application; a Helm chart
 * inside an application folder; the only application of the repository. Each link says how and how surely.
 */
export function linkApplications(workload: WorkloadReport, inputs: LinkInputs): ApplicationLink[] {
  const index = inputs.index ?? indexLinks(inputs.applications, inputs.builds);
  // Credential uses outside every application folder are on record, but no workload runs them.
  const { real } = index;
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
  const chartOwner = chartFolder === null ? null : index.deepest(chartFolder);
  const links: ApplicationLink[] = [];
  for (const { repository, at } of images) {
    const name = imageName(repository);
    const build = index.build(repository, name);
    const built = build ? index.deepest(build.context) : null;
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
    const named = index.named(name);
    if (named.length === 1 && named[0]) {
      const app = named[0];
      const dockerfile = index.dockerfile(app);
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
  const owner = chartOwner ?? index.deepest(folderOf(workload.file));
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
    const buildsOwn = index.builds(only);
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
