import { createColors } from 'picocolors';
import { plural } from '../model/text.js';
import { atOrAbove, type CheckResult } from '../check/result.js';
import type { Severity } from '../model/finding.js';
import { compareStrings } from '../model/location.js';
import { groupFindings, renderFindingGroups } from './finding-groups.js';
import { defaultWidth, wrap } from './wrap.js';

/** Text options: colour only on a terminal (the CLI decides, honouring NO_COLOR and FORCE_COLOR). */
export interface CheckTextOptions {
  readonly color: boolean;
  /** Columns to lay the text out for (default 80, the width of text that is not on a terminal). */
  readonly width?: number;
  /** Every location of a repeated finding and every finding of a rule, instead of the first few. */
  readonly verbose?: boolean;
  /** Only the summary and the findings that fail the gate. */
  readonly quiet?: boolean;
  /** Open findings below this severity are counted but not listed (never one that fails the gate). */
  readonly minSeverity?: Severity;
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
 * The terminal and log format: quiet when green (one line). Otherwise a summary first (the verdict, what fails the
 * gate, what to do next), then the open findings grouped by rule: each distinct message once, whole, with its
 * `file:line:column`, or with a count and its first locations when it was seen in several places. Suppressed and
 * baselined findings are counted, not listed. Lines are wrapped at spaces to the width; the JSON has the same text.
 */
export function renderCheckText(result: CheckResult, options: CheckTextOptions): string {
  const c = createColors(options.color);
  const width = options.width ?? defaultWidth;
  const verdict = verdictLine(result);
  const lines = wrap(result.passed ? c.green(verdict) : c.bold(c.red(verdict)), width, '', '  ');
  const open = result.findings.filter((finding) => finding.status === 'open');
  if (open.length === 0) return `${lines.join('\n')}\n`;
  const failing = open.filter((finding) => finding.failing);
  const field = (name: string, text: string) => lines.push(...wrap(`${name.padEnd(11)}${text}`, width, '', ' '.repeat(11)));
  const rules = [...new Set(failing.map((finding) => finding.ruleId))].sort(compareStrings);
  field('blockers', failing.length === 0 ? `none at or above ${result.failOn}` : `${plural(failing.length, 'finding')} at or above ${result.failOn}: ${rules.join(', ')}`);
  field('next', failing.length === 0
    ? 'nothing fails the gate; the findings below are for the migration (pod2wi plan)'
    : 'pod2wi fix --dry-run shows the edits that remove them; a pod2wi-ignore comment suppresses one, --write-baseline records them all');
  // Whatever fails the gate is always listed; --min-severity only hides what does not.
  const minimum = options.quiet === true ? result.failOn : (options.minSeverity ?? 'note');
  const listed = open.filter((finding) => finding.failing || atOrAbove(finding.severity, minimum));
  if (listed.length < open.length) field('', `${plural(open.length - listed.length, 'finding')} below ${minimum} not listed`);
  if (listed.length > 0) {
    lines.push('', c.bold(options.quiet === true ? 'failing' : 'findings'));
    lines.push(...renderFindingGroups(groupFindings(listed), { width, color: options.color, verbose: options.verbose === true, locate: (finding) => `${finding.file}:${finding.line}:${finding.column}` }));
  }
  return `${lines.join('\n')}\n`;
}
