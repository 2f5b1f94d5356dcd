import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../model/errors.js';

/** The folder that ships the rule data: `<package>/rules`, the same from `src/` (tests) and `dist/` (built). */
export const rulesDirectory = fileURLToPath(new URL('../../rules/', import.meta.url));

/**
 * Reads one YAML file from `rules/` and validates it. A rule file that is wrong is a configuration error that names
 * the file, the row and the field, so whoever edited it can fix it without reading code.
 */
export function loadRuleFile<T extends z.ZodType>(name: string, schema: T): z.output<T> {
  const path = `${rulesDirectory}${name}`;
  let data: unknown;
  try {
    data = parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`rules/${name}: ${(error as Error).message.split('\n')[0]}`);
  }
  const result = schema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue ? issue.path.join('.') : '';
    throw new ConfigError(`rules/${name}: ${where ? `${where}: ` : ''}${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}
