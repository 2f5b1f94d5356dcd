import type { CheckResult, GateFinding } from '../check/result.js';
import { ciPath, type CiPathOptions } from './paths.js';

/** XML 1.0 text: escapes markup and drops characters XML cannot carry (control characters other than tab, LF, CR). */
export function xmlEscape(value: string): string {
  return value
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function testcase(finding: GateFinding, options: CiPathOptions, help: string): string {
  const file = ciPath(finding.file, options);
  const open = `    <testcase classname="pod2wi.${xmlEscape(finding.ruleId)}" name="${xmlEscape(`${file}:${finding.line}:${finding.column}`)}" file="${xmlEscape(file)}" line="${finding.line}">`;
  if (finding.status === 'suppressed') {
    const why = finding.suppression ? `suppressed: ${finding.suppression.reason}${finding.suppression.until ? ` (until ${finding.suppression.until})` : ''}` : 'suppressed';
    return `${open}\n      <skipped message="${xmlEscape(why)}"/>\n    </testcase>`;
  }
  if (finding.status === 'baselined') return `${open}\n      <skipped message="in the baseline"/>\n    </testcase>`;
  const detail = `${file}:${finding.line}:${finding.column}: ${finding.severity} ${finding.ruleId}: ${finding.message}\n\n${help}`;
  if (finding.failing) {
    return `${open}\n      <failure type="${finding.severity}" message="${xmlEscape(finding.message)}">${xmlEscape(detail)}</failure>\n    </testcase>`;
  }
  return `${open}\n      <system-out>${xmlEscape(`${detail}\n(below the --fail-on threshold)`)}</system-out>\n    </testcase>`;
}

/**
 * JUnit XML for test-report views (Azure Pipelines PublishTestResults, GitLab, Jenkins): one testsuite per gate rule,
 * one testcase per finding named `file:line:column`. Open findings at or above the threshold are failures; below it
 * they pass with the message in system-out; suppressed and baselined findings are skipped with the reason. A rule
 * with no finding has one passing testcase, so the report shows every rule that was checked.
 */
export function renderJunit(result: CheckResult, options: CiPathOptions): string {
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let skipped = 0;
  for (const rule of result.rules) {
    const findings = result.findings.filter((finding) => finding.ruleId === rule.id);
    const cases = findings.length > 0
      ? findings.map((finding) => testcase(finding, options, rule.help))
      : [`    <testcase classname="pod2wi.${xmlEscape(rule.id)}" name="${xmlEscape(`${rule.id}: no findings`)}"/>`];
    const suiteFailures = findings.filter((finding) => finding.failing).length;
    const suiteSkipped = findings.filter((finding) => finding.status !== 'open').length;
    tests += cases.length;
    failures += suiteFailures;
    skipped += suiteSkipped;
    suites.push(
      `  <testsuite name="${xmlEscape(rule.id)}" tests="${cases.length}" failures="${suiteFailures}" errors="0" skipped="${suiteSkipped}">\n` +
        `    <properties>\n      <property name="severity" value="${rule.severity}"/>\n      <property name="summary" value="${xmlEscape(rule.summary)}"/>\n    </properties>\n` +
        `${cases.join('\n')}\n  </testsuite>`,
    );
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="pod2wi check" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
