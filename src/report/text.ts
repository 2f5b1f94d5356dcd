import { createColors } from 'picocolors';
import { groupedCount } from '../model/text.js';
import { severityRank, type Severity } from '../model/finding.js';
import { compareStrings } from '../model/location.js';
import type { Evidence, MigrationReason, ScanReport, SecretProviderClassReport, WorkloadReport } from '../model/report.js';
import { placeholderIn } from '../model/placeholders.js';
import { atLeast, groupFindings, renderFindingGroups } from './finding-groups.js';
import { defaultWidth, wrap, wrapWithLocation } from './wrap.js';

export interface TextOptions {
  readonly color: boolean;
  /** Seconds the scan took; shown only when given (terminals), so the text stays byte-identical in files. */
  readonly elapsed?: number;
  /** Columns to lay the text out for (default 80, the width of text that is not on a terminal). */
  readonly width?: number;
  /** Every location of a repeated finding and every finding of a rule, instead of the first few. */
  readonly verbose?: boolean;
  /** Only the summary and the errors. */
  readonly quiet?: boolean;
  /** Findings below this severity are counted in the summary but not listed. */
  readonly minSeverity?: Severity;
}

const typeLabel = {
  'user-assigned-managed-identity': 'user-assigned',
  'service-principal': 'service principal',
  'service-principal-certificate': 'service principal, certificate',
} as const;

/**
 * The terminal report. First a summary (workloads by verdict, what blocks, what to do next: one line each); then per
 * namespace each workload with pod identity (or workload identity), the evidence of every claim at the end of its
 * line, and its warnings; then the findings grouped by rule, each repeated message once with a count and its first
 * locations. Lines are wrapped at spaces to the width; nothing is cut (the JSON has the same text).
 */
export function renderText(report: ScanReport, options: TextOptions): string {
  const c = createColors(options.color);
  const width = options.width ?? defaultWidth;
  const lines: string[] = [];
  const row: Row = (left, at, first, rest) => {
    lines.push(...wrapWithLocation(left, at ? c.dim(`${at.file}:${at.line}`) : null, width, first, rest));
  };

  const s = report.summary;
  const elapsed = options.elapsed === undefined ? '' : ` in ${options.elapsed.toFixed(1)} s`;
  lines.push(
    ...wrap(`${c.bold(`pod2wi ${report.tool.version}`)} · ${report.root} · scanned ${groupedCount(s.files, 'file')}${elapsed} · ${groupedCount(s.manifestFiles, 'manifest file')} · ${groupedCount(s.workloads, 'workload')} (${s.withPodIdentity} with pod identity)`, width, '', '  '),
  );
  lines.push('', ...summaryLines(report, width, options.minSeverity ?? 'note'));

  if (options.quiet !== true) {
    const namespaces = [...new Set(report.workloads.map((workload) => workload.namespace))].sort(compareStrings);
    for (const namespace of namespaces) {
      const inNamespace = report.workloads.filter((workload) => workload.namespace === namespace);
      const detailed = inNamespace.filter(isInteresting);
      const others = inNamespace.filter((workload) => !isInteresting(workload));
      lines.push('');
      const sources = [...new Set(inNamespace.map((workload) => workload.namespaceSource))].sort();
      lines.push(...wrap(c.bold(`namespace ${namespace}`) + c.dim(`  (from ${sources.join(', ')})`), width, '', '  '));
      for (const workload of detailed) renderWorkload(workload, row, c, declaredBy(report), report.secretProviderClasses ?? []);
      if (others.length > 0) {
        const names = others.map((workload) => `${workload.kind} ${workload.name}`);
        const listed = options.verbose === true ? names : names.slice(0, 6);
        lines.push(...wrap(c.dim(`${groupedCount(others.length, 'other workload')} without pod identity: ${listed.join(', ')}${names.length > listed.length ? ', …' : ''}`), width, '  ', '    '));
      }
    }
  }

  const minimum = options.quiet === true ? 'error' : (options.minSeverity ?? 'note');
  const listed = atLeast(report.findings, minimum);
  if (listed.length > 0) {
    lines.push('', c.bold(options.quiet === true ? 'errors' : 'findings'));
    lines.push(...renderFindingGroups(groupFindings(listed), { width, color: options.color, verbose: options.verbose === true, locate: (finding) => `${finding.file}:${finding.line}` }));
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The summary: workloads by verdict, what blocks (errors and blocked workloads), and what to do next, one line each
 * (wrapped when the width asks for it).
 */
function summaryLines(report: ScanReport, width: number, minSeverity: Severity): string[] {
  const s = report.summary;
  const tally = (['legacy', 'latest', 'migrated', 'unknown', 'not-applicable'] as const)
    .filter((path) => s.paths[path] > 0)
    .map((path) => `${s.paths[path]} ${path}`);
  const bySeverity = (severity: Severity) => report.findings.filter((finding) => finding.severity === severity).length;
  const errors = bySeverity('error');
  const blocked = report.workloads.filter((workload) => workload.migration.blocked).length;
  const unknown = report.workloads.filter((workload) => workload.migration.path === 'unknown').length;
  const toMove = report.workloads.filter((workload) => workload.migration.path === 'legacy' || workload.migration.path === 'latest').length;
  const blockers = [errors > 0 ? groupedCount(errors, 'error') : null, blocked > 0 ? `${groupedCount(blocked, 'blocked workload')} (its SDK must change first)` : null].filter((part): part is string => part !== null);
  const next: string[] = [];
  if (errors > 0) next.push(`fix the ${groupedCount(errors, 'error')} under findings`);
  if (unknown > 0) next.push(`name the code of the ${groupedCount(unknown, 'unknown workload')} (.pod2wi.yaml applications or workloads, or --app PATH)`);
  if (toMove > 0 || blocked > 0) next.push('pod2wi plan, then pod2wi fix --dry-run');
  if (next.length === 0) next.push(s.withPodIdentity === 0 ? 'nothing to migrate' : 'pod2wi check in CI keeps pod identity from coming back');
  const findingCounts = (['error', 'warning', 'note'] as const)
    .map((severity) => [severity, bySeverity(severity)] as const)
    .filter(([, n]) => n > 0)
    .map(([severity, n]) => groupedCount(n, severity));
  const hidden = (['warning', 'note'] as const).filter((severity) => severityRank(severity) < severityRank(minSeverity) && bySeverity(severity) > 0);
  const field = (name: string, text: string) => wrap(`${name.padEnd(11)}${text}`, width, '', ' '.repeat(11));
  return [
    ...field('workloads', tally.join(' · ') || 'none'),
    ...field('blockers', blockers.join(' · ') || 'none'),
    ...field('findings', `${findingCounts.join(' · ') || 'none'}${hidden.length ? ` (${hidden.map((severity) => `${severity}s`).join(' and ')} not listed: --min-severity ${minSeverity})` : ''}`),
    ...field('next', next.join('; then ')),
  ];
}

/** `, AKS add-on` or `, cluster export` for an identity that no manifest declares; empty otherwise. */
function declaredBy(report: ScanReport): (identity: { file: string; line: number }) => string {
  const sources = new Map(report.identities.map((identity) => [`${identity.file}:${identity.line}`, identity.source]));
  return (identity) => {
    const source = sources.get(`${identity.file}:${identity.line}`);
    return source === 'addon' ? ', AKS add-on' : source === 'cluster-export' ? ', cluster export' : '';
  };
}

function isInteresting(workload: WorkloadReport): boolean {
  return workload.podIdentity !== null || workload.workloadIdentity.useLabel || workload.workloadIdentity.clientId !== null || workload.workloadIdentity.proxySidecar;
}

/** One claim: its text wrapped from `first` (continuing at `rest`), its evidence at the end. */
type Row = (text: string, at: Evidence | null, first: string, rest: string) => void;
type Colors = ReturnType<typeof createColors>;

function renderWorkload(workload: WorkloadReport, row: Row, c: Colors, declared: (identity: { file: string; line: number }) => string, providerClasses: readonly SecretProviderClassReport[]): void {
  row(c.bold(`${workload.kind} ${workload.name}`), workload, '  ', '    ');
  const indent = ' '.repeat(19);
  // Each claim once: overlays and copies of one binding chain would repeat the same lines.
  const seen = new Set<string>();
  const field = (name: string, text: string, at: Evidence | null) => {
    const key = `${name}\u0000${text}`;
    if (name === '' && seen.has(key)) return;
    seen.add(key);
    row(text, at, `    ${name.padEnd(14)} `, name === '' ? `${indent}  ` : indent);
  };
  if (workload.source !== 'manifest') field('rendered', workload.unit, null);
  const pod = workload.podIdentity;
  if (pod) {
    const value = pod.selector ?? pod.template ?? '';
    const conditions = pod.conditions.length ? ` (when ${pod.conditions.join(' and ')})` : '';
    const via = pod.via === 'inline' ? '' : ` via ${pod.via}`;
    field('pod identity', `aadpodidbinding=${value}${via}${conditions}`, pod);
    if (pod.identities.length === 0) field('', placeholderIn(pod.selector ?? '') ? '→ set at deploy time: no binding in the repository can match it' : '→ no AzureIdentityBinding in the repository', null);
    const chains = new Set<string>();
    for (const identity of pod.identities) {
      const across = identity.crossNamespace ? ` (binding in ${identity.binding.namespace})` : '';
      const binding = `→ binding ${identity.binding.name}${across} → AzureIdentity ${identity.name} (${typeLabel[identity.type]}${declared(identity)})`;
      const where = identity.identityName ? `  identity ${identity.identityName} in ${identity.resourceGroup}` : '';
      const client = `client id ${identity.clientId ?? 'unresolved'}${where}`;
      if (chains.has(`${binding}\u0000${client}`)) continue;
      chains.add(`${binding}\u0000${client}`);
      row(binding, identity.binding, indent, `${indent}  `);
      row(client, identity.clientIdAt ?? identity, `${indent}  `, `${indent}    `);
    }
    if (pod.resolvedAt) field('', `value written in ${pod.resolvedAt.file}`, pod.resolvedAt);
  }
  const sa = workload.serviceAccount;
  const saState = sa.exists ? 'exists' : sa.implicit ? 'default, implicit' : workload.kind === 'HelmRelease' ? 'created by the chart' : 'not in the repository';
  field('service acct', `${sa.name} (${saState})`, sa);
  const wi = workload.workloadIdentity;
  const wiParts = [
    wi.useLabel ? 'use label' : null,
    wi.clientId ? `client-id ${wi.clientId}` : null,
    wi.proxySidecar ? `proxy sidecar${wi.proxySidecarPort ? ` :${wi.proxySidecarPort}` : ''}` : null,
  ].filter((part): part is string => part !== null);
  field('workload id', wiParts.length ? wiParts.join(', ') : 'not configured', wi.useLabelAt ?? wi.clientIdAt);
  for (const item of providerClasses.filter((candidate) => candidate.usedBy.includes(workload.id))) {
    const mode = item.podIdentity ? `pod identity (usePodIdentity ${item.usePodIdentity ?? ''})` : item.clientId ? `clientID ${item.clientId}` : 'no pod identity';
    field('key vault', `SecretProviderClass ${item.name}: ${mode}`, item.usePodIdentityAt ?? item.clientIdAt ?? item);
  }
  if (workload.os !== 'unknown') field('os', workload.os, workload.osAt);
  const verdict = workload.migration.path.toUpperCase() + (workload.migration.blocked ? ' (blocked)' : '');
  field('verdict', verdict, null);
  const listed = new Set<string>();
  const entry = (mark: string, reason: MigrationReason) => {
    const key = `${mark}${reason.message}\u0000${reason.file ?? ''}:${reason.line ?? ''}`;
    if (listed.has(key)) return;
    listed.add(key);
    row(`${mark} ${reason.message}`, reason.file && reason.line ? { file: reason.file, line: reason.line } : null, indent, `${indent}  `);
  };
  for (const reason of workload.migration.reasons) entry('-', reason);
  for (const warning of workload.migration.warnings) entry('!', warning);
}
