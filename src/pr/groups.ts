import type { ScanReport, WorkloadReport } from '../model/report.js';
import type { MigrationPlan, WorkloadPlan } from '../plan/model.js';
import type { FixPhase } from './applier.js';

/** How workloads are split into pull requests: one for the repository, or one per namespace, application or workload. */
export const groupings = ['repo', 'namespace', 'application', 'workload'] as const;

export type Grouping = (typeof groupings)[number];

/** The workloads of one pull request, and the ones of the same group the phase leaves alone. */
export interface WorkloadGroup {
  /** The namespace, application folder or workload id; null for `--group-by repo`. */
  readonly key: string | null;
  /**
   * How titles and bodies name the group after "N workloads": `in namespace shop`, `of application apps/orders-api`,
   * `without a linked application`; for one workload its `Kind namespace/name`; null for the repository.
   */
  readonly label: string | null;
  /** The key as one branch-name segment; null for the repository. */
  readonly slug: string | null;
  /** `pod2wi/<phase>` or `pod2wi/<phase>/<slug>`. */
  readonly branch: string;
  /** Workload ids the phase applies to, sorted: what the fix is asked to change. */
  readonly workloads: readonly string[];
  /** Workload ids of this group the fix leaves alone (blocked, or path unknown), sorted. */
  readonly leftAlone: readonly string[];
}

/**
 * Whether a phase has something to do for a workload, as the plan sees it. Blocked and unknown workloads are left
 * alone (the SDK upgrade, or a human, comes first), as `pod2wi plan` says.
 */
export function inPhase(item: WorkloadPlan, workload: WorkloadReport | undefined, phase: FixPhase): boolean {
  if (item.blocked || item.path === 'unknown' || item.path === 'not-applicable') return false;
  switch (phase) {
    case 'parallel':
      return item.path === 'latest' || item.path === 'legacy';
    case 'cutover':
      return (workload?.podIdentity ?? null) !== null;
    case 'finalize':
      return item.proxy !== null || workload?.workloadIdentity.proxySidecar === true;
  }
}

/** Why the phase leaves a workload alone, for the body; null when it does not. */
export function leftAloneReason(item: WorkloadPlan): string | null {
  if (item.blocked) {
    const blocks = item.reasons.filter((reason) => reason.code.startsWith('blocked-')).map((reason) => reason.message);
    return `blocked: ${blocks.join('; ') || 'the proxy cannot run here'}; upgrade the SDK first`;
  }
  if (item.path === 'unknown') {
    const first = item.reasons.find((reason) => !reason.code.startsWith('linked-'));
    return `path unknown: ${first?.message ?? 'pod2wi cannot tell how it gets tokens'}`;
  }
  return null;
}

/** A branch-name segment: lower case, `[a-z0-9._-]`, no leading or trailing punctuation, at most 60 characters. */
export function slugify(value: string): string {
  const slug = value
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/-{2,}/g, '-')
    .slice(0, 60)
    .replace(/^[-._]+|[-._]+$/g, '')
    .replace(/\.lock$/, '-lock');
  return slug || 'group';
}

/** `pod2wi/<phase>` or `pod2wi/<phase>/<slug>`. */
export function branchName(phase: FixPhase, slug: string | null): string {
  return slug === null ? `pod2wi/${phase}` : `pod2wi/${phase}/${slug}`;
}

/**
 * Splits the workloads the phase applies to into pull requests. Groups without such a workload are dropped (their
 * blocked or unknown workloads show up in no pull request); groups come sorted by key, so `--max-prs` is stable.
 */
export function groupWorkloads(report: ScanReport, plan: MigrationPlan, phase: FixPhase, grouping: Grouping): WorkloadGroup[] {
  const byId = new Map(report.workloads.map((workload) => [workload.id, workload]));
  const members = new Map<string, { workloads: string[]; leftAlone: string[]; label: string | null; name: string }>();
  for (const item of plan.workloads) {
    const applies = inPhase(item, byId.get(item.workload), phase);
    if (!applies && leftAloneReason(item) === null) continue;
    const { key, label, name } = groupKey(item, grouping);
    const entry = members.get(key) ?? { workloads: [], leftAlone: [], label, name };
    (applies ? entry.workloads : entry.leftAlone).push(item.workload);
    members.set(key, entry);
  }
  const keys = [...members.keys()].filter((key) => (members.get(key)?.workloads.length ?? 0) > 0).sort();
  const used = new Set<string>();
  return keys.map((key) => {
    const entry = members.get(key) ?? { workloads: [], leftAlone: [], label: null, name: key };
    let slug: string | null = null;
    if (grouping !== 'repo') {
      const base = slugify(entry.name);
      slug = base;
      for (let n = 2; used.has(slug); n++) slug = `${base}-${n}`;
      used.add(slug);
    }
    return {
      key: grouping === 'repo' ? null : key,
      label: entry.label,
      slug,
      branch: branchName(phase, slug),
      workloads: [...entry.workloads].sort(),
      leftAlone: [...entry.leftAlone].sort(),
    };
  });
}

/** The group a workload belongs to: its key, how the body names it, and what its branch segment is made from. */
function groupKey(item: WorkloadPlan, grouping: Grouping): { key: string; label: string | null; name: string } {
  switch (grouping) {
    case 'repo':
      return { key: '', label: null, name: '' };
    case 'namespace':
      return { key: item.namespace, label: `in namespace ${item.namespace}`, name: item.namespace };
    case 'application': {
      // The first link is the most confident one.
      const path = item.applications[0]?.path;
      if (path === undefined) return { key: '', label: 'without a linked application', name: 'no-application' };
      return { key: path, label: path === '.' ? 'of the application at the root' : `of application ${path}`, name: path === '.' ? 'root' : path };
    }
    case 'workload':
      return { key: item.workload, label: `${item.kind} ${item.namespace}/${item.name}`, name: `${item.namespace}-${item.name}` };
  }
}
