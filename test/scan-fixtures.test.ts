import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderJson } from '../src/report/json.js';
import { renderText } from '../src/report/text.js';
import { scan, type ScanOptions } from '../src/run.js';
import { expectGolden } from './helpers/golden.js';
import { scanOptionsFor, tempDir } from './helpers/repo.js';
import { validateScanReport } from './helpers/schema.js';

/**
 * One test per fixture folder under fixtures/scan/: `repo/` is scanned from a temporary copy and the report is
 * compared with `expected/<run>.json` and `expected/<run>.txt`. `fixture.json` may list several runs with options.
 */
const fixtures = fileURLToPath(new URL('../fixtures/scan/', import.meta.url));

interface FixtureRun {
  readonly name: string;
  readonly options?: Partial<Pick<ScanOptions, 'namespace' | 'forceNamespaced' | 'exclude'>>;
  /** Exports of the cluster (--cluster-state), from the fixture's `cluster/` folder, named as `../cluster/<file>`. */
  readonly clusterStates?: readonly string[];
  /** Widths of further text goldens, `expected/<run>.<width>.txt` (the plain `.txt` is laid out for 80 columns). */
  readonly textWidths?: readonly number[];
}

for (const name of readdirSync(fixtures).sort()) {
  const folder = join(fixtures, name);
  const configFile = join(folder, 'fixture.json');
  const runs: FixtureRun[] = existsSync(configFile)
    ? (JSON.parse(readFileSync(configFile, 'utf8')) as { runs: FixtureRun[] }).runs
    : [{ name: 'scan' }];
  describe(`fixture ${name}`, () => {
    for (const run of runs) {
      it(run.name, async () => {
        const base = tempDir();
        const dir = join(base, 'repo');
        cpSync(join(folder, 'repo'), dir, { recursive: true });
        if (existsSync(join(folder, 'cluster'))) cpSync(join(folder, 'cluster'), join(base, 'cluster'), { recursive: true });
        const options: ScanOptions = scanOptionsFor(dir, ['.'], { ...run.options, ...(run.clusterStates ? { clusterStates: run.clusterStates } : {}) });
        const report = await scan(options);
        expect(validateScanReport(report)).toEqual([]);
        expectGolden(join(folder, 'expected', `${run.name}.json`), renderJson(report));
        expectGolden(join(folder, 'expected', `${run.name}.txt`), renderText(report, { color: false }));
        for (const width of run.textWidths ?? []) expectGolden(join(folder, 'expected', `${run.name}.${width}.txt`), renderText(report, { color: false, width }));
      });
    }
  });
}
