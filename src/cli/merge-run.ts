import { mergeReports, type MissingRepository, type NamedReport } from '../fleet/merge.js';
import { listReportSources, readReportFile, repositoryOf, type ReadReport, type ReportProblem } from '../fleet/read-report.js';
import { readReposFile, repositoryName } from '../fleet/repos-file.js';
import { UsageError } from '../model/errors.js';
import { renderFleetJson } from '../report/fleet-json.js';
import { renderFleetMarkdown } from '../report/fleet-markdown.js';
import type { OutputSpec } from './formats.js';
import { emit, type Io } from './output.js';
import type { MergeFlags } from './merge.js';

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

/** `pod2wi merge`, once its options are checked: reads, names and merges the reports; returns the exit code. */
export function runMerge(paths: readonly string[], flags: MergeFlags, outputs: readonly OutputSpec[], nameFrom: 'root' | 'file', io: Io): number {
    const list = flags.reposFile === undefined ? null : readReposFile('--repos-file', flags.reposFile, io.cwd);

    const { sources, problems } = listReportSources([...paths], io.cwd);
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
  return missing.length > 0 ? 1 : 0;
}
