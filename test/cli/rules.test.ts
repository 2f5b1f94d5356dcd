import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import type { Io } from '../../src/cli/output.js';
import { tempDir } from '../helpers/repo.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

function fakeIo(cwd = process.cwd()): { io: Io; out: () => string; err: () => string } {
  let stdout = '';
  let stderr = '';
  return {
    io: { cwd, env: {}, stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) } },
    out: () => stdout,
    err: () => stderr,
  };
}

describe('pod2wi rules', () => {
  it('prints a table per ecosystem with floors, token-exchange versions, legacy libraries and sources', async () => {
    const { io, out } = fakeIo();
    expect(await runCli(['rules'], io)).toBe(0);
    const text = out();
    expect(text).toMatch(/Azure\.Identity\s+azure-identity\s+1\.9\.0\s+1\.5\.0 \(not 1\.13\.0\)/);
    expect(text).toMatch(/@azure\/identity\s+azure-identity\s+3\.2\.0\s+2\.0\.0/);
    expect(text).toMatch(/azure-identity\s+azure-identity\s+1\.13\.0\s+1\.7\.0/);
    expect(text).toMatch(/sdk\/azidentity\s+azure-identity\s+1\.3\.0\s+never/);
    expect(text).toMatch(/ms-rest-azure\s+legacy/);
    expect(text).toContain('source: https://learn.microsoft.com/azure/aks/workload-identity-overview#azure-identity-client-libraries');
    expect(text).toMatch(/1\.2\.30\s+→ 1\.14\.2/);
    expect(text).toContain('exclusive-lower-bound');
    expect(text).toMatch(/legacy-identity-library\s+warning/);
    expect(text).not.toContain('\u001b['); // no colour without a terminal
  });

  it('prints the validated rule data and the finding catalogue as JSON', async () => {
    const { io, out } = fakeIo();
    expect(await runCli(['rules', '--format', 'json'], io)).toBe(0);
    const listing = JSON.parse(out()) as { schemaVersion: number; sdkFloors: { package: string }[]; identityLibraries: { kind: string }[]; azureSdkBom: { bom: string }[]; skipReasons: { reason: string }[]; findings: { id: string }[] };
    expect(listing.schemaVersion).toBe(1);
    expect(listing.sdkFloors.map((row) => row.package)).toContain('Azure.Identity');
    expect(listing.identityLibraries.some((row) => row.kind === 'legacy')).toBe(true);
    expect(listing.azureSdkBom.map((row) => row.bom)).toEqual(['1.2.0', '1.2.30', '1.2.32', '1.2.33', '1.2.35']);
    expect(listing.skipReasons.map((entry) => entry.reason)).toContain('remote-parent');
    expect(listing.findings.map((rule) => rule.id)).toEqual(expect.arrayContaining(['dependency-file-parse-error', 'legacy-identity-library', 'manifest-parse-error']));
  });

  it('writes to --output and refuses an unknown format', async () => {
    const dir = tempDir();
    const { io, out } = fakeIo(dir);
    expect(await runCli(['rules', '--format', 'json', '--output', 'rules.json'], io)).toBe(0);
    expect(out()).toBe('');
    expect(JSON.parse(readFileSync(join(dir, 'rules.json'), 'utf8'))).toHaveProperty('sdkFloors');
    const bad = fakeIo(dir);
    expect(await runCli(['rules', '--format', 'yaml'], bad.io)).toBe(2);
    expect(bad.err()).toContain('unknown format "yaml"');
  });

  it('explains itself in --help', async () => {
    const { io, out } = fakeIo();
    expect(await runCli(['rules', '--help'], io)).toBe(0);
    expect(out()).toContain('$ pod2wi rules --format json');
  });

  it('cites no internal notes, in any format', async () => {
    for (const args of [['rules'], ['rules', '--format', 'json'], ['rules', '--controllers'], ['rules', '--controllers', '--format', 'json']]) {
      const { io, out } = fakeIo();
      expect(await runCli(args, io)).toBe(0);
      expect(out().length).toBeGreaterThan(1000);
      expect(out(), args.join(' ')).not.toMatch(/DOMAIN|UNVERIFIED|AKS-docs/);
    }
  });
});
