import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { writeTree } from '../helpers/repo.js';

/** The built CLI (`npm test` builds before it runs the tests). */
const repository = fileURLToPath(new URL('../..', import.meta.url));
const cli = `${repository}dist/cli/main.js`;

describe.runIf(existsSync(cli))('the built CLI', () => {
  it('ends quietly when the reader closes the pipe early', () => {
    // More JSON than a pipe buffers (64 KB), so the writer is still writing when `head` closes its end.
    const files: Record<string, string> = {};
    for (let i = 0; i < 300; i++) {
      files[`d${i}.yaml`] = `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app-${i}, namespace: ns}\nspec:\n  template:\n    metadata:\n      labels: {aadpodidbinding: app-${i}}\n    spec:\n      containers: [{name: a, image: contoso/a:1}]\n`;
    }
    const dir = writeTree(files);
    const result = spawnSync('bash', ['-o', 'pipefail', '-c', `node ${cli} scan . --format json | head -c 1 > /dev/null`], { cwd: dir, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('prints its version and help', () => {
    expect(spawnSync('node', [cli, '--version'], { encoding: 'utf8' }).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = spawnSync('node', [cli, '--help'], { encoding: 'utf8' }).stdout;
    for (const command of ['scan', 'plan', 'fix', 'check', 'pr', 'policy', 'rules']) expect(help).toContain(command);
  });
});
