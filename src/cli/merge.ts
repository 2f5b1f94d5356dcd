import type { Command } from 'commander';
import { UsageError } from '../model/errors.js';
import { collect } from './scan.js';
import { parseOutputs } from './formats.js';
import type { Io } from './output.js';
import { checkOutputs } from './paths.js';

export interface MergeFlags {
  readonly format: string[];
  readonly output?: string;
  readonly nameFrom: string;
  readonly reposFile?: string;
}

export const mergeFormats = ['markdown', 'json'] as const;
const nameSources = ['root', 'file'] as const;


export function registerMerge(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('merge')
    .summary('combine per-repository scan reports (JSON) into one fleet report')
    .description(
      [
        'Reads scan reports (pod2wi scan --format json, schemaVersion 1) and writes one',
        'fleet report: one row per repository, workloads by verdict, the blockers that',
        'keep legacy workloads from the migration proxy, SDK gaps by ecosystem (identity',
        'libraries below the workload-identity floor, legacy libraries), the',
        'AzureIdentities still bound (and which other repositories bind the same Azure',
        "identity), and every workload with its evidence. A repository is named by its",
        "report's root (the path it was scanned as). The output is sorted and holds no",
        'time stamp: the same reports give the same bytes. JSON: schema/fleet-report.schema.json.',
      ].join('\n'),
    )
    .argument('<reports...>', 'scan reports (.json files), or folders: every *.json under them')
    .option('-f, --format <format>', 'markdown (default) or json; FORMAT=FILE writes that format to FILE; repeatable', collect, [])
    .option('-o, --output <file>', 'write the output (of the one format without =FILE) to FILE')
    .option('--name-from <source>', "what names a repository: root (the report's root, default) or file (the report's file name without .json)", 'root')
    .option('--repos-file <file>', 'the list the fleet was scanned from (one path a line, as for scan --repos-file): a listed repository without a report gets a row "no report" and exit 1')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ pod2wi scan --repos-file repositories.txt --format json=reports/',
        '  $ pod2wi merge reports/ --format markdown=fleet.md --format json=fleet.json',
        '  $ pod2wi merge reports/*.json --repos-file repositories.txt >> "$GITHUB_STEP_SUMMARY"',
        '  $ pod2wi merge downloaded/ --name-from file -f json -o fleet.json   # reports all scanned as "."',
        '',
        'Input: a file that is not JSON, not a pod2wi scan report (another tool, a check report, a fleet report) or of',
        'another schemaVersion stops the merge with an error naming it, and nothing is written. The same file named',
        'twice is read once; two files for one repository are an error naming both.',
        '',
        'Exit codes: 0 merged, 1 merged but a repository of --repos-file has no report, 2 usage error (also an',
        'unreadable or invalid report, or a repository with two reports), 3 internal error.',
      ].join('\n'),
    )
    .action(async (paths: string[], flags: MergeFlags) => {
      const outputs = parseOutputs(flags.format.length > 0 ? flags.format : ['markdown'], flags.output, mergeFormats);
      checkOutputs(outputs, flags.output, io.cwd);
      const nameFrom = nameSources.find((source) => source === flags.nameFrom.trim().toLowerCase());
      if (!nameFrom) throw new UsageError(`--name-from ${flags.nameFrom}: expected root or file`);
      // The readers, the merge and its renderers load when the command runs, not when the CLI starts.
      const { runMerge } = await import('./merge-run.js');
      setExit(runMerge(paths, flags, outputs, nameFrom, io));
    });
}
