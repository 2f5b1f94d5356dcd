// Runs every bench/*.bench.mjs in its own Node process (so peak memory is per benchmark) and prints what each
// reports. Benchmarks import the built code from dist/; `npm run bench` builds first. Targets live here, never in tests.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((name) => name.endsWith('.bench.mjs'))
  .filter((name) => only.length === 0 || only.some((filter) => name.includes(filter)))
  .sort();
let failed = 0;
for (const name of files) {
  process.stdout.write(`\n## ${name}\n`);
  try {
    execFileSync(process.execPath, ['--expose-gc', join(here, name)], { stdio: 'inherit' });
  } catch {
    failed++;
  }
}
process.exitCode = failed ? 1 : 0;
