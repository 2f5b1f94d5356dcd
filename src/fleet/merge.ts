import type { Ecosystem } from '../model/application.js';
import type {
  FindingCounts,
  FleetBlocker,
  FleetEcosystemGaps,
  FleetIdentity,
  FleetPackageGap,
  FleetPackageUse,
  FleetReport,
  FleetRepository,
  FleetVerdict,
  FleetWorkload,
  PathCounts,
} from '../model/fleet-report.js';
import { compareStrings } from '../model/location.js';
import type { MigrationPath } from '../model/report.js';
import { toolVersion } from '../version.js';
import type { MergeInput } from './read-report.js';

/** One repository's report, named. */
export interface NamedReport {
  readonly name: string;
  /** The report file as given. */
  readonly file: string;
  readonly report: MergeInput;
}

/** A repository a list names but no report stands for. */
export interface MissingRepository {
  readonly name: string;
}

/** Paths in the order a fleet report lists them: what needs work first. */
export const pathOrder: readonly MigrationPath[] = ['legacy', 'latest', 'unknown', 'migrated', 'not-applicable'];

/** Natural order for versions and names: digit runs compare as numbers (1.10.0 after 1.9.0), then as text. */
export function compareNatural(a: string, b: string): number {
  const left = a.match(/\d+|\D+/g) ?? [];
  const right = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const x = left[i] ?? '';
    const y = right[i] ?? '';
    if (x === y) continue;
    if (/^\d/.test(x) && /^\d/.test(y)) {
      const byNumber = x.replace(/^0+/, '').length - y.replace(/^0+/, '').length || compareStrings(x.replace(/^0+/, ''), y.replace(/^0+/, ''));
      if (byNumber !== 0) return byNumber;
    }
    return compareStrings(x, y);
  }
  return left.length - right.length || compareStrings(a, b);
}

const emptyPaths = (): Record<MigrationPath, number> => ({ latest: 0, legacy: 0, migrated: 0, unknown: 0, 'not-applicable': 0 });
const sortedUnique = (values: Iterable<string>): string[] => [...new Set(values)].sort(compareStrings);

/** The Azure identity behind an AzureIdentity, to find the same one bound in other repositories: client ID, else resource ID. */
function azureKey(identity: { readonly clientId: string | null; readonly resourceId: string | null }): string | null {
  if (identity.clientId && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(identity.clientId)) return `client:${identity.clientId.toLowerCase()}`;
  if (identity.resourceId && identity.resourceId.startsWith('/subscriptions/')) return `resource:${identity.resourceId.toLowerCase()}`;
  return null;
}

/** Identities bound to workloads in one repository, one row per namespace, name and Azure identity (merged over renders). */
function boundIdentities(named: NamedReport): Omit<FleetIdentity, 'alsoBoundIn'>[] {
  const rows = new Map<string, Omit<FleetIdentity, 'alsoBoundIn'> & { usedBy: string[] }>();
  const identities = [...named.report.identities].sort((a, b) => compareStrings(a.file, b.file) || a.line - b.line);
  for (const identity of identities) {
    if (identity.usedBy.length === 0) continue;
    const key = JSON.stringify([identity.namespace, identity.name, identity.type, identity.clientId, identity.resourceId]);
    const row = rows.get(key);
    if (row) {
      row.usedBy.push(...identity.usedBy);
      continue;
    }
    rows.set(key, {
      repository: named.name,
      namespace: identity.namespace,
      name: identity.name,
      type: identity.type,
      clientId: identity.clientId,
      resourceId: identity.resourceId,
      usedBy: [...identity.usedBy],
      file: identity.file,
      line: identity.line,
    });
  }
  return [...rows.values()].map((row) => ({ ...row, usedBy: sortedUnique(row.usedBy) }));
}

/** Identity libraries below the floor or legacy, one use per application, package and version. */
function sdkUses(named: NamedReport): (FleetPackageUse & { ecosystem: Ecosystem; name: string; gap: FleetPackageGap['gap'] })[] {
  const uses = new Map<string, FleetPackageUse & { ecosystem: Ecosystem; name: string; gap: FleetPackageGap['gap'] }>();
  for (const application of named.report.applications) {
    const dependencies = [...application.dependencies].sort((a, b) => compareStrings(a.file, b.file) || a.line - b.line);
    for (const dependency of dependencies) {
      const gap = dependency.legacy ? 'legacy' : dependency.supportsWorkloadIdentity === false ? 'below-floor' : null;
      if (!gap) continue;
      const key = JSON.stringify([application.path, dependency.ecosystem, dependency.name, gap, dependency.version]);
      if (uses.has(key)) continue;
      uses.set(key, {
        ecosystem: dependency.ecosystem,
        name: dependency.name,
        gap,
        repository: named.name,
        application: application.path,
        version: dependency.version,
        file: dependency.file,
        line: dependency.line,
      });
    }
  }
  return [...uses.values()];
}

function workloadRows(named: NamedReport): FleetWorkload[] {
  return named.report.workloads
    .filter((workload) => workload.migration.path !== 'not-applicable')
    .map((workload) => {
      const decisive = workload.migration.reasons.find((reason) => reason.file !== undefined && reason.line !== undefined);
      const at = decisive?.file !== undefined && decisive.line !== undefined ? { file: decisive.file, line: decisive.line } : (workload.podIdentity ?? workload);
      return {
        repository: named.name,
        id: workload.id,
        kind: workload.kind,
        namespace: workload.namespace,
        name: workload.name,
        path: workload.migration.path,
        blocked: workload.migration.blocked,
        blockers: sortedUnique(workload.migration.reasons.map((reason) => reason.code).filter((code) => code.startsWith('blocked-'))),
        identity: workload.podIdentity?.identities[0]?.name ?? null,
        file: at.file,
        line: at.line,
      };
    });
}

function findingCounts(report: MergeInput): FindingCounts {
  const counts = { error: 0, warning: 0, note: 0 };
  for (const finding of report.findings) counts[finding.severity]++;
  return counts;
}

/**
 * Combines per-repository scan reports into one fleet report. Pure and deterministic: every list is sorted, counts are
 * recomputed from the workloads, and nothing depends on the order the reports came in. The names must be unique (the
 * CLI refuses duplicates before calling this).
 */
export function mergeReports(reports: readonly NamedReport[], missing: readonly MissingRepository[] = []): FleetReport {
  const sorted = [...reports].sort((a, b) => compareStrings(a.name, b.name));
  const identitiesByRepo = new Map(sorted.map((named) => [named.name, boundIdentities(named)]));
  const usesByRepo = new Map(sorted.map((named) => [named.name, sdkUses(named)]));
  const workloads = sorted.flatMap(workloadRows);

  // Which repositories bind each Azure identity, for `alsoBoundIn`.
  const reposByAzureIdentity = new Map<string, Set<string>>();
  for (const [repository, rows] of identitiesByRepo) {
    for (const row of rows) {
      const key = azureKey(row);
      if (!key) continue;
      const set = reposByAzureIdentity.get(key) ?? new Set<string>();
      set.add(repository);
      reposByAzureIdentity.set(key, set);
    }
  }
  const identities: FleetIdentity[] = [...identitiesByRepo.values()].flat().map((row) => {
    const key = azureKey(row);
    const others = key ? [...(reposByAzureIdentity.get(key) ?? [])].filter((repository) => repository !== row.repository) : [];
    return { ...row, alsoBoundIn: sortedUnique(others) };
  });
  identities.sort((a, b) => compareStrings(a.repository, b.repository) || compareStrings(a.namespace, b.namespace) || compareStrings(a.name, b.name) || compareStrings(a.file, b.file) || a.line - b.line);

  const rows: FleetRepository[] = sorted.map((named) => {
    const all = named.report.workloads;
    const paths = emptyPaths();
    for (const workload of all) paths[workload.migration.path]++;
    const uses = usesByRepo.get(named.name) ?? [];
    return {
      status: 'scanned',
      name: named.name,
      root: named.report.root,
      toolVersion: named.report.tool.version,
      workloads: all.length,
      withPodIdentity: all.filter((workload) => workload.podIdentity !== null).length,
      paths,
      blocked: all.filter((workload) => workload.migration.blocked).length,
      identitiesStillBound: identitiesByRepo.get(named.name)?.length ?? 0,
      applications: named.report.applications.length,
      applicationsWithSdkGaps: new Set(uses.map((use) => use.application)).size,
      findings: findingCounts(named.report),
    };
  });
  const allRows: FleetRepository[] = [
    ...rows,
    ...missing.map((item): FleetRepository => ({ status: 'missing', name: item.name })),
  ].sort((a, b) => compareStrings(a.name, b.name));

  const verdicts: FleetVerdict[] = pathOrder.map((path) => {
    const on = sorted.flatMap((named) => named.report.workloads.filter((workload) => workload.migration.path === path).map((workload) => ({ named, workload })));
    return {
      path,
      workloads: on.length,
      blocked: on.filter((item) => item.workload.migration.blocked).length,
      repositories: sortedUnique(on.map((item) => item.named.name)),
    };
  });

  const blockerMap = new Map<string, { workloads: number; repositories: Set<string> }>();
  for (const workload of workloads) {
    for (const code of workload.blockers) {
      const entry = blockerMap.get(code) ?? { workloads: 0, repositories: new Set<string>() };
      entry.workloads++;
      entry.repositories.add(workload.repository);
      blockerMap.set(code, entry);
    }
  }
  const blockers: FleetBlocker[] = [...blockerMap]
    .map(([code, entry]) => ({ code, workloads: entry.workloads, repositories: sortedUnique(entry.repositories) }))
    .sort((a, b) => b.workloads - a.workloads || compareStrings(a.code, b.code));

  const allUses = [...usesByRepo.values()].flat();
  const ecosystems = sortedUnique(allUses.map((use) => use.ecosystem)) as Ecosystem[];
  const sdkGaps: FleetEcosystemGaps[] = ecosystems.map((ecosystem) => {
    const inEcosystem = allUses.filter((use) => use.ecosystem === ecosystem);
    const packageKeys = sortedUnique(inEcosystem.map((use) => JSON.stringify([use.name, use.gap])));
    const packages: FleetPackageGap[] = packageKeys
      .map((key) => JSON.parse(key) as [string, FleetPackageGap['gap']])
      .sort((a, b) => compareNatural(a[0], b[0]) || compareStrings(a[1], b[1]))
      .map(([name, gap]) => {
        const uses = inEcosystem
          .filter((use) => use.name === name && use.gap === gap)
          .map(({ repository, application, version, file, line }) => ({ repository, application, version, file, line }))
          .sort((a, b) => compareStrings(a.repository, b.repository) || compareStrings(a.application, b.application) || compareNatural(a.version ?? '', b.version ?? '') || compareStrings(a.file, b.file) || a.line - b.line);
        const known = [...new Set(uses.map((use) => use.version).filter((version): version is string => version !== null))].sort(compareNatural);
        const versions: (string | null)[] = uses.some((use) => use.version === null) ? [...known, null] : known;
        return { name, gap, versions, uses };
      });
    return { ecosystem, applications: new Set(inEcosystem.map((use) => `${use.repository}\u0000${use.application}`)).size, packages };
  });

  const paths = emptyPaths();
  const findings = { error: 0, warning: 0, note: 0 };
  for (const row of rows) {
    if (row.status !== 'scanned') continue;
    for (const path of pathOrder) paths[path] += row.paths[path];
    findings.error += row.findings.error;
    findings.warning += row.findings.warning;
    findings.note += row.findings.note;
  }
  const scanned = rows.filter((row): row is Extract<FleetRepository, { status: 'scanned' }> => row.status === 'scanned');
  const summaryPaths: PathCounts = paths;
  return {
    schemaVersion: 1,
    tool: { name: 'pod2wi', version: toolVersion },
    kind: 'fleet',
    summary: {
      repositories: scanned.length,
      missing: missing.length,
      workloads: scanned.reduce((sum, row) => sum + row.workloads, 0),
      withPodIdentity: scanned.reduce((sum, row) => sum + row.withPodIdentity, 0),
      paths: summaryPaths,
      blocked: scanned.reduce((sum, row) => sum + row.blocked, 0),
      identitiesStillBound: identities.length,
      applicationsWithSdkGaps: scanned.reduce((sum, row) => sum + row.applicationsWithSdkGaps, 0),
      findings,
    },
    repositories: allRows,
    verdicts,
    blockers,
    sdkGaps,
    identities,
    workloads: workloads.sort(
      (a, b) =>
        compareStrings(a.repository, b.repository) ||
        pathOrder.indexOf(a.path) - pathOrder.indexOf(b.path) ||
        compareStrings(a.namespace, b.namespace) ||
        compareStrings(a.name, b.name) ||
        compareStrings(a.id, b.id),
    ),
  };
}
