import { createColors } from 'picocolors';
import type { CheckResult } from '../check/result.js';

/** Text options: colour only on a terminal (the CLI decides, honouring NO_COLOR and FORCE_COLOR). */
export interface CheckTextOptions {
  readonly color: boolean;
}

/** `12 errors · 1 warning`: counts with their nouns. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/**
 * The one-line verdict every format ends with: passed or failed, open counts by severity, what else was set aside,
 * the threshold, and what was read.
 */
export function verdictLine(result: CheckResult): string {
  const s = result.summary;
  if (result.changedSince && result.changedSince.files === 0 && result.findings.length === 0 && s.read === 0) {
    return `pod2wi check passed: no file the gate reads changed since ${result.changedSince.ref}`;
  }
  const parts: string[] = [];
  const open = s.open.error + s.open.warning + s.open.note;
  if (open === 0) parts.push('no findings');
  else parts.push([plural(s.open.error, 'error'), plural(s.open.warning, 'warning'), plural(s.open.note, 'note')].join(' · '));
  if (s.suppressed > 0) parts.push(`${s.suppressed} suppressed`);
  if (s.baselined > 0) parts.push(`${s.baselined} in the baseline`);
  if (s.fixed > 0) parts.push(`${s.fixed} fixed since the baseline (shrink it with --write-baseline)`);
  const scope = result.changedSince ? `${plural(result.changedSince.files, 'file')} changed since ${result.changedSince.ref}` : `${plural(s.read, 'file')} read`;
  return `pod2wi check ${result.passed ? 'passed' : 'failed'}: ${parts.join(' · ')} (fails on ${result.failOn}) · ${scope} under ${result.root}`;
}

/**
 * The terminal and log format: quiet when green (one line), precise when red: one `file:line:column: severity
 * rule: message` line per open finding (the form editors and CI problem matchers read), then the verdict line.
 * Suppressed and baselined findings are counted, not listed.
 */
export function renderCheckText(result: CheckResult, options: CheckTextOptions): string {
  const c = createColors(options.color);
  const paint = { error: c.red, warning: c.yellow, note: c.cyan } as const;
  const lines: string[] = [];
  for (const finding of result.findings) {
    if (finding.status !== 'open') continue;
    lines.push(`${finding.file}:${finding.line}:${finding.column}: ${paint[finding.severity](finding.severity)} ${c.dim(finding.ruleId)}: ${finding.message}`);
  }
  const verdict = verdictLine(result);
  lines.push(result.passed ? c.green(verdict) : c.bold(c.red(verdict)));
  return `${lines.join('\n')}\n`;
}
