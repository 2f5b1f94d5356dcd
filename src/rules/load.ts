import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../model/errors.js';
import { packageRoot } from '../package-root.js';

/** The folder that ships the rule data: `<package>/rules`, from `src/` (tests), `dist/` and the bundle alike. */
export const rulesDirectory = `${packageRoot}rules/`;

/** Where `npm run build` writes the validated rule data: `<package>/dist/rules.json`, from `src/` and `dist/` alike. */
export const compiledRulesPath = `${packageRoot}dist/rules.json`;

/** One rule file as the build validated it: the digest of its text and the data its schema gave. */
export interface CompiledRuleFile {
  readonly sha256: string;
  readonly data: unknown;
}

/** `dist/rules.json`: every rule file by its path under `rules/` (`controllers.yaml`, `findings/check.yaml`). */
export type CompiledRules = Readonly<Record<string, CompiledRuleFile>>;

/** The configuration error for a rule file that does not match its schema: the file, the row and field, the message. */
export function ruleFileError(name: string, issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[]): ConfigError {
  const issue = issues[0];
  const where = issue ? issue.path.map(String).join('.') : '';
  return new ConfigError(`rules/${name}: ${where ? `${where}: ` : ''}${issue?.message ?? 'invalid'}`);
}

/** The digest the build records for a rule file's text. */
export function ruleDigest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

let compiled: CompiledRules | null = null;

/**
 * The data of one rule file of `rules/`. The build validates every rule file against its schema
 * (`rules/schemas.ts`) and writes the result to `dist/rules.json`, so pod2wi neither parses the YAML nor loads the
 * schema library when it starts; a rule file whose text is not the one the build validated is a configuration error
 * that says to build again, so a stale table is never used.
 */
export function loadRuleFile<T>(name: string): T {
  compiled ??= readCompiledRules(compiledRulesPath);
  return compiledRuleData<T>(compiled, rulesDirectory, name);
}

/** Reads `dist/rules.json` (exported for tests, which bring their own). */
export function readCompiledRules(path: string): CompiledRules {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError(`${path}: missing: run \`npm run build\`, which validates rules/ into it`);
  }
  return JSON.parse(text) as CompiledRules;
}

/** The validated data of rule file `name` of `directory`, if its text is the one the build validated. */
export function compiledRuleData<T>(rules: CompiledRules, directory: string, name: string): T {
  let text: string;
  try {
    text = readFileSync(`${directory}${name}`, 'utf8');
  } catch (error) {
    throw new ConfigError(`rules/${name}: ${(error as Error).message.split('\n')[0]}`);
  }
  const entry = Object.hasOwn(rules, name) ? rules[name] : undefined;
  if (entry === undefined) throw new ConfigError(`rules/${name}: not validated by the build: run \`npm run build\``);
  if (entry.sha256 !== ruleDigest(text)) throw new ConfigError(`rules/${name}: changed since pod2wi was built: run \`npm run build\`, which validates it`);
  return entry.data as T;
}
