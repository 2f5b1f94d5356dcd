/**
 * Go modules (https://go.dev/ref/mod#go-mod-file): go.mod's `require` lines and blocks (`// indirect` marks what only
 * the build graph needs), and `replace` directives, which change the version (or the module) the build uses. A
 * hand-written line parser: go.mod is a small line format, and the exact line of each requirement is needed.
 */
import { readText, reportParseError } from './files.js';
import type { SkipReason } from './skip.js';
import { joinPath, type AppFolder, type DependencyReader, type FoundDependency, type ReadContext } from './types.js';
import { parseGoVersion } from './versions/index.js';

/** One `require` line: a module path, its version, and whether go.mod marks it `// indirect`. */
export interface GoRequire {
  readonly path: string;
  readonly version: string;
  readonly indirect: boolean;
  readonly line: number;
}

/** One `replace` line: the module (optionally one version of it) and what replaces it (a module version or a path). */
export interface GoReplace {
  readonly path: string;
  readonly version: string | null;
  readonly newPath: string;
  readonly newVersion: string | null;
  readonly line: number;
}

/** A parsed go.mod: the module path, requirements, replacements and the lines that could not be read. */
export interface GoMod {
  readonly module: string | null;
  readonly requires: readonly GoRequire[];
  readonly replaces: readonly GoReplace[];
  readonly errors: readonly { readonly line: number; readonly message: string }[];
}

/** Splits a go.mod line into tokens (quoted strings allowed) and its comment. */
function tokenize(line: string): { tokens: string[]; comment: string } {
  const tokens: string[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line.charAt(i);
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (line.startsWith('//', i)) {
      return { tokens, comment: line.slice(i + 2).trim() };
    } else if (c === '"' || c === '`') {
      let j = i + 1;
      while (j < line.length && line.charAt(j) !== c) j += c === '"' && line.charAt(j) === '\\' ? 2 : 1;
      tokens.push(line.slice(i + 1, j));
      i = j + 1;
    } else {
      let j = i;
      while (j < line.length && !/[\s"`]/.test(line.charAt(j)) && !line.startsWith('//', j)) j++;
      tokens.push(line.slice(i, j));
      i = j;
    }
  }
  return { tokens, comment: '' };
}

/** Parses go.mod text. Lines that fit no directive are collected as errors, not thrown. */
export function parseGoMod(text: string): GoMod {
  let module: string | null = null;
  const requires: GoRequire[] = [];
  const replaces: GoReplace[] = [];
  const errors: { line: number; message: string }[] = [];
  let block: string | null = null;
  const directive = (verb: string, args: readonly string[], comment: string, line: number): void => {
    switch (verb) {
      case 'module':
        module = args[0] ?? null;
        return;
      case 'require':
        if (args.length !== 2 || !args[0] || !args[1]) errors.push({ line, message: 'require needs a module path and a version' });
        else requires.push({ path: args[0], version: args[1], indirect: /^indirect(;|$)/.test(comment), line });
        return;
      case 'replace': {
        const arrow = args.indexOf('=>');
        const left = arrow < 0 ? [] : args.slice(0, arrow);
        const right = arrow < 0 ? [] : args.slice(arrow + 1);
        if (arrow < 0 || left.length < 1 || left.length > 2 || right.length < 1 || right.length > 2 || !left[0] || !right[0]) {
          errors.push({ line, message: 'replace needs "module [version] => module version" or "=> path"' });
        } else {
          replaces.push({ path: left[0], version: left[1] ?? null, newPath: right[0], newVersion: right[1] ?? null, line });
        }
        return;
      }
      case 'go':
      case 'toolchain':
      case 'godebug':
      case 'exclude':
      case 'retract':
      case 'tool':
      case 'ignore':
        return;
      default:
        errors.push({ line, message: `unknown directive ${JSON.stringify(verb)}` });
    }
  };
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    const { tokens, comment } = tokenize(raw);
    if (tokens.length === 0) return;
    if (block !== null) {
      if (tokens[0] === ')' && tokens.length === 1) {
        block = null;
        return;
      }
      directive(block, tokens, comment, line);
      return;
    }
    const [verb, ...args] = tokens;
    if (verb === undefined) return;
    if (args.length === 1 && args[0] === '(') {
      block = verb;
      return;
    }
    directive(verb, args, comment, line);
  });
  if (block !== null) errors.push({ line: text.split('\n').length, message: `the ${block} block is not closed` });
  return { module, requires, replaces, errors };
}

const isLocalPath = (path: string): boolean => /^(\.\.?\/|\/|[A-Za-z]:\\)/.test(path) || path === '.' || path === '..';

export const go: DependencyReader = {
  ecosystem: 'go',
  marks: (fileName) => fileName === 'go.mod',
  read(folder: AppFolder, context: ReadContext) {
    const path = joinPath(folder.path, 'go.mod');
    const file = readText(context, path);
    if (!file) return { name: null, dependencies: [] };
    const mod = parseGoMod(file.text);
    for (const error of mod.errors) reportParseError(context, path, error.line, 1, 'go.mod', error.message);
    const dependencies = mod.requires.map((requirement): FoundDependency => {
      const replace =
        mod.replaces.find((entry) => entry.path === requirement.path && entry.version === requirement.version) ??
        mod.replaces.find((entry) => entry.path === requirement.path && entry.version === null);
      const base = { ecosystem: 'go' as const, name: requirement.path, declared: requirement.version, direct: !requirement.indirect };
      if (replace) {
        const at = { file: path, line: replace.line };
        let skip: SkipReason | null = null;
        if (replace.newVersion === null || isLocalPath(replace.newPath)) skip = 'local-path';
        else if (replace.newPath !== requirement.path) skip = 'replaced-module';
        else if (!parseGoVersion(replace.newVersion)) skip = 'invalid-version';
        return skip
          ? { ...base, ...at, version: null, resolution: 'unresolved', skip }
          : { ...base, ...at, version: replace.newVersion, resolution: 'exact', skip: null };
      }
      const at = { file: path, line: requirement.line };
      return parseGoVersion(requirement.version)
        ? { ...base, ...at, version: requirement.version, resolution: 'exact', skip: null }
        : { ...base, ...at, version: null, resolution: 'unresolved', skip: 'invalid-version' };
    });
    return { name: mod.module, dependencies };
  },
};
