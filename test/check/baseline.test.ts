import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/model/errors.js';
import { writeTree } from '../helpers/repo.js';
import { check } from './helpers.js';

const deployment = (name: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: shop
spec:
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels:
        app: ${name}
        aadpodidbinding: ${name}-identity
    spec:
      containers: [{name: ${name}, image: contoso/${name}:1}]
`;

function writeBaselineOf(dir: string): string {
  const run = check(dir, { writeBaseline: 'pod2wi-baseline.json' });
  expect(run.baseline).not.toBeNull();
  writeFileSync(join(dir, 'pod2wi-baseline.json'), run.baseline ?? '');
  return run.baseline ?? '';
}

describe('baseline', () => {
  it('records findings by fingerprint, sorted and versioned, and passes the run that writes it', () => {
    const dir = writeTree({ 'deploy/a.yaml': deployment('orders'), 'deploy/b.yaml': deployment('payments') });
    const run = check(dir, { writeBaseline: 'pod2wi-baseline.json' });
    expect(run.result.passed).toBe(true);
    expect(run.result.summary.baselined).toBe(2);
    const file = JSON.parse(run.baseline ?? '{}') as { version: number; tool: { name: string }; findings: { file: string; ruleId: string; line: number; fingerprint: string }[] };
    expect(file.version).toBe(1);
    expect(file.tool.name).toBe('pod2wi');
    expect(file.findings.map((entry) => `${entry.file}:${entry.line} ${entry.ruleId}`)).toEqual(['deploy/a.yaml:13 aadpodidbinding-label', 'deploy/b.yaml:13 aadpodidbinding-label']);
    expect(file.findings[0]?.fingerprint).toMatch(/^[0-9a-f]{32}$/);
    expect(check(dir, { writeBaseline: 'pod2wi-baseline.json' }).baseline).toBe(run.baseline);
  });

  it('ratchets: survives line moves, fails only on new findings, reports the ones that are gone', () => {
    const dir = writeTree({ 'deploy/a.yaml': deployment('orders'), 'deploy/b.yaml': deployment('payments') });
    writeBaselineOf(dir);

    // Lines move: a comment block above, and the documents of a file swapped around a new one.
    writeFileSync(join(dir, 'deploy/a.yaml'), `# Orders\n# owned by the shop team\n\n${deployment('orders')}`);
    const moved = check(dir, { baseline: 'pod2wi-baseline.json' }).result;
    expect(moved.passed).toBe(true);
    expect(moved.findings.map((finding) => `${finding.file}:${finding.line} ${finding.status}`)).toEqual(['deploy/a.yaml:16 baselined', 'deploy/b.yaml:13 baselined']);
    expect(moved.summary.fixed).toBe(0);

    // A new use fails, alone.
    writeFileSync(join(dir, 'deploy/c.yaml'), deployment('refunds'));
    const added = check(dir, { baseline: 'pod2wi-baseline.json' }).result;
    expect(added.passed).toBe(false);
    expect(added.findings.filter((finding) => finding.failing).map((finding) => finding.file)).toEqual(['deploy/c.yaml']);

    // A migrated workload: its entry is reported as fixed, and the gate still passes.
    writeFileSync(join(dir, 'deploy/b.yaml'), deployment('payments').replace('aadpodidbinding: payments-identity', 'azure.workload.identity/use: "true"'));
    writeFileSync(join(dir, 'deploy/c.yaml'), '');
    const shrunk = check(dir, { baseline: 'pod2wi-baseline.json' }).result;
    expect(shrunk.passed).toBe(true);
    expect(shrunk.fixed.map((entry) => `${entry.file}:${entry.line} ${entry.ruleId}`)).toEqual(['deploy/b.yaml:13 aadpodidbinding-label']);
    expect(shrunk.summary.fixed).toBe(1);
  });

  it('tells identical lines apart by occurrence, so a duplicate is a new finding', () => {
    const dir = writeTree({ 'deploy/a.yaml': deployment('orders') });
    writeBaselineOf(dir);
    writeFileSync(join(dir, 'deploy/a.yaml'), `${deployment('orders')}---\n${deployment('orders').replace('name: orders\n  namespace', 'name: orders-copy\n  namespace')}`);
    const result = check(dir, { baseline: 'pod2wi-baseline.json' }).result;
    expect(result.findings.map((finding) => `${finding.line} ${finding.status}`)).toEqual(['13 baselined', '29 open']);
  });

  it('does not record findings about suppressions: an expired suppression cannot be baselined away', () => {
    const dir = writeTree({ 'deploy/a.yaml': deployment('orders').replace('aadpodidbinding: orders-identity', 'aadpodidbinding: orders-identity # pod2wi-ignore aadpodidbinding-label until=2026-01-01 reason="Q1"') });
    const run = check(dir, { writeBaseline: 'pod2wi-baseline.json' });
    expect(run.result.passed).toBe(false);
    expect(run.result.findings.map((finding) => `${finding.ruleId} ${finding.status}`)).toEqual(['aadpodidbinding-label baselined', 'expired-suppression open']);
    expect((JSON.parse(run.baseline ?? '{}') as { findings: unknown[] }).findings).toHaveLength(1);
  });

  it('is never read as a manifest, inside the checked folder', () => {
    const dir = writeTree({ 'deploy/a.yaml': deployment('orders') });
    const text = writeBaselineOf(dir);
    expect(text).toContain('aadpodidbinding');
    const result = check(dir, { baseline: 'pod2wi-baseline.json' }).result;
    expect(result.findings.map((finding) => finding.file)).toEqual(['deploy/a.yaml']);
  });

  it.each([
    ['missing.json', null, /no such file/],
    ['bad.json', '{ not json', /bad\.json: /],
    ['other.json', '{"version": 2, "tool": {"name": "pod2wi", "version": "9"}, "findings": []}', /version: /],
    ['entry.json', '{"version": 1, "tool": {"name": "pod2wi", "version": "0.1.0"}, "findings": [{"fingerprint": "x"}]}', /findings\.0\.fingerprint/],
  ])('refuses %s as a configuration error naming the field', (name, content, message) => {
    const dir = writeTree({ 'deploy/a.yaml': deployment('orders'), ...(content === null ? {} : { [name]: content }) });
    expect(() => check(dir, { baseline: name })).toThrow(ConfigError);
    expect(() => check(dir, { baseline: name })).toThrow(message);
  });

  it('writes what it reads: a baseline round-trips byte for byte', () => {
    const dir = writeTree({ 'deploy/a.yaml': deployment('orders') });
    const text = writeBaselineOf(dir);
    expect(readFileSync(join(dir, 'pod2wi-baseline.json'), 'utf8')).toBe(text);
    expect(check(dir, { baseline: 'pod2wi-baseline.json', writeBaseline: 'pod2wi-baseline.json' }).baseline).toBe(text);
  });
});
