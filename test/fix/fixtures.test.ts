import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { writeChanges } from '../../src/fix/edit.js';
import { planFix, type Phase } from '../../src/fix/index.js';
import { renderFixDiff } from '../../src/report/fix-diff.js';
import { renderFixJson } from '../../src/report/fix-json.js';
import { analyze, type ScanOptions } from '../../src/run.js';
import { expectGolden } from '../helpers/golden.js';
import { copyFixture, scanOptionsFor } from '../helpers/repo.js';
import { expectSoundPlan, snapshot } from './checks.js';

/**
 * One test per folder under fixtures/fix/: `repo/` is copied to a temporary folder and the runs of `fixture.json`
 * (default: the parallel phase) are applied one after another on the copy, re-scanning before each, as a user would
 * commit one phase before the next. A run may first write files (`files`, e.g. an upgraded lockfile). Per run:
 * - the text and JSON outputs equal `expected/<run>/fix.txt` and `edits.json`;
 * - every file the run changed equals `expected/<run>/<path>.fixed` (a deleted one has `<path>.deleted`), no other
 *   file changed by a single byte, and no golden file is left over;
 * - every byte outside the edited ranges is the original's, each result re-parses, BOM and line endings are kept;
 * - the same phase run again on the result changes nothing;
 * - a run expected to change something does (`"change": false` marks a run expected to change nothing).
 */
const fixtures = fileURLToPath(new URL('../../fixtures/fix/', import.meta.url));

interface Run {
  readonly phase?: Phase;
  readonly name?: string;
  readonly change?: boolean;
  readonly files?: Readonly<Record<string, string>>;
}

interface Fixture {
  readonly runs: readonly Run[];
  readonly options?: Partial<Pick<ScanOptions, 'namespace' | 'forceNamespaced' | 'clusterStates'>>;
}

const update = process.env.UPDATE_GOLDEN === '1' && process.env.CI !== 'true';

async function analysisOf(dir: string, fixture: Fixture) {
  return analyze(scanOptionsFor(dir, ['repo'], fixture.options));
}

function goldenFiles(folder: string): string[] {
  if (!existsSync(folder)) return [];
  const found: string[] = [];
  const visit = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) visit(path);
      else if (/\.(fixed|deleted)$/.test(name)) found.push(relative(folder, path).split('\\').join('/'));
    }
  };
  visit(folder);
  return found.sort();
}

for (const name of readdirSync(fixtures).sort()) {
  const folder = join(fixtures, name);
  if (!statSync(folder).isDirectory()) continue;
  const configFile = join(folder, 'fixture.json');
  const fixture: Fixture = existsSync(configFile) ? (JSON.parse(readFileSync(configFile, 'utf8')) as Fixture) : { runs: [{ phase: 'parallel' }] };
  describe(`fix fixture ${name}`, () => {
    it(fixture.runs.map((run) => run.name ?? run.phase ?? 'files').join(' → '), async () => {
      const dir = copyFixture(folder);
      const repo = join(dir, 'repo');
      for (const run of fixture.runs) {
        for (const [path, content] of Object.entries(run.files ?? {})) {
          mkdirSync(dirname(join(repo, path)), { recursive: true });
          writeFileSync(join(repo, path), content);
        }
        if (!run.phase) continue;
        const label = run.name ?? run.phase;
        const expected = join(folder, 'expected', label);
        const before = snapshot(repo);
        const analysis = await analysisOf(dir, fixture);
        const templates = new Set(analysis.manifests.charts.flatMap((chart) => chart.files.filter((file) => file.startsWith(`${chart.dir ? `${chart.dir}/` : ''}templates/`))));
        const plan = planFix(analysis, run.phase);

        expectGolden(join(expected, 'fix.txt'), renderFixDiff(plan, { root: analysis.report.root, written: false, color: false }));
        expectGolden(join(expected, 'edits.json'), renderFixJson(plan, { root: analysis.report.root, written: false }).replace(/"version": "[^"]*"/, '"version": "(any)"'));
        if (run.change === false) expect(plan.changes, `${label}: expected no change`).toEqual([]);
        else expect(plan.changes.length, `${label}: a fix run that produces nothing`).toBeGreaterThan(0);
        expectSoundPlan(plan, (file) => templates.has(file));

        expect(writeChanges(analysis.root, plan.changes)).toEqual([]);
        const after = snapshot(repo);
        const changed = [...new Set([...before.keys(), ...after.keys()])].filter((path) => !before.get(path)?.equals(after.get(path) ?? Buffer.alloc(0)) || before.has(path) !== after.has(path)).sort();
        expect(changed, `${label}: the files written are the files planned`).toEqual(plan.changes.map((change) => change.file).sort());
        if (update) {
          rmSync(expected, { recursive: true, force: true });
          expectGolden(join(expected, 'fix.txt'), renderFixDiff(plan, { root: analysis.report.root, written: false, color: false }));
          expectGolden(join(expected, 'edits.json'), renderFixJson(plan, { root: analysis.report.root, written: false }).replace(/"version": "[^"]*"/, '"version": "(any)"'));
        }
        for (const path of changed) {
          const content = after.get(path);
          if (content === undefined) expectGolden(join(expected, `${path}.deleted`), '');
          else expectGolden(join(expected, `${path}.fixed`), content.toString('utf8'));
        }
        expect(goldenFiles(expected), `${label}: golden files without a matching change`).toEqual(changed.map((path) => `${path}${after.has(path) ? '.fixed' : '.deleted'}`).sort());
        for (const change of plan.changes) {
          if (change.bom && change.action !== 'delete') expect(after.get(change.file)?.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])), `${change.file} lost its BOM`).toBe(true);
        }

        const again = planFix(await analysisOf(dir, fixture), run.phase);
        expect(again.changes.map((change) => change.file), `${label}: a second run still changes files`).toEqual([]);
      }
    });
  });
}
