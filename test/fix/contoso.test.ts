import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyPatch, parsePatch } from 'diff';
import { describe, expect, it } from 'vitest';
import { writeChanges } from '../../src/fix/edit.js';
import { planFix, type FixPlan, type Phase } from '../../src/fix/index.js';
import { renderFixDiff } from '../../src/report/fix-diff.js';
import { analyze, defaultMaxFileSize, type Analysis } from '../../src/run.js';
import { copyFixture } from '../helpers/repo.js';
import { expectSoundPlan } from './checks.js';

/**
 * examples/contoso through the three phases, re-scanning between them as a user would after committing each one.
 * Expectations come from the plan of each scan, not from a list of files, so the test holds whatever verdicts the
 * example's applications lead to. When the example carries no application dependencies at all, the test gives
 * each service an npm manifest (orders-api and reports on a legacy SDK, the rest current) so the phases have work.
 */
const example = fileURLToPath(new URL('../../examples/contoso/', import.meta.url));

const fallbackApplications: Readonly<Record<string, string>> = {
  'orders-api': '1.5.2',
  payments: '4.2.1',
  reports: '1.2.0',
  inventory: '4.3.0',
  shipping: '4.1.0',
};

async function scan(dir: string): Promise<Analysis> {
  return analyze({ paths: ['contoso'], cwd: dir, exclude: [], defaultExcludes: true, maxFileSize: defaultMaxFileSize, namespace: null, forceNamespaced: false, allDependencies: false });
}

function templates(analysis: Analysis): (file: string) => boolean {
  const set = new Set(analysis.manifests.charts.flatMap((chart) => chart.files.filter((file) => file.startsWith(`${chart.dir ? `${chart.dir}/` : ''}templates/`))));
  return (file) => set.has(file);
}

/** Plans a phase, checks it, checks its diff applies to the files, writes it, and checks a second run is empty. */
async function run(dir: string, phase: Phase): Promise<{ before: Analysis; plan: FixPlan; after: Analysis }> {
  const before = await scan(dir);
  const plan = planFix(before, phase);
  expectSoundPlan(plan, templates(before));
  expect(plan.findings.filter((finding) => finding.ruleId === 'fix-not-applied'), `${phase}: edits that did not verify`).toEqual([]);
  const diff = renderFixDiff(plan, { root: '.', written: false, color: false });
  const end = diff.indexOf('\n\n');
  const patches = parsePatch(end < 0 ? diff : diff.slice(0, end + 1));
  for (const change of plan.changes) {
    const patch = patches.find((item) => item.newFileName === `b/${change.file}` || item.oldFileName === `a/${change.file}`);
    expect(patch, `${phase}: no diff for ${change.file}`).toBeDefined();
    if (patch) expect(applyPatch(change.before, patch), `${phase}: the diff of ${change.file} does not apply`).toBe(change.after);
  }
  expect(writeChanges(before.root, plan.changes)).toEqual([]);
  const after = await scan(dir);
  expect(planFix(after, phase).changes.map((change) => change.file), `${phase}: a second run changes files`).toEqual([]);
  return { before, plan, after };
}

describe('examples/contoso', () => {
  it('migrates through parallel, cutover and finalize', async () => {
    const dir = copyFixture(join(example, '..'));
    const root = join(dir, 'contoso');
    const first = await scan(dir);
    if (first.report.applications.every((app) => app.dependencies.length === 0)) {
      for (const [name, version] of Object.entries(fallbackApplications)) {
        const folder = join(root, 'apps', name);
        if (existsSync(join(folder, 'package.json'))) continue;
        mkdirSync(folder, { recursive: true });
        writeFileSync(join(folder, 'package.json'), `{ "name": "${name}", "version": "1.0.0", "dependencies": { "@azure/identity": "${version}" } }\n`);
      }
    }

    // Parallel: every workload on a path pod2wi edits is edited; the others are reported with a reason.
    const parallel = await run(dir, 'parallel');
    const editable = parallel.before.plan.workloads.filter((item) => (item.path === 'latest' || item.path === 'legacy') && !item.blocked && item.identity && item.serviceAccount);
    expect(editable.length, 'contoso has workloads to migrate').toBeGreaterThan(0);
    expect(parallel.plan.changes.length).toBeGreaterThan(0);
    const diff = renderFixDiff(parallel.plan, { root: 'contoso', written: false, color: false });
    expect(diff).toMatch(/^--- a\/contoso\//m);
    expect(diff).toMatch(/phase parallel · run with --write to apply · next phase: cutover/);
    for (const item of editable) {
      const edited = parallel.plan.edited.some((entry) => entry.subject === item.workload);
      const skipped = parallel.plan.skipped.find((entry) => entry.subject === item.workload);
      expect(edited || skipped !== undefined, `${item.workload} is neither edited nor reported`).toBe(true);
    }
    for (const item of parallel.before.plan.workloads.filter((workload) => workload.path === 'unknown' || workload.blocked)) {
      expect(parallel.plan.skipped.some((entry) => entry.subject === item.workload), `${item.workload} is not reported as skipped`).toBe(true);
    }
    const migrated = new Set(parallel.after.report.workloads.filter((workload) => workload.migration.path === 'migrated').map((workload) => workload.id));
    for (const item of parallel.plan.edited) {
      if (parallel.before.report.workloads.some((workload) => workload.id === item.subject)) expect(migrated.has(item.subject), `${item.subject} is on workload identity after the parallel phase`).toBe(true);
    }

    // Cut-over: aadpodidbinding stays only on workloads not on workload identity (or kept by a selector).
    const cutover = await run(dir, 'cutover');
    const kept = new Set(cutover.plan.findings.filter((finding) => finding.ruleId === 'fix-label-in-selector').map((finding) => finding.message.split(':')[0]));
    for (const workload of cutover.after.report.workloads) {
      if (!workload.podIdentity) continue;
      const plan = cutover.after.plan.workloads.find((item) => item.workload === workload.id);
      const onPodIdentity = workload.migration.path !== 'migrated' || kept.has(workload.id);
      expect(onPodIdentity || plan?.blocked === true, `${workload.id} still carries aadpodidbinding`).toBe(true);
    }
    const stillBound = new Set(cutover.after.report.workloads.filter((workload) => workload.podIdentity && workload.migration.path !== 'migrated').map((workload) => workload.id));
    for (const binding of cutover.after.report.bindings) {
      expect(binding.usedBy.length === 0 || binding.usedBy.some((user) => stillBound.has(user)), `binding ${binding.name} remains for migrated workloads`).toBe(true);
    }
    for (const identity of cutover.after.report.identities.filter((item) => item.source !== 'helm' || item.usedBy.length > 0)) {
      expect(identity.usedBy.length === 0 || identity.usedBy.some((user) => stillBound.has(user)), `identity ${identity.name} remains for migrated workloads`).toBe(true);
    }
    // Exceptions stay until aad-pod-identity itself goes (while NMI runs, the pods they exempt need them): a manual step.
    expect(cutover.after.report.exceptions.length).toBe(cutover.before.report.exceptions.length);
    if (stillBound.size === 0) expect(cutover.plan.findings.filter((finding) => finding.ruleId === 'fix-manual-step' && finding.message.startsWith('AzurePodIdentityException'))).toHaveLength(cutover.before.report.exceptions.length);

    // Finalize: the proxy stays only where the code still needs it, and never as "false".
    const finalize = await run(dir, 'finalize');
    for (const workload of finalize.after.report.workloads.filter((item) => item.workloadIdentity.proxySidecar)) {
      expect(finalize.plan.skipped.some((entry) => entry.subject === workload.id), `${workload.id} keeps the proxy without a reason`).toBe(true);
    }
    for (const change of [...parallel.plan.changes, ...cutover.plan.changes, ...finalize.plan.changes]) {
      expect(change.after).not.toMatch(/inject-proxy-sidecar:\s*["']?false/);
    }
  });
});
