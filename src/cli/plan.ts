import { chmodSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../model/errors.js';
import { writeOutput, type Io } from './output.js';
import { checkOutputFolder, makeOutputFolder } from './paths.js';
import { addScanOptions, scanOptions, type ScanFlags } from './scan.js';
import { relieveMemory } from './memory.js';
import { clockOf, createProgress } from './progress.js';

interface PlanFlags extends ScanFlags {
  readonly outDir: string;
}

export function registerPlan(program: Command, io: Io, setExit: (code: number) => void): void {
  const command = program
    .command('plan')
    .summary('write the migration plan, the ServiceAccounts and the federated credentials as code')
    .description(
      [
        'Scans PATH like `pod2wi scan`, decides every workload\'s path (latest, legacy, blocked, unknown) with the',
        'evidence for each reason, and writes to --out-dir:',
        '  plan.md                     summary table, graph, and per-workload steps with the commands filled in',
        '  federated-credentials.sh    az CLI, creates only what is missing, one at a time (safe to re-run)',
        '  federated-credentials.bicep subscription-scope deployment (+ federated-credentials.module.bicep)',
        '  federated-credentials.tf    azurerm / azuread resources',
        '  plan.json                   the same plan as data',
      ].join('\n'),
    );
  addScanOptions(command)
    .option('-d, --out-dir <dir>', 'where to write the plan', 'pod2wi-plan')
    .option('--issuer <url>', 'the AKS OIDC issuer URL (else issuer in .pod2wi.yaml, else $AKS_OIDC_ISSUER at run time)')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ pod2wi plan .',
        '  $ pod2wi plan gitops/ --app ../apps/orders-api --out-dir migration/',
        '  $ pod2wi plan . --issuer "$(az aks show -g rg -n aks --query oidcIssuerProfile.issuerUrl -o tsv)"',
        '',
        'Exit codes: 0 written, 2 usage or configuration error, 3 internal error, 4 nothing to scan.',
      ].join('\n'),
    )
    .action(async (paths: string[], flags: PlanFlags) => {
      if (flags.issuer !== undefined && !/^https:\/\/\S+$/.test(flags.issuer)) throw new UsageError(`--issuer ${flags.issuer}: expected an https URL`);
      const outDir = checkOutputFolder('--out-dir', flags.outDir, io.cwd);
      // The stages and renderers load when the command runs, not when the CLI starts.
      const [{ analyze }, { renderPlanBicep, renderPlanBicepModule, bicepModuleFile }, { renderPlanJson }, { renderPlanMarkdown }, { renderPlanShell }, { renderPlanTerraform }] = await Promise.all([
        import('../run.js'),
        import('../report/plan-bicep.js'),
        import('../report/plan-json.js'),
        import('../report/plan-markdown.js'),
        import('../report/plan-shell.js'),
        import('../report/plan-terraform.js'),
      ]);
      const progress = createProgress(io.stderr, io.env, clockOf(io));
      const { report, plan } = await analyze(scanOptions(paths, flags, io, progress)).finally(progress.done);
      relieveMemory();
      makeOutputFolder('--out-dir', outDir);
      const meta = { version: report.tool.version, root: report.root };
      // Rendered and written one at a time: a plan of thousands of workloads never holds every artefact at once.
      const files: [string, () => string][] = [
        ['plan.md', () => renderPlanMarkdown(report, plan)],
        ['federated-credentials.sh', () => renderPlanShell(plan, meta)],
        ['federated-credentials.bicep', () => renderPlanBicep(plan, meta)],
        [bicepModuleFile, () => renderPlanBicepModule(meta)],
        ['federated-credentials.tf', () => renderPlanTerraform(plan, meta)],
        ['plan.json', () => renderPlanJson(report, plan)],
      ];
      for (const [name, render] of files) {
        writeOutput(join(outDir, name), join(flags.outDir, name), render());
        relieveMemory();
      }
      chmodSync(join(outDir, 'federated-credentials.sh'), 0o755);
      const counts = (['legacy', 'latest', 'unknown', 'migrated'] as const)
        .map((path) => [path, plan.workloads.filter((item) => item.path === path).length] as const)
        .filter(([, n]) => n > 0)
        .map(([path, n]) => `${n} ${path}`);
      const blocked = plan.workloads.filter((item) => item.blocked).length;
      const where = relative(io.cwd, outDir) || '.';
      io.stdout.write(`pod2wi plan · ${report.root} · ${counts.join(' · ') || 'no workload with pod identity'}${blocked ? ` (${blocked} blocked)` : ''} · ${plan.federatedCredentials.length} federated credential${plan.federatedCredentials.length === 1 ? '' : 's'}\n`);
      for (const [name] of files) io.stdout.write(`  wrote ${where}/${name}\n`);
      io.stdout.write(`next: read ${where}/plan.md, run ${where}/federated-credentials.sh, then pod2wi fix --dry-run\n`);
      setExit(0);
    });
}
