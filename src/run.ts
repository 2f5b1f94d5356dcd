import { compareLocations, compareStrings } from './model/location.js';
import { basename, dirname, relative, resolve } from 'node:path';
import { NothingScannedError, UsageError } from './model/errors.js';
import { sortFindings } from './model/finding.js';
import { FindingSink } from './model/findings-sink.js';
import type { IdentityFields, IdentityReport, MigrationPath, ScanReport, WorkloadReport } from './model/report.js';
import type { AddonIdentity } from './podidentity/addon/index.js';
import { findCredentialUses } from './code/index.js';
import { loadConfig } from './config/config.js';
import { containerDependencyReader, readApplications } from './deps/index.js';
import { loadDependencyKnowledge } from './deps/knowledge.js';
import { defaultIssuer } from './plan/federated.js';
import { findImageBuilds } from './plan/images.js';
import { planMigration } from './plan/index.js';
import type { MigrationPlan } from './plan/model.js';
import { sdkKnowledge } from './plan/sdk.js';
import { readManifests, type ManifestScan } from './k8s/read.js';
import type { WorkloadView } from './k8s/workloads.js';
import { dependencyNamed, type Application, type CredentialUse, type Dependency } from './model/application.js';
import { buildInventory } from './podidentity/inventory.js';
import { readClusterState, type ClusterState } from './podidentity/cluster-export.js';
import { readExternalPodIdentity, type GivenClientId } from './podidentity/external.js';
import { decodeUtf8, readRegularFile } from './io/read-file.js';
import { loadFindingCatalogue } from './rules/catalogue.js';
import { loadControllerTable } from './rules/controllers.js';
import { toolVersion } from './version.js';
import { Repo } from './walk/repo.js';
import { toPosix, walk } from './walk/walk.js';
import { pushTo } from './model/collections.js';

export interface ScanOptions {
  /** Paths as the user gave them (files or folders); empty means the current directory. */
  readonly paths: readonly string[];
  readonly cwd: string;
  readonly exclude: readonly string[];
  readonly defaultExcludes: boolean;
  readonly maxFileSize: number;
  /** --namespace: where objects without a namespace land (else `default`). */
  readonly namespace: string | null;
  readonly forceNamespaced: boolean;
  /** List every dependency of each application, not only identity-relevant ones. */
  readonly allDependencies: boolean;
  /** Application checkouts outside the scanned root (--app), for manifest-only (GitOps) repositories. */
  readonly apps?: readonly string[];
  /** A configuration file other than <root>/.pod2wi.yaml (--config). */
  readonly config?: string | null;
  /** OIDC issuer URL for federated credentials (--issuer); else the configuration's, else ${AKS_OIDC_ISSUER}. */
  readonly issuer?: string | null;
  /** Cluster exports (--cluster-state): kubectl get of the pod-identity objects, az aks show; read, never edited. */
  readonly clusterStates?: readonly string[];
  /** Called between the stages of the scan (the CLI returns the memory of a finished stage there). */
  readonly betweenStages?: () => void;
  /** Told what has been done so far after each stage (the CLI shows it on a terminal); never prints itself. */
  readonly progress?: (state: ScanProgress) => void;
}

/**
 * How far a scan has got: the stage that just finished and the running counts. Counts only grow; each report carries
 * them all, so a listener can show the latest one alone.
 */
export interface ScanProgress {
  readonly stage: 'walked' | 'code-read' | 'rendered' | 'applications-read' | 'decided';
  /** Files walked (the repository's files pod2wi looks at). */
  readonly files: number;
  /** Helm chart renders and Kustomize builds. */
  readonly charts: number;
  readonly overlays: number;
  readonly applications: number;
  readonly workloads: number;
}

/** A scan and the migration plan decided from it, with what was read (for stages that edit the files). */
export interface Analysis {
  readonly report: ScanReport;
  readonly plan: MigrationPlan;
  /** Absolute real path of the scanned root. */
  readonly root: string;
  readonly repo: Repo;
  readonly manifests: ManifestScan;
  /** The rendered workload behind each reported workload id. */
  readonly views: ReadonlyMap<string, WorkloadView>;
}

export { defaultMaxFileSize } from './walk/limits.js';

import { resolveApp, resolveRoot } from './walk/root.js';
export { resolveApp, resolveRoot };

/**
 * `pod2wi scan`: walk → read manifests → link the pod-identity graph → report. Returns data and prints nothing;
 * throws NothingScannedError when no manifest was found, so an empty or mistyped path never passes silently.
 */
export async function scan(options: ScanOptions): Promise<ScanReport> {
  return (await analyze(options)).report;
}

/**
 * Scans and plans: walk → manifests → applications and credential uses → link and decide → report. The report's
 * `migration` fields come from the plan, so `scan` and `plan` never disagree.
 */
export async function analyze(options: ScanOptions): Promise<Analysis> {
  const { root, display, only } = resolveRoot(options.paths, options.cwd);
  // Inputs named on the command line are checked before the repository is read: a bad one fails at once.
  const config = loadConfig(root, options.config ? resolve(options.cwd, options.config) : null);
  const appRoots = (options.apps ?? []).map((app) => resolveApp(app, options.cwd));
  const catalogue = loadFindingCatalogue();
  const sink = new FindingSink(catalogue);
  const walked = walk({ root, only, exclude: options.exclude, defaultExcludes: options.defaultExcludes });
  const repo = new Repo(root, walked.files, walked.skipped, options.maxFileSize);
  let counts: Omit<ScanProgress, 'stage'> = { files: walked.files.length, charts: 0, overlays: 0, applications: 0, workloads: 0 };
  const progress = (stage: ScanProgress['stage'], more: Partial<Omit<ScanProgress, 'stage'>> = {}) => {
    counts = { ...counts, ...more };
    options.progress?.({ stage, ...counts });
  };
  progress('walked');

  const states = (options.clusterStates ?? []).map((path) => readClusterStateFile(path, options.cwd));
  // The code stage first, while little else is in memory: the syntax trees and texts it reads and drops would
  // otherwise pile up as garbage above the rendered manifests (on 100,000 files, 760 MB of peak memory instead of
  // about 420 MB; README, Design).
  const uses = await findCredentialUses(repo, sink);
  progress('code-read');
  options.betweenStages?.();
  const manifests = readManifests(repo, options.namespace, sink);
  const given = givenClientIds(config);
  const external = await readExternalPodIdentity(manifests.files, states, given, sink);
  const inventory = buildInventory(
    external.objects.length > 0 ? { ...manifests, objects: [...manifests.objects, ...external.objects] } : manifests,
    { namespace: options.namespace, forceNamespaced: options.forceNamespaced },
    sink,
  );
  progress('rendered', { charts: manifests.chartRenders.length, overlays: manifests.kustomizeBuilds.length, workloads: inventory.workloads.length });
  options.betweenStages?.();
  // Only uses written in YAML can sit in a workload's manifest.
  const yamlUses = uses.filter((use) => use.language === 'yaml');
  const inManifests = (use: CredentialUse) => use.language === 'yaml' && ownerOf(use, inventory.workloads) !== null;
  const applications = attachCredentialUses(
    readApplications(repo, sink, { allDependencies: options.allDependencies }),
    uses.filter((use) => !inManifests(use)),
    root,
    containerFolders(repo),
    containerDependencyReader(repo, sink, { allDependencies: options.allDependencies }),
  );
  for (const appRoot of appRoots) applications.push(...(await readExternalApplications(appRoot, options, root, sink)));
  applications.sort((a, b) => compareStrings(a.path, b.path));
  progress('applications-read', { applications: applications.length });
  if (manifests.manifestFiles === 0 && manifests.charts.length === 0 && manifests.terraformFiles === 0 && applications.length === 0) {
    throw new NothingScannedError(
      walked.files.length === 0
        ? `${display}: no files to scan (empty folder, or everything excluded)`
        : `${display}: ${walked.files.length} file${walked.files.length === 1 ? '' : 's'} walked, but no Kubernetes manifest, Helm chart, kustomization or application found`,
    );
  }

  reportSkipped(repo, sink);

  const draft: Omit<ScanReport, 'findings'> = {
    schemaVersion: 1,
    tool: { name: 'pod2wi', version: toolVersion },
    root: display,
    summary: emptySummary(walked.method),
    workloads: inventory.workloads.map((workload) => ({
      ...withGivenIdentity(workload, given),
      credentialUses: yamlUses.filter((use) => ownerOf(use, [workload]) !== null),
    })),
    identities: withAddonPlacement(inventory.identities, external.identities).map((identity) => withGivenClientId(identity, given)),
    bindings: inventory.bindings,
    exceptions: inventory.exceptions,
    serviceAccounts: inventory.serviceAccounts,
    namespaces: inventory.namespaces,
    applications,
    // Present only when the repository has one, so reports of repositories without them keep their shape.
    ...(inventory.secretProviderClasses.length > 0 ? { secretProviderClasses: inventory.secretProviderClasses } : {}),
    ...(inventory.triggerAuthentications.length > 0 ? { triggerAuthentications: inventory.triggerAuthentications } : {}),
  };
  const restrictedNamespaces = new Map(
    inventory.namespaces
      .filter((namespace) => namespace.podSecurityEnforce === 'baseline' || namespace.podSecurityEnforce === 'restricted')
      .map((namespace) => [namespace.name, { level: namespace.podSecurityEnforce ?? '', at: { file: namespace.file, line: namespace.line } }]),
  );
  const plan = planMigration(
    {
      report: draft,
      builds: findImageBuilds(repo),
      configured: config.config.applications ?? [],
      stated: (config.config.workloads ?? []).map((item, index) => ({ ...item, at: config.file ? { file: config.file, line: config.lineOf(['workloads', index]) } : null })),
      configLine: (index) => (config.file ? { file: config.file, line: config.lineOf(['applications', index]) } : null),
      issuer: options.issuer ?? config.config.issuer ?? defaultIssuer,
      decision: {
        sdk: sdkKnowledge(loadDependencyKnowledge()),
        betweenVersions: config.config.policy?.betweenVersions ?? 'latest',
        restrictedNamespaces,
        controllers: loadControllerTable(),
      },
    },
    sink,
  );
  progress('decided');
  const decided = new Map(plan.workloads.map((item) => [item.workload, item]));
  const workloads = draft.workloads.map((workload) => {
    const item = decided.get(workload.id);
    return item ? { ...workload, migration: { path: item.path, blocked: item.blocked, reasons: item.reasons, warnings: item.warnings } } : workload;
  });

  const paths: Record<MigrationPath, number> = { latest: 0, legacy: 0, migrated: 0, unknown: 0, 'not-applicable': 0 };
  for (const workload of workloads) paths[workload.migration.path]++;
  const report: ScanReport = {
    ...draft,
    summary: {
      files: walked.files.length,
      manifestFiles: manifests.manifestFiles,
      charts: manifests.charts.length,
      kustomizations: manifests.kustomizations.length,
      workloads: workloads.length,
      withPodIdentity: workloads.filter((workload) => workload.podIdentity !== null).length,
      applications: applications.length,
      paths,
      walk: walked.method,
    },
    workloads,
    findings: sortFindings(sink.all),
  };
  return { report, plan, root, repo, manifests, views: inventory.views };
}

/** The cluster and group of each add-on identity, from the declaration that made it (matched by where it is written). */
function withAddonPlacement(identities: readonly IdentityReport[], declared: readonly AddonIdentity[]): IdentityReport[] {
  return identities.map((identity) => {
    if (identity.source !== 'addon') return identity;
    const from = declared.find((candidate) => candidate.at.file === identity.file && candidate.at.line === identity.line && candidate.name.value === identity.name);
    if (!from) return identity;
    return { ...identity, addon: { cluster: from.cluster?.value || null, resourceGroup: from.resourceGroup?.value || null, declaredIn: from.source } };
  });
}

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An identity whose client ID the repository does not hold as a GUID gets the one `.pod2wi.yaml` gives: by resource
 * ID, by the placeholder written as its client ID (`$TRAEFIK_CLIENT_ID_REGION2`: the value of that variable, which
 * tells apart identities of one name on several clusters), or by name.
 */
function withGivenClientId<T extends IdentityFields>(identity: T, given: ReadonlyMap<string, GivenClientId>): T {
  if (identity.clientId && guid.test(identity.clientId)) return identity;
  const entry = (identity.resourceId ? given.get(identity.resourceId.toLowerCase()) : undefined) ?? (identity.clientId ? given.get(identity.clientId) : undefined) ?? given.get(identity.name);
  return entry ? { ...identity, clientId: entry.clientId, clientIdAt: { file: entry.file, line: entry.line } } : identity;
}

function withGivenIdentity(workload: WorkloadReport, given: ReadonlyMap<string, GivenClientId>): WorkloadReport {
  if (!workload.podIdentity || given.size === 0) return workload;
  return { ...workload, podIdentity: { ...workload.podIdentity, identities: workload.podIdentity.identities.map((identity) => withGivenClientId(identity, given)) } };
}

/** A `--cluster-state` file, read from where the user named it (a usage error when it cannot be read). */
function readClusterStateFile(path: string, cwd: string): ClusterState {
  const absolute = resolve(cwd, path);
  const read = readRegularFile(absolute, { maxBytes: clusterStateMaxBytes, checkFilesystem: true });
  if (!read.ok) throw new UsageError(`--cluster-state ${path}: ${read.detail}`);
  return readClusterState(toPosix(path), decodeUtf8(read.bytes).text);
}

const clusterStateMaxBytes = 64 * 1024 * 1024;

/** `.pod2wi.yaml` identities, keyed by name, or by resource ID in lower case (ARM IDs compare case-insensitively). */
function givenClientIds(config: ReturnType<typeof loadConfig>): Map<string, GivenClientId> {
  const given = new Map<string, GivenClientId>();
  for (const [key, entry] of Object.entries(config.config.identities ?? {})) {
    const at = { clientId: entry.clientId, file: config.file ?? '.pod2wi.yaml', line: config.lineOf(['identities', key, 'clientId']) };
    given.set(key.startsWith('/') ? key.toLowerCase() : key, at);
  }
  return given;
}

function emptySummary(walk: 'git' | 'filesystem'): ScanReport['summary'] {
  return {
    files: 0, manifestFiles: 0, charts: 0, kustomizations: 0, workloads: 0, withPodIdentity: 0, applications: 0,
    paths: { latest: 0, legacy: 0, migrated: 0, unknown: 0, 'not-applicable': 0 },
    walk,
  };
}

/**
 * Reads applications from a checkout outside the scanned root (--app): its own walk, dependency and code stages,
 * with every path rewritten relative to the scanned root (`../orders-api/package.json`) so evidence stays clickable.
 */
async function readExternalApplications(appRoot: string, options: ScanOptions, root: string, sink: FindingSink): Promise<Application[]> {
  const walked = walk({ root: appRoot, only: [], exclude: options.exclude, defaultExcludes: options.defaultExcludes });
  const repo = new Repo(appRoot, walked.files, walked.skipped, options.maxFileSize);
  const local = new FindingSink(loadFindingCatalogue());
  const found = attachCredentialUses(readApplications(repo, local, { allDependencies: options.allDependencies }), await findCredentialUses(repo, local), appRoot, containerFolders(repo), containerDependencyReader(repo, local, { allDependencies: options.allDependencies }));
  reportSkipped(repo, local);
  const prefix = toPosix(relative(root, appRoot));
  const moved = (file: string) => (file === '.' ? prefix : `${prefix}/${file}`);
  sink.absorb(local, moved);
  return found.map((app) => ({
    ...app,
    path: moved(app.path),
    dependencies: app.dependencies.map((dependency) => ({ ...dependency, file: moved(dependency.file) })),
    credentialUses: app.credentialUses.map((use) => ({ ...use, file: moved(use.file) })),
  }));
}

/**
 * Files the walk or a read refused, as findings: manifests (YAML, JSON, templates) skipped for size, content or kind,
 * symlinks leaving the root, and every name that is not UTF-8 (whatever it holds: it was never looked at).
 */
export function reportSkipped(repo: Repo, sink: FindingSink): void {
  for (const skipped of repo.skipped) {
    if (skipped.reason === 'invalid-name') {
      sink.add('file-name-not-utf8', { file: skipped.path, line: 1, column: 1 }, `${skipped.path}: the name is not UTF-8 (bytes shown as \\xNN); it was not read`);
      continue;
    }
    if (!/\.(ya?ml|json|tpl)$/i.test(skipped.path) && skipped.reason !== 'symlink-outside-root') continue;
    const why = {
      'too-large': `larger than --max-file-size (${skipped.size ?? 0} bytes)`,
      binary: 'binary content',
      unreadable: 'could not be read',
      'symlink-outside-root': 'a symlink that resolves outside the scanned root',
      'not-regular': 'not a regular file (a FIFO, socket or device)',
    }[skipped.reason];
    sink.add('file-skipped', { file: skipped.path, line: 1, column: 1 }, `skipped: ${why}`);
  }
}

/** The workload whose manifest text holds a credential use written in YAML (an init container's command). */
function ownerOf(use: CredentialUse, workloads: readonly WorkloadReport[]): WorkloadReport | null {
  if (use.language !== 'yaml') return null;
  return workloads.find((workload) => workload.file === use.file && use.line >= workload.line && use.line <= workload.endLine) ?? null;
}

/** Folders holding a Dockerfile: deployable units even without a dependency manifest (a script in an image). */
function containerFolders(repo: Repo): string[] {
  return [...new Set(repo.files.filter((file) => /(^|\/)(Dockerfile|Containerfile)([.-][^/]*)?$/i.test(file.path)).map((file) => dirname(file.path) || '.'))];
}

/**
 * Gives each credential use to the application whose folder is the deepest one holding the file: a folder with a
 * dependency manifest, else a folder with a Dockerfile (which becomes a `container` application). Uses outside both
 * go to a `loose-files` application for the scan root, reported but never linked to a workload.
 */
export function attachCredentialUses(applications: readonly Application[], uses: readonly CredentialUse[], root: string, containers: readonly string[] = [], containerDependencies: (folder: string) => Dependency[] = () => []): Application[] {
  const byPath = new Map<string, CredentialUse[]>(applications.map((app) => [app.path, [...app.credentialUses]]));
  const folders = [...new Set([...byPath.keys(), ...containers])].sort((a, b) => b.length - a.length);
  // The first folder of that order holding the file: found among the file's own parent folders (and `.`), not by
  // testing every folder for every use.
  const rank = new Map(folders.map((folder, index) => [folder, index]));
  const ownerOfFile = (file: string): string => {
    let best: string | null = null;
    const consider = (folder: string): void => {
      const at = rank.get(folder);
      if (at !== undefined && (best === null || at < (rank.get(best) ?? Infinity))) best = folder;
    };
    consider('.');
    for (let slash = file.indexOf('/'); slash >= 0; slash = file.indexOf('/', slash + 1)) consider(file.slice(0, slash));
    return best ?? '';
  };
  for (const use of uses) pushTo(byPath, ownerOfFile(use.file), use);
  // A use that stands for a package counts only in an application that has it; the marker never leaves this stage.
  const kept = (app: Pick<Application, 'dependencies'>, found: readonly CredentialUse[]): CredentialUse[] =>
    found.flatMap(({ requires, ...use }) => (!requires || dependencyNamed(app, requires.ecosystem, requires.package) ? [use] : []));
  const result: Application[] = applications.map((app) => ({ ...app, credentialUses: kept(app, byPath.get(app.path) ?? []) }));
  for (const folder of containers) {
    const found = byPath.get(folder) ?? [];
    if (found.length > 0 && !applications.some((app) => app.path === folder)) {
      const dependencies = containerDependencies(folder);
      const ecosystems = [...new Set(dependencies.map((dependency) => dependency.ecosystem))].sort(compareStrings);
      const own = kept({ dependencies }, found);
      if (own.length > 0) result.push({ path: folder, kind: 'container', name: folder === '.' ? basename(root) : basename(folder), ecosystems, dependencies, credentialUses: own });
    }
  }
  const loose = kept({ dependencies: [] }, byPath.get('') ?? []);
  if (loose.length > 0) result.push({ path: '.', kind: 'loose-files', name: basename(root), ecosystems: [], dependencies: [], credentialUses: loose });
  return result
    .map((app) => ({ ...app, credentialUses: [...app.credentialUses].sort((a, b) => compareLocations(a, b)) }))
    .sort((a, b) => compareStrings(a.path, b.path) || compareStrings(a.kind, b.kind));
}
