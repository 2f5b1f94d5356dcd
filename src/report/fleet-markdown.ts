import type { FleetReport, FleetRepository } from '../model/fleet-report.js';
import { plural, stripTrailing } from '../model/text.js';
import { oneLineDeep } from './escape.js';
import { cell } from './markdown.js';

const code = (value: string): string => `\`${value.replace(/`/g, "'")}\``;
const list = (values: readonly string[]): string => (values.length === 0 ? '—' : values.map(code).join(', '));

const gapLabel = { 'below-floor': 'below the workload-identity floor', legacy: 'legacy (IMDS only)' } as const;

/**
 * The fleet report for people: the totals, one row per repository, workloads by verdict, what blocks the proxy, SDK
 * gaps by ecosystem, the identities still bound, then every workload by verdict. Tables only, GitHub-flavoured
 * Markdown, so it reads the same in a job summary, a pull request or an issue. Every value from a report is made one
 * line and escaped for a table cell.
 */
export function renderFleetMarkdown(fleet: FleetReport): string {
  const report = oneLineDeep(fleet);
  const s = report.summary;
  const lines: string[] = [];
  lines.push('# pod2wi fleet report', '');
  lines.push(
    `${plural(s.repositories, 'repository', 'repositories')} · ${plural(s.workloads, 'workload')}, ${s.withPodIdentity} with pod identity: ` +
      `**${s.paths.legacy} legacy**${s.blocked ? ` (${s.blocked} blocked)` : ''} · ${s.paths.latest} latest · ${s.paths.unknown} unknown; ` +
      `${s.paths.migrated} migrated · ${plural(s.identitiesStillBound, 'identity', 'identities')} still bound · ` +
      `${plural(s.applicationsWithSdkGaps, 'application')} with SDK gaps · ${plural(s.findings.error, 'error')}, ${plural(s.findings.warning, 'warning')}`,
    '',
  );
  const missing = report.repositories.filter((row) => row.status === 'missing');
  if (missing.length > 0) {
    lines.push(`**Incomplete:** ${plural(missing.length, 'listed repository', 'listed repositories')} without a report: ${list(missing.map((row) => row.name))}.`, '');
  }

  lines.push('## Repositories', '');
  lines.push('| repository | workloads | with pod identity | legacy | blocked | latest | unknown | migrated | identities still bound | apps with SDK gaps | errors | warnings |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of report.repositories) lines.push(repositoryRow(row));
  lines.push('');

  lines.push('## Workloads by verdict', '');
  lines.push('| verdict | workloads | blocked | repositories |', '|---|---:|---:|---|');
  for (const verdict of report.verdicts) lines.push(`| ${verdict.path} | ${verdict.workloads} | ${verdict.blocked} | ${cell(list(verdict.repositories))} |`);
  lines.push('');

  lines.push('## Blockers', '');
  if (report.blockers.length === 0) lines.push('No legacy workload is kept from the migration proxy.', '');
  else {
    lines.push('| blocker | workloads | repositories |', '|---|---:|---|');
    for (const blocker of report.blockers) lines.push(`| ${code(blocker.code)} | ${blocker.workloads} | ${cell(list(blocker.repositories))} |`);
    lines.push('');
  }

  lines.push('## SDK gaps by ecosystem', '');
  if (report.sdkGaps.length === 0) lines.push('No identity library below the workload-identity floor, and no legacy library.', '');
  for (const ecosystem of report.sdkGaps) {
    lines.push(`### ${ecosystem.ecosystem} (${plural(ecosystem.applications, 'application')})`, '');
    lines.push('| package | gap | versions | used in |', '|---|---|---|---|');
    for (const gap of ecosystem.packages) {
      const versions = gap.versions.map((version) => version ?? 'unknown').join(', ');
      const uses = gap.uses.map((use) => cell(`${code(use.repository)} ${code(`${use.file}:${use.line}`)}`)).join('<br>');
      lines.push(`| ${cell(code(gap.name))} | ${gapLabel[gap.gap]} | ${cell(versions)} | ${uses} |`);
    }
    lines.push('');
  }

  lines.push('## Identities still bound', '');
  if (report.identities.length === 0) lines.push('No AzureIdentity is bound to a workload.', '');
  else {
    lines.push('| repository | namespace | identity | type | client ID | bound workloads | also bound in | declared at |', '|---|---|---|---|---|---|---|---|');
    for (const identity of report.identities) {
      lines.push(
        `| ${cell(code(identity.repository))} | ${cell(identity.namespace)} | ${cell(identity.name)} | ${identity.type} | ${cell(identity.clientId ?? '—')} | ` +
          `${cell(list(identity.usedBy))} | ${cell(list(identity.alsoBoundIn))} | ${cell(code(`${identity.file}:${identity.line}`))} |`,
      );
    }
    lines.push('');
  }

  lines.push('## Workloads', '');
  const onPath = report.verdicts.filter((verdict) => verdict.path !== 'not-applicable' && verdict.workloads > 0);
  if (onPath.length === 0) lines.push('No workload has or had pod identity.', '');
  for (const verdict of onPath) {
    lines.push(`### ${verdict.path} (${verdict.workloads})`, '');
    lines.push('| repository | workload | identity | blocked by | evidence |', '|---|---|---|---|---|');
    for (const workload of report.workloads.filter((item) => item.path === verdict.path)) {
      lines.push(
        `| ${cell(code(workload.repository))} | ${cell(`${workload.kind} ${workload.namespace}/${workload.name}`)} | ${cell(workload.identity ?? '—')} | ` +
          `${cell(list(workload.blockers))} | ${cell(code(`${workload.file}:${workload.line}`))} |`,
      );
    }
    lines.push('');
  }
  return `${stripTrailing(lines.join('\n'), '\n')}\n`;
}

function repositoryRow(row: FleetRepository): string {
  if (row.status === 'missing') {
    return `| ${cell(code(row.name))} | no report | | | | | | | | | | |`;
  }
  const p = row.paths;
  return (
    `| ${cell(code(row.name))} | ${row.workloads} | ${row.withPodIdentity} | ${p.legacy} | ${row.blocked} | ${p.latest} | ${p.unknown} | ${p.migrated} | ` +
    `${row.identitiesStillBound} | ${row.applicationsWithSdkGaps} | ${row.findings.error} | ${row.findings.warning} |`
  );
}
