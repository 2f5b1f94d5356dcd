import type { CheckResult } from '../check/result.js';
import { verdictLine } from './check-text.js';
import { ciPath, type CiPathOptions } from './paths.js';

/** Escapes workflow-command data (the message), as @actions/core does. */
export function escapeGithubData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a workflow-command property value: data escaping plus `:` and `,`. */
export function escapeGithubProperty(value: string): string {
  return escapeGithubData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

const commands = { error: 'error', warning: 'warning', note: 'notice' } as const;

/**
 * GitHub Actions workflow commands: one `::error|warning|notice file=…,line=…,col=…,title=RULE::message` per open
 * finding (an annotation on the pull request's diff), then the verdict as a plain log line. Suppressed and
 * baselined findings are not annotated.
 */
export function renderGithub(result: CheckResult, options: CiPathOptions): string {
  const lines = result.findings
    .filter((finding) => finding.status === 'open')
    .map((finding) => {
      const properties = [
        `file=${escapeGithubProperty(ciPath(finding.file, options))}`,
        `line=${finding.line}`,
        `col=${finding.column}`,
        `title=${escapeGithubProperty(finding.ruleId)}`,
      ].join(',');
      return `::${commands[finding.severity]} ${properties}::${escapeGithubData(finding.message)}`;
    });
  lines.push(verdictLine(result));
  return `${lines.join('\n')}\n`;
}
