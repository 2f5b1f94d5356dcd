import { createTwoFilesPatch } from 'diff';
import { createColors } from 'picocolors';
import type { FileChange } from '../fix/edit.js';
import { nextPhase, type FixPlan } from '../fix/index.js';
import { severityRank, type Severity } from '../model/finding.js';
import { stripTrailing } from '../model/text.js';

export interface FixDiffOptions {
  readonly color: boolean;
  /** The changes were written (`--write`), not only shown. */
  readonly written: boolean;
  /** The scanned root as displayed; diff paths are `a/<root>/<file>` so `git apply` works from the current folder. */
  readonly root: string;
  /** Why the writer wrote nothing (all or nothing: one refused file holds back every change of the run). */
  readonly refused?: readonly { readonly file: string; readonly reason: string }[];
  /** Findings below this severity are counted on the summary line but not listed (the JSON keeps them all). */
  readonly minSeverity?: Severity;
}

/** The lines a change adds and removes. */
export function countLines(change: FileChange): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const line of patchOf(change, '').split('\n')) {
    if (line.startsWith('+++') || line.startsWith('---')) continue;
    if (line.startsWith('+')) added++;
    else if (line.startsWith('-')) removed++;
  }
  return { added, removed };
}

function patchOf(change: FileChange, prefix: string): string {
  const path = `${prefix}${change.file}`;
  const before = change.action === 'create' ? '/dev/null' : `a/${path}`;
  const after = change.action === 'delete' ? '/dev/null' : `b/${path}`;
  const patch = createTwoFilesPatch(before, after, change.before, change.after, undefined, undefined, { context: 3 });
  return patch.replace(/^=+\n/, '');
}

/**
 * `pod2wi fix` as text: a unified diff of every change (`a/` and `b/` paths), then the findings (what was left
 * alone and why, what needs a hand), then one summary line with the phase and what to run next.
 */
export function renderFixDiff(plan: FixPlan, options: FixDiffOptions): string {
  const c = createColors(options.color);
  // A root below the current folder prefixes the paths (`git apply` from here works); any other is left out.
  const relative = options.root !== '.' && options.root !== '' && !options.root.startsWith('/') && !options.root.startsWith('..') && !/^[A-Za-z]:/.test(options.root);
  const prefix = relative ? `${stripTrailing(options.root, '/')}/` : '';
  const out: string[] = [];
  for (const change of plan.changes) {
    for (const line of patchOf(change, prefix).replace(/\n$/, '').split('\n')) {
      if (line.startsWith('+++') || line.startsWith('---')) out.push(c.bold(line));
      else if (line.startsWith('+')) out.push(c.green(line));
      else if (line.startsWith('-')) out.push(c.red(line));
      else if (line.startsWith('@@')) out.push(c.cyan(line));
      else out.push(line);
    }
  }
  const listed = plan.findings.filter((finding) => severityRank(finding.severity) >= severityRank(options.minSeverity ?? 'note'));
  if (listed.length > 0) {
    if (out.length > 0) out.push('');
    out.push(c.bold('findings'));
    for (const finding of listed) {
      const label = finding.severity.padEnd(7);
      const severity = finding.severity === 'error' ? c.red(label) : finding.severity === 'warning' ? c.yellow(label) : c.cyan(label);
      out.push(`  ${severity} ${finding.ruleId}  ${c.dim(`${finding.file}:${finding.line}`)}`);
      for (const [index, line] of finding.message.split('\n').entries()) out.push(`      ${index === 0 ? line : `  ${line}`}`);
    }
  }
  for (const refusal of options.refused ?? []) out.push(`  ${c.red('error  ')} not written  ${refusal.file}: ${refusal.reason}`);
  let added = 0;
  let removed = 0;
  for (const change of plan.changes) {
    const lines = countLines(change);
    added += lines.added;
    removed += lines.removed;
  }
  const files = plan.changes.length;
  const created = plan.changes.filter((change) => change.action === 'create').length;
  const deleted = plan.changes.filter((change) => change.action === 'delete').length;
  const parts: string[] = [];
  if (files > 0 && (options.refused ?? []).length > 0) parts.push(`nothing written: ${files} file${files === 1 ? '' : 's'} held back`);
  else if (files === 0) parts.push('no change');
  else {
    const detail = [created ? `${created} new` : '', deleted ? `${deleted} deleted` : ''].filter(Boolean).join(', ');
    parts.push(`${files} file${files === 1 ? '' : 's'}${detail ? ` (${detail})` : ''}${options.written ? ' written' : ''}, ${added} line${added === 1 ? '' : 's'} added${removed ? `, ${removed} removed` : ''}`);
  }
  // Every kept edit was proven: the repository rendered again shows exactly the intended change, nothing else.
  const hidden = plan.findings.length - listed.length;
  if (hidden > 0) parts.push(`${hidden} finding${hidden === 1 ? '' : 's'} below ${options.minSeverity ?? 'note'} not listed`);
  if (files > 0) parts.push(`rendered again: ${plan.verified.units} render${plan.verified.units === 1 ? '' : 's'} changed, each exactly as intended`);
  parts.push(`phase ${plan.phase}`);
  if (files > 0 && !options.written && (options.refused ?? []).length === 0) parts.push('run with --write to apply');
  const next = nextPhase[plan.phase];
  parts.push(next ? `next phase: ${next}${files > 0 ? ' (once this is deployed and verified)' : ''}` : 'last phase');
  if (out.length > 0) out.push('');
  out.push(parts.join(' · '));
  return `${out.join('\n')}\n`;
}
