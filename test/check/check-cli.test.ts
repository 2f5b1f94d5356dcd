import { execFileSync } from 'node:child_process';
import { captureIo, type CapturedIo } from '../helpers/io.js';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { tempDir, writeTree } from '../helpers/repo.js';
import { fixedNow } from './helpers.js';


const capture = (cwd: string, now = fixedNow): CapturedIo => captureIo(cwd, { now });

const labelled = (name: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: shop
  labels:
    aadpodidbinding: ${name}
spec:
  containers: [{name: ${name}, image: contoso/${name}:1}]
`;
const clean = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n';
const falseProxy = `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    azure.workload.identity/inject-proxy-sidecar: "false"
spec:
  containers: [{name: p, image: contoso/p:1}]
`;

function git(dir: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=pod2wi tests', '-c', 'user.email=tests@example.com', '-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, stdio: 'ignore' });
}

describe('pod2wi check', () => {
  it('exits 1 and names each finding when red, exits 0 with one line when green', async () => {
    const red = capture(writeTree({ 'pod.yaml': labelled('api') }));
    expect(await runCli(['check', '.'], red)).toBe(1);
    expect(red.out()).toBe([
      'pod2wi check failed: 1 error · 0 warnings · 0 notes (fails on error) · 1 file',
      '  read under .',
      'blockers   1 finding at or above error: aadpodidbinding-label',
      'next       pod2wi fix --dry-run shows the edits that remove them; a',
      '           pod2wi-ignore comment suppresses one, --write-baseline records them',
      '           all',
      '',
      'findings',
      '  error   aadpodidbinding-label',
      `    Pod shop/api: aadpodidbinding=api on the pod template${' '.repeat(11)}pod.yaml:7:5`,
      '',
    ].join('\n'));
    const green = capture(writeTree({ 'settings.yaml': clean }));
    expect(await runCli(['check'], green)).toBe(0);
    expect(green.out().split('\n')).toHaveLength(2);
  });

  it('moves the threshold with --fail-on', async () => {
    const dir = writeTree({ 'pod.yaml': falseProxy });
    expect(await runCli(['check', '.'], capture(dir))).toBe(0);
    expect(await runCli(['check', '--fail-on', 'warning', '.'], capture(dir))).toBe(1);
    expect(await runCli(['check', '--fail-on', 'note', '.'], capture(dir))).toBe(1);
    const bad = capture(dir);
    expect(await runCli(['check', '--fail-on', 'fatal', '.'], bad)).toBe(2);
    expect(bad.err()).toContain('--fail-on fatal: expected error, warning or note');
  });

  it('writes several formats in one run, and never reads its own output files', async () => {
    const dir = writeTree({ 'pod.yaml': labelled('api') });
    const io = capture(dir);
    const args = ['check', '--format', 'text', '--format', 'sarif=out/pod2wi.sarif', '--format', 'junit=out/pod2wi.xml', '--format', 'json=report.json', '--format', 'markdown=summary.md', '.'];
    execFileSync('mkdir', ['-p', join(dir, 'out')]);
    expect(await runCli(args, io)).toBe(1);
    expect(io.out()).toMatch(/error {3}aadpodidbinding-label\n.*pod\.yaml:7:5\n/);
    expect(JSON.parse(readFileSync(join(dir, 'out/pod2wi.sarif'), 'utf8'))).toMatchObject({ version: '2.1.0' });
    expect(readFileSync(join(dir, 'out/pod2wi.xml'), 'utf8')).toContain('<testsuites name="pod2wi check"');
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toContain('pod2wi check failed');
    const again = capture(dir);
    await runCli(['check', '--format', 'json', '.'], again);
    const report = JSON.parse(again.out()) as { findings: { file: string }[] };
    expect(report.findings.map((finding) => finding.file)).toEqual(['pod.yaml']);
  });

  it('prints GitHub and Azure Pipelines commands on stdout', async () => {
    const dir = writeTree({ 'deploy/pod.yaml': labelled('api') });
    const github = capture(dir);
    await runCli(['check', '-f', 'github', 'deploy'], github);
    expect(github.out()).toContain('::error file=deploy/pod.yaml,line=7,col=5,title=aadpodidbinding-label::');
    const azure = capture(dir);
    await runCli(['check', '-f', 'azure-devops', 'deploy'], azure);
    expect(azure.out()).toContain('##vso[task.logissue type=error;sourcepath=deploy/pod.yaml;linenumber=7;columnnumber=5;code=aadpodidbinding-label]');
  });

  it('writes a baseline, then fails only on what is new', async () => {
    const dir = writeTree({ 'a.yaml': labelled('a') });
    const writer = capture(dir);
    expect(await runCli(['check', '--write-baseline', '.pod2wi-baseline.json', '.'], writer)).toBe(0);
    expect(writer.err()).toContain('baseline written to .pod2wi-baseline.json (1 findings)');
    expect(existsSync(join(dir, '.pod2wi-baseline.json'))).toBe(true);
    expect(await runCli(['check', '--baseline', '.pod2wi-baseline.json', '.'], capture(dir))).toBe(0);
    writeFileSync(join(dir, 'b.yaml'), labelled('b'));
    const red = capture(dir);
    expect(await runCli(['check', '--baseline', '.pod2wi-baseline.json', '.'], red)).toBe(1);
    expect(red.out()).toContain('b.yaml:7:5');
    expect(red.out()).not.toContain('a.yaml:7:5');
    expect(await runCli(['check', '--baseline', 'missing.json', '.'], capture(dir))).toBe(2);
  });

  it('honours suppressions, --no-ignore, --config, and the injected clock', async () => {
    const dir = writeTree({
      'a.yaml': labelled('a').replace('aadpodidbinding: a', 'aadpodidbinding: a # pod2wi-ignore aadpodidbinding-label until=2026-07-01 reason="July"'),
      'ci/pod2wi.yaml': 'ignore:\n  - rule: aadpodidbinding-label\n    reason: everything, for this test\n',
    });
    expect(await runCli(['check', '.'], capture(dir))).toBe(0);
    expect(await runCli(['check', '.'], capture(dir, new Date('2026-07-02T00:00:00Z')))).toBe(1);
    expect(await runCli(['check', '--no-ignore', '.'], capture(dir))).toBe(1);
    const configured = capture(dir, new Date('2026-07-02T00:00:00Z'));
    await runCli(['check', '--config', 'ci/pod2wi.yaml', '-f', 'json', '.'], configured);
    const report = JSON.parse(configured.out()) as { findings: { ruleId: string; status: string }[] };
    expect(report.findings.map((finding) => `${finding.ruleId} ${finding.status}`)).toEqual(['aadpodidbinding-label suppressed', 'expired-suppression open']);
    const broken = capture(writeTree({ 'a.yaml': clean, '.pod2wi.yaml': 'ignore:\n  - rule: aadpodidbinding-label\n' }));
    expect(await runCli(['check', '.'], broken)).toBe(2);
    expect(broken.err()).toContain('.pod2wi.yaml:2: ignore.0.reason');
  });

  it('exits 4 when there is nothing to check, and 2 on usage errors', async () => {
    const empty = capture(tempDir());
    expect(await runCli(['check', '.'], empty)).toBe(4);
    expect(empty.err()).toContain('no files to check');
    const sources = capture(writeTree({ 'src/app.ts': 'export {};\n', 'README.md': '# x\n' }));
    expect(await runCli(['check', '.'], sources)).toBe(4);
    expect(sources.err()).toContain('2 files walked, but none the gate reads');
    const dir = writeTree({ 'a.yaml': clean });
    expect(await runCli(['check', 'no/such/path'], capture(dir))).toBe(2);
    expect(await runCli(['check', '--format', 'pdf', '.'], capture(dir))).toBe(2);
    expect(await runCli(['check', '--format', 'text', '--format', 'github', '.'], capture(dir))).toBe(2);
  });

  it('teaches through --help', async () => {
    const io = capture(tempDir());
    expect(await runCli(['check', '--help'], io)).toBe(0);
    for (const option of ['--fail-on', '--baseline', '--write-baseline', '--changed-since', '--no-ignore', 'Examples:', 'Exit codes:']) expect(io.out()).toContain(option);
  });
});

describe('pod2wi check --changed-since', () => {
  it('reports only files changed since the ref: committed on the branch, uncommitted and untracked', async () => {
    const dir = writeTree({ 'old.yaml': labelled('old'), 'edited.yaml': clean, 'README.md': '# repo\n' });
    git(dir, 'init', '-q');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'base');
    git(dir, 'checkout', '-qb', 'feature');
    writeFileSync(join(dir, 'committed.yaml'), labelled('committed'));
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'feature');
    writeFileSync(join(dir, 'edited.yaml'), labelled('edited'));
    writeFileSync(join(dir, 'untracked.yaml'), labelled('untracked'));
    const io = capture(dir);
    expect(await runCli(['check', '--changed-since', 'main', '-f', 'json', '.'], io)).toBe(1);
    const report = JSON.parse(io.out()) as { changedSince: { ref: string; files: number }; findings: { file: string }[] };
    expect(report.findings.map((finding) => finding.file)).toEqual(['committed.yaml', 'edited.yaml', 'untracked.yaml']);
    expect(report.changedSince).toEqual({ ref: 'main', files: 3 });
  });

  it('passes with one line when no file the gate reads changed', async () => {
    const dir = writeTree({ 'old.yaml': labelled('old'), 'README.md': '# repo\n' });
    git(dir, 'init', '-q');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'base');
    writeFileSync(join(dir, 'README.md'), '# repo, edited\n');
    const io = capture(dir);
    expect(await runCli(['check', '--changed-since', 'HEAD', '.'], io)).toBe(0);
    expect(io.out()).toBe('pod2wi check passed: no file the gate reads changed since HEAD\n');
  });

  it('is a usage error outside a git work tree or with an unknown ref', async () => {
    const plain = capture(writeTree({ 'a.yaml': clean }));
    expect(await runCli(['check', '--changed-since', 'main', '.'], plain)).toBe(2);
    expect(plain.err()).toContain('needs a git work tree');
    const dir = writeTree({ 'a.yaml': clean });
    git(dir, 'init', '-q');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'base');
    const unknown = capture(dir);
    expect(await runCli(['check', '--changed-since', 'no-such-branch', '.'], unknown)).toBe(2);
    expect(unknown.err()).toContain('--changed-since no-such-branch: unknown git ref');
  });
});

describe('pod2wi policy', () => {
  it('prints Kyverno and Gatekeeper policies that parse as YAML', async () => {
    for (const engine of ['kyverno', 'gatekeeper']) {
      const io = capture(tempDir());
      expect(await runCli(['policy', '--engine', engine], io)).toBe(0);
      const docs = parseAllDocuments(io.out());
      expect(docs.every((doc) => !Array.isArray(doc) && doc.errors.length === 0)).toBe(true);
    }
  });

  it('writes to a file, and refuses a missing or unknown engine', async () => {
    const dir = tempDir();
    expect(await runCli(['policy', '--engine', 'gatekeeper', '--mode', 'audit', '-o', 'deny.yaml'], capture(dir))).toBe(0);
    expect(readFileSync(join(dir, 'deny.yaml'), 'utf8')).toContain('enforcementAction: dryrun');
    const missing = capture(dir);
    expect(await runCli(['policy'], missing)).toBe(2);
    expect(missing.err()).toContain('--engine is required: kyverno or gatekeeper');
    expect(await runCli(['policy', '--engine', 'opa'], capture(dir))).toBe(2);
    expect(await runCli(['policy', '--engine', 'kyverno', '--mode', 'warn'], capture(dir))).toBe(2);
  });
});

describe('pod2wi check text layout', () => {
  it('wraps to --width, COLUMNS or 80, and lists failing findings whatever --min-severity says', async () => {
    const dir = writeTree({ 'pod.yaml': labelled('api'), 'proxy.yaml': falseProxy });
    const wide = capture(dir);
    expect(await runCli(['check', '--width', '200', '.'], wide)).toBe(1);
    expect(wide.out().split('\n')[0]).toMatch(/^pod2wi check failed: .* read under \.$/);
    const narrow = capture(dir);
    expect(await runCli(['check', '.'], narrow)).toBe(1);
    expect(Math.max(...narrow.out().split('\n').map((line) => line.length))).toBeLessThanOrEqual(80);
    const errorsOnly = capture(dir);
    expect(await runCli(['check', '--min-severity', 'error', '--fail-on', 'warning', '.'], errorsOnly)).toBe(1);
    expect(errorsOnly.out()).toContain('proxy-sidecar-false');
    const hidden = capture(dir);
    expect(await runCli(['check', '--min-severity', 'error', '.'], hidden)).toBe(1);
    expect(hidden.out()).not.toContain('proxy-sidecar-false');
    expect(hidden.out()).toContain('1 finding below error not listed');
    const bad = capture(dir);
    expect(await runCli(['check', '--min-severity', 'loud', '.'], bad)).toBe(2);
    expect(bad.err()).toContain('--min-severity loud: expected note, warning or error');
    const badWidth = capture(dir);
    expect(await runCli(['check', '--width', 'wide', '.'], badWidth)).toBe(2);
  });
});
