import { dependencyNamed, type Application, type CredentialUse, type Dependency, type Ecosystem } from '../model/application.js';
import type { Evidence, MigrationPath, MigrationReason, WorkloadReport } from '../model/report.js';
import type { ApplicationLink, SdkUpgrade } from './model.js';
import { ecosystemOf, type SdkKnowledge } from './sdk.js';
import { pushTo } from '../model/collections.js';
import { placeholderIn } from '../model/placeholders.js';
import { matchController, type ControllerMatch, type ControllerRow } from '../rules/controllers.js';
import { compareVersions } from '../deps/versions/index.js';

export const defaultProxyPort = 8000;

export interface DecisionContext {
  readonly sdk: SdkKnowledge;
  /** How versions between the token-exchange version and the documented floor count. */
  readonly betweenVersions: 'latest' | 'legacy';
  /** Namespaces whose Pod Security admission forbids privileged init containers, with where the label is. */
  readonly restrictedNamespaces: ReadonlyMap<string, { level: string; at: Evidence }>;
  /** Third-party controllers known to use pod identity (rules/controllers.yaml); their version decides their path. */
  readonly controllers?: readonly ControllerRow[];
}

export interface Decision {
  readonly path: MigrationPath;
  readonly blocked: boolean;
  readonly reasons: MigrationReason[];
  readonly warnings: MigrationReason[];
  readonly proxy: { readonly port: number | null } | null;
  readonly sdkUpgrades: SdkUpgrade[];
}

const at = (item: { file: string; line: number }): Evidence => ({ file: item.file, line: item.line });
const reason = (code: string, message: string, evidence: Evidence | null): MigrationReason => (evidence ? { code, message, ...evidence } : { code, message });

/** Categories that mean "this code gets its token from IMDS or an MSI endpoint" (the proxy path, or a rewrite). */
const imdsCategories = new Set<CredentialUse['category']>(['legacy-library', 'imds-http', 'nmi-endpoint', 'cli-identity-login']);

/**
 * Decides how a workload with pod identity migrates, from the applications linked to it:
 * - legacy: the code uses a legacy library, calls IMDS or the NMI endpoint itself, logs in with `az login
 *   --identity`, uses ManagedIdentityCredential in Go or C++, runs an Azure Identity below its token-exchange
 *   version, or .NET 1.13.0 with a bare ManagedIdentityCredential;
 * - latest: every credential in use is workload-identity capable at its version (between the token-exchange
 *   version and the documented floor counts as latest with a warning, unless the policy says legacy);
 * - unknown: no linked application, or nothing in it says how it gets tokens.
 * On the legacy path the proxy sidecar must work: Windows, hostNetwork, identity selection by resource or object ID
 * and the NMI endpoint block it; a port clash only moves the proxy to another port.
 */
/**
 * The application at `path` with what it builds in (ProjectReference, transitively): the included folders' credential
 * uses run in its process, and their packages are restored into it unless it references the package itself.
 * `includes` lists every folder reached, with where it is first named.
 */
export function withIncludes(path: string, apps: readonly Application[]): Application | null {
  const app = apps.find((candidate) => candidate.path === path);
  if (!app?.includes?.length) return app ?? null;
  const reached = new Map<string, { path: string; file: string; line: number }>();
  const queue = [...app.includes];
  while (queue.length > 0) {
    const item = queue.shift();
    if (!item || item.path === path || reached.has(item.path)) continue;
    reached.set(item.path, item);
    queue.push(...(apps.find((candidate) => candidate.path === item.path)?.includes ?? []));
  }
  const included = [...reached.keys()].flatMap((folder) => apps.filter((candidate) => candidate.path === folder));
  const declared = new Set(app.dependencies.map((dependency) => `${dependency.ecosystem}:${dependency.name.toLowerCase()}`));
  const dependencies = [...app.dependencies];
  for (const dependency of included.flatMap((candidate) => candidate.dependencies)) {
    const name = `${dependency.ecosystem}:${dependency.name.toLowerCase()}`;
    if (declared.has(name)) continue;
    declared.add(name);
    dependencies.push(dependency);
  }
  return { ...app, dependencies, credentialUses: [...app.credentialUses, ...included.flatMap((candidate) => candidate.credentialUses)], includes: [...reached.values()] };
}

export function decide(workload: WorkloadReport, links: readonly ApplicationLink[], apps: readonly Application[], context: DecisionContext): Decision {
  const reasons: MigrationReason[] = [];
  const warnings: MigrationReason[] = [];
  const sdkUpgrades: SdkUpgrade[] = [];
  // Each linked application with what it builds in, expanded once per decision.
  const expanded = new Map(links.map((link) => [link.path, withIncludes(link.path, apps)]));
  const appAt = (path: string) => expanded.get(path) ?? null;
  const own = workload.credentialUses.filter((use) => !use.test);
  const controller = links.length === 0 && own.length === 0 && context.controllers ? controllerOf(workload, context.controllers) : null;
  const tokenless = !controller && links.length === 0 && own.length === 0 && context.controllers ? imagesWithoutTokens(workload, context.controllers) : null;
  let legacy = false;
  let capable = 0;
  if (controller) {
    const { match, evidence } = controller;
    const what = `${match.row.name} (${match.evidence})`;
    if (match.verdict === 'unknown') {
      reasons.push(reason('controller-version-unknown', `${what}: ${match.reason}`, evidence));
      return { path: 'unknown', blocked: false, reasons, warnings, proxy: null, sdkUpgrades };
    }
    if (match.verdict === 'latest') {
      reasons.push(reason('controller-supports-workload-identity', `${what}: ${match.reason}`, evidence));
      warnings.push(reason('controller-settings', `on workload identity: ${match.row.workloadIdentity}`, evidence));
      return { path: 'latest', blocked: false, reasons, warnings, proxy: null, sdkUpgrades };
    }
    reasons.push(reason('controller-predates-workload-identity', `${what}: ${match.reason}`, evidence));
    warnings.push(reason('controller-settings', `after the upgrade, on workload identity: ${match.row.workloadIdentity}`, evidence));
    legacy = true;
  } else if (tokenless) {
    const seen = new Set<string>();
    for (const { match, evidence } of tokenless) {
      if (seen.has(match.evidence)) continue;
      seen.add(match.evidence);
      reasons.push(reason('image-asks-no-token', `${match.evidence}: ${match.reason}; the pod identity can only serve what takes tokens on the pod's behalf (a SecretProviderClass it mounts), so no proxy is needed`, evidence));
      if (match.row.check) warnings.push(reason('image-settings', `rule out: ${match.row.check}`, evidence));
    }
    return { path: 'latest', blocked: false, reasons, warnings, proxy: null, sdkUpgrades };
  } else if (links.length === 0 && own.length === 0) {
    const written = [...new Set(workload.containers.flatMap((container) => (container.image ? [container.image] : [])))];
    const deployTime = written.filter((image) => image.startsWith(':') || placeholderIn(image) !== null);
    const images = written.filter((image) => !deployTime.includes(image));
    const first = workload.containers.find((container) => container.imageAt)?.imageAt ?? null;
    const list = (items: readonly string[]) => `${items.slice(0, 3).join(', ')}${items.length > 3 ? ', …' : ''}`;
    const what = images.length > 0
      ? `no application in the repository builds ${images.length === 1 ? 'its image' : 'its images'} (${list(images)}), so its code, and whether it asks for Azure tokens, is not here`
      : deployTime.length > 0
        ? `its image is set at deploy time (${list(deployTime)}), so which code it runs is not known from the repository`
        : 'no application is linked to this workload';
    reasons.push(reason('application-unlinked', `${what}: add it to \`applications\` in .pod2wi.yaml, state its path in \`workloads\`, or scan its code with --app PATH`, first));
    return { path: 'unknown', blocked: false, reasons, warnings, proxy: null, sdkUpgrades };
  }

  if (own.length > 0) {
    // Commands in the workload's own manifest (an init container logging in) run in its pods.
    const verdict = judgeApplication({ path: workload.file, kind: 'container', name: workload.name, ecosystems: [], dependencies: [], credentialUses: own }, context, true);
    legacy ||= verdict.legacy;
    capable += verdict.capable;
    reasons.push(...verdict.reasons);
    warnings.push(...verdict.warnings);
  }
  let podIdentityApi: Dependency | undefined;
  for (const link of links) {
    reasons.push(reason(`linked-${link.method}`, `runs application ${link.path} (${link.confidence}: ${link.message})`, link.evidence));
    const app = appAt(link.path);
    if (!app) continue;
    for (const item of app.includes ?? []) reasons.push(reason('application-includes', `${link.path} builds in ${item.path}, whose code runs in its process`, { file: item.file, line: item.line }));
    const verdict = judgeApplication(app, context);
    podIdentityApi ??= verdict.podIdentityApi;
    legacy ||= verdict.legacy;
    capable += verdict.capable;
    reasons.push(...verdict.reasons);
    warnings.push(...verdict.warnings);
    sdkUpgrades.push(...verdict.upgrades);
  }

  const multiple = (workload.podIdentity?.identities.length ?? 0) > 1;
  if (multiple) {
    warnings.push(reason('multiple-identities', `${workload.podIdentity?.identities.length} identities are bound to aadpodidbinding=${workload.podIdentity?.selector ?? ''}; the ServiceAccount gets ${workload.podIdentity?.identities[0]?.name ?? ''}, and each identity the code selects by client ID needs its own federated credential`, workload.podIdentity ? at(workload.podIdentity) : null));
  }

  if (!legacy && capable === 0 && !controller) {
    const hasLibrary = reasons.some((item) => item.code === 'sdk-supports-workload-identity' || item.code === 'sdk-version-unknown');
    // Uses that do not decide the path (a token scope, an App Service variable) are still uses: never say "none".
    const seen = links.flatMap((link) => (appAt(link.path)?.credentialUses ?? []).filter((use) => !use.test && use.language !== 'yaml'));
    const apis = [...new Set(seen.map((use) => use.api))];
    const found = apis.length > 0 ? `the linked code's credential uses (${apis.slice(0, 3).join(', ')}${apis.length > 3 ? ', …' : ''}) do not say how it gets tokens` : null;
    reasons.push(reason('no-credential-evidence', found
      ? `${found}${hasLibrary ? ', and its Azure Identity version alone does not decide' : ''}: pod2wi cannot tell whether it needs the proxy`
      : hasLibrary
        ? 'no credential use was found in the linked code, and its Azure Identity version alone does not decide: pod2wi cannot tell whether it needs the proxy'
        : 'the linked code shows no Azure credential use and no Azure Identity library: pod2wi cannot tell whether it needs the proxy', null));
    return { path: 'unknown', blocked: false, reasons, warnings, proxy: null, sdkUpgrades };
  }
  if (!legacy) return { path: 'latest', blocked: false, reasons, warnings, proxy: null, sdkUpgrades };

  // The legacy path runs the migration proxy: what stops it, and which port it takes.
  let blocked = false;
  const block = (code: string, message: string, evidence: Evidence | null) => {
    blocked = true;
    reasons.push(reason(code, message, evidence));
  };
  if (podIdentityApi) block('blocked-pod-identity-api', `the application depends on ${podIdentityApi.name}${podIdentityApi.version ? ` ${podIdentityApi.version}` : ''}, aad-pod-identity's own API: the AzureIdentity objects it creates or reads at run time exist only while aad-pod-identity runs, so the code must move to workload identity (or to the credential each identity type stands for) before pod identity goes; the proxy cannot stand in`, at(podIdentityApi));
  if (workload.os === 'windows') block('blocked-windows', 'Windows pod: the migration proxy is Linux-only, so the SDK must be upgraded instead', workload.osAt);
  if (workload.hostNetwork) block('blocked-host-network', 'hostNetwork: true: the webhook refuses to inject the proxy into host-network pods', { file: workload.file, line: workload.line });
  const inUse = [...own, ...links.flatMap((link) => (appAt(link.path)?.credentialUses ?? []).filter((use) => use.language !== 'yaml'))];
  for (const use of inUse) {
    if (use.test) continue;
    if (use.category === 'nmi-endpoint') block('blocked-nmi-endpoint', `${use.api} calls the aad-pod-identity NMI endpoint, which the proxy does not emulate`, at(use));
    const selection = use.selection ?? (/resource-id/.test(use.detail) ? 'resource-id' : /object-id/.test(use.detail) ? 'object-id' : undefined);
    if ((selection === 'resource-id' || selection === 'object-id') && (use.category === 'managed-identity-credential' || use.category === 'legacy-library' || use.category === 'imds-http')) {
      block('blocked-identity-selection', `${use.api} selects the identity by ${selection === 'resource-id' ? 'resource ID' : 'object ID'}, which the proxy ignores (it only honours client_id)`, at(use));
    }
  }
  const restricted = context.restrictedNamespaces.get(workload.namespace);
  if (restricted) {
    warnings.push(reason('pod-security-restricted', `namespace ${workload.namespace} enforces Pod Security "${restricted.level}", which rejects the privileged azwi-proxy-init container`, restricted.at));
  }
  for (const sidecar of workload.injectedSidecars) {
    warnings.push(reason('other-sidecar-injector', `${sidecar.system} also injects a sidecar here; its traffic redirection and the proxy's iptables rules both touch the pod network — test the legacy path with ${sidecar.system} on`, { file: sidecar.file, line: sidecar.line }));
  }
  const taken = new Set(workload.containers.flatMap((container) => container.ports));
  let port: number | null = null;
  if (taken.has(defaultProxyPort)) {
    port = defaultProxyPort + 1;
    while (taken.has(port)) port++;
    warnings.push(reason('proxy-port-moved', `a container already listens on ${defaultProxyPort}; the proxy will use ${port} (azure.workload.identity/proxy-sidecar-port)`, { file: workload.file, line: workload.line }));
  }
  return { path: 'legacy', blocked, reasons, warnings, proxy: blocked ? null : { port }, sdkUpgrades };
}

/**
 * The controller a workload runs, from the chart its release installs, else from its containers' images; the evidence
 * is the version (or image) line.
 */
function controllerOf(workload: WorkloadReport, table: readonly ControllerRow[]): { match: ControllerMatch; evidence: Evidence } | null {
  if (workload.chart) {
    const match = matchController(table, { kind: 'chart', name: workload.chart.name, repository: workload.chart.repository, version: workload.chart.version });
    if (match && match.row.role === 'uses-pod-identity') return { match, evidence: at(workload.chart) };
  }
  for (const container of workload.containers) {
    if (!container.image) continue;
    const match = matchController(table, { kind: 'image', image: container.image });
    if (match && match.row.role === 'uses-pod-identity') return { match, evidence: container.imageAt ?? at(workload) };
  }
  return null;
}

/**
 * The images of a pod whose containers all ask for no Azure token of their own (rules/controllers.yaml, role
 * `no-azure-tokens`), each with its evidence; null when any container runs another image, or the chart is not in the
 * repository (its own images are not known).
 */
function imagesWithoutTokens(workload: WorkloadReport, table: readonly ControllerRow[]): { match: ControllerMatch; evidence: Evidence }[] | null {
  if (workload.chart || workload.containers.length === 0) return null;
  const found: { match: ControllerMatch; evidence: Evidence }[] = [];
  for (const container of workload.containers) {
    const match = container.image ? matchController(table, { kind: 'image', image: container.image }) : null;
    if (!match || match.row.role !== 'no-azure-tokens') return null;
    found.push({ match, evidence: container.imageAt ?? at(workload) });
  }
  return found;
}

interface ApplicationVerdict {
  legacy: boolean;
  /** A dependency on aad-pod-identity's own API: the code must change, the proxy cannot stand in. */
  podIdentityApi?: Dependency;
  capable: number;
  reasons: MigrationReason[];
  warnings: MigrationReason[];
  upgrades: SdkUpgrade[];
}

/**
 * One application's verdict. YAML files in an application folder are pipelines and configuration, which do not run
 * in the pod: their uses are skipped unless `manifest` says they come from the workload's own manifest.
 */
function judgeApplication(app: Application, context: DecisionContext, manifest = false): ApplicationVerdict {
  const verdict: ApplicationVerdict = { legacy: false, capable: 0, reasons: [], warnings: [], upgrades: [] };
  const identityDeps = new Map<Ecosystem, Dependency[]>();
  for (const dependency of app.dependencies) {
    if (!context.sdk.isAzureIdentity(dependency)) continue;
    pushTo(identityDeps, dependency.ecosystem, dependency);
  }
  const upgrade = (ecosystem: Ecosystem, dependency: Dependency | null) => {
    const known = context.sdk.identityPackage(ecosystem);
    if (!known || verdict.upgrades.some((item) => item.ecosystem === ecosystem)) return;
    verdict.upgrades.push({ ecosystem, package: known.package, from: dependency?.version ?? null, to: `>= ${known.floor}`, application: app.path, evidence: dependency ? at(dependency) : null });
  };
  const legacy = (code: string, message: string, evidence: Evidence | null, ecosystem: Ecosystem | null) => {
    verdict.legacy = true;
    verdict.reasons.push(reason(code, message, evidence));
    if (ecosystem) upgrade(ecosystem, identityDeps.get(ecosystem)?.[0] ?? null);
  };

  // Versions: an Azure Identity below its token-exchange version only reaches IMDS.
  for (const [ecosystem, dependencies] of identityDeps) {
    for (const dependency of dependencies) {
      const version = dependency.version ?? dependency.declared ?? '?';
      if (dependency.managedIdentityTokenExchange === false && dependency.supportsWorkloadIdentity === false) {
        legacy('sdk-below-token-exchange', `${dependency.name} ${version} (${dependency.resolution}) predates workload identity: its credentials go to IMDS`, at(dependency), ecosystem);
      } else if (dependency.supportsWorkloadIdentity === false && dependency.managedIdentityTokenExchange === true) {
        const known = context.sdk.identityPackage(ecosystem);
        const message = `${dependency.name} ${version} exchanges the federated token through ManagedIdentityCredential but is below the documented floor ${known?.floor ?? ''}`;
        if (context.betweenVersions === 'legacy') legacy('sdk-below-floor', `${message} (policy.betweenVersions: legacy)`, at(dependency), ecosystem);
        else {
          verdict.capable++;
          verdict.warnings.push(reason('sdk-below-floor', `${message}; upgrade when convenient`, at(dependency)));
          upgrade(ecosystem, dependency);
        }
      } else if (dependency.supportsWorkloadIdentity === true && dependency.managedIdentityTokenExchange === true) {
        verdict.capable++;
        verdict.reasons.push(reason('sdk-supports-workload-identity', `${dependency.name} ${version} supports workload identity`, at(dependency)));
      } else if (dependency.supportsWorkloadIdentity === true) {
        // Go, C++ and .NET 1.13.0: DefaultAzureCredential works, ManagedIdentityCredential does not; the code decides.
        verdict.reasons.push(reason('sdk-supports-workload-identity', `${dependency.name} ${version} supports workload identity in DefaultAzureCredential and WorkloadIdentityCredential, not in ManagedIdentityCredential: the credential the code uses decides`, at(dependency)));
      }
    }
  }
  // A driver the code configures (tedious, SqlClient) that is older than its switch to Azure Identity is what brings a
  // legacy library in: name it.
  const oldDrivers = [...new Set(app.credentialUses.flatMap((use) => {
    if (use.test || !use.via) return [];
    const { via } = use;
    const driver = dependencyNamed(app, via.ecosystem, via.package);
    return driver?.version && (compareVersions(via.ecosystem, driver.version, via.throughAzureIdentityFrom) ?? 0) < 0 ? [`${driver.name} ${driver.version}`] : [];
  }))];
  for (const dependency of app.dependencies) {
    if (dependency.legacy && !app.credentialUses.some((use) => !use.test && use.category === 'legacy-library')) {
      const usedBy = oldDrivers.length > 0 && dependency.direct === false ? `used by ${oldDrivers.join(', ')}, which the code configures to fetch tokens` : null;
      verdict.warnings.push(dependency.direct === false
        ? reason('legacy-library-indirect', usedBy
          ? `${dependency.name} is a legacy identity library that another dependency brings in, probably ${usedBy}: it leaves when that driver is upgraded`
          : `${dependency.name} is a legacy identity library that another dependency brings in (not declared here): no code of this application calls it; it leaves with the dependency that needs it`, at(dependency))
        : reason('legacy-library-unused', `${dependency.name} is a legacy identity library; no use was found in the code, remove it`, at(dependency)));
    }
    if (dependency.direct !== false && context.sdk.isPodIdentityApi?.(dependency)) {
      verdict.legacy = true;
      verdict.podIdentityApi = dependency;
    }
  }

  for (const use of app.credentialUses) {
    if (use.test || (use.language === 'yaml' && !manifest)) continue;
    const ecosystem = ecosystemOf(use.language);
    const dependency = ecosystem ? (identityDeps.get(ecosystem)?.[0] ?? null) : null;
    if (use.via) {
      // A driver fetches the token: its own version says whether it calls IMDS itself or asks Azure Identity.
      const { via } = use;
      const driver = dependencyNamed(app, via.ecosystem, via.package);
      const order = driver?.version ? compareVersions(via.ecosystem, driver.version, via.throughAzureIdentityFrom) : null;
      if (!driver || order === null) {
        verdict.reasons.push(reason('driver-version-unknown', `${use.api}: ${via.package} fetches the token, and its version is not known from the repository${driver?.skip ? ` (${driver.skip})` : ''}: below ${via.throughAzureIdentityFrom} it calls IMDS itself`, at(use)));
        continue;
      }
      if (order < 0) {
        legacy('driver-calls-imds', `${use.api}: ${via.package} ${driver.version} calls IMDS itself (it asks Azure Identity from ${via.throughAzureIdentityFrom}): upgrade it, or keep the proxy`, at(use), null);
        continue;
      }
      if (use.category === 'managed-identity-credential' && (!dependency || dependency.version === null)) {
        verdict.reasons.push(reason('sdk-version-unknown', `${use.api}: ${via.package} ${driver.version} asks Azure Identity, whose version is not known (no lock file lists it): pin it, or give the verdict in .pod2wi.yaml`, at(use)));
        continue;
      }
    }
    if (imdsCategories.has(use.category)) {
      legacy(`uses-${use.category}`, `${use.api}${use.detail ? ` (${use.detail})` : ''} gets tokens from ${use.category === 'nmi-endpoint' ? 'the NMI endpoint' : 'IMDS'}`, at(use), ecosystem);
    } else if (use.category === 'managed-identity-credential') {
      if (ecosystem === 'go' || ecosystem === 'vcpkg') {
        legacy('managed-identity-credential-imds', `${use.api} in ${use.language} never performs the workload-identity token exchange: it goes to IMDS`, at(use), ecosystem);
      } else if (dependency?.managedIdentityTokenExchange === false && dependency.supportsWorkloadIdentity === true) {
        legacy('managed-identity-credential-regression', `${use.api} with ${dependency.name} ${dependency.version ?? ''}: this version's ManagedIdentityCredential does not detect workload identity`, at(use), ecosystem);
      } else if (dependency?.managedIdentityTokenExchange === true) {
        verdict.capable++;
      } else if (!dependency || dependency.version === null) {
        verdict.reasons.push(reason('sdk-version-unknown', `${use.api} is used, but the version of its Azure Identity library is not known${dependency?.skip ? ` (${dependency.skip})` : ''}`, at(use)));
      }
    } else if (use.category === 'modern') {
      verdict.capable++;
    } else if (use.category === 'wi-excluded') {
      verdict.warnings.push(reason('workload-identity-excluded', `${use.api} excludes workload identity from the credential chain`, at(use)));
    } else if (use.category === 'bare-resource-scope') {
      verdict.warnings.push(reason('bare-resource-scope', `${use.api}: ${use.detail}. IMDS (and the proxy) take a resource; on workload identity the token request is a client-credential exchange, which only takes <resource>/.default`, at(use)));
    } else if (use.category === 'runtime-resource-scope') {
      verdict.warnings.push(reason('runtime-resource-scope', `${use.api}: ${use.detail}. Make sure the value it is given ends in /.default: IMDS (and the proxy) take a bare resource, the workload-identity exchange only <resource>/.default`, at(use)));
    } else if (use.category === 'hardcoded-token-path') {
      verdict.warnings.push(reason('hardcoded-token-path', `${use.api}: read AZURE_FEDERATED_TOKEN_FILE instead of a fixed path (the path changed in webhook v1.6.0)`, at(use)));
    } else if (use.category === 'app-service-msi') {
      verdict.warnings.push(reason('app-service-msi', `${use.api} reads App Service MSI variables, which AKS does not set`, at(use)));
    }
  }
  return verdict;
}
