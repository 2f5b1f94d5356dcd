import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../model/errors.js';

/** Names pod2wi looks for at the scan root, in order. */
export const configFileNames = ['.pod2wi.yaml', '.pod2wi.yml'] as const;

const workloadId = z.string().regex(/^[^/\s]+\/[^/\s]+\/[^/\s]+(@\S+)?$/, 'a workload id is Kind/namespace/name');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date is YYYY-MM-DD');

const applicationLink = z
  .strictObject({
    /** Application folder, relative to the scan root. */
    path: z.string().min(1),
    workloads: z.array(workloadId).optional(),
    /** Image repositories (without tag) that run this application. */
    images: z.array(z.string().min(1)).optional(),
  })
  .refine((link) => (link.workloads?.length ?? 0) + (link.images?.length ?? 0) > 0, 'give workloads or images');

const ignoreEntry = z.strictObject({
  /** Finding or gate rule id. */
  rule: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/),
  /** gitignore-style pattern of the files it covers; all files when absent. */
  path: z.string().min(1).optional(),
  until: isoDate.optional(),
  reason: z.string().min(1, 'a suppression needs a reason'),
});

const configSchema = z.strictObject({
  applications: z.array(applicationLink).optional(),
  policy: z
    .strictObject({
      /** How versions between the token-exchange version and the documented floor count. */
      betweenVersions: z.enum(['latest', 'legacy']).optional(),
    })
    .optional(),
  /** OIDC issuer URL of the cluster, used in federated credentials (else ${AKS_OIDC_ISSUER}). */
  issuer: z.string().url().optional(),
  ignore: z.array(ignoreEntry).optional(),
});

/** `.pod2wi.yaml`, validated. */
export type Config = z.infer<typeof configSchema>;
export type ApplicationLink = z.infer<typeof applicationLink>;
export type IgnoreEntry = z.infer<typeof ignoreEntry>;

export interface LoadedConfig {
  readonly config: Config;
  /** Root-relative path of the file, or null when there is none. */
  readonly file: string | null;
  /** Line of an entry by its path in the file (`ignore.0`, `applications.2`), for messages and evidence. */
  lineOf(path: readonly (string | number)[]): number;
}

/**
 * Reads the configuration: `explicit` (a --config path, resolved from the cwd) or the first of configFileNames at the
 * root. A file that does not parse or does not match the schema is a ConfigError naming the file, line and field.
 */
export function loadConfig(root: string, explicit: string | null = null): LoadedConfig {
  const path = explicit ?? configFileNames.map((name) => join(root, name)).find((candidate) => existsSync(candidate)) ?? null;
  if (path === null) return { config: {}, file: null, lineOf: () => 1 };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError(`${path}: cannot read the configuration file`);
  }
  const display = explicit ?? path.slice(root.length + 1);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  if (doc.errors.length > 0) {
    const error = doc.errors[0];
    throw new ConfigError(`${display}:${error?.linePos?.[0].line ?? 1}: ${error?.message.split('\n')[0] ?? 'invalid YAML'}`);
  }
  const lineOf = (fieldPath: readonly (string | number)[]): number => {
    // The deepest node that exists on the path: an entry missing a field is reported at the entry.
    for (let depth = fieldPath.length; depth > 0; depth--) {
      const node = doc.getIn(fieldPath.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return lines.linePos(node.range[0]).line;
    }
    return 1;
  };
  const result = configSchema.safeParse(doc.toJS() ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    const fieldPath = (issue?.path ?? []).filter((part): part is string | number => typeof part !== 'symbol');
    throw new ConfigError(`${display}:${lineOf(fieldPath)}: ${fieldPath.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return { config: result.data, file: display, lineOf };
}
