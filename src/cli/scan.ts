import type { Command } from 'commander';
import type { ScanOptions } from '../run.js';
import { defaultMaxFileSize } from '../walk/limits.js';
import { parseOutputs, parseSize } from './formats.js';
import { emit, parseMinSeverity, textWidth, useColor, type Io, type TextFlags } from './output.js';
import { checkOutputs } from './paths.js';
import { relieveMemory } from './memory.js';
import { clockOf, createProgress, type Progress } from './progress.js';

export interface ScanFlags extends TextFlags {
  readonly format: string[];
  readonly output?: string;
  readonly exclude: string[];
  readonly defaultExcludes: boolean;
  readonly maxFileSize?: string;
  readonly namespace?: string;
  readonly forceNamespaced?: boolean;
  readonly color?: boolean;
  readonly allDependencies?: boolean;
  readonly app: string[];
  readonly config?: string;
  readonly issuer?: string;
  readonly clusterState: string[];
  readonly reposFile?: string;
}

export const scanFormats = ['text', 'json'] as const;

/** Commander collector for repeatable options (`--format text --format json=r.json`). */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The options every command that scans shares: what to read and how to resolve namespaces. */
export function addScanOptions(command: Command): Command {
  return command
    .argument('[paths...]', 'folders or files to scan (default: the current folder)')
    .option('-e, --exclude <pattern>', 'gitignore-style pattern to skip, e.g. "tests/" or "**/*.tpl"; repeatable', collect, [])
    .option('--no-default-excludes', 'also walk node_modules, vendor, dist, target, obj and other build output')
    .option('--max-file-size <size>', `skip files larger than this (default ${defaultMaxFileSize / 1024 / 1024}MB)`)
    .option('-n, --namespace <name>', 'namespace for objects that set none (default: "default")')
    .option('--force-namespaced', 'match bindings only within their namespace (MIC --forceNamespaced; the AKS add-on)')
    .option('--cluster-state <file>', 'export of the cluster: kubectl get azureidentities,azureidentitybindings,azurepodidentityexceptions -A -o yaml, or az aks show -o json; repeatable', collect, [])
    .option('--app <path>', 'application checkout outside PATH to read code and dependencies from (GitOps repositories); repeatable', collect, [])
    .option('-c, --config <file>', 'configuration file (default: .pod2wi.yaml at the scanned root)')
    .option('--all-dependencies', 'list every dependency of each application, not only identity libraries');
}

/** The layout options of every command that prints findings as text. */
export function addTextOptions(command: Command, quiet: string): Command {
  return command
    .option('--min-severity <severity>', 'list only findings at or above note (default), warning or error; the summary still counts them all')
    .option('-v, --verbose', 'list every location of a repeated finding and every finding of a rule')
    .option('-q, --quiet', quiet)
    .option('--width <columns>', 'wrap text to this many columns (default: COLUMNS, else the terminal width, else 80)');
}

/** ScanOptions from the shared flags; `progress` shows how far the scan has got (see createProgress). */
export function scanOptions(paths: string[], flags: ScanFlags, io: Io, progress?: Progress): ScanOptions {
  return {
    paths,
    cwd: io.cwd,
    exclude: flags.exclude,
    defaultExcludes: flags.defaultExcludes,
    maxFileSize: flags.maxFileSize === undefined ? defaultMaxFileSize : parseSize(flags.maxFileSize),
    namespace: flags.namespace ?? null,
    forceNamespaced: flags.forceNamespaced === true,
    allDependencies: flags.allDependencies === true,
    apps: flags.app,
    config: flags.config ?? null,
    issuer: flags.issuer ?? null,
    clusterStates: flags.clusterState,
    betweenStages: relieveMemory,
    ...(progress ? { progress: progress.update } : {}),
  };
}

export function registerScan(program: Command, io: Io, setExit: (code: number) => void): void {
  const command = program
    .command('scan')
    .summary('inventory workloads, their pod identity and what workload identity needs')
    .description(
      [
        'Reads the Kubernetes manifests under PATH (plain YAML and JSON, Helm charts, Kustomize, Flux HelmReleases),',
        'follows each aadpodidbinding label to its AzureIdentityBinding and AzureIdentity, reads the applications',
        '(dependencies and credential code) and reports per workload the identity it uses today, its ServiceAccount,',
        'workload-identity settings already present and the migration path. Every claim ends with its file:line.',
      ].join('\n'),
    );
  addScanOptions(command)
    .option('-f, --format <format>', 'text (default) or json; FORMAT=FILE writes that format to FILE; repeatable', collect, [])
    .option('-o, --output <file>', 'write the output (of the one format without =FILE) to FILE')
    .option('--no-color', 'no colour, even on a terminal (NO_COLOR is honoured too)')
    .option('--repos-file <file>', 'scan every repository FILE lists (one path a line, relative to FILE\'s folder; # comments); each format given a folder (json=DIR/) gets one file per repository');
  addTextOptions(command, 'print only the summary and the errors')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ pod2wi scan .',
        '  $ pod2wi scan deploy/ charts/ --namespace shop',
        '  $ pod2wi scan . --format text --format json=pod2wi-report.json',
        '  $ pod2wi scan gitops/ --force-namespaced --app ../orders-api --app ../payments',
        '  $ pod2wi scan . --min-severity warning --width 120',
        '  $ pod2wi scan . --quiet          # the summary and the errors only',
        '  $ pod2wi scan --repos-file checkouts/repositories.txt --format text --format json=reports/',
        '',
        'The text starts with a summary (workloads by verdict, blockers, what to do next), then each',
        'workload with pod identity, then the findings grouped by rule: a message seen in several places',
        'is printed once with a count and its first locations (--verbose lists them all). Lines wrap to',
        'the terminal width, or 80 columns when the output is not a terminal; the JSON has every message',
        'whole.',
        '',
        'Several repositories (--repos-file FILE): each listed folder is scanned on its own, as if given alone from',
        "FILE's folder, so its report's root is the path as written in FILE. json=DIR/ (and text=DIR/) writes",
        'DIR/<name>.json per repository, <name> being the path with / written __ (contoso/orders-api →',
        'contoso__orders-api.json); text without a file prints each report in turn. A line naming no folder, a',
        'repository listed twice or one that fails to scan is an error naming FILE:line; the rest are still scanned.',
        'Combine the reports with: pod2wi merge DIR/',
        '',
        'Exit codes: 0 scanned, 2 usage or configuration error, 3 internal error, 4 nothing to scan.',
        'With --repos-file, the worst over the repositories: 3, then 2 (also a bad line), then 4, else 0.',
      ].join('\n'),
    )
    .action(async (paths: string[], flags: ScanFlags) => {
      const outputs = parseOutputs(flags.format, flags.output, scanFormats);
      const minSeverity = parseMinSeverity(flags.minSeverity);
      if (flags.width !== undefined) textWidth(io, flags.width, false);
      if (flags.reposFile !== undefined) {
        const { scanRepositories } = await import('./scan-repos.js');
        setExit(await scanRepositories(flags.reposFile, paths, flags, outputs, io));
        return;
      }
      checkOutputs(outputs, flags.output, io.cwd);
      // The stages and renderers load when the command runs, not when the CLI starts.
      const [{ scan }, { renderJson }, { renderText }] = await Promise.all([import('../run.js'), import('../report/json.js'), import('../report/text.js')]);
      const started = performance.now();
      const progress = createProgress(io.stderr, io.env, clockOf(io));
      const report = await scan(scanOptions(paths, flags, io, progress)).finally(progress.done);
      relieveMemory();
      const elapsed = (performance.now() - started) / 1000;
      for (const spec of outputs) {
        const toTerminal = spec.file === null && io.stdout.isTTY === true;
        const content =
          spec.format === 'json'
            ? renderJson(report)
            : renderText(report, {
                color: spec.file === null && useColor(io, flags.color),
                width: textWidth(io, flags.width, spec.file !== null),
                verbose: flags.verbose === true,
                quiet: flags.quiet === true,
                minSeverity,
                ...(toTerminal ? { elapsed } : {}),
              });
        emit(io, spec, content);
      }
      setExit(0);
    });
}
