import type { ScanOptions } from '../run.js';
import { isAbsolute, relative, resolve } from 'node:path';
import { loadConfig } from '../config/config.js';
import { readManifests } from '../k8s/read.js';
import { NothingScannedError } from '../model/errors.js';
import { compareFindings, type Severity } from '../model/finding.js';
import { FindingSink } from '../model/findings-sink.js';
import { loadFindingCatalogue } from '../rules/catalogue.js';
import { findingIds } from '../rules/finding-ids.js';
import { escapeRegExp } from '../model/text.js';
import { GitSession } from '../walk/git.js';
import { resolveRoot } from '../walk/root.js';
import { toolVersion } from '../version.js';
import { Repo } from '../walk/repo.js';
import { walkFindingIds } from '../walk/finding-ids.js';
import { isInside, toPosix, walk } from '../walk/walk.js';
import { readBaseline, renderBaseline, unbaselinedRules } from './baseline.js';
import { changedFiles } from './changed-files.js';
import { Coverage, Detections, SourceTexts, type Detection, type GateContext, type GateRuleId } from './context.js';
import { detectInfrastructure } from './detect-infrastructure.js';
import { detectManifests } from './detect-manifests.js';
import { detectText, isPod2wiOutput } from './detect-text.js';
import { detectWorkloadIdentity } from './detect-workload-identity.js';
import { gateFindingIds } from './finding-ids.js';
import { fingerprintAll } from './fingerprint.js';
import { atOrAbove, type CheckResult, type CheckSummary, type GateFinding, type GateRule } from './result.js';
import { languageOf, normalizeLine } from './source-text.js';
import { applySuppressions, directive, readConfigSuppressions, readInlineSuppressions, suppressionRef, type RuleCheck, type Suppression } from './suppressions.js';

/** Every rule the gate reports, sorted. */
export const gateRuleIds: readonly GateRuleId[] = [...gateFindingIds, 'manifest-parse-error' as const, ...walkFindingIds].sort();

/** Objects another file's findings depend on: ServiceAccounts, and Flux and Argo CD objects that render other files. */
const crossReferencedWords = ['ServiceAccount', 'toolkit.fluxcd.io', 'argoproj.io'];
const crossReferenced = new RegExp(crossReferencedWords.map(escapeRegExp).join('|'));
/** The kinds of file git searches for those words with --changed-since: manifests, templates, Markdown, scripts. */
const searchedExtensions = ['yaml', 'yml', 'json', 'tpl', 'tmpl', 'gotmpl', 'md', 'markdown', 'sh', 'bash', 'zsh', 'ksh'];

/** Rules about suppressions themselves: they cannot be suppressed. */
const suppressionRules: ReadonlySet<string> = new Set(['invalid-suppression', 'expired-suppression', 'unused-suppression']);

/** Everything a gate run needs, as the CLI resolved it from its options; `now` makes expiry testable. */
export interface CheckOptions extends Pick<ScanOptions, 'paths' | 'cwd' | 'exclude' | 'defaultExcludes' | 'maxFileSize' | 'namespace'> {
  /** --config: a configuration file to use instead of `.pod2wi.yaml` at the root (relative to cwd). */
  readonly config: string | null;
  readonly failOn: Severity;
  /** False with --no-ignore: inline and configuration suppressions are not read. */
  readonly suppressions: boolean;
  /** --baseline FILE (relative to cwd). */
  readonly baseline: string | null;
  /** --write-baseline FILE: the run is judged against the baseline it writes. */
  readonly writeBaseline: string | null;
  /** --changed-since REF. */
  readonly changedSince: string | null;
  /** Lists the files changed since a ref (git, by default); tests give a list of their own. */
  readonly listChanged?: (root: string, ref: string) => ReadonlySet<string>;
  /** The clock: `until` dates are compared with this day (UTC). */
  readonly now: Date;
  /** Files the run writes (output files), relative to cwd: never read as input. */
  readonly outputs: readonly string[];
}

/**
 * ARM templates and parameter files name `apiVersion` on every resource, so the manifest reader tries them, and Azure
 * accepts comments in them, which JSON does not: their parse errors are not the gate's (the add-on detector reads
 * them with comments blanked).
 */
function isArmTemplate(text: string): boolean {
  return /"\$schema"\s*:\s*"https:\/\/schema\.management\.azure\.com\//.test(text.slice(0, 1000));
}

/** A gate run: the result, and the baseline text when --write-baseline asked for one (the CLI writes it). */
export interface CheckRun {
  readonly result: CheckResult;
  readonly baseline: string | null;
}

/**
 * `pod2wi check`: walk → read manifests → detect (structural, infrastructure, text) → suppressions → fingerprints →
 * baseline → `--changed-since` filter. Returns data and prints nothing; throws NothingScannedError when the walk
 * found no file the gate reads, UsageError/ConfigError for bad options, a bad baseline or configuration.
 */
export function runCheck(options: CheckOptions): CheckRun {
  const { root, display, only } = resolveRoot(options.paths, options.cwd);
  const config = loadConfig(root, options.config === null ? null : resolve(options.cwd, options.config));
  const rootRelative = (path: string): string | null => {
    const absolute = resolve(options.cwd, path);
    const inside = toPosix(relative(root, absolute));
    return inside === '' || !isInside(root, absolute) ? null : inside;
  };
  const configFile = config.file === null ? null : isAbsolute(config.file) ? (rootRelative(config.file) ?? config.file) : config.file;
  // Every input named on the command line is read before the repository is: a bad one fails at once.
  const previous = options.baseline === null ? null : readBaseline(resolve(options.cwd, options.baseline), options.baseline);
  const catalogue = loadFindingCatalogue();
  const rules: GateRule[] = gateRuleIds.map((id) => {
    const row = catalogue.get(id);
    return { id, severity: row?.severity ?? 'error', summary: row?.summary ?? id, help: row?.help ?? '', docs: row?.docs ?? null };
  });
  const severity = new Map(rules.map((rule) => [rule.id, rule.severity]));
  const base = {
    schemaVersion: 1 as const,
    tool: { name: 'pod2wi' as const, version: toolVersion },
    root: display,
    failOn: options.failOn,
    suppressionsApplied: options.suppressions,
    rules,
  };

  // One set of git answers for the run: --changed-since and the walk list the same untracked files.
  const git = new GitSession(root);
  let changed: Set<string> | null = null;
  if (options.changedSince !== null) {
    changed = new Set([...(options.listChanged ?? ((at, ref) => changedFiles(at, ref, git)))(root, options.changedSince)].filter((path) => only.length === 0 || only.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))));
    const relevant = [...changed].filter((path) => languageOf(path) !== null || path === configFile);
    if (relevant.length === 0 && options.writeBaseline === null) {
      return {
        result: {
          ...base,
          passed: true,
          changedSince: { ref: options.changedSince, files: 0 },
          baseline: options.baseline === null || previous === null ? null : { file: options.baseline, entries: previous.length },
          summary: { files: 0, read: 0, open: { error: 0, warning: 0, note: 0 }, failing: 0, suppressed: 0, baselined: 0, fixed: 0 },
          findings: [],
          fixed: [],
        },
        baseline: null,
      };
    }
  }

  const walked = walk({ root, only, exclude: options.exclude, defaultExcludes: options.defaultExcludes, git });
  const repo = new Repo(root, walked.files, walked.skipped, options.maxFileSize);
  const read = repo.files.filter((file) => languageOf(file.path) !== null).length;
  if (read === 0 && !repo.skipped.some((skipped) => skipped.reason === 'invalid-name')) {
    throw new NothingScannedError(
      walked.files.length === 0
        ? `${display}: no files to check (empty folder, or everything excluded)`
        : `${display}: ${walked.files.length} file${walked.files.length === 1 ? '' : 's'} walked, but none the gate reads (YAML, JSON, Helm templates, Terraform, Bicep, scripts)`,
    );
  }

  // With --changed-since, findings are reported for the changed files only, so only they are read for findings of
  // their own. Other plain manifests are read only when they hold what a changed file's findings depend on: a
  // ServiceAccount (workload-identity checks look them up anywhere) or a Flux or Argo CD object (they render charts
  // and folders). A changed configuration needs every finding (to tell unused suppressions), a baseline being
  // written needs every finding: both read the whole repository, as without the option.
  const scope = changed !== null && options.writeBaseline === null && (configFile === null || !changed.has(configFile)) ? changed : null;
  // git grep says which manifests and documents may hold such words, so the rest are not even read (a file of another
  // kind, or all when git cannot say, is read and tested).
  const mentioning = scope === null || !git.isWorkTree() ? null : git.filesContaining(crossReferencedWords, searchedExtensions);
  const searched = (path: string) => {
    const dot = path.lastIndexOf('.');
    return mentioning !== null && dot > path.lastIndexOf('/') && searchedExtensions.includes(path.slice(dot + 1).toLowerCase());
  };
  const select = scope === null ? undefined : (path: string, read: () => string) => scope.has(path) || ((!searched(path) || mentioning?.has(path) === true) && crossReferenced.test(read()));
  const sink = new FindingSink(catalogue);
  const manifests = readManifests(repo, options.namespace, sink, select ? { select } : {});
  const context: GateContext = {
    repo,
    manifests,
    namespace: options.namespace,
    texts: new SourceTexts(repo),
    detections: new Detections(),
    coverage: new Coverage(),
    only: scope,
  };
  for (const path of [...options.outputs, ...(options.baseline ? [options.baseline] : []), ...(options.writeBaseline ? [options.writeBaseline] : [])]) {
    const inside = rootRelative(path);
    if (inside) context.coverage.addFile(inside);
  }
  if (configFile) context.coverage.addFile(configFile);
  for (const file of repo.files) {
    if (languageOf(file.path) !== 'json' || (scope !== null && !scope.has(file.path))) continue;
    const text = context.texts.file(file.path)?.text;
    if (text !== undefined && isPod2wiOutput(text)) context.coverage.addFile(file.path);
  }

  detectManifests(context);
  detectWorkloadIdentity(context);
  detectInfrastructure(context);
  detectText(context);
  for (const finding of sink.all) {
    if (finding.ruleId !== 'manifest-parse-error' || isArmTemplate(context.texts.file(finding.file)?.text ?? '')) continue;
    context.detections.add({ ruleId: 'manifest-parse-error', at: finding, message: finding.message });
  }
  // A name that is not UTF-8 was never read: the gate cannot say it is clean, so it fails instead of passing over it.
  for (const skipped of repo.skipped) {
    if (skipped.reason !== 'invalid-name') continue;
    context.detections.add({ ruleId: 'file-name-not-utf8', at: { file: skipped.path, line: 1, column: 1 }, message: `${skipped.path}: the name is not UTF-8 (bytes shown as \\xNN); pod2wi could not read it` });
  }
  const detected = context.detections.all;

  let suppressed = new Map<Detection, Suppression>();
  let suppressionFindings: readonly Detection[] = [];
  if (options.suppressions) {
    const gateRules = new Set<string>(gateRuleIds);
    const allIds = new Set<string>(findingIds);
    const inlineCheck: RuleCheck = (rule) => (suppressionRules.has(rule) ? `${rule} cannot be suppressed` : gateRules.has(rule) ? null : `unknown rule ${rule}`);
    const configCheck: RuleCheck = (rule) => (suppressionRules.has(rule) ? `${rule} cannot be suppressed` : allIds.has(rule) ? null : `unknown rule ${rule}`);
    const suppressions: Suppression[] = [];
    for (const file of repo.files) {
      if (languageOf(file.path) === null || context.coverage.coversFile(file.path) || (scope !== null && !scope.has(file.path))) continue;
      if (!context.texts.file(file.path)?.text.includes(directive)) continue;
      suppressions.push(...readInlineSuppressions(file.path, context.texts.lines(file.path) ?? [], inlineCheck));
    }
    suppressions.push(...readConfigSuppressions({ ...config, file: configFile }, configCheck));
    const today = options.now.toISOString().slice(0, 10);
    const outcome = applySuppressions(detected, suppressions, today, gateRules);
    suppressed = new Map(outcome.applied);
    suppressionFindings = outcome.findings;
  }

  const all = [...detected, ...suppressionFindings];
  const lineText = (file: string, line: number): string => {
    const lines = context.texts.lines(file);
    if (lines) return normalizeLine(lines[line - 1]);
    return (repo.read(file)?.text.split('\n')[line - 1] ?? '').trim().replace(/\s+/g, ' ');
  };
  const fingerprints = fingerprintAll(all, lineText);

  const draft = all.map((detection) => ({
    detection,
    fingerprint: fingerprints.get(detection) ?? '',
    suppression: suppressed.get(detection) ?? null,
  }));
  const recorded = options.writeBaseline !== null
    ? new Set(draft.filter((item) => item.suppression === null && !unbaselinedRules.has(item.detection.ruleId)).map((item) => item.fingerprint))
    : new Set((previous ?? []).map((entry) => entry.fingerprint));

  const findings: GateFinding[] = draft.map(({ detection, fingerprint, suppression }) => {
    const level = severity.get(detection.ruleId) ?? 'error';
    const status = suppression ? 'suppressed' : recorded.has(fingerprint) && !unbaselinedRules.has(detection.ruleId) ? 'baselined' : 'open';
    return {
      ruleId: detection.ruleId,
      severity: level,
      message: detection.message,
      file: detection.at.file,
      line: detection.at.line,
      column: detection.at.column,
      fingerprint,
      status,
      failing: status === 'open' && atOrAbove(level, options.failOn),
      suppression: suppression ? suppressionRef(suppression) : null,
    };
  });
  const baselineText = options.writeBaseline === null ? null : renderBaseline(findings);
  const present = new Set(findings.map((finding) => finding.fingerprint));
  const inScope = (file: string) => changed === null || changed.has(file);
  const fixed = (previous ?? []).filter((entry) => !present.has(entry.fingerprint) && inScope(entry.file));
  const reported = findings.filter((finding) => inScope(finding.file)).sort(compareFindings);

  const summary: CheckSummary = {
    files: walked.files.length,
    read,
    open: {
      error: reported.filter((finding) => finding.status === 'open' && finding.severity === 'error').length,
      warning: reported.filter((finding) => finding.status === 'open' && finding.severity === 'warning').length,
      note: reported.filter((finding) => finding.status === 'open' && finding.severity === 'note').length,
    },
    failing: reported.filter((finding) => finding.failing).length,
    suppressed: reported.filter((finding) => finding.status === 'suppressed').length,
    baselined: reported.filter((finding) => finding.status === 'baselined').length,
    fixed: fixed.length,
  };
  const baselineFile = options.writeBaseline ?? options.baseline;
  return {
    result: {
      ...base,
      passed: summary.failing === 0,
      changedSince: options.changedSince === null || changed === null ? null : { ref: options.changedSince, files: changed.size },
      baseline: baselineFile === null ? null : { file: baselineFile, entries: options.writeBaseline !== null ? recorded.size : (previous?.length ?? 0) },
      summary,
      findings: reported,
      fixed,
    },
    baseline: baselineText,
  };
}
