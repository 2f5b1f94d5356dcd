// Runs the built CLI in-process on every case of a manifest, one after the other, and writes what each returned:
// exit status, stdout, stderr, wall time and the process's peak RSS so far. Started by test/hostile/hostile.test.ts
// with the network trap preloaded; progress goes to stderr so a hang names its case.
import { readFileSync, writeFileSync } from 'node:fs';
import { runCli } from '../../dist/cli/program.js';

const [manifestPath, resultsPath] = process.argv.slice(2);
const runs = JSON.parse(readFileSync(manifestPath, 'utf8'));

// The trap must be armed: one attempt of our own is recorded, then forgotten.
const attempts = globalThis.pod2wiNetworkAttempts;
let armed = false;
if (Array.isArray(attempts)) {
  try {
    await fetch('http://127.0.0.1:9/');
  } catch {
    armed = attempts.length === 1;
  }
  attempts.length = 0;
}

const results = [];
for (const run of runs) {
  process.stderr.write(`running ${run.name}\n`);
  let stdout = '';
  let stderr = '';
  const io = {
    cwd: run.folder,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    stdout: { write: (text) => (stdout += text), isTTY: false },
    stderr: { write: (text) => (stderr += text) },
    now: () => new Date('2026-06-01T00:00:00Z'),
  };
  process.chdir(run.folder);
  const started = performance.now();
  const status = await runCli(run.args, io);
  const seconds = (performance.now() - started) / 1000;
  globalThis.gc?.();
  results.push({ name: run.name, status, stdout, stderr, seconds, peakKb: process.resourceUsage().maxRSS, network: [...(attempts ?? [])] });
}
writeFileSync(resultsPath, JSON.stringify({ armed, peakKb: process.resourceUsage().maxRSS, network: [...(attempts ?? [])], results }));
