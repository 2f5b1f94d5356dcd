import { realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readReposFile, reportStem, repositoryName, type RepositoryEntry } from '../fleet/repos-file.js';
import { Pod2wiError, UsageError } from '../model/errors.js';
import type { ScanReport } from '../model/report.js';
import { renderJson } from '../report/json.js';
import { renderText } from '../report/text.js';
import { scan } from '../run.js';
import type { OutputSpec } from './formats.js';
import { relieveMemory } from './memory.js';
import { parseMinSeverity, textWidth, useColor, writeOutput, type Io } from './output.js';
import { checkOutputFolder, makeOutputFolder } from './paths.js';
import { scanOptions, type ScanFlags } from './scan.js';

/** Exit statuses of a fleet scan, worst first: an internal error, then a bad line or configuration, then an empty repository. */
const severity: Readonly<Record<number, number>> = { 3: 3, 2: 2, 4: 1, 0: 0 };

/** The worse of two exit statuses (3 over 2 over 4 over 0). */
export function worseStatus(a: number, b: number): number {
  return (severity[b] ?? 3) > (severity[a] ?? 3) ? b : a;
}

/** Where each format goes in a fleet scan: stdout (text only) or one file per repository in a folder. */
interface FleetOutput {
  readonly format: string;
  /** Absolute folder, or null for stdout. */
  readonly folder: string | null;
  /** The folder as given (`reports/`), for messages. */
  readonly given: string;
  readonly option: string;
}

/**
 * Checks the outputs of `scan --repos-file`: a format given a destination must name a folder (`json=reports/`), and
 * only text may go to stdout (reports of several repositories in one JSON stream would not be one document).
 */
function fleetOutputs(specs: readonly OutputSpec[], output: string | undefined, cwd: string): FleetOutput[] {
  return specs.map((spec) => {
    if (spec.file === null || spec.file === '-') {
      if (spec.format !== 'text') throw new UsageError(`with --repos-file, ${spec.format} goes to one file per repository: give a folder, --format ${spec.format}=DIR/`);
      return { format: spec.format, folder: null, given: '', option: '' };
    }
    const option = output !== undefined && spec.file === output ? '--output' : `--format ${spec.format}=`;
    const shown = option.endsWith('=') ? `${option}${spec.file}` : `${option} ${spec.file}`;
    if (!/[\\/]$/.test(spec.file)) throw new UsageError(`${shown}: with --repos-file, name a folder ending in / (one report per repository is written into it)`);
    return { format: spec.format, folder: checkOutputFolder(option.replace(/=$/, ''), spec.file, cwd), given: spec.file, option };
  });
}

/** One repository of the list, after the list was checked: its line, its name and the stem of its report files. */
interface Planned {
  readonly entry: RepositoryEntry;
  readonly name: string;
  readonly stem: string;
}

/**
 * `pod2wi scan --repos-file FILE`: scans every repository the file lists, one after the other, with the same options.
 * Each report is rendered as soon as it is made (text to stdout, files into the output folders) and dropped before the
 * next repository is read. A line that names no folder, lists a repository twice or would overwrite another's report
 * is an error naming FILE:line; so is a repository that fails to scan. The run goes on with the rest and the exit
 * status is the worst one met.
 */
export async function scanRepositories(reposFile: string, paths: readonly string[], flags: ScanFlags, specs: readonly OutputSpec[], io: Io): Promise<number> {
  if (paths.length > 0) throw new UsageError(`--repos-file and PATH (${paths.join(' ')}) do not go together: list every repository in ${reposFile}`);
  if (flags.app.length > 0) throw new UsageError('--app describes one repository: with --repos-file, scan such a repository on its own');
  if (flags.clusterState.length > 0) throw new UsageError('--cluster-state describes one cluster: with --repos-file, scan such a repository on its own');
  if (flags.config !== undefined) throw new UsageError("--config: with --repos-file, each repository's own .pod2wi.yaml is read");
  const outputs = fleetOutputs(specs, flags.output, io.cwd);
  const list = readReposFile('--repos-file', reposFile, io.cwd);
  for (const output of outputs) if (output.folder) makeOutputFolder(output.option.replace(/=$/, ''), output.folder);

  let status = 0;
  const failed: string[] = [];
  const fail = (entry: RepositoryEntry, code: number, message: string) => {
    io.stderr.write(`pod2wi: ${list.display}:${entry.line}: ${message}\n`);
    failed.push(`${list.display}:${entry.line}`);
    status = worseStatus(status, code);
  };

  // Names and report files are decided for the whole list first, so that which line wins never depends on what failed.
  const planned: Planned[] = [];
  const byStem = new Map<string, RepositoryEntry>();
  for (const entry of list.entries) {
    const name = repositoryName(entry.path);
    const stem = reportStem(name);
    const clash = byStem.get(stem.toLowerCase());
    if (clash) {
      fail(entry, 2, `${entry.path}: its report ${stem}.json would overwrite the one of line ${clash.line} (${clash.path}); rename or drop one of them`);
      continue;
    }
    byStem.set(stem.toLowerCase(), entry);
    planned.push({ entry, name, stem });
  }

  const seen = new Map<string, RepositoryEntry>();
  let scanned = 0;
  let first = true;
  for (const { entry, name, stem } of planned) {
    const absolute = resolve(list.folder, entry.path);
    let real: string;
    try {
      real = realpathSync(absolute);
    } catch {
      fail(entry, 2, `${entry.path}: no such folder`);
      continue;
    }
    if (!statSync(real).isDirectory()) {
      fail(entry, 2, `${entry.path}: not a folder (list repository checkouts)`);
      continue;
    }
    const earlier = seen.get(real);
    if (earlier) {
      fail(entry, 2, `${entry.path}: the same repository as line ${earlier.line} (${earlier.path}); listed twice`);
      continue;
    }
    seen.set(real, entry);
    const started = performance.now();
    let report: ScanReport;
    try {
      report = await scan(scanOptions([name], flags, { ...io, cwd: list.folder }));
    } catch (error) {
      if (error instanceof Pod2wiError) {
        fail(entry, error.code === 'nothing-scanned' ? 4 : error.code === 'usage' || error.code === 'config' ? 2 : 3, error.message);
      } else {
        fail(entry, 3, `internal error, please report it with the command you ran:\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
      relieveMemory();
      continue;
    }
    const elapsed = (performance.now() - started) / 1000;
    for (const output of outputs) {
      if (output.format === 'json') {
        writeOutput(join(output.folder ?? io.cwd, `${stem}.json`), `${output.given}${stem}.json`, renderJson(report));
        continue;
      }
      const toTerminal = output.folder === null && io.stdout.isTTY === true;
      const text = renderText(report, {
        color: output.folder === null && useColor(io, flags.color),
        width: textWidth(io, flags.width, output.folder !== null),
        verbose: flags.verbose === true,
        quiet: flags.quiet === true,
        minSeverity: parseMinSeverity(flags.minSeverity),
        ...(toTerminal ? { elapsed } : {}),
      });
      if (output.folder) writeOutput(join(output.folder, `${stem}.txt`), `${output.given}${stem}.txt`, text);
      else {
        io.stdout.write(first ? text : `\n${text}`);
        first = false;
      }
    }
    scanned++;
    relieveMemory();
  }
  const total = list.entries.length;
  io.stderr.write(
    `pod2wi: scanned ${scanned} of ${total} ${total === 1 ? 'repository' : 'repositories'} listed in ${list.display}` +
      (failed.length > 0 ? `; failed: ${failed.join(', ')}\n` : '\n'),
  );
  return status;
}
