import type { CredentialUse, SourceLanguage } from '../model/application.js';
import type { FindingSink } from '../model/findings-sink.js';
import type { Repo } from '../walk/repo.js';
import { classify, compareUses } from './classify.js';
import { analyzeCpp } from './cpp.js';
import { analyzeCsharp, collectCsharpUsings, type CsharpProjectUsings } from './csharp.js';
import type { FileFacts } from './facts.js';
import { isEntrypointName, isTestFile, languageOfPath, languageOfShebang, needsShebang } from './files.js';
import { analyzeGo } from './go.js';
import { analyzeJava } from './java.js';
import { analyzeJavaScript } from './javascript.js';
import { buildPrefilters } from './prefilter.js';
import { analyzePython } from './python.js';
import { loadCredentialRules, type CredentialRules } from './rules.js';
import { analyzeDockerfile, analyzeShell } from './shell.js';
import { analyzeTerraform } from './terraform.js';
import { firstError, GrammarCache, positionOf, withTree, type GrammarName } from './tree-sitter.js';
import { analyzeYaml } from './yaml-text.js';

export { GrammarCache } from './tree-sitter.js';

/** What the code stage can be given beyond the repository: shared grammars (tests) and rule data. */
export interface CodeScanOptions {
  /** Loaded grammars to reuse; a new cache (grammars loaded on first use) when absent. */
  readonly grammars?: GrammarCache;
  readonly rules?: CredentialRules;
}

/** Per-scan state handed down to the language modules; nothing here outlives one call. */
interface ScanContext {
  readonly repo: Repo;
  readonly sink: FindingSink;
  readonly rules: CredentialRules;
  readonly grammars: GrammarCache;
  readonly csharpUsings: CsharpProjectUsings;
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

/**
 * Finds credential construction and token requests in the repository's source files (every language pod2wi reads),
 * on real syntax trees. Each file is read once; only files whose text passes the rule-derived prefilter are parsed.
 * A file that cannot be parsed or analysed becomes a finding and the scan goes on. Nothing is executed, fetched or
 * written. The caller attaches each use to the application whose folder holds the file.
 */
export async function findCredentialUses(repo: Repo, sink: FindingSink, options: CodeScanOptions = {}): Promise<CredentialUse[]> {
  const rules = options.rules ?? loadCredentialRules();
  const prefilters = buildPrefilters(rules);
  const candidates: Candidate[] = [];
  for (const file of repo.files) {
    let language = languageOfPath(file.path);
    if (!language && !needsShebang(file.path)) continue;
    const text = repo.read(file.path, { cache: false })?.text;
    if (text === undefined) continue;
    language ??= languageOfShebang(text) ?? (isEntrypointName(file.path) ? 'shell' : null);
    if (!language) continue;
    if (!prefilters.get(language)?.test(text)) continue;
    candidates.push({ path: file.path, text, language });
  }

  const grammars = options.grammars ?? new GrammarCache();
  const csharpUsings = await collectCsharpUsings(
    repo,
    candidates.filter((candidate) => candidate.language === 'csharp'),
    async () => {
      const loaded = await grammars.get('c-sharp');
      return 'parser' in loaded ? loaded.parser : null;
    },
  );
  const context: ScanContext = { repo, sink, rules, grammars, csharpUsings, unavailable: new Map() };
  const uses: CredentialUse[] = [];
  for (const candidate of candidates) {
    try {
      const facts = await analyze(candidate, context);
      if (facts) uses.push(...classify(facts, { file: candidate.path, test: isTestFile(candidate.path) }, rules));
    } catch (error) {
      // A bug or a pathological file must not end the scan: say which file, go on.
      sink.add('source-parse-error', { file: candidate.path, line: 1, column: 1 }, `could not analyse this file: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  for (const [grammar, missed] of [...context.unavailable].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    sink.add(
      'grammar-unavailable',
      { file: missed.first, line: 1, column: 1 },
      `the ${grammar} grammar did not load (${missed.error}); ${missed.count} file${missed.count === 1 ? '' : 's'} not analysed`,
    );
  }
  return uses.sort(compareUses);
}

async function analyze(candidate: Candidate, context: ScanContext): Promise<FileFacts | null> {
  const { rules } = context;
  switch (candidate.language) {
    case 'javascript':
    case 'typescript': {
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
  if (candidate.language === 'dockerfile') return analyzeDockerfile(candidate.text, loaded.parser, rules);
  return withTree(loaded.parser, candidate.text, (tree) => {
    const error = firstError(tree.rootNode);
    if (error) {
      const at = positionOf(error);
      reportParseError(context, candidate.path, at.line, at.column, error.isMissing ? `missing ${error.type}` : 'unexpected syntax');
    }
    switch (candidate.language) {
      case 'python':
        return analyzePython(tree.rootNode, rules);
      case 'csharp':
        return analyzeCsharp(tree.rootNode, rules, context.csharpUsings.forFile(candidate.path));
      case 'java':
        return analyzeJava(tree.rootNode, rules);
      case 'go':
        return analyzeGo(tree.rootNode, rules);
      case 'cpp':
        return analyzeCpp(tree.rootNode, rules);
      case 'shell':
        return analyzeShell(tree.rootNode, loaded.parser, rules);
      default:
        return null;
    }
  });
}

function reportParseError(context: ScanContext, file: string, line: number, column: number, what: string): void {
  context.sink.add('source-parse-error', { file, line, column }, `${what} near line ${line}: the parser recovered, but credential uses around here may be missed`);
}
