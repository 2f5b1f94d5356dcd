import type { CheckResult, GateFinding } from '../check/result.js';
import { plural } from '../model/text.js';
import { ciPath, type CiPathOptions } from './paths.js';
import { stripTrailing } from '../model/text.js';

/** A table cell: pipes escaped, line breaks flattened, inline code kept readable. */
export function cell(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ').replace(/</g, '&lt;');
}

const code = (value: string): string => `\`${value.replace(/`/g, "'")}\``;

/**
 * A Markdown report for a CI job summary (`$GITHUB_STEP_SUMMARY`, an Azure Pipelines summary attachment) or a pull
 * request comment: the verdict, a table of open findings (rule linked to its docs), then collapsed tables of what
 * suppressions and the baseline set aside, and the baseline entries that are fixed.
 */
export function renderMarkdown(result: CheckResult, options: CiPathOptions): string {
  const s = result.summary;
  const docs = new Map(result.rules.map((rule) => [rule.id, rule.docs]));
  const rule = (id: string) => {
    const url = docs.get(id);
    return url ? `[${code(id)}](${url})` : code(id);
  };
  const where = (finding: Pick<GateFinding, 'file' | 'line'>) => code(`${ciPath(finding.file, options)}:${finding.line}`);
  const lines: string[] = [];
  lines.push(`### ${result.passed ? '✅ pod2wi check passed' : '❌ pod2wi check failed'}`, '');
  const counts = [plural(s.open.error, 'error'), plural(s.open.warning, 'warning'), plural(s.open.note, 'note')].join(' · ');
  const scope = result.changedSince ? `${plural(result.changedSince.files, 'file')} changed since ${code(result.changedSince.ref)}` : `${plural(s.read, 'file')} read`;
  lines.push(`${counts} · fails on ${code(result.failOn)} · ${scope} under ${code(result.root)}`, '');

  const open = result.findings.filter((finding) => finding.status === 'open');
  if (open.length > 0) {
    lines.push('| severity | rule | location | message |', '|---|---|---|---|');
    for (const finding of open) {
      lines.push(`| ${finding.failing ? `**${finding.severity}**` : finding.severity} | ${rule(finding.ruleId)} | ${where(finding)} | ${cell(finding.message)} |`);
    }
    lines.push('');
  }
  const aside = result.findings.filter((finding) => finding.status !== 'open');
  if (aside.length > 0) {
    lines.push(`<details><summary>${s.suppressed} suppressed · ${s.baselined} in the baseline</summary>`, '');
    lines.push('| status | rule | location | why |', '|---|---|---|---|');
    for (const finding of aside) {
      const why = finding.suppression
        ? `${finding.suppression.reason}${finding.suppression.until ? ` (until ${finding.suppression.until})` : ''} — ${code(`${ciPath(finding.suppression.file, options)}:${finding.suppression.line}`)}`
        : 'recorded in the baseline';
      lines.push(`| ${finding.status} | ${rule(finding.ruleId)} | ${where(finding)} | ${cell(why)} |`);
    }
    lines.push('', '</details>', '');
  }
  if (result.fixed.length > 0) {
    lines.push(`<details><summary>${result.fixed.length} baseline ${result.fixed.length === 1 ? 'entry' : 'entries'} fixed — shrink the baseline with <code>--write-baseline</code></summary>`, '');
    lines.push('| rule | was at | message |', '|---|---|---|');
    for (const entry of result.fixed) lines.push(`| ${rule(entry.ruleId)} | ${where(entry)} | ${cell(entry.message)} |`);
    lines.push('', '</details>', '');
  }
  return `${stripTrailing(lines.join('\n'), '\n')}\n`;
}
