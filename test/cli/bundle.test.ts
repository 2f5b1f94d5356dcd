import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { copyFixture } from '../helpers/repo.js';

/** The tsc build and the bundle `npm run build` makes of it (scripts/bundle.mjs): one program, two layouts. */
const repository = fileURLToPath(new URL('../..', import.meta.url));
const built = `${repository}dist/cli/main.js`;
const bundle = `${repository}dist/pod2wi.js`;

function run(entry: string, args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [entry, ...args], { cwd: repository, encoding: 'utf8', maxBuffer: 1 << 26 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Every file under a folder by its relative path, with its text. */
function contents(root: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files[path.slice(root.length + 1)] = readFileSync(path, 'utf8');
  }
  return files;
}

describe.runIf(existsSync(built) && existsSync(bundle))('the bundled CLI', () => {
  it.each([
    ['scan', ['scan', 'examples/contoso', '--format', 'json']],
    ['plan', ['plan', 'examples/contoso', '--format', 'json']],
    ['check', ['check', 'examples/contoso', '--format', 'sarif']],
    ['rules', ['rules', '--format', 'json']],
    ['--version', ['--version']],
    ['a usage error', ['scan', '--min-severity', 'loud', 'examples/contoso']],
  ])('answers %s exactly as the tsc build does', (_name, args) => {
    const fromBundle = run(bundle, args);
    expect(fromBundle).toEqual(run(built, args));
    expect(fromBundle.stdout.length + fromBundle.stderr.length).toBeGreaterThan(0);
  });

  it('writes the same fix', () => {
    const viaBuilt = copyFixture(`${repository}examples/contoso`);
    const viaBundle = copyFixture(`${repository}examples/contoso`);
    const fixedByBuilt = run(built, ['fix', viaBuilt, '--write', '--format', 'json']);
    const fixedByBundle = run(bundle, ['fix', viaBundle, '--write', '--format', 'json']);
    expect(fixedByBundle.status).toBe(fixedByBuilt.status);
    expect(fixedByBundle.stdout.split(viaBundle).join('ROOT')).toEqual(fixedByBuilt.stdout.split(viaBuilt).join('ROOT'));
    expect(contents(viaBundle)).toEqual(contents(viaBuilt));
    expect(contents(viaBundle)).not.toEqual(contents(`${repository}examples/contoso`));
  });
});
