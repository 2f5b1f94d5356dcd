/**
 * Every rule file of `rules/` with its schema, and the validation the build runs (`scripts/compile-rules.mjs` writes
 * `dist/rules.json` from {@link compileRules}). pod2wi itself never loads this module: it reads the validated data
 * (`rules/load.ts`), so zod and the rule YAML cost nothing at start-up.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { z } from 'zod';
import { credentialRulesSchema } from '../code/rules-schema.js';
import { dependencyRuleSchemas } from '../deps/knowledge-schema.js';
import { ConfigError } from '../model/errors.js';
import { findingRows } from './catalogue-schema.js';
import { controllersSchema } from './controllers-schema.js';
import { ruleDigest, ruleFileError, rulesDirectory, type CompiledRules } from './load.js';

const schemas: Readonly<Record<string, z.ZodType>> = {
  'credential-apis.yaml': credentialRulesSchema,
  'controllers.yaml': controllersSchema,
  ...dependencyRuleSchemas,
};

/** The schema of a rule file by its path under `rules/`; every `findings/*.yaml` shares the catalogue's. */
export function schemaOfRuleFile(name: string): z.ZodType | null {
  if (/^findings\/[^/]+\.yaml$/.test(name)) return findingRows;
  return Object.hasOwn(schemas, name) ? (schemas[name] ?? null) : null;
}

/** The rule files of `directory`: its `*.yaml` and those of `findings/`, sorted. */
export function ruleFileNames(directory: string = rulesDirectory): string[] {
  const yaml = (folder: string) => readdirSync(`${directory}${folder}`).filter((name) => name.endsWith('.yaml')).map((name) => `${folder}${name}`);
  return [...yaml(''), ...yaml('findings/')].sort();
}

/**
 * Parses and validates one rule file. A file that is wrong is a configuration error that names the file, the row and
 * the field, so whoever edited it can fix it without reading code.
 */
export function validateRuleFile(name: string, text: string): unknown {
  const schema = schemaOfRuleFile(name);
  if (schema === null) throw new ConfigError(`rules/${name}: no schema describes this file`);
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    throw new ConfigError(`rules/${name}: ${(error as Error).message.split('\n')[0]}`);
  }
  const result = schema.safeParse(data);
  if (!result.success) {
    throw ruleFileError(name, result.error.issues);
  }
  return result.data;
}

/** Validates every rule file of `directory` into the data `dist/rules.json` holds. */
export function compileRules(directory: string = rulesDirectory): CompiledRules {
  const compiled: Record<string, { sha256: string; data: unknown }> = {};
  for (const name of ruleFileNames(directory)) {
    const text = readFileSync(`${directory}${name}`, 'utf8');
    compiled[name] = { sha256: ruleDigest(text), data: validateRuleFile(name, text) };
  }
  return compiled;
}
