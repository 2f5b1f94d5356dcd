import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseHcl } from '@cdktf/hcl2json';
import { describe, expect, it } from 'vitest';
import { renderPlanBicep, renderPlanBicepModule } from '../src/report/plan-bicep.js';
import { renderPlanJson } from '../src/report/plan-json.js';
import { renderPlanMarkdown } from '../src/report/plan-markdown.js';
import { renderPlanShell } from '../src/report/plan-shell.js';
import { renderPlanTerraform } from '../src/report/plan-terraform.js';
import { analyze, type ScanOptions } from '../src/run.js';
import { checkBicep } from './helpers/bicep.js';
import { expectGolden } from './helpers/golden.js';
import { copyFixture, scanOptionsFor, tempDir } from './helpers/repo.js';

/**
 * One test per fixture folder under fixtures/plan/: the folder is copied to a temporary directory, `paths` (default
 * `repo`) are planned with the run's options, and every output must equal its golden file and be valid: the shell
 * script passes `bash -n`, the Terraform parses with HashiCorp's HCL parser, the Bicep is well-formed.
 */
const fixtures = fileURLToPath(new URL('../fixtures/plan/', import.meta.url));

interface PlanRun {
  readonly name: string;
  readonly paths?: readonly string[];
  readonly options?: Partial<Pick<ScanOptions, 'apps' | 'issuer' | 'namespace' | 'forceNamespaced' | 'clusterStates'>>;
}

for (const name of readdirSync(fixtures).sort()) {
  const folder = join(fixtures, name);
  const configFile = join(folder, 'fixture.json');
  const runs: PlanRun[] = existsSync(configFile) ? (JSON.parse(readFileSync(configFile, 'utf8')) as { runs: PlanRun[] }).runs : [{ name: 'plan' }];
  describe(`plan fixture ${name}`, () => {
    for (const run of runs) {
      it(run.name, async () => {
        const dir = copyFixture(folder);
        const { report, plan } = await analyze(scanOptionsFor(dir, run.paths ?? ['repo'], run.options));
        const meta = { version: report.tool.version, root: report.root };
        const outputs: Record<string, string> = {
          'plan.md': renderPlanMarkdown(report, plan),
          'plan.json': renderPlanJson(report, plan),
          'federated-credentials.sh': renderPlanShell(plan, meta),
          'federated-credentials.bicep': renderPlanBicep(plan, meta),
          'federated-credentials.tf': renderPlanTerraform(plan, meta),
        };
        for (const [file, content] of Object.entries(outputs)) expectGolden(join(folder, 'expected', run.name, file), content);

        const scratch = tempDir();
        writeFileSync(join(scratch, 'fc.sh'), outputs['federated-credentials.sh'] ?? '');
        execFileSync('bash', ['-n', join(scratch, 'fc.sh')]);
        await expect(parseHcl('federated-credentials.tf', outputs['federated-credentials.tf'] ?? '')).resolves.toBeTypeOf('object');
        expect(checkBicep(outputs['federated-credentials.bicep'] ?? '')).toEqual([]);
        expect(checkBicep(renderPlanBicepModule(meta))).toEqual([]);
      });
    }
  });
}
