import ignore from 'ignore';
import type { LoadedConfig } from '../config/config.js';
import type { Location } from '../model/location.js';
import type { Detection } from './context.js';
import type { SuppressionRef } from './result.js';
import type { SourceLine } from './source-text.js';

/** The directive word in comments: `# pod2wi-ignore <rule>[,<rule>…] [until=YYYY-MM-DD] reason="…"`. */
export const directive = 'pod2wi-ignore';

/** A suppression as written, valid or not. */
export interface Suppression {
  readonly kind: 'inSource' | 'external';
  readonly rules: readonly string[];
  readonly reason: string | null;
  readonly until: string | null;
  /** Where it is written. */
  readonly at: Location;
  /** What it covers: one line of one file (inline), or files matching a pattern (configuration; null = all). */
  readonly target: { readonly file: string; readonly line: number } | { readonly pattern: string | null };
  /** Why it is malformed; null when it is well-formed. */
  readonly problem: string | null;
}

/** A suppression's reference for reports. */
export function suppressionRef(suppression: Suppression): SuppressionRef {
  return { kind: suppression.kind, reason: suppression.reason ?? '', until: suppression.until, file: suppression.at.file, line: suppression.at.line };
}

/** Says what is wrong with naming `rule` in a suppression (unknown, or not suppressible), or null. */
export type RuleCheck = (rule: string) => string | null;

const isoDate = /^\d{4}-\d{2}-\d{2}$/;

/** True for a real calendar date written YYYY-MM-DD. */
export function isCalendarDate(value: string): boolean {
  if (!isoDate.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/**
 * Reads the `pod2wi-ignore` directives of one file. A directive in a trailing comment covers its own line; one on a
 * line of its own covers the next line that holds code (so several directives can stack above one line).
 */
export function readInlineSuppressions(file: string, lines: readonly SourceLine[], ruleProblem: RuleCheck): Suppression[] {
  const found: Suppression[] = [];
  for (const line of lines) {
    const comment = line.comment;
    if (!comment) continue;
    const start = comment.indexOf(directive);
    // The text before the directive may only open the comment; trimmed first, so the test is linear in the line.
    if (start < 0 || !/^(#|\/\/|\/\*|<#|\{\{-?\s*\/\*|rem\b|::)?$/i.test(comment.slice(0, start).trim())) continue;
    const body = withoutCommentCloser(comment.slice(start + directive.length));
    let target = line.number;
    if (line.code.trim() === '') {
      const next = lines.slice(line.number).find((candidate) => candidate.code.trim() !== '' || candidate.comment === null);
      target = next && next.code.trim() !== '' ? next.number : 0;
    }
    const at = { file, line: line.number, column: line.commentColumn + start };
    const parsed = parseDirective(body, ruleProblem);
    found.push({
      kind: 'inSource',
      ...parsed,
      at,
      target: { file, line: target },
      problem: parsed.problem ?? (target === 0 ? 'no line of code follows it' : null),
    });
  }
  return found;
}

function parseDirective(body: string, ruleProblem: RuleCheck): Pick<Suppression, 'rules' | 'reason' | 'until' | 'problem'> {
  const tokens = /^\s*([^\s=]*)(?=\s|$)(.*)$/.exec(body);
  const rules = (tokens?.[1] ?? '').split(',').map((rule) => rule.trim()).filter((rule) => rule !== '');
  let rest = tokens ? (tokens[2] ?? '') : body;
  let reason: string | null = null;
  let until: string | null = null;
  const problems: string[] = [];
  const option = /^\s*(reason|until)=("([^"]*)"|'([^']*)'|(\S*))/;
  for (let match = option.exec(rest); match; match = option.exec(rest)) {
    const value = (match[3] ?? match[4] ?? match[5] ?? '').trim();
    if (match[1] === 'reason') reason = value;
    else until = value;
    rest = rest.slice(match[0].length);
  }
  if (rest.trim() !== '') problems.push(`unexpected "${rest.trim()}" (write reason="…" with quotes)`);
  if (rules.length === 0) problems.push('it names no rule');
  for (const rule of rules) {
    const problem = ruleProblem(rule);
    if (problem) problems.push(problem);
  }
  if (!reason) problems.push('it gives no reason="…"');
  if (until !== null && !isCalendarDate(until)) problems.push(`until=${until} is not a date (YYYY-MM-DD)`);
  return { rules, reason: reason || null, until, problem: problems.length > 0 ? problems.join('; ') : null };
}

/**
 * The `ignore` entries of `.pod2wi.yaml` as suppressions: `rule` (one id), `path` (a gitignore-style pattern; every
 * file when absent), `until`, `reason`. The schema already requires a reason; an unknown rule id or an impossible
 * date makes the entry invalid.
 */
export function readConfigSuppressions(loaded: LoadedConfig, ruleProblem: RuleCheck): Suppression[] {
  const file = loaded.file ?? '.pod2wi.yaml';
  return (loaded.config.ignore ?? []).map((entry, index) => {
    const problems: string[] = [];
    const problem = ruleProblem(entry.rule);
    if (problem) problems.push(problem);
    if (entry.until !== undefined && !isCalendarDate(entry.until)) problems.push(`until: ${entry.until} is not a date`);
    return {
      kind: 'external' as const,
      rules: [entry.rule],
      reason: entry.reason,
      until: entry.until ?? null,
      at: { file, line: loaded.lineOf(['ignore', index]), column: 1 },
      target: { pattern: entry.path ?? null },
      problem: problems.length > 0 ? problems.join('; ') : null,
    };
  });
}

/** The outcome of applying suppressions: which one hides each detection, and the findings about the suppressions. */
export interface SuppressionOutcome {
  readonly applied: ReadonlyMap<Detection, Suppression>;
  readonly findings: readonly Detection[];
}

/**
 * Applies suppressions to detections. Invalid ones suppress nothing and are reported (`invalid-suppression`);
 * expired ones (`until` before `today`, a UTC date) suppress nothing and are reported (`expired-suppression`); valid
 * ones that hide nothing are reported as `unused-suppression` (a note). Inline suppressions win over configuration.
 */
export function applySuppressions(detections: readonly Detection[], suppressions: readonly Suppression[], today: string, gateRules: ReadonlySet<string>): SuppressionOutcome {
  const applied = new Map<Detection, Suppression>();
  const findings: Detection[] = [];
  const used = new Set<Suppression>();
  const active: Suppression[] = [];
  for (const suppression of suppressions) {
    const names = suppression.rules.join(',');
    if (suppression.problem) {
      findings.push({ ruleId: 'invalid-suppression', at: suppression.at, message: `${directiveName(suppression)} ${names} suppresses nothing: ${suppression.problem}` });
    } else if (suppression.until !== null && suppression.until < today) {
      findings.push({ ruleId: 'expired-suppression', at: suppression.at, message: `${directiveName(suppression)} ${names} expired on ${suppression.until} (reason: ${suppression.reason ?? ''}); the findings it covered are reported again` });
    } else {
      active.push(suppression);
    }
  }
  const matchers = new Map<Suppression, (file: string) => boolean>();
  for (const suppression of active) {
    const target = suppression.target;
    if ('pattern' in target) {
      const pattern = target.pattern;
      const filter = pattern === null ? null : ignore({ allowRelativePaths: true }).add(pattern);
      matchers.set(suppression, (file) => filter === null || filter.ignores(file));
    }
  }
  const ordered = [...active].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'inSource' ? -1 : 1));
  for (const detection of detections) {
    const match = ordered.find((suppression) => {
      if (!suppression.rules.includes(detection.ruleId)) return false;
      const target = suppression.target;
      if ('file' in target) return target.file === detection.at.file && target.line === detection.at.line;
      return matchers.get(suppression)?.(detection.at.file) ?? false;
    });
    if (match) {
      applied.set(detection, match);
      used.add(match);
    }
  }
  for (const suppression of active) {
    if (used.has(suppression)) continue;
    // An ignore entry for a finding of another command (scan) is not the gate's to call unused.
    if (suppression.kind === 'external' && !suppression.rules.some((rule) => gateRules.has(rule))) continue;
    findings.push({ ruleId: 'unused-suppression', at: suppression.at, message: `${directiveName(suppression)} ${suppression.rules.join(',')} matches no finding; delete it` });
  }
  return { applied, findings };
}

function directiveName(suppression: Suppression): string {
  return suppression.kind === 'inSource' ? directive : 'ignore entry';
}

/** A directive's text without the comment's closer (star-slash, optionally followed by `}}` or `-}}`; `#>`) and the spaces around it. */
function withoutCommentCloser(body: string): string {
  const trimmed = body.trimEnd();
  if (trimmed.endsWith('}}')) {
    let inner = trimmed.slice(0, -2);
    if (inner.endsWith('-')) inner = inner.slice(0, -1);
    inner = inner.trimEnd();
    return inner.endsWith('*/') ? inner.slice(0, -2).trimEnd() : body;
  }
  if (trimmed.endsWith('*/') || trimmed.endsWith('#>')) return trimmed.slice(0, -2).trimEnd();
  return body;
}
