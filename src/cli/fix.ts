import type { Command } from 'commander';
import type { WriteRefusal } from '../fix/edit.js';
import { phases, type Phase } from '../fix/phase-names.js';
import { UsageError } from '../model/errors.js';
import { emit, parseMinSeverity, useColor, type Io } from './output.js';
import { checkOutputFile } from './paths.js';
import { addScanOptions, scanOptions, type ScanFlags } from './scan.js';
import { relieveMemory } from './memory.js';
import { clockOf, createProgress } from './progress.js';

interface FixFlags extends Omit<ScanFlags, 'format'> {
  readonly phase: string;
  readonly write?: boolean;
  readonly dryRun?: boolean;
  readonly check?: boolean;
  readonly format: string;
}

export function registerFix(program: Command, io: Io, setExit: (code: number) => void): void {
  const command = program
    .command('fix')
    .summary('write the migration into the manifests, phase by phase (a diff by default)')
    .description(
      [
        'Scans PATH like `pod2wi scan`, then edits the manifests where each setting is',
        'written: plain YAML and JSON, Helm templates and values, Kustomize bases,',
        'kustomizations and patches, Flux HelmRelease values, Terraform literals',
        '(helm_release set blocks, yamlencode maps, kubernetes_* labels). Nothing else moves:',
        'comments, key order, quoting, indentation and line endings stay as they are.',
        '',
        '  parallel  use label on pod templates, client-id (and tenant-id) on',
        '            ServiceAccounts, proxy annotations on the legacy path;',
        '            aadpodidbinding stays, so both run side by side',
        '  cutover   aadpodidbinding off the pod templates of workloads on workload',
        '            identity; AzureIdentity, AzureIdentityBinding and',
        '            AzurePodIdentityException objects nothing needs any more',
        '  finalize  proxy annotations off workloads whose SDK now does workload',
        '            identity itself',
        '',
        'Blocked and unknown workloads are never edited; the output says why.',
      ].join('\n'),
    );
  addScanOptions(command)
    .option('-p, --phase <phase>', `migration phase: ${phases.join(', ')}`, 'parallel')
    .option('--dry-run', 'show the diff and write nothing (the default)')
    .option('-w, --write', 'write the changes (atomically, keeping file modes) instead of showing them')
    .option('--check', 'exit 1 when the phase still has changes to make (for CI); with --dry-run only')
    .option('-f, --format <format>', 'text (a unified diff and a summary, default) or json (the edits)', 'text')
    .option('-o, --output <file>', 'write the output to FILE instead of stdout')
    .option('--no-color', 'no colour, even on a terminal (NO_COLOR is honoured too)')
    .option('--min-severity <severity>', 'list only findings at or above note (default), warning or error in the text; json keeps them all')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ pod2wi fix .                       # the parallel phase, as a diff',
        '  $ pod2wi fix . --write               # apply it',
        '  $ pod2wi fix . --phase cutover > cutover.patch',
        '  $ pod2wi fix deploy/ --phase finalize --format json',
        '',
        'Exit codes: 0 shown or written, 1 --check found changes to make or a file',
        'could not be written, 2 usage or configuration error, 3 internal error,',
        '4 nothing to scan.',
      ].join('\n'),
    )
    .action(async (paths: string[], flags: FixFlags) => {
      if (!(phases as readonly string[]).includes(flags.phase)) throw new UsageError(`--phase ${flags.phase}: expected ${phases.join(', ')}`);
      if (flags.write && flags.dryRun) throw new UsageError('--write and --dry-run exclude each other');
      if (flags.write && flags.check) throw new UsageError('--check reports pending changes; it does not combine with --write');
      const format = flags.format.trim().toLowerCase();
      if (format !== 'text' && format !== 'json') throw new UsageError(`unknown format "${flags.format}" (expected text, json)`);
      const minSeverity = parseMinSeverity(flags.minSeverity);
      if (flags.output !== undefined && flags.output !== '-') checkOutputFile('--output', flags.output, io.cwd);
      // The stages load when the command runs, not when the CLI starts.
      const [{ analyze }, { planFix }, { writeChanges }, { renderFixJson }, { renderFixDiff }] = await Promise.all([
        import('../run.js'),
        import('../fix/index.js'),
        import('../fix/edit.js'),
        import('../report/fix-json.js'),
        import('../report/fix-diff.js'),
      ]);
      const progress = createProgress(io.stderr, io.env, clockOf(io));
      const analysis = await analyze(scanOptions(paths, { ...flags, format: [] }, io, progress)).finally(progress.done);
      const plan = planFix(analysis, flags.phase as Phase, { config: flags.config ?? null, cwd: io.cwd });
      relieveMemory();
      // All or nothing: when one file cannot be written, none is, and the summary says so.
      const refused: WriteRefusal[] = flags.write === true ? writeChanges(analysis.root, plan.changes) : [];
      const written = flags.write === true && refused.length === 0;
      const root = analysis.report.root;
      const output = flags.output ?? null;
      const content = format === 'json'
        ? renderFixJson(plan, { root, written, refused })
        : renderFixDiff(plan, { root, written, refused, color: output === null && useColor(io, flags.color), minSeverity });
      emit(io, { format, file: output }, content);
      const pending = !written && flags.check === true && plan.changes.length > 0;
      setExit(refused.length > 0 || pending ? 1 : 0);
    });
}
