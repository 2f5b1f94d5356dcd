import type { CheckResult } from '../check/result.js';
import { verdictLine } from './check-text.js';
import { ciPath, type CiPathOptions } from './paths.js';

/** Escapes logging-command data (the message), as azure-pipelines-task-lib does. */
export function escapeAzureData(value: string): string {
  return value.replace(/%/g, '%AZP25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a logging-command property value: data escaping plus `]` and `;`. */
export function escapeAzureProperty(value: string): string {
  return escapeAzureData(value).replace(/]/g, '%5D').replace(/;/g, '%3B');
}

/**
 * Azure Pipelines logging commands: `##vso[task.logissue type=error|warning;sourcepath=…;linenumber=…;
 * columnnumber=…;code=RULE]message` per open error or warning (logissue knows no third level, so notes are plain
 * log lines), then the verdict line. The exit code, not a logging command, fails the step.
 */
export function renderAzureDevops(result: CheckResult, options: CiPathOptions): string {
  const lines = result.findings
    .filter((finding) => finding.status === 'open')
    .map((finding) => {
      const file = ciPath(finding.file, options);
      if (finding.severity === 'note') return `note: ${file}:${finding.line}:${finding.column}: ${finding.ruleId}: ${finding.message.replace(/\r?\n/g, ' ')}`;
      const properties = [
        `type=${finding.severity}`,
        `sourcepath=${escapeAzureProperty(file)}`,
        `linenumber=${finding.line}`,
        `columnnumber=${finding.column}`,
        `code=${escapeAzureProperty(finding.ruleId)}`,
      ].join(';');
      return `##vso[task.logissue ${properties}]${escapeAzureData(finding.message)}`;
    });
  lines.push(verdictLine(result));
  return `${lines.join('\n')}\n`;
}
