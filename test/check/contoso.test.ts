import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Io } from '../../src/cli/output.js';
import { runCli } from '../../src/cli/program.js';
import { copyFixture } from '../helpers/repo.js';
import { fixedNow } from './helpers.js';

function capture(cwd: string): Io & { out: () => string } {
  let out = '';
  return { cwd, env: {}, now: () => fixedNow, stdout: { write: (text: string) => (out += text) }, stderr: { write: () => true }, out: () => out };
}

interface Report {
  readonly passed: boolean;
  readonly findings: readonly { ruleId: string; file: string; line: number; status: string }[];
}

/**
 * The acceptance of the gate on the example repository: it fails while contoso is on aad-pod-identity, still fails
 * after `pod2wi fix --phase parallel` (side by side keeps aadpodidbinding), and passes after `--phase cutover`.
 */
describe('pod2wi check on examples/contoso', () => {
  it('fails before the cut-over, on every pod-identity label and object', async () => {
    const io = capture(copyFixture(fileURLToPath(new URL('../../examples/contoso/', import.meta.url))));
    expect(await runCli(['check', '--format', 'json', '.'], io)).toBe(1);
    const report = JSON.parse(io.out()) as Report;
    expect(report.passed).toBe(false);
    const found = report.findings.map((finding) => `${finding.file}:${finding.line} ${finding.ruleId}`);
    expect(found).toEqual(expect.arrayContaining([
      'apps/orders-api/chart/orders/templates/deployment.yaml:17 aadpodidbinding-label',
      'apps/orders-api/chart/orders/templates/identity.yaml:2 pod-identity-object',
      'apps/orders-api/chart/orders/templates/identity.yaml:11 pod-identity-object',
      'deploy/logistics/identity.yaml:11 pod-identity-object',
      'deploy/logistics/identity.yaml:22 pod-identity-object',
      'deploy/logistics/shipping.json:13 aadpodidbinding-label',
      'deploy/platform/exceptions.yaml:2 pod-identity-object',
      'deploy/reporting/identity.yaml:2 pod-identity-object',
      'deploy/reporting/identity.yaml:12 pod-identity-object',
      'deploy/reporting/nightly-reports.yaml:20 aadpodidbinding-label',
      'deploy/shop/identity.yaml:1 pod-identity-object',
      'deploy/shop/identity.yaml:11 pod-identity-object',
      'deploy/shop/payments.yaml:24 aadpodidbinding-label',
      'deploy/warehouse/base/deployment.yaml:14 aadpodidbinding-label',
      'deploy/warehouse/base/identity.yaml:1 pod-identity-object',
      'deploy/warehouse/base/identity.yaml:10 pod-identity-object',
    ]));
    // The workload already on workload identity is not flagged.
    expect(found.filter((finding) => finding.startsWith('deploy/shop/notifications.yaml'))).toEqual([]);
  });

  it('still fails side by side, and passes once the cut-over ran and aad-pod-identity (with its exceptions) is removed', async () => {
    const dir = copyFixture(fileURLToPath(new URL('../../examples/contoso/', import.meta.url)));
    expect(await runCli(['fix', '--phase', 'parallel', '--write', '.'], capture(dir))).toBe(0);
    const sideBySide = capture(dir);
    expect(await runCli(['check', '--format', 'json', '.'], sideBySide)).toBe(1);
    // Side by side: the labels stay, and nothing about the new workload-identity setup is wrong.
    const rules = new Set((JSON.parse(sideBySide.out()) as Report).findings.map((finding) => finding.ruleId));
    expect([...rules].sort()).toEqual(['aadpodidbinding-label', 'pod-identity-object']);

    expect(await runCli(['fix', '--phase', 'cutover', '--write', '.'], capture(dir))).toBe(0);
    // The cut-over keeps AzurePodIdentityException objects: they go with MIC/NMI, last.
    const cutOver = capture(dir);
    expect(await runCli(['check', '--format', 'json', '.'], cutOver)).toBe(1);
    expect((JSON.parse(cutOver.out()) as Report).findings.map((finding) => `${finding.file} ${finding.ruleId}`)).toEqual(['deploy/platform/exceptions.yaml pod-identity-object']);
    rmSync(join(dir, 'deploy', 'platform', 'exceptions.yaml'));
    const after = capture(dir);
    expect(await runCli(['check', '--fail-on', 'note', '--format', 'json', '.'], after)).toBe(0);
    expect((JSON.parse(after.out()) as Report).findings).toEqual([]);
  });
});
