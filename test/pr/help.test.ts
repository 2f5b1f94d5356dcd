import { expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { tempDir } from '../helpers/repo.js';
import { captureIo } from './helpers/fixture.js';

it('pod2wi pr --help lists every option, examples and exit codes', async () => {
  const io = captureIo(tempDir(), {});
  expect(await runCli(['pr', '--help'], io)).toBe(0);
  for (const option of ['--phase', '--provider', '--repo', '--org', '--project', '--base', '--remote', '--group-by', '--max-prs', '--draft', '--dry-run', '--api-url', '--author', '--migration-file']) {
    expect(io.out()).toContain(option);
  }
  expect(io.out()).toContain('Examples:');
  expect(io.out()).toContain('Exit codes:');
});

it('pod2wi pr outside a git repository is a usage error', async () => {
  const io = captureIo(tempDir(), { PATH: process.env.PATH ?? '', GITHUB_TOKEN: 'ghp_outsideREPOtoken1' });
  const status = await runCli(['pr', '--phase', 'parallel', '--provider', 'github', '--repo', 'o/r'], io, { pr: { createApplier: () => ({ apply: () => Promise.reject(new Error('not reached')) }), fetch } });
  expect(status).toBe(2);
  expect(io.err()).toMatch(/is not inside a git work tree/);
});
