import type { Ecosystem } from './application.js';
import type { IdentityType, MigrationPath } from './report.js';

/**
 * The JSON contract of `pod2wi merge --format json` (schemaVersion 1), also described by
 * `schema/fleet-report.schema.json`: per-repository scan reports combined into one view of a fleet. Every list is
 * sorted and nothing depends on the clock or the machine, so the same reports give byte-identical output. Fields may
 * be added; none is ever renamed or removed.
 */
export interface FleetReport {
  readonly schemaVersion: 1;
  readonly tool: { readonly name: 'pod2wi'; readonly version: string };
  readonly kind: 'fleet';
  readonly summary: FleetSummary;
  /** One row per repository, sorted by name. */
  readonly repositories: readonly FleetRepository[];
  /** Workloads per migration path, in the order legacy, latest, unknown, migrated, not-applicable. */
  readonly verdicts: readonly FleetVerdict[];
  /** What keeps legacy workloads from the migration proxy (reason codes `blocked-*`), most workloads first. */
  readonly blockers: readonly FleetBlocker[];
  /** Identity libraries below the workload-identity floor or legacy, per ecosystem. */
  readonly sdkGaps: readonly FleetEcosystemGaps[];
  /** AzureIdentities still bound to workloads through aad-pod-identity, per repository. */
  readonly identities: readonly FleetIdentity[];
  /** Every workload that has or had pod identity (path other than not-applicable), per repository. */
  readonly workloads: readonly FleetWorkload[];
}

export type PathCounts = Readonly<Record<MigrationPath, number>>;

export interface FleetSummary {
  readonly repositories: number;
  /** Repositories named in `--repos-file` without a report. */
  readonly missing: number;
  readonly workloads: number;
  readonly withPodIdentity: number;
  readonly paths: PathCounts;
  /** Legacy workloads that cannot take the migration proxy. */
  readonly blocked: number;
  readonly identitiesStillBound: number;
  /** Applications with at least one identity library below the floor or legacy. */
  readonly applicationsWithSdkGaps: number;
  readonly findings: FindingCounts;
}

export interface FindingCounts {
  readonly error: number;
  readonly warning: number;
  readonly note: number;
}

export type FleetRepository =
  | ({ readonly status: 'scanned' } & ScannedRepository)
  /** Listed in `--repos-file` without a report (the error on stderr names the line). */
  | { readonly status: 'missing'; readonly name: string };

export interface ScannedRepository {
  /** The repository's name in the fleet: the report's `root`, or its file name with `--name-from file`. */
  readonly name: string;
  readonly root: string;
  readonly toolVersion: string;
  readonly workloads: number;
  readonly withPodIdentity: number;
  readonly paths: PathCounts;
  readonly blocked: number;
  readonly identitiesStillBound: number;
  readonly applications: number;
  readonly applicationsWithSdkGaps: number;
  readonly findings: FindingCounts;
}

export interface FleetVerdict {
  readonly path: MigrationPath;
  readonly workloads: number;
  /** Of which blocked (legacy only). */
  readonly blocked: number;
  /** Repositories with at least one workload on this path, sorted. */
  readonly repositories: readonly string[];
}

export interface FleetBlocker {
  readonly code: string;
  readonly workloads: number;
  readonly repositories: readonly string[];
}

export interface FleetEcosystemGaps {
  readonly ecosystem: Ecosystem;
  /** Applications of this ecosystem with at least one gap. */
  readonly applications: number;
  readonly packages: readonly FleetPackageGap[];
}

export interface FleetPackageGap {
  readonly name: string;
  /** `below-floor`: an Azure Identity version without workload identity; `legacy`: a library that only reaches IMDS. */
  readonly gap: 'below-floor' | 'legacy';
  /** Versions in use (null: unknown), sorted; an unknown version is listed as null last. */
  readonly versions: readonly (string | null)[];
  readonly uses: readonly FleetPackageUse[];
}

export interface FleetPackageUse {
  readonly repository: string;
  /** The application folder relative to the repository root. */
  readonly application: string;
  readonly version: string | null;
  readonly file: string;
  readonly line: number;
}

export interface FleetIdentity {
  readonly repository: string;
  readonly namespace: string;
  readonly name: string;
  readonly type: IdentityType;
  readonly clientId: string | null;
  readonly resourceId: string | null;
  /** Workload ids bound to it in this repository, sorted. */
  readonly usedBy: readonly string[];
  /** Other repositories binding the same Azure identity (same client ID, else resource ID), sorted. */
  readonly alsoBoundIn: readonly string[];
  readonly file: string;
  readonly line: number;
}

export interface FleetWorkload {
  readonly repository: string;
  readonly id: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly path: MigrationPath;
  readonly blocked: boolean;
  /** Reason codes `blocked-*`, sorted. */
  readonly blockers: readonly string[];
  /** The identity the pod selects today (first bound identity), null when none is bound. */
  readonly identity: string | null;
  /** The line that decides the path (the first reason with a location, else the label, else the workload). */
  readonly file: string;
  readonly line: number;
}
