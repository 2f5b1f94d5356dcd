import type { CredentialUse, SourceLanguage } from '../model/application.js';
import type { FindingSink } from '../model/findings-sink.js';
import type { Repo } from '../walk/repo.js';
import { configFileReader } from './config-files.js';
import { markContainerRuns } from './container-runs.js';
import { classify, compareUses } from './classify.js';
import { analyzeCpp } from './cpp.js';
import { analyzeCsharp, collectCsharpUsings, type CsharpProjectUsings } from './csharp.js';
import type { FileFacts } from './facts.js';
import { isEntrypointName, isTestFile, languageOfPath, languageOfShebang, needsShebang } from './files.js';
import { analyzeGo } from './go.js';
import { analyzeJava } from './java.js';
import { buildPrefilters } from './prefilter.js';
import { analyzePython } from './python.js';
import { loadCredentialRules, type CredentialRules } from './rules.js';
import { analyzeDockerfile, analyzeShell } from './shell.js';
import { analyzeTerraform } from './terraform.js';
import type { Parser } from 'web-tree-sitter';
import { firstError, GrammarCache, positionOf, withTree, type GrammarName } from './tree-sitter.js';
import { analyzeYaml } from './yaml-text.js';

export { GrammarCache } from './tree-sitter.js';

/** What the code stage can be given beyond the repository: shared grammars (tests) and rule data. */
export interface CodeScanOptions {
  /** Loaded grammars to reuse; a new cache (grammars loaded on first use) when absent. */
  readonly grammars?: GrammarCache;
  readonly rules?: CredentialRules;
  /**
   * Parse only files whose text passes the rule-derived prefilter (the default). `false` parses every source file:
   * for measuring what the prefilter saves, and for tests proving it drops nothing.
   */
  readonly prefilter?: boolean;
}

/** Per-scan state handed down to the language modules; nothing here outlives one call. */
interface ScanContext {
  readonly repo: Repo;
  readonly sink: FindingSink;
  readonly rules: CredentialRules;
  readonly grammars: GrammarCache;
  /** The TypeScript-based reader, imported on the first JavaScript or TypeScript candidate (the compiler is large). */
  javascript: Promise<typeof import('./javascript.js')> | null;
  /** Grammar → files that could not be analysed because it did not load (one finding per grammar at the end). */
  readonly unavailable: Map<GrammarName, { first: string; error: string; count: number }>;
}

const grammarOf: Partial<Record<SourceLanguage, GrammarName>> = {
  python: 'python',
  csharp: 'c-sharp',
  java: 'java',
  go: 'go',
  cpp: 'cpp',
  shell: 'bash',
  dockerfile: 'bash',
};

/** A file the prefilter let through, with what it was read as. */
interface Candidate {
  readonly path: string;
  readonly text: string;
  readonly language: SourceLanguage;
}

/** What one scan of the source files did: how much was read, and how much reached a parser. */
export interface SourceScanStats {
  /** Files read as source (by extension, name or shebang). */
  readonly sourceFiles: number;
  readonly sourceBytes: number;
  /** Files that passed the prefilter and were parsed (or read by a line reader). */
  readonly candidateFiles: number;
  readonly candidateBytes: number;
}

/**
 * Finds credential construction and token requests in the repository's source files (every language pod2wi reads),
 * on real syntax trees. Each file is read once; only files whose text passes the rule-derived prefilter are parsed.
 * A file that cannot be parsed or analysed becomes a finding and the scan goes on. Nothing is executed, fetched or
 * written. The caller attaches each use to the application whose folder holds the file.
 */
export async function findCredentialUses(repo: Repo, sink: FindingSink, options: CodeScanOptions = {}): Promise<CredentialUse[]> {
  return (await scanSourceFiles(repo, sink, options)).uses;
}

/** {@link findCredentialUses} with the numbers behind it (the benchmark reports them). */
export async function scanSourceFiles(
  repo: Repo,
  sink: FindingSink,
  options: CodeScanOptions = {},
): Promise<{ uses: CredentialUse[]; stats: SourceScanStats }> {
  const rules = options.rules ?? loadCredentialRules();
  const prefilters = buildPrefilters(rules);
  const grammars = options.grammars ?? new GrammarCache();
  const context: ScanContext = { repo, sink, rules, grammars, javascript: null, unavailable: new Map() };
  const uses: CredentialUse[] = [];
  const analyseOne = async (candidate: Candidate, csharpUsings: CsharpProjectUsings | null): Promise<void> => {
    try {
      const facts = await analyze(candidate, context, csharpUsings);
      if (facts) uses.push(...classify(facts, { file: candidate.path, test: isTestFile(candidate.path) }, rules));
    } catch (error) {
      // A bug or a pathological file must not end the scan: say which file, go on.
      const why = error instanceof RangeError ? 'nested too deeply to analyse' : error instanceof Error ? error.message : String(error);
      sink.add('source-parse-error', { file: candidate.path, line: 1, column: 1 }, `could not analyse this file: ${why}`);
    }
  };

  // One pass: each file is read once and, when it passes the prefilter, analysed at once, so no more than one text
  // is held at a time. C# waits for the end: global usings of a project may sit in any of its files.
  const csharp: Candidate[] = [];
  const unread = new Set<string>();
  let sourceFiles = 0;
  let sourceBytes = 0;
  let candidateFiles = 0;
  let candidateBytes = 0;
  const configs = configFileReader(rules);
  for (const file of repo.files) {
    const configLanguage = configs.languageOf(file.path);
    let language = languageOfPath(file.path);
    if (configLanguage) {
      // A configuration file's driver settings; a YAML one (application.yml) is read as YAML text too.
      const text = repo.read(file.path, { cache: false })?.text;
      if (text !== undefined) uses.push(...configs.uses(file.path, text, configLanguage, isTestFile(file.path)));
      if (!language) continue;
    }
    if (!language && !needsShebang(file.path)) continue;
    const text = repo.read(file.path, { cache: false })?.text;
    if (text === undefined) {
      // YAML skips are the manifest stage's to report; extension-less files may not have been source at all.
      if (language && language !== 'yaml') unread.add(file.path);
      continue;
    }
    language ??= languageOfShebang(text) ?? (isEntrypointName(file.path) ? 'shell' : null);
    if (!language) continue;
    sourceFiles++;
    sourceBytes += text.length;
    if (options.prefilter !== false && !prefilters.get(language)?.test(text)) continue;
    const tooMuch = parseLimit(text, language);
    if (tooMuch) {
      sink.add('source-skipped', { file: file.path, line: 1, column: 1 }, `${tooMuch}; credential uses in this file are not reported`);
      continue;
    }
    candidateFiles++;
    candidateBytes += text.length;
    if (language === 'csharp') csharp.push({ path: file.path, text, language });
    else await analyseOne({ path: file.path, text, language }, null);
  }
  if (csharp.length > 0) {
    const usings = await collectCsharpUsings(repo, csharp, async () => {
      const loaded = await grammars.get('c-sharp');
      return 'parser' in loaded ? loaded.parser : null;
    });
    for (const candidate of csharp) await analyseOne(candidate, usings);
  }
  for (const skipped of repo.skipped) {
    if (!unread.has(skipped.path)) continue;
    const why = skipped.reason === 'too-large' ? `larger than --max-file-size (${skipped.size ?? 0} bytes)` : skipped.reason === 'binary' ? 'binary content' : 'could not be read';
    sink.add('file-skipped', { file: skipped.path, line: 1, column: 1 }, `skipped: ${why}; credential uses in this source file are not reported`);
  }
  for (const [grammar, missed] of [...context.unavailable].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    sink.add(
      'grammar-unavailable',
      { file: missed.first, line: 1, column: 1 },
      `the ${grammar} grammar did not load (${missed.error}); ${missed.count} file${missed.count === 1 ? '' : 's'} not analysed`,
    );
  }
  return { uses: markContainerRuns(uses, repo).sort(compareUses), stats: { sourceFiles, sourceBytes, candidateFiles, candidateBytes } };
}

/** The most characters of one source file given to a parser: a syntax tree costs tens of bytes per character. */
export const maxParsedChars = 4 * 1024 * 1024;

/** Files this large are tested for minification (below it, analysing costs little whatever the shape). */
const minifiedFloor = 256 * 1024;

/** Average characters per line above which JavaScript is minified or bundled (hand-written code averages under 60). */
const minifiedLineLength = 1000;

/** Languages read by a parser (the others are read line by line, in time and memory proportional to the file). */
const parsed: ReadonlySet<SourceLanguage> = new Set(['javascript', 'typescript', 'python', 'csharp', 'java', 'go', 'cpp', 'shell', 'dockerfile']);

/**
 * Why a candidate file is not parsed, or null. Over {@link maxParsedChars}, a syntax tree would outgrow the memory
 * budget; minified or bundled JavaScript is build output, where credential classes are the library's own copies.
 * Both are cheap tests on the text, decided before any parser runs.
 */
export function parseLimit(text: string, language: SourceLanguage): string | null {
  if (!parsed.has(language)) return null;
  if (text.length > maxParsedChars) return `${text.length} characters, over the ${maxParsedChars}-character limit for parsing one source file`;
  if ((language === 'javascript' || language === 'typescript') && text.length >= minifiedFloor) {
    let lines = 1;
    for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) lines++;
    const average = Math.round(text.length / lines);
    if (average > minifiedLineLength) return `minified or bundled code (${text.length} characters, ${average} per line on average): build output is not analysed`;
  }
  return null;
}

async function analyze(candidate: Candidate, context: ScanContext, csharpUsings: CsharpProjectUsings | null): Promise<FileFacts | null> {
  const { rules } = context;
  switch (candidate.language) {
    case 'javascript':
    case 'typescript': {
      context.javascript ??= import('./javascript.js');
      const { analyzeJavaScript } = await context.javascript;
      const result = analyzeJavaScript(candidate.path, candidate.text, candidate.language, rules);
      if (result.parseError) reportParseError(context, candidate.path, result.parseError.line, result.parseError.column, result.parseError.message);
      return result.facts;
    }
    case 'terraform':
      return analyzeTerraform(candidate.text, rules);
    case 'yaml':
      return analyzeYaml(candidate.text, rules);
    default:
      break;
  }
  const grammar = grammarOf[candidate.language];
  if (!grammar) return null;
  const loaded = await context.grammars.get(grammar);
  if ('error' in loaded) {
    const missed = context.unavailable.get(grammar);
    if (missed) missed.count++;
    else context.unavailable.set(grammar, { first: candidate.path, error: loaded.error, count: 1 });
    return null;
  }
  try {
    return analyzeTree(candidate, context, loaded.parser, csharpUsings);
  } catch (error) {
    // A fault inside the parser or a walk over its tree: the next file gets a new parser, never this one's state.
    await context.grammars.renew(grammar);
    throw error;
  }
}

function analyzeTree(candidate: Candidate, context: ScanContext, parser: Parser, csharpUsings: CsharpProjectUsings | null): FileFacts | null {
  const { rules } = context;
  if (candidate.language === 'dockerfile') return analyzeDockerfile(candidate.text, parser, rules);
  return withTree(parser, candidate.text, (tree) => {
    const error = firstError(tree.rootNode);
    if (error) {
      const at = positionOf(error);
      reportParseError(context, candidate.path, at.line, at.column, error.isMissing ? `missing ${error.type}` : 'unexpected syntax');
    }
    switch (candidate.language) {
      case 'python':
        return analyzePython(tree.rootNode, rules);
      case 'csharp':
        return analyzeCsharp(tree.rootNode, rules, csharpUsings?.forFile(candidate.path) ?? []);
      case 'java':
        return analyzeJava(tree.rootNode, rules);
      case 'go':
        return analyzeGo(tree.rootNode, rules);
      case 'cpp':
        return analyzeCpp(tree.rootNode, rules);
      case 'shell':
        return analyzeShell(tree.rootNode, parser, rules);
      default:
        return null;
    }
  });
}

function reportParseError(context: ScanContext, file: string, line: number, column: number, what: string): void {
  context.sink.add('source-parse-error', { file, line, column }, `${what} near line ${line}: the parser recovered, but credential uses around here may be missed`);
}
