import { createColors } from 'picocolors';
import type { Finding } from '../model/finding.js';
import { compareStrings } from '../model/location.js';
import type { Evidence, ScanReport, SecretProviderClassReport, WorkloadReport } from '../model/report.js';
import { placeholderIn } from '../model/placeholders.js';

export interface TextOptions {
  readonly color: boolean;
  /** Seconds the scan took; shown only when given (terminals), so the text stays byte-identical in files. */
  readonly elapsed?: number;
  /** Terminal width for right-aligned locations. */
  readonly width?: number;
}

const typeLabel = {
  'user-assigned-managed-identity': 'user-assigned',
  'service-principal': 'service principal',
  'service-principal-certificate': 'service principal, certificate',
} as const;

/**
 * The terminal report: per namespace, each workload with pod identity (or workload identity) and the evidence of
 * every claim at the end of its line; then the findings; then the counts and what to run next.
 */
export function renderText(report: ScanReport, options: TextOptions): string {
  const c = createColors(options.color);
  const width = Math.max(80, Math.min(options.width ?? 110, 140));
  const lines: string[] = [];
  const row = (left: string, at: Evidence | null, visible = left) => {
    if (!at) {
      lines.push(left);
      return;
    }
    const where = `${at.file}:${at.line}`;
    const pad = Math.max(2, width - visible.length - where.length);
    lines.push(`${left}${' '.repeat(pad)}${c.dim(where)}`);
  };

  const s = report.summary;
  const elapsed = options.elapsed === undefined ? '' : ` in ${options.elapsed.toFixed(1)} s`;
  lines.push(
    `${c.bold(`pod2wi ${report.tool.version}`)} · ${report.root} · scanned ${count(s.files, 'file')}${elapsed} · ${count(s.manifestFiles, 'manifest file')} · ${count(s.workloads, 'workload')} (${s.withPodIdentity} with pod identity)`,
  );

  const namespaces = [...new Set(report.workloads.map((workload) => workload.namespace))].sort(compareStrings);
  for (const namespace of namespaces) {
    const inNamespace = report.workloads.filter((workload) => workload.namespace === namespace);
    const detailed = inNamespace.filter(isInteresting);
    const others = inNamespace.filter((workload) => !isInteresting(workload));
    lines.push('');
    const sources = [...new Set(inNamespace.map((workload) => workload.namespaceSource))].sort();
    lines.push(c.bold(`namespace ${namespace}`) + c.dim(`  (from ${sources.join(', ')})`));
    for (const workload of detailed) renderWorkload(workload, row, c, declaredBy(report), report.secretProviderClasses ?? []);
    if (others.length > 0) {
      const names = others.map((workload) => `${workload.kind} ${workload.name}`);
      lines.push(c.dim(`  ${count(others.length, 'other workload')} without pod identity: ${names.slice(0, 6).join(', ')}${names.length > 6 ? ', …' : ''}`));
    }
  }

  if (report.findings.length > 0) {
    lines.push('', c.bold('findings'));
    for (const finding of report.findings) {
      const severity = paintSeverity(finding, c);
      lines.push(`  ${severity} ${finding.ruleId}  ${c.dim(`${finding.file}:${finding.line}`)}`);
      lines.push(`      ${finding.message}`);
    }
  }

  const tally = (['legacy', 'latest', 'migrated', 'unknown', 'not-applicable'] as const)
    .filter((path) => s.paths[path] > 0)
    .map((path) => `${s.paths[path]} ${path}`);
  const bySeverity = (['error', 'warning', 'note'] as const)
    .map((severity) => [severity, report.findings.filter((finding) => finding.severity === severity).length] as const)
    .filter(([, n]) => n > 0)
    .map(([severity, n]) => count(n, severity));
  lines.push('');
  lines.push(`${[...tally, ...bySeverity].join(' · ') || 'nothing found'}      ${c.dim('next: pod2wi plan · pod2wi fix --dry-run')}`);
  return `${lines.join('\n')}\n`;
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

type Row = (left: string, at: Evidence | null, visible?: string) => void;
type Colors = ReturnType<typeof createColors>;

function renderWorkload(workload: WorkloadReport, row: Row, c: Colors, declared: (identity: { file: string; line: number }) => string, providerClasses: readonly SecretProviderClassReport[]): void {
  const title = `  ${workload.kind} ${workload.name}`;
  row(c.bold(title), workload, title);
  const field = (name: string, text: string, at: Evidence | null) => {
    const left = `    ${name.padEnd(14)} ${text}`;
    row(left, at);
  };
  if (workload.source !== 'manifest') field('rendered', workload.unit, null);
  const pod = workload.podIdentity;
  if (pod) {
    const value = pod.selector ?? pod.template ?? '';
    const conditions = pod.conditions.length ? ` (when ${pod.conditions.join(' and ')})` : '';
    const via = pod.via === 'inline' ? '' : ` via ${pod.via}`;
    field('pod identity', `aadpodidbinding=${value}${via}${conditions}`, pod);
    if (pod.identities.length === 0) field('', placeholderIn(pod.selector ?? '') ? '→ set at deploy time: no binding in the repository can match it' : '→ no AzureIdentityBinding in the repository', null);
    for (const identity of pod.identities) {
      const across = identity.crossNamespace ? ` (binding in ${identity.binding.namespace})` : '';
      field('', `→ binding ${identity.binding.name}${across} → AzureIdentity ${identity.name} (${typeLabel[identity.type]}${declared(identity)})`, identity.binding);
      const where = identity.identityName ? `  identity ${identity.identityName} in ${identity.resourceGroup}` : '';
      field('', `  client id ${identity.clientId ?? 'unresolved'}${where}`, identity.clientIdAt ?? identity);
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
  for (const reason of workload.migration.reasons) {
    field('', `- ${reason.message}`, reason.file && reason.line ? { file: reason.file, line: reason.line } : null);
  }
  for (const warning of workload.migration.warnings) {
    field('', `! ${warning.message}`, warning.file && warning.line ? { file: warning.file, line: warning.line } : null);
  }
}

function paintSeverity(finding: Finding, c: Colors): string {
  const label = finding.severity.padEnd(7);
  return finding.severity === 'error' ? c.red(label) : finding.severity === 'warning' ? c.yellow(label) : c.cyan(label);
}

function count(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}
