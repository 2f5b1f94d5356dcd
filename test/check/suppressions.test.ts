import { describe, expect, it } from 'vitest';
import type { GateFinding } from '../../src/check/result.js';
import { isCalendarDate } from '../../src/check/suppressions.js';
import { writeTree } from '../helpers/repo.js';
import { check } from './helpers.js';

const pod = (labels: string, comment = '') => `apiVersion: v1
kind: Pod
metadata:
  name: api
  namespace: shop
  labels:
${comment}${labels}
spec:
  containers: [{name: api, image: contoso/api:1}]
`;

const brief = (findings: readonly GateFinding[]) =>
  findings.map((finding) => `${finding.file}:${finding.line} ${finding.ruleId} ${finding.status}${finding.suppression ? ` (${finding.suppression.kind}: ${finding.suppression.reason})` : ''}`);

describe('inline suppressions', () => {
  it('a trailing comment suppresses its own line, with its reason', () => {
    const dir = writeTree({ 'pod.yaml': pod('    aadpodidbinding: api # pod2wi-ignore aadpodidbinding-label until=2026-12-31 reason="moves in Q4"\n') });
    const { result } = check(dir);
    expect(brief(result.findings)).toEqual(['pod.yaml:7 aadpodidbinding-label suppressed (inSource: moves in Q4)']);
    expect(result.findings[0]?.suppression).toEqual({ kind: 'inSource', reason: 'moves in Q4', until: '2026-12-31', file: 'pod.yaml', line: 7 });
    expect(result.passed).toBe(true);
    expect(result.summary.suppressed).toBe(1);
  });

  it('a comment line suppresses the next line of code, and directives stack', () => {
    const dir = writeTree({
      'pod.yaml': pod(
        '    aadpodidbinding: api\n',
        "    # pod2wi-ignore aadpodidbinding-label reason='legacy batch'\n    # pod2wi-ignore hard-coded-token-path reason=unrelated\n",
      ),
    });
    const { result } = check(dir);
    expect(brief(result.findings)).toEqual([
      'pod.yaml:8 unused-suppression open',
      'pod.yaml:9 aadpodidbinding-label suppressed (inSource: legacy batch)',
    ]);
    expect(result.passed).toBe(true);
  });

  it('accepts a comma list of rules and // comments in JSON-with-comments, Bicep and Terraform', () => {
    const dir = writeTree({
      'infra/aks.bicep': "resource aks 'x' = {\n  properties: {\n    // pod2wi-ignore pod-identity-addon,aadpodidbinding-label reason=\"dev cluster only\"\n    podIdentityProfile: { enabled: true }\n  }\n}\n",
      'infra/main.tf': 'resource "azapi_update_resource" "x" {\n  body = { properties = { podIdentityProfile = { enabled = true } } } # pod2wi-ignore pod-identity-addon reason="sandbox"\n}\n',
    });
    const { result } = check(dir);
    expect(brief(result.findings)).toEqual([
      'infra/aks.bicep:4 pod-identity-addon suppressed (inSource: dev cluster only)',
      'infra/main.tf:2 pod-identity-addon suppressed (inSource: sandbox)',
    ]);
  });

  it('without a reason it suppresses nothing and is itself an error', () => {
    const dir = writeTree({ 'pod.yaml': pod('    aadpodidbinding: api # pod2wi-ignore aadpodidbinding-label until=2026-12-31\n') });
    const { result } = check(dir);
    expect(brief(result.findings)).toEqual(['pod.yaml:7 aadpodidbinding-label open', 'pod.yaml:7 invalid-suppression open']);
    expect(result.findings.find((finding) => finding.ruleId === 'invalid-suppression')?.message).toContain('no reason');
    expect(result.passed).toBe(false);
  });

  it('an expired one suppresses nothing and is an error; on its until day it still works', () => {
    const expired = check(writeTree({ 'pod.yaml': pod('    aadpodidbinding: api # pod2wi-ignore aadpodidbinding-label until=2026-05-31 reason="Q2"\n') })).result;
    expect(brief(expired.findings)).toEqual(['pod.yaml:7 aadpodidbinding-label open', 'pod.yaml:7 expired-suppression open']);
    expect(expired.findings[1]?.message).toContain('expired on 2026-05-31');
    expect(expired.passed).toBe(false);
    const lastDay = check(writeTree({ 'pod.yaml': pod('    aadpodidbinding: api # pod2wi-ignore aadpodidbinding-label until=2026-06-01 reason="Q2"\n') })).result;
    expect(brief(lastDay.findings)).toEqual(['pod.yaml:7 aadpodidbinding-label suppressed (inSource: Q2)']);
  });

  it.each([
    ['an unknown rule', 'pod2wi-ignore aadpodidbinding reason="typo"', 'unknown rule aadpodidbinding'],
    ['an impossible date', 'pod2wi-ignore aadpodidbinding-label until=2026-02-30 reason="x"', 'until=2026-02-30 is not a date'],
    ['a rule that cannot be suppressed', 'pod2wi-ignore invalid-suppression reason="x"', 'invalid-suppression cannot be suppressed'],
    ['an unquoted multi-word reason', 'pod2wi-ignore aadpodidbinding-label reason=two words', 'unexpected "words"'],
    ['no rule', 'pod2wi-ignore reason="x"', 'it names no rule'],
  ])('with %s it is invalid', (_what, comment, problem) => {
    const { result } = check(writeTree({ 'pod.yaml': pod(`    aadpodidbinding: api # ${comment}\n`) }));
    expect(result.findings.map((finding) => finding.ruleId)).toEqual(['aadpodidbinding-label', 'invalid-suppression']);
    expect(result.findings[1]?.message).toContain(problem);
  });

  it('does not take a mention in prose for a directive', () => {
    const { result } = check(writeTree({ 'pod.yaml': pod('    aadpodidbinding: api # see docs: pod2wi-ignore is not used here\n') }));
    expect(brief(result.findings)).toEqual(['pod.yaml:7 aadpodidbinding-label open']);
  });
});

describe('.pod2wi.yaml ignore entries', () => {
  const config = (entries: string) => `ignore:\n${entries}`;

  it('suppress findings of a rule in files matching a gitignore-style path, as external suppressions', () => {
    const dir = writeTree({
      '.pod2wi.yaml': config('  - rule: aadpodidbinding-label\n    path: legacy/\n    until: 2026-09-30\n    reason: decommissioned in Q3\n'),
      'legacy/pod.yaml': pod('    aadpodidbinding: old\n'),
      'apps/pod.yaml': pod('    aadpodidbinding: new\n'),
    });
    const { result } = check(dir);
    expect(brief(result.findings)).toEqual([
      'apps/pod.yaml:7 aadpodidbinding-label open',
      'legacy/pod.yaml:7 aadpodidbinding-label suppressed (external: decommissioned in Q3)',
    ]);
    expect(result.findings[1]?.suppression).toEqual({ kind: 'external', reason: 'decommissioned in Q3', until: '2026-09-30', file: '.pod2wi.yaml', line: 2 });
  });

  it('report expired, unknown and unused entries at their line in .pod2wi.yaml', () => {
    const dir = writeTree({
      '.pod2wi.yaml': config([
        '  - rule: aadpodidbinding-label',
        '    until: 2026-01-31',
        '    reason: was due in January',
        '  - rule: no-such-rule',
        '    reason: typo',
        '  - rule: pod-identity-addon',
        '    path: infra/',
        '    reason: nothing there',
        '  - rule: label-in-selector',
        '    reason: a scan finding, not the gate\'s to judge',
        '',
      ].join('\n')),
      'pod.yaml': pod('    aadpodidbinding: api\n'),
    });
    const { result } = check(dir);
    expect(brief(result.findings)).toEqual([
      '.pod2wi.yaml:2 expired-suppression open',
      '.pod2wi.yaml:5 invalid-suppression open',
      '.pod2wi.yaml:7 unused-suppression open',
      'pod.yaml:7 aadpodidbinding-label open',
    ]);
  });
});

describe('--no-ignore', () => {
  it('turns every suppression off, and with them the findings about suppressions', () => {
    const dir = writeTree({
      '.pod2wi.yaml': 'ignore:\n  - rule: aadpodidbinding-label\n    reason: everything\n',
      'pod.yaml': pod('    aadpodidbinding: api # pod2wi-ignore aadpodidbinding-label\n'),
    });
    const { result } = check(dir, { suppressions: false });
    expect(brief(result.findings)).toEqual(['pod.yaml:7 aadpodidbinding-label open']);
    expect(result.suppressionsApplied).toBe(false);
  });
});

describe('isCalendarDate', () => {
  it('accepts real dates only', () => {
    expect(isCalendarDate('2028-02-29')).toBe(true);
    expect(isCalendarDate('2027-02-29')).toBe(false);
    expect(isCalendarDate('2026-13-01')).toBe(false);
    expect(isCalendarDate('26-01-01')).toBe(false);
  });
});
