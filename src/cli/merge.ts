import type { Command } from 'commander';
import { mergeReports, type MissingRepository, type NamedReport } from '../fleet/merge.js';
import { listReportSources, readReportFile, repositoryOf, type ReadReport, type ReportProblem } from '../fleet/read-report.js';
import { readReposFile, repositoryName } from '../fleet/repos-file.js';
import { UsageError } from '../model/errors.js';
import { renderFleetJson } from '../report/fleet-json.js';
import { renderFleetMarkdown } from '../report/fleet-markdown.js';
import { collect } from './scan.js';
import { parseOutputs } from './formats.js';
import { emit, type Io } from './output.js';
import { checkOutputs } from './paths.js';

export interface MergeFlags {
  readonly format: string[];
  readonly output?: string;
  readonly nameFrom: string;
  readonly reposFile?: string;
}

export const mergeFormats = ['markdown', 'json'] as const;
const nameSources = ['root', 'file'] as const;

/** Reports keyed by repository name; two different files for one repository are a problem naming both. */
function nameReports(reads: readonly ReadReport[], nameFrom: 'root' | 'file'): { named: NamedReport[]; problems: ReportProblem[] } {
  const byName = new Map<string, ReadReport>();
  const problems: ReportProblem[] = [];
  for (const read of reads) {
    const name = repositoryOf(read, nameFrom);
    const earlier = byName.get(name);
    if (!earlier) {
      byName.set(name, read);
      continue;
    }
    const hint =
      nameFrom === 'root'
        ? name === '.'
          ? ' (both were scanned as "."; scan each repository by its path, e.g. pod2wi scan owner/name, or name reports by file with --name-from file)'
          : ' (pass one of them, or name reports by file with --name-from file)'
        : ' (pass one of them)';
    problems.push({ file: read.file, message: `repository "${name}" again: ${earlier.file} is a report of it too${hint}` });
  }
  return { named: [...byName].map(([name, read]) => ({ name, file: read.file, report: read.report })), problems };
}

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
    .action((paths: string[], flags: MergeFlags) => {
      const outputs = parseOutputs(flags.format.length > 0 ? flags.format : ['markdown'], flags.output, mergeFormats);
      checkOutputs(outputs, flags.output, io.cwd);
      const nameFrom = nameSources.find((source) => source === flags.nameFrom.trim().toLowerCase());
      if (!nameFrom) throw new UsageError(`--name-from ${flags.nameFrom}: expected root or file`);
      const list = flags.reposFile === undefined ? null : readReposFile('--repos-file', flags.reposFile, io.cwd);

      const { sources, problems } = listReportSources(paths, io.cwd);
      const reads: ReadReport[] = [];
      for (const source of sources) {
        const read = readReportFile(source.absolute, source.display);
        if ('report' in read) reads.push(read);
        else problems.push(read);
      }
      const { named, problems: duplicates } = nameReports(reads, nameFrom);
      problems.push(...duplicates);
      if (problems.length > 0) {
        for (const problem of problems) io.stderr.write(`pod2wi: ${problem.file}: ${problem.message}\n`);
        throw new UsageError(`nothing merged: ${problems.length} of the inputs ${problems.length === 1 ? 'is' : 'are'} not usable (see above)`);
      }

      const missing: MissingRepository[] = [];
      if (list) {
        const have = new Set(named.map((item) => item.name));
        const listed = new Set<string>();
        for (const entry of list.entries) {
          const name = repositoryName(entry.path);
          if (have.has(name) || listed.has(name)) continue;
          listed.add(name);
          missing.push({ name });
          io.stderr.write(`pod2wi: ${list.display}:${entry.line}: ${entry.path}: no report\n`);
        }
      }
      const fleet = mergeReports(named, missing);
      for (const spec of outputs) emit(io, spec, spec.format === 'json' ? renderFleetJson(fleet) : renderFleetMarkdown(fleet));
      setExit(missing.length > 0 ? 1 : 0);
    });
}
