#!/usr/bin/env node
// Runs pod2wi on real repositories (snapshots checked out at the commit to study) and prints what it did, for
// docs/realworld.md. Each snapshot is copied to a temporary folder; there `scan`, `plan`, `check` run, then the
// three `fix` phases are written one after the other (parallel, cutover, finalize), as a migration would go.
//
//   node scripts/realworld.mjs [--repos repos.json] [--details out.json] [--workloads out.md] [--configs DIR] SNAPSHOT...
//
// --configs DIR: when DIR holds `<owner>+<name>.pod2wi.yaml`, it is copied into that snapshot as `.pod2wi.yaml`
// before the runs (the values a user gives that the repository does not hold, such as client IDs).
//
// --workloads writes, per repository, a table of its pod-identity workloads: verdict and the reasons with their
// file:line, as docs/realworld.md shows them.
//
// SNAPSHOT is a folder; with --repos, the entry whose `repo` (owner/name, or owner+name in the folder's name)
// matches gives the commit shown in the table. Nothing from the snapshots is written into this repository.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'dist', 'pod2wi.js');

const args = process.argv.slice(2);
let reposFile = null;
let detailsFile = null;
let workloadsFile = null;
let configsDir = null;
const snapshots = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--repos') reposFile = args[++i];
  else if (args[i] === '--details') detailsFile = args[++i];
  else if (args[i] === '--workloads') workloadsFile = args[++i];
  else if (args[i] === '--configs') configsDir = args[++i];
  else if (args[i] === '--help' || args[i] === '-h') {
    console.log('usage: node scripts/realworld.mjs [--repos repos.json] [--details out.json] [--workloads out.md] [--configs DIR] SNAPSHOT...');
    process.exit(0);
  } else snapshots.push(args[i]);
}
if (snapshots.length === 0) {
  console.error('realworld: give at least one snapshot folder');
  process.exit(2);
}
const entries = reposFile ? JSON.parse(readFileSync(reposFile, 'utf8')) : [];

function run(cwd, argv) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [cli, ...argv], { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { code: result.status ?? -1, stdout: result.stdout ?? '', stderr: result.stderr ?? '', seconds };
}

function json(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

const rows = [];
const details = [];
for (const snapshot of snapshots) {
  const source = resolve(snapshot);
  const name = basename(source);
  const entry = entries.find((item) => item.repo === name.replace('+', '/') || item.repo.replace('/', '+') === name) ?? null;
  const work = mkdtempSync(join(tmpdir(), 'pod2wi-realworld-'));
  const root = join(work, name);
  cpSync(source, root, { recursive: true, filter: (path) => basename(path) !== '.git' });
  const config = configsDir ? join(configsDir, `${name}.pod2wi.yaml`) : null;
  if (config && existsSync(config)) cpSync(config, join(root, '.pod2wi.yaml'));
  execFileSync('git', ['init', '-q'], { cwd: root });
  execFileSync('git', ['add', '-A'], { cwd: root });
  execFileSync('git', ['-c', 'user.name=realworld', '-c', 'user.email=realworld@invalid', 'commit', '-qm', 'snapshot'], { cwd: root });

  const scan = run(root, ['scan', '.', '--format', 'json']);
  const report = json(scan.stdout);
  const scanText = run(root, ['scan', '.']);
  const plan = run(root, ['plan', '.', '-d', join(work, 'plan')]);
  const check = run(root, ['check', '.', '--format', 'json']);
  const checked = json(check.stdout);
  const phases = {};
  for (const phase of ['parallel', 'cutover', 'finalize']) {
    const dry = run(root, ['fix', '.', '--phase', phase, '--format', 'json']);
    const fixed = json(dry.stdout);
    const written = run(root, ['fix', '.', '--phase', phase, '--write']);
    const again = run(root, ['fix', '.', '--phase', phase, '--format', 'json']);
    phases[phase] = {
      code: dry.code,
      writeCode: written.code,
      files: fixed?.files?.map((file) => `${file.action} ${file.file} +${file.linesAdded}/-${file.linesRemoved}`) ?? [],
      edited: fixed?.edited?.map((item) => item.subject) ?? [],
      skipped: fixed?.skipped?.map((item) => `${item.subject}: ${item.reason}`) ?? [],
      secondRunFiles: json(again.stdout)?.files?.length ?? null,
      stderr: dry.stderr.trim().split('\n').slice(0, 3).join(' | '),
    };
  }
  const diff = spawnSync('git', ['diff', '--stat'], { cwd: root, encoding: 'utf8' }).stdout.trim();
  const summary = report?.summary ?? null;
  const workloads = report?.workloads?.filter((item) => item.podIdentity) ?? [];
  const verdicts = {};
  for (const workload of workloads) verdicts[workload.migration.path] = (verdicts[workload.migration.path] ?? 0) + 1;
  rows.push({
    repo: entry?.repo ?? name,
    commit: entry?.commit?.slice(0, 8) ?? '',
    exit: [scan.code, plan.code, check.code, phases.parallel.code, phases.cutover.code, phases.finalize.code].join('/'),
    workloads: workloads.length,
    verdicts: Object.entries(verdicts).map(([path, count]) => `${count} ${path}`).join(', ') || '—',
    parallel: phases.parallel.files.length,
    cutover: phases.cutover.files.length,
    finalize: phases.finalize.files.length,
    checkFindings: checked?.findings?.length ?? null,
    scanLines: scanText.stdout.split('\n').length,
    seconds: scan.seconds.toFixed(1),
  });
  details.push({
    repo: entry?.repo ?? name,
    summary,
    workloads: workloads.map((item) => ({ id: item.id, unit: item.unit, selector: item.podIdentity?.selector ?? item.podIdentity?.template, identities: item.podIdentity?.identities?.map((identity) => `${identity.name} ${identity.clientId ?? '?'}`), path: item.migration.path, reasons: item.migration.reasons.map((reason) => `${reason.message}${reason.file ? ` (${reason.file}:${reason.line})` : ''}`), warnings: item.migration.warnings.map((reason) => reason.code) })),
    findings: (report?.findings ?? []).reduce((counts, finding) => ({ ...counts, [finding.ruleId]: (counts[finding.ruleId] ?? 0) + 1 }), {}),
    check: { code: check.code, findings: checked?.findings?.length ?? null, byRule: (checked?.findings ?? []).reduce((counts, finding) => ({ ...counts, [finding.ruleId]: (counts[finding.ruleId] ?? 0) + 1 }), {}) },
    phases,
    diff,
    errors: [scan, plan, check].filter((item) => item.code === 3).map((item) => item.stderr.trim()),
  });
  rmSync(work, { recursive: true, force: true });
}

console.log('| repository | commit | exit scan/plan/check/fix×3 | pod-identity workloads | verdicts | files changed (parallel/cutover/finalize) | check findings | scan text lines | scan s |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const row of rows) {
  console.log(`| ${row.repo} | ${row.commit} | ${row.exit} | ${row.workloads} | ${row.verdicts} | ${row.parallel}/${row.cutover}/${row.finalize} | ${row.checkFindings ?? '?'} | ${row.scanLines} | ${row.seconds} |`);
}
if (detailsFile) writeFileSync(detailsFile, `${JSON.stringify(details, null, 2)}\n`);
if (workloadsFile) {
  const cell = (text) => String(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const out = [];
  for (const repo of details) {
    out.push(`### ${repo.repo}`, '');
    if (repo.workloads.length === 0) {
      out.push('No workload with pod identity found.', '');
      continue;
    }
    out.push('| workload | verdict | why (evidence) | warnings |', '|---|---|---|---|');
    for (const workload of repo.workloads) {
      const warnings = [...new Set(workload.warnings)].join(', ') || '—';
      out.push(`| \`${cell(workload.id)}\` | ${workload.path} | ${workload.reasons.map(cell).join('<br>')} | ${warnings} |`);
    }
    out.push('');
  }
  writeFileSync(workloadsFile, `${out.join('\n')}\n`);
}
