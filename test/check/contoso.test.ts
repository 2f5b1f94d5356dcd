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
 * The acceptance of the gate on the example repository: it fails while contoso is on aad-pod-identity, and passes on
 * contoso after the cut-over phase (a hand-made copy until `pod2wi fix` can produce it).
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

  it('passes after the cut-over', async () => {
    const io = capture(copyFixture(fileURLToPath(new URL('../../fixtures/check/contoso-after-cutover/repo/', import.meta.url))));
    expect(await runCli(['check', '--fail-on', 'note', '--format', 'json', '.'], io)).toBe(0);
    expect((JSON.parse(io.out()) as Report).findings).toEqual([]);
  });
});
