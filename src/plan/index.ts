import type { Application } from '../model/application.js';
import type { FindingSink } from '../model/findings-sink.js';
import type { Evidence, MigrationReason, ScanReport, WorkloadReport } from '../model/report.js';
import { isGuid } from '../podidentity/crds.js';
import { decide, defaultProxyPort, type DecisionContext } from './decide.js';
import { federatedCredentialLimit, hasUnknown, identityKey, planFederatedCredentials } from './federated.js';
import type { ImageBuild } from './images.js';
import { indexLinks, linkApplications } from './link.js';
import { placeholderIn } from '../model/placeholders.js';
import type { MigrationPlan, PlannedIdentity, WorkloadPlan } from './model.js';
import { nameProblem } from './names.js';
import { planServiceAccounts } from './service-accounts.js';
import type { ApplicationLink as ConfiguredLink } from '../config/config.js';
import { pushTo } from '../model/collections.js';
import { before } from '../model/text.js';

export interface PlanInputs {
  readonly report: Omit<ScanReport, 'findings'>;
  readonly builds: readonly ImageBuild[];
  readonly configured: readonly ConfiguredLink[];
  readonly configLine: (index: number) => Evidence | null;
  readonly issuer: string;
  readonly decision: DecisionContext;
  /** Paths stated in `.pod2wi.yaml` `workloads:`, with their reason and line. */
  readonly stated?: readonly StatedPath[];
}

export interface StatedPath {
  readonly id: string;
  readonly path: 'latest' | 'legacy';
  readonly reason: string;
  readonly at: Evidence | null;
}

/**
 * Decides every workload's migration and the objects it needs: linked applications, path and blockers with their
 * evidence, the ServiceAccount, the federated credential and the SDK upgrades. Pure: reads the report, returns data.
 */
export function planMigration(inputs: PlanInputs, sink: FindingSink): MigrationPlan {
  const { report } = inputs;
  const apps: readonly Application[] = report.applications;
  const workloadFiles = report.workloads.map((item) => item.file);
  const index = indexLinks(apps, inputs.builds);
  const decided = report.workloads.map((workload) => {
    const links = workload.podIdentity ? linkApplications(workload, { applications: apps, builds: inputs.builds, configured: inputs.configured, configLine: inputs.configLine, workloadFiles, index }) : [];
    const identity = plannedIdentity(workload);
    const stated = (inputs.stated ?? []).find((item) => item.id === workload.id || item.id === before(workload.id, '@'));
    const decision = decideWorkload(workload, links, apps, inputs.decision);
    return { workload, links, identity, decision: stated && workload.podIdentity && decision.path !== 'migrated' ? withStatedPath(workload, decision, stated) : decision };
  });

  for (const { workload, links, decision } of decided) {
    if (workload.podIdentity && decision.path === 'unknown' && links.length === 0 && !decision.reasons.some((item) => item.code === 'controller-version-unknown')) {
      sink.add('workload-unlinked', { file: workload.podIdentity.file, line: workload.podIdentity.line, column: 1 }, `${workload.id} is not linked to application code: add it to applications in .pod2wi.yaml (path + workloads: ["${before(workload.id, '@')}"]) or pass --app PATH`);
    }
  }

  const needsAccount = decided.filter((item): item is typeof item & { identity: PlannedIdentity } => item.identity !== null && item.decision.path !== 'migrated' && item.decision.path !== 'not-applicable');
  for (const item of decided) {
    const first = item.workload.podIdentity?.identities[0];
    if (first && item.identity === null && item.decision.path !== 'migrated') {
      const deployTime = first.clientId ? placeholderIn(first.clientId) !== null : false;
      const fetch = first.resourceId && first.identityName && placeholderIn(first.resourceId) === null ? `get it with \`az identity show --ids ${first.resourceId} --query clientId -o tsv\` and ` : '';
      const what = deployTime ? `'s client ID is set at deploy time (${first.clientId ?? ''})` : ` has no usable client ID (${first.clientId ?? 'none'})`;
      sink.add('client-id-unknown', { file: first.clientIdAt?.file ?? first.file, line: first.clientIdAt?.line ?? first.line, column: 1 }, `${item.workload.id}: identity ${first.name}${what}, so no ServiceAccount or federated credential is planned${placeholderIn(first.name) ? '' : `; ${fetch}give it in .pod2wi.yaml (identities: {${first.name}: {clientId: ...}})`}`);
    }
  }
  const accounts = planServiceAccounts(needsAccount.map(({ workload, identity }) => ({ workload, identity })), report.serviceAccounts);
  // A subject needs the namespace and the ServiceAccount name; one known only at install time is never guessed.
  const unknownSubject = (workload: WorkloadReport) => {
    const account = accounts.get(workload.id);
    return hasUnknown(workload.namespace) || !account || hasUnknown(account.name) || hasUnknown(account.namespace);
  };
  // A name Kubernetes or Azure would reject is never written into a manifest, script or template: no account, no
  // credential, and a finding instead.
  for (const { workload, identity } of needsAccount) {
    const account = accounts.get(workload.id);
    // A name known only at install time is not invalid: it is reported as such, below.
    if (!account || unknownSubject(workload)) continue;
    const problem = nameProblem({ namespace: account.namespace, serviceAccount: account.name, identity: identity.name, resourceGroup: identity.resourceGroup, identityName: identity.identityName });
    if (!problem) continue;
    accounts.delete(workload.id);
    const at = workload.podIdentity ?? workload;
    sink.add('name-not-valid', { file: at.file, line: at.line, column: 1 }, `${/^[\x20-\x7e]*$/.test(workload.id) ? workload.id : JSON.stringify(workload.id)}: ${problem}; no ServiceAccount or federated credential is planned, and nothing is generated for it`);
  }
  const credentials = planFederatedCredentials(
    needsAccount.flatMap(({ workload, identity }) => {
      const serviceAccount = accounts.get(workload.id);
      return serviceAccount && !unknownSubject(workload) ? [{ workload: workload.id, identity, serviceAccount }] : [];
    }),
    inputs.issuer,
  );
  const perIdentity = new Map<string, typeof credentials>();
  for (const credential of credentials) {
    const key = identityKey(credential.identity);
    pushTo(perIdentity, key, credential);
  }
  for (const [key, list] of perIdentity) {
    if (list.length <= federatedCredentialLimit) continue;
    const identity = list[0]?.identity;
    sink.add('federated-credential-limit', { file: identity?.evidence.file ?? '', line: identity?.evidence.line ?? 1, column: 1 }, `identity ${key} needs ${list.length} federated credentials; Entra allows ${federatedCredentialLimit} per identity`);
  }

  const workloads: WorkloadPlan[] = decided.map(({ workload, links, identity, decision }) => {
    const serviceAccount = accounts.get(workload.id) ?? null;
    const credential = serviceAccount && identity
      ? credentials.find((item) => item.identity === identity && item.serviceAccount === serviceAccount.name && item.namespace === serviceAccount.namespace)
      : undefined;
    const overLimit = identity ? (perIdentity.get(identityKey(identity))?.length ?? 0) > federatedCredentialLimit : false;
    const warnings: MigrationReason[] = [...decision.warnings];
    if (identity && serviceAccount && unknownSubject(workload) && decision.path !== 'migrated' && decision.path !== 'not-applicable') {
      const unknown = [hasUnknown(workload.namespace) ? `namespace ${workload.namespace}` : null, hasUnknown(serviceAccount.name) ? `ServiceAccount ${serviceAccount.name}` : null].filter(Boolean).join(' and ');
      warnings.push({ code: 'subject-set-at-install', message: `the federated credential's subject needs the ${unknown || 'ServiceAccount name'}, which is only known when the chart is installed; give the release name and namespace (a HelmRelease, or scan the values the release uses) to plan it`, file: workload.file, line: workload.line });
    }
    if (overLimit && identity) warnings.push({ code: 'federated-credential-limit', message: `identity ${identity.name} needs more than ${federatedCredentialLimit} federated credentials`, ...identity.evidence });
    return {
      workload: workload.id,
      kind: workload.kind,
      name: workload.name,
      namespace: workload.namespace,
      path: decision.path,
      blocked: decision.blocked,
      reasons: decision.reasons,
      warnings,
      applications: links,
      identity,
      serviceAccount,
      proxy: decision.proxy,
      federatedCredential: credential?.name ?? null,
      sdkUpgrades: decision.sdkUpgrades,
      ...secretProviderClassesOf(report, workload, identity),
    };
  });
  return { issuer: inputs.issuer, workloads, federatedCredentials: credentials };
}

/** The workload's mounted SecretProviderClasses on pod identity and the client ID each takes; nothing when none. */
function secretProviderClassesOf(report: PlanInputs['report'], workload: WorkloadReport, identity: PlannedIdentity | null): Pick<WorkloadPlan, 'secretProviderClasses'> {
  const classes = (report.secretProviderClasses ?? []).filter((item) => item.podIdentity && item.usedBy.includes(workload.id));
  if (classes.length === 0) return {};
  return {
    secretProviderClasses: classes.map((item) => ({
      name: item.name,
      namespace: item.namespace,
      clientId: identity?.clientId ?? workload.workloadIdentity.clientId,
      sharedWith: item.usedBy.filter((user) => user !== workload.id),
      file: item.usePodIdentityAt?.file ?? item.file,
      line: item.usePodIdentityAt?.line ?? item.line,
    })),
  };
}

function decideWorkload(workload: WorkloadReport, links: Parameters<typeof decide>[1], apps: readonly Application[], context: DecisionContext) {
  if (workload.migration.path === 'migrated' || !workload.podIdentity) {
    return { path: workload.migration.path, blocked: false, reasons: [...workload.migration.reasons], warnings: [], proxy: null, sdkUpgrades: [] };
  }
  return decide(workload, links, apps, context);
}

/**
 * A path stated in `.pod2wi.yaml` wins over what pod2wi decided from the code; when the code says otherwise (latest
 * against legacy), the workload carries a warning with what the code shows.
 */
function withStatedPath(workload: WorkloadReport, decision: ReturnType<typeof decideWorkload>, stated: StatedPath): ReturnType<typeof decideWorkload> {
  const statedReason = { code: 'stated-path', message: `stated in .pod2wi.yaml: ${stated.reason}`, ...(stated.at ?? {}) };
  if (decision.path === stated.path) return { ...decision, reasons: [statedReason, ...decision.reasons] };
  const warnings = [...decision.warnings];
  if (decision.path === 'latest' || decision.path === 'legacy') {
    const why = decision.reasons.filter((item) => !item.code.startsWith('linked-')).map((item) => item.message).join('; ');
    warnings.push({ code: 'stated-path-contradicted', message: `the code says ${decision.path}${why ? `: ${why}` : ''}; .pod2wi.yaml states ${stated.path}`, ...(stated.at ?? {}) });
  }
  if (stated.path === 'latest') return { ...decision, path: 'latest', blocked: false, reasons: [statedReason], warnings, proxy: null };
  const blockers = [
    workload.os === 'windows' ? { code: 'blocked-windows', message: 'Windows pod: the migration proxy is Linux-only, so the SDK must be upgraded instead', ...(workload.osAt ?? {}) } : null,
    workload.hostNetwork ? { code: 'blocked-host-network', message: 'hostNetwork: true: the webhook refuses to inject the proxy into host-network pods', file: workload.file, line: workload.line } : null,
  ].filter((item): item is NonNullable<typeof item> => item !== null);
  const taken = new Set(workload.containers.flatMap((container) => container.ports));
  let next = defaultProxyPort;
  while (taken.has(next)) next++;
  const port = next === defaultProxyPort ? null : next;
  return { ...decision, path: 'legacy', blocked: blockers.length > 0, reasons: [statedReason, ...blockers], warnings, proxy: blockers.length > 0 ? null : { port } };
}

/** The identity the ServiceAccount will carry: the first bound identity, when its client ID is a real GUID. */
function plannedIdentity(workload: WorkloadReport): PlannedIdentity | null {
  const identity = workload.podIdentity?.identities[0];
  if (!identity?.clientId || !isGuid(identity.clientId)) return null;
  return {
    name: identity.name,
    namespace: identity.namespace,
    type: identity.type,
    clientId: identity.clientId,
    tenantId: identity.tenantId,
    subscriptionId: identity.subscriptionId,
    resourceGroup: identity.resourceGroup,
    identityName: identity.identityName,
    evidence: { file: identity.file, line: identity.line },
  };
}
