import type { Finding, Severity } from '../model/finding.js';

/** What hides a finding: a `pod2wi-ignore` comment (SARIF `inSource`) or a `.pod2wi.yaml` ignore entry (`external`). */
export interface SuppressionRef {
  readonly kind: 'inSource' | 'external';
  readonly reason: string;
  /** `YYYY-MM-DD`, the last day the suppression works; null when open-ended. */
  readonly until: string | null;
  /** Where the suppression is written (root-relative). */
  readonly file: string;
  readonly line: number;
}

/**
 * Whether a finding counts: `open` findings do (when at or above the threshold); `suppressed` ones are hidden by a
 * valid suppression; `baselined` ones are recorded in the baseline given with `--baseline`.
 */
export type FindingStatus = 'open' | 'suppressed' | 'baselined';

/**
 * A finding of the gate. `fingerprint` identifies it across line moves: a hash of the rule, the file, the flagged
 * line's text without comments or spacing (plus the object it is about where the line alone is generic) and an
 * occurrence index among identical ones. `failing` is true for open findings at or above the threshold.
 */
export interface GateFinding extends Finding {
  readonly fingerprint: string;
  readonly status: FindingStatus;
  readonly failing: boolean;
  readonly suppression: SuppressionRef | null;
}

/** A gate rule as renderers describe it (from `rules/findings/*.yaml`). */
export interface GateRule {
  readonly id: string;
  readonly severity: Severity;
  readonly summary: string;
  readonly help: string;
  readonly docs: string | null;
}

/** One recorded finding of a baseline file. `line` and `message` are for people; matching uses `fingerprint`. */
export interface BaselineEntry {
  readonly fingerprint: string;
  readonly ruleId: string;
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/** Counts of a gate run, after `--changed-since` narrowed what is reported. */
export interface CheckSummary {
  /** Files walked, and files of a kind the gate reads (manifests, templates, infrastructure code, scripts). */
  readonly files: number;
  readonly read: number;
  /** Open findings by severity. */
  readonly open: Readonly<Record<Severity, number>>;
  readonly failing: number;
  readonly suppressed: number;
  readonly baselined: number;
  /** Baseline entries no longer found. */
  readonly fixed: number;
}

/**
 * The result of `pod2wi check`: the contract every renderer reads. Paths are relative to `root` with `/`
 * separators; findings are sorted by file, line, column, rule. `passed` is what the exit code reports.
 */
export interface CheckResult {
  readonly schemaVersion: 1;
  readonly tool: { readonly name: 'pod2wi'; readonly version: string };
  /** The checked folder as the user named it (relative to the working directory when possible). */
  readonly root: string;
  readonly failOn: Severity;
  readonly passed: boolean;
  /** Set with `--changed-since`: the ref and how many files under the root changed since it. */
  readonly changedSince: { readonly ref: string; readonly files: number } | null;
  /** Set with `--baseline`: the file as given and how many entries it holds. */
  readonly baseline: { readonly file: string; readonly entries: number } | null;
  /** False with `--no-ignore`. */
  readonly suppressionsApplied: boolean;
  readonly summary: CheckSummary;
  /** Every rule the gate checks, sorted by id (SARIF and JUnit list them all). */
  readonly rules: readonly GateRule[];
  readonly findings: readonly GateFinding[];
  /** Baseline entries whose finding is gone: the baseline can shrink (`--write-baseline`). */
  readonly fixed: readonly BaselineEntry[];
}

/** True when a finding at `severity` fails a gate whose threshold is `failOn`. */
export function atOrAbove(severity: Severity, failOn: Severity): boolean {
  const rank = (value: Severity) => (value === 'error' ? 3 : value === 'warning' ? 2 : 1);
  return rank(severity) >= rank(failOn);
}
