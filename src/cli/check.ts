import { realpathSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../model/errors.js';
import { severities, type Severity } from '../model/finding.js';
import type { CheckResult } from '../check/result.js';
import type { CheckTextOptions } from '../report/check-text.js';
import { toolHomepage } from '../version.js';
import { defaultMaxFileSize } from '../walk/limits.js';
import { parseOutputs, parseSize } from './formats.js';
import { emit, parseMinSeverity, textWidth, useColor, writeOutput, type Io, type TextFlags } from './output.js';
import { checkOutputFile, checkOutputs } from './paths.js';
import { exitCodes } from './program.js';
import { addTextOptions, collect } from './scan.js';
import { relieveMemory } from './memory.js';

/** The options of `pod2wi check` as commander hands them over (`--no-ignore` makes `ignore` false). */
export interface CheckFlags extends TextFlags {
  readonly format: string[];
  readonly output?: string;
  readonly failOn: string;
  readonly baseline?: string;
  readonly writeBaseline?: string;
  readonly changedSince?: string;
  readonly ignore: boolean;
  readonly config?: string;
  readonly exclude: string[];
  readonly defaultExcludes: boolean;
  readonly maxFileSize?: string;
  readonly namespace?: string;
  readonly color?: boolean;
}

/** The formats `pod2wi check --format` writes; several in one run, at most one on stdout. */
export const checkFormats = ['text', 'json', 'sarif', 'junit', 'github', 'azure-devops', 'markdown'] as const;
export type CheckFormat = (typeof checkFormats)[number];

const isCheckFormat = (format: string): format is CheckFormat => (checkFormats as readonly string[]).includes(format);

function parseSeverity(value: string): Severity {
  const found = severities.find((severity) => severity === value.trim().toLowerCase());
  if (!found) throw new UsageError(`--fail-on ${value}: expected error, warning or note`);
  return found;
}

export function registerCheck(program: Command, io: Io, setExit: (code: number) => void): void {
  const command = program
    .command('check')
    .summary('the CI gate: fail on aadpodidbinding, pod-identity objects and broken workload-identity setups')
    .description(
      [
        'Checks the repository under PATH for aad-pod-identity in every form: the',
        'aadpodidbinding label (manifests, Helm, Kustomize, Flux), AzureIdentity objects,',
        'the AKS pod-identity add-on (Bicep, ARM, Terraform, scripts); and for',
        'workload-identity setups that cannot work. Exits 1 when a finding at or above',
        '--fail-on is neither suppressed nor in the baseline. Suppress with a comment on',
        'or above the line: # pod2wi-ignore RULE until=YYYY-MM-DD reason="…"',
      ].join('\n'),
    )
    .argument('[paths...]', 'folders or files to check (default: the current folder)')
    .option('-f, --format <format>', `${checkFormats.join(', ')}; FORMAT=FILE writes that format to FILE; repeatable`, collect, [])
    .option('-o, --output <file>', 'write the output (of the one format without =FILE) to FILE')
    .option('--fail-on <severity>', 'lowest severity that fails the gate: error, warning or note', 'error')
    .option('--baseline <file>', 'fail only on findings not recorded in this baseline; report the ones that are gone')
    .option('--write-baseline <file>', "record today's findings in FILE (the run is judged against it)")
    .option('--changed-since <ref>', 'report only files changed since this git ref (plus uncommitted and untracked ones)')
    .option('--no-ignore', 'turn off every suppression: pod2wi-ignore comments and .pod2wi.yaml ignore entries')
    .option('-c, --config <file>', 'configuration file (default: .pod2wi.yaml at the root)')
    .option('-e, --exclude <pattern>', 'gitignore-style pattern to skip, e.g. "tests/"; repeatable', collect, [])
    .option('--no-default-excludes', 'also walk node_modules, vendor, dist, target, obj and other build output')
    .option('--max-file-size <size>', `skip files larger than this (default ${defaultMaxFileSize / 1024 / 1024}MB)`)
    .option('-n, --namespace <name>', 'namespace for objects that set none (default: "default")')
    .option('--no-color', 'no colour, even on a terminal (NO_COLOR is honoured too)');
  addTextOptions(command, 'print only the verdict, the summary and the findings that fail the gate')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ pod2wi check .',
        '  $ pod2wi check . --format github --format sarif=pod2wi.sarif',
        '  $ pod2wi check . --write-baseline .pod2wi-baseline.json',
        '  $ pod2wi check . --baseline .pod2wi-baseline.json --changed-since origin/main',
        '  $ pod2wi check deploy/ --fail-on warning --format junit=pod2wi.junit.xml',
        '  $ pod2wi check . --min-severity warning --verbose',
        '',
        '--fail-on decides what fails the gate; --min-severity only decides what the text lists.',
        'A finding that fails the gate is always listed, so --min-severity error --fail-on note still',
        'lists the failing notes. Other formats (json, sarif, junit, github, azure-devops, markdown)',
        'carry every open finding whatever --min-severity says.',
        '',
        'Exit codes: 0 passed, 1 findings at or above --fail-on, 2 usage or configuration',
        'error, 3 internal error, 4 nothing to check.',
      ].join('\n'),
    )
    .action(async (paths: string[], flags: CheckFlags) => {
      const outputs = parseOutputs(flags.format, flags.output, checkFormats);
      checkOutputs(outputs, flags.output, io.cwd);
      if (flags.writeBaseline !== undefined) checkOutputFile('--write-baseline', flags.writeBaseline, io.cwd);
      const failOn = parseSeverity(flags.failOn);
      // The gate loads when the command runs, not when the CLI starts; each format's renderer when it is asked for.
      const { runCheck } = await import('../check/gate.js');
      const minSeverity = parseMinSeverity(flags.minSeverity);
      if (flags.width !== undefined) textWidth(io, flags.width, false);
      const run = runCheck({
        paths,
        cwd: io.cwd,
        exclude: flags.exclude,
        defaultExcludes: flags.defaultExcludes,
        maxFileSize: flags.maxFileSize === undefined ? defaultMaxFileSize : parseSize(flags.maxFileSize),
        namespace: flags.namespace ?? null,
        config: flags.config ?? null,
        failOn,
        suppressions: flags.ignore,
        baseline: flags.baseline ?? null,
        writeBaseline: flags.writeBaseline ?? null,
        changedSince: flags.changedSince ?? null,
        now: io.now ? io.now() : new Date(),
        outputs: outputs.flatMap((spec) => (spec.file === null || spec.file === '-' ? [] : [spec.file])),
      });
      relieveMemory();
      const { result } = run;
      if (flags.writeBaseline !== undefined && run.baseline !== null) {
        writeOutput(resolve(io.cwd, flags.writeBaseline), flags.writeBaseline, run.baseline);
        io.stderr.write(`pod2wi: baseline written to ${flags.writeBaseline} (${result.baseline?.entries ?? 0} findings)\n`);
      }
      const ci = { pathPrefix: await pathPrefix(io.cwd, paths) };
      for (const spec of outputs) {
        if (!isCheckFormat(spec.format)) continue;
        const content = await renderCheck(spec.format, result, {
          ...ci,
          text: {
            color: spec.file === null && useColor(io, flags.color),
            width: textWidth(io, flags.width, spec.file !== null),
            verbose: flags.verbose === true,
            quiet: flags.quiet === true,
            minSeverity,
          },
        });
        emit(io, spec, content);
      }
      setExit(result.passed ? exitCodes.ok : exitCodes.findings);
    });
}

/** One format of a gate result, its renderer loaded on demand. */
async function renderCheck(format: CheckFormat, result: CheckResult, options: { readonly pathPrefix: string; readonly text: CheckTextOptions }): Promise<string> {
  const ci = { pathPrefix: options.pathPrefix };
  switch (format) {
    case 'text':
      return (await import('../report/check-text.js')).renderCheckText(result, options.text);
    case 'json':
      return (await import('../report/check-json.js')).renderCheckJson(result);
    case 'sarif':
      return (await import('../report/sarif.js')).renderSarif(result, { ...ci, informationUri: toolHomepage });
    case 'junit':
      return (await import('../report/junit.js')).renderJunit(result, ci);
    case 'github':
      return (await import('../report/github.js')).renderGithub(result, ci);
    case 'azure-devops':
      return (await import('../report/azure-devops.js')).renderAzureDevops(result, ci);
    case 'markdown':
      return (await import('../report/markdown.js')).renderMarkdown(result, ci);
  }
}

/** The checked root relative to the working directory, so CI formats name files as the repository does. */
async function pathPrefix(cwd: string, paths: readonly string[]): Promise<string> {
  const [{ resolveRoot }, { toPosix }] = await Promise.all([import('../walk/root.js'), import('../walk/walk.js')]);
  const { root } = resolveRoot(paths, cwd);
  let base = cwd;
  try {
    base = realpathSync(cwd);
  } catch {
    base = cwd;
  }
  return toPosix(relative(base, root));
}
