/** The three phases of a migration, in order: side by side, cut over, remove the proxy. */
export const fixPhases = ['parallel', 'cutover', 'finalize'] as const;

export type FixPhase = (typeof fixPhases)[number];

/** What one run of the fix stage changed under its root. */
export interface FixResult {
  /** Root-relative POSIX paths of files written (created or modified). */
  readonly changedFiles: readonly string[];
  /** Root-relative POSIX paths of files removed. */
  readonly deletedFiles: readonly string[];
  /** Workloads (ids) the fix left alone, with why: blocked, unknown path, nothing to do in this phase. */
  readonly skipped: readonly { readonly workload: string; readonly reason: string }[];
}

/**
 * Applies one phase of the migration to the files under `root` for the given workloads (all when undefined) and
 * returns what changed. `pod2wi pr` depends only on this contract: it calls `apply` in a temporary work tree checked
 * out at the base branch, then commits whatever the work tree shows (git is the source of truth for "changed").
 */
export interface FixApplier {
  apply(input: { readonly root: string; readonly phase: FixPhase; readonly workloads?: readonly string[] }): Promise<FixResult>;
}
