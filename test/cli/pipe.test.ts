import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** The built CLI (`npm test` builds before it runs the tests). */
const repository = fileURLToPath(new URL('../..', import.meta.url));
const cli = `${repository}dist/cli/main.js`;

describe.runIf(existsSync(cli))('the built CLI', () => {
  it('ends quietly when the reader closes the pipe early', () => {
    const result = spawnSync('bash', ['-o', 'pipefail', '-c', `node ${cli} scan examples/contoso | head -c 20 > /dev/null`], { cwd: repository, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('prints its version and help', () => {
    expect(spawnSync('node', [cli, '--version'], { encoding: 'utf8' }).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = spawnSync('node', [cli, '--help'], { encoding: 'utf8' }).stdout;
    for (const command of ['scan', 'plan', 'fix', 'check', 'pr', 'policy', 'rules']) expect(help).toContain(command);
  });
});
