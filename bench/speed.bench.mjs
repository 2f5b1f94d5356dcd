// pod2wi beside ripgrep and ast-grep on generated monorepos (10k, 50k and 100k files by default), the start-up
// figures, and `check --changed-since` against a full check. Every figure is printed with its target from the speed
// issue (met / not met); nothing here fails: targets are for reading, the test suite never runs benchmarks.
//
// Sizes: POD2WI_BENCH_SIZES=10000,50000 (or arguments after `--`: node bench/speed.bench.mjs 10000 50000).
// Runs per size: POD2WI_BENCH_RUNS (default 5, 3 from 100k files). Tools: rg and ast-grep on PATH, or
// POD2WI_BENCH_RG and POD2WI_BENCH_AST_GREP naming the binaries; a missing tool is reported and skipped.
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCredentialRules } from '../dist/code/rules.js';
import { buildPrefilters, prefilterTerms } from '../dist/code/prefilter.js';
import { generateMonorepo } from './monorepo.mjs';
import { cleanup, tempRoot } from './util.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'dist', 'pod2wi.js');
const given = process.argv.slice(2).map(Number).filter((n) => n > 0);
const sizes = given.length > 0 ? given : (process.env.POD2WI_BENCH_SIZES ?? '10000,50000,100000').split(',').map(Number).filter((n) => n > 0);
const runsFor = (size) => Number(process.env.POD2WI_BENCH_RUNS ?? 0) || (size >= 100000 ? 3 : 5);

/** An executable named by `env`, else found on PATH; null when neither. */
function findTool(env, names) {
  const candidates = process.env[env] ? [process.env[env]] : names.flatMap((name) => (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, name)));
  for (const path of candidates) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not this one
    }
  }
  return null;
}

const gnuTime = (() => {
  const path = findTool('POD2WI_BENCH_TIME', ['time']);
  if (!path) return null;
  return spawnSync(path, ['-f', '%e', 'true'], { stdio: 'ignore' }).status === 0 ? path : null;
})();

/**
 * Runs a command once: wall time (ms), CPU time (user + system, ms) and peak RSS (MB) when GNU time is there
 * (wall only otherwise). Output goes nowhere; a status other than the accepted ones is an error.
 */
function runOnce(command, args, options = {}) {
  const accept = options.accept ?? [0];
  const cwd = options.cwd ?? process.cwd();
  if (gnuTime) {
    const out = join(scratch, 'time.txt');
    const start = performance.now();
    const run = spawnSync(gnuTime, ['-o', out, '-f', '%e %U %S %M', command, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 28 });
    const wall = performance.now() - start;
    const [, user, system, rss] = readFileSync(out, 'utf8').trim().split('\n').pop().split(' ').map(Number);
    const status = run.status;
    if (!accept.includes(status)) throw new Error(`${command} ${args.join(' ').slice(0, 200)} exited ${status}: ${String(run.stderr).slice(0, 500)}`);
    return { wall, cpu: (user + system) * 1000, rssMb: rss / 1024 };
  }
  const start = performance.now();
  const run = spawnSync(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 28 });
  const wall = performance.now() - start;
  if (!accept.includes(run.status)) throw new Error(`${command} exited ${run.status}: ${String(run.stderr).slice(0, 500)}`);
  return { wall, cpu: NaN, rssMb: NaN };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

/** Medians of `runs` runs (peak RSS: the largest seen). */
function measureCommand(runs, command, args, options) {
  const results = [];
  for (let i = 0; i < runs; i++) results.push(runOnce(command, args, options));
  return { wall: median(results.map((r) => r.wall)), cpu: median(results.map((r) => r.cpu)), rssMb: Math.max(...results.map((r) => r.rssMb)) };
}

const seconds = (ms) => (Number.isNaN(ms) ? 'n/a' : `${(ms / 1000).toFixed(2)} s`);
const verdict = (ok) => (ok ? 'met' : 'NOT MET');

const scratch = tempRoot('pod2wi-speed-');
const reportFile = join(scratch, 'report.json');
const rg = findTool('POD2WI_BENCH_RG', ['rg']);
const astGrep = findTool('POD2WI_BENCH_AST_GREP', ['ast-grep']);

// ripgrep looks for every word the prefilter of any language looks for, plus the manifest words pod2wi reads.
const rules = loadCredentialRules();
const terms = new Set(['aadpodidbinding', 'AzureIdentityBinding', 'AzureIdentity', 'azure.workload.identity']);
for (const language of buildPrefilters(rules).keys()) for (const term of prefilterTerms(rules, language)) terms.add(term);
const rgArgs = ['--count-matches', '--fixed-strings', ...[...terms].sort().flatMap((term) => ['-e', term])];

// ast-grep parses every source file of the six languages and looks for the credential classes by name.
const credentialNames = ['DefaultAzureCredential', 'ManagedIdentityCredential', 'WorkloadIdentityCredential', 'DefaultAzureCredentialBuilder', 'ManagedIdentityCredentialBuilder', 'NewDefaultAzureCredential', 'NewManagedIdentityCredential'];
const astGrepRules = [['TypeScript', 'identifier'], ['Python', 'identifier'], ['CSharp', 'identifier'], ['Java', 'type_identifier'], ['Go', 'field_identifier'], ['Cpp', 'type_identifier']]
  .map(([language, kind]) => `id: credential-${language.toLowerCase()}\nlanguage: ${language}\nseverity: info\nrule:\n  kind: ${kind}\n  regex: '^(${credentialNames.join('|')})$'\n`)
  .join('---\n');
const astGrepArgs = ['scan', '--inline-rules', astGrepRules, '--json=compact'];

console.log(`machine: ${process.platform} ${process.arch}, ${(await import('node:os')).availableParallelism()} cores, Node ${process.version}; load average ${(await import('node:os')).loadavg().map((n) => n.toFixed(2)).join(' ')}`);
if (!gnuTime) console.log('GNU time not installed: CPU time and peak RSS are not measured (apt-get install time)');
if (!rg) console.log('ripgrep not installed, skipped (install it, or name the binary in POD2WI_BENCH_RG)');
if (!astGrep) console.log('ast-grep not installed, skipped (npm i --prefix DIR @ast-grep/cli, then POD2WI_BENCH_AST_GREP=DIR/node_modules/.bin/ast-grep)');

// Start-up: Node itself, --version, and check on a repository of 10 files.
{
  const small = join(scratch, 'small');
  mkdirSync(small);
  writeFileSync(join(small, 'deployment.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n        - name: web\n          image: contoso/web:1\n');
  writeFileSync(join(small, 'service.yaml'), 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n    - port: 80\n');
  for (let i = 0; i < 8; i++) writeFileSync(join(small, `notes-${i}.md`), `# Note ${i}\n`);
  execFileSync('git', ['-C', small, 'init', '-q']);
  const runs = 11;
  const node = measureCommand(runs, process.execPath, ['-e', '0']);
  const version = measureCommand(runs, process.execPath, [cli, '--version']);
  const check = measureCommand(runs, process.execPath, [cli, 'check', small], { accept: [0, 1] });
  console.log(`\nstart-up (median of ${runs}):`);
  console.log(`  node -e 0                     ${seconds(node.wall)} wall, ${seconds(node.cpu)} CPU`);
  console.log(`  pod2wi --version              ${seconds(version.wall)} wall, ${seconds(version.cpu)} CPU, ${Math.round(version.rssMb)} MB  target < 0.25 s: ${verdict(version.wall < 250)}`);
  console.log(`  pod2wi check (10 files)       ${seconds(check.wall)} wall, ${seconds(check.cpu)} CPU, ${Math.round(check.rssMb)} MB  target < 0.25 s: ${verdict(check.wall < 250)}`);
}

const perFile = [];
for (const size of sizes) {
  const root = join(scratch, `monorepo-${size}`);
  mkdirSync(root);
  const started = performance.now();
  const made = generateMonorepo(root, size);
  const runs = runsFor(size);
  console.log(`\n${size} files (${made.listed} outside the ignored node_modules, ${(made.bytes / 1e6).toFixed(0)} MB; ${made.apps} applications, ${made.charts} charts, ${made.overlays} overlays), generated and committed in ${seconds(performance.now() - started)}; median of ${runs} runs:`);
  // Warm the page cache once for every tool alike.
  runOnce('git', ['-C', root, 'ls-files', '-z']);
  const pod = measureCommand(runs, process.execPath, [cli, 'scan', root, '--format', 'json', '--output', reportFile], { accept: [0, 1] });
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  const ripgrep = rg ? measureCommand(runs, rg, [...rgArgs, root], { accept: [0, 1] }) : null;
  const sg = astGrep ? measureCommand(runs, astGrep, [...astGrepArgs, root], { accept: [0, 1] }) : null;
  const row = (name, result) => `  ${name.padEnd(10)} ${seconds(result.wall).padStart(8)} wall ${seconds(result.cpu).padStart(8)} CPU ${String(Math.round(result.rssMb)).padStart(5)} MB peak RSS`;
  console.log(`${row('pod2wi', pod)}  (${report.summary.files} files walked, ${report.summary.workloads} workloads, ${report.summary.applications} applications, ${report.findings.length} findings)`);
  console.log(ripgrep ? row('ripgrep', ripgrep) : '  ripgrep    not installed, skipped');
  console.log(sg ? row('ast-grep', sg) : '  ast-grep   not installed, skipped');
  const cost = (pod.wall * 1000) / made.listed;
  perFile.push({ size, cost });
  if (ripgrep) console.log(`  pod2wi / ripgrep  ${(pod.wall / ripgrep.wall).toFixed(1)}x wall, ${(pod.cpu / ripgrep.cpu).toFixed(1)}x CPU   target ≤ 2x wall: ${verdict(pod.wall <= 2 * ripgrep.wall)}`);
  if (sg) console.log(`  pod2wi / ast-grep ${(pod.wall / sg.wall).toFixed(2)}x wall, ${(pod.cpu / sg.cpu).toFixed(2)}x CPU   target < 0.5x wall: ${verdict(pod.wall < 0.5 * sg.wall)}`);
  console.log(`  pod2wi peak RSS ${Math.round(pod.rssMb)} MB   target < 400 MB: ${verdict(Number.isNaN(pod.rssMb) || pod.rssMb < 400)}`);
  console.log(`  pod2wi per file ${cost.toFixed(0)} µs wall`);

  if (size === Math.max(...sizes)) {
    // 10 files changed on a branch: the gate against the branch point, beside the full gate.
    const changed = execFileSync('git', ['-C', root, 'ls-files', '--', 'services/*/k8s/deployment.yaml', 'services/*.py'], { encoding: 'utf8' }).split('\n').filter(Boolean);
    const pick = [...changed.filter((path) => path.endsWith('.yaml')).slice(0, 5), ...changed.filter((path) => path.endsWith('.py')).slice(0, 5)];
    execFileSync('git', ['-C', root, 'branch', 'bench-base']);
    for (const path of pick) writeFileSync(join(root, path), `${readFileSync(join(root, path), 'utf8')}\n# changed\n`);
    execFileSync('git', ['-C', root, '-c', 'user.name=bench', '-c', 'user.email=bench@example.com', 'commit', '-q', '--no-gpg-sign', '-am', 'ten changes']);
    const full = measureCommand(runs, process.execPath, [cli, 'check', root], { accept: [0, 1] });
    const since = measureCommand(runs, process.execPath, [cli, 'check', root, '--changed-since', 'bench-base'], { accept: [0, 1], cwd: root });
    console.log(`  check (full)                  ${seconds(full.wall)} wall, ${seconds(full.cpu)} CPU, ${Math.round(full.rssMb)} MB`);
    console.log(`  check --changed-since (${pick.length} files) ${seconds(since.wall)} wall, ${seconds(since.cpu)} CPU, ${Math.round(since.rssMb)} MB  = ${(since.wall / full.wall).toFixed(2)} of a full check   target < 0.1: ${verdict(since.wall < 0.1 * full.wall)}`);
  }
  rmSync(root, { recursive: true, force: true });
}
if (perFile.length > 1) {
  const first = perFile[0];
  const last = perFile[perFile.length - 1];
  const growth = last.cost / first.cost;
  console.log(`\nper-file cost ${perFile.map((item) => `${item.size}: ${item.cost.toFixed(0)} µs`).join(', ')}; ${growth.toFixed(2)}x from ${first.size} to ${last.size}   target flat (≤ 1.25x): ${verdict(growth <= 1.25)}`);
}
cleanup(scratch);
