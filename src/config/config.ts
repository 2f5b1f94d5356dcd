import { lstatSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { decodeUtf8, readRegularFile } from '../io/read-file.js';
import { ConfigError, UsageError } from '../model/errors.js';
import { onFirstUse, type ZodApi } from '../model/zod.js';
import { isInside } from '../walk/walk.js';

/** Names pod2wi looks for at the scan root, in order. */
export const configFileNames = ['.pod2wi.yaml', '.pod2wi.yml'] as const;

/** The schemas of `.pod2wi.yaml`, built on first use: zod loads only when there is a configuration file. */
function buildSchemas(z: ZodApi) {
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
    /** Verdicts stated by the people who know the code, for workloads pod2wi cannot decide (or decides wrongly). */
    workloads: z
      .array(
        z.strictObject({
          id: workloadId,
          path: z.enum(['latest', 'legacy']),
          reason: z.string().min(1, 'a stated path needs a reason'),
        }),
      )
      .optional(),
    /**
     * Client IDs the repository does not hold (the AKS add-on's `az aks pod-identity add` takes only a resource ID),
     * keyed by the identity's name or its resource ID.
     */
    identities: z
      .record(
        z.string().min(1),
        z.strictObject({ clientId: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'a client ID is a GUID') }),
      )
      .optional(),
  });
  return { configSchema, applicationLink, ignoreEntry };
}

const schemas = onFirstUse(buildSchemas);

/** `.pod2wi.yaml`, validated. */
export type Config = z.infer<ReturnType<typeof buildSchemas>['configSchema']>;
export type ApplicationLink = z.infer<ReturnType<typeof buildSchemas>['applicationLink']>;
export type IgnoreEntry = z.infer<ReturnType<typeof buildSchemas>['ignoreEntry']>;

export interface LoadedConfig {
  readonly config: Config;
  /** Root-relative path of the file, or null when there is none. */
  readonly file: string | null;
  /** Line of an entry by its path in the file (`ignore.0`, `applications.2`), for messages and evidence. */
  lineOf(path: readonly (string | number)[]): number;
}

/** The largest configuration file read (a real one is a few kilobytes). */
export const maxConfigBytes = 1024 * 1024;

/**
 * The most alias nodes a YAML file pod2wi reads for its own settings may resolve to (the `yaml` package's
 * `maxAliasCount`): anchors are fine, a "billion laughs" expansion is a configuration error, not a hang.
 */
export const maxYamlAliases = 100;

/** Whether a path exists at all (a dangling link or a FIFO counts: they must be refused, not ignored). */
function present(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Reads the configuration: `explicit` (a --config path, resolved from the cwd) or the first of configFileNames at the
 * root. A file that does not parse or does not match the schema is a ConfigError naming the file, line and field.
 */
export function loadConfig(root: string, explicit: string | null = null): LoadedConfig {
  const path = explicit ?? configFileNames.map((name) => join(root, name)).find((candidate) => present(candidate)) ?? null;
  if (path === null) return { config: {}, file: null, lineOf: () => 1 };
  const display = explicit ?? path.slice(root.length + 1);
  if (explicit === null) {
    // The root's own file may be a link, but only to a file inside the root.
    let real: string | null = null;
    try {
      real = realpathSync(path);
    } catch {
      real = null;
    }
    if (real === null || !isInside(root, real)) throw new ConfigError(`${display}: a symbolic link that does not resolve to a file inside the scanned root`);
  }
  const read = readRegularFile(path, { maxBytes: maxConfigBytes });
  if (!read.ok) {
    const reason = read.reason === 'not-found' ? 'no such file' : read.detail;
    if (explicit !== null) throw new UsageError(`--config ${explicit}: ${reason}`);
    throw new ConfigError(`${display}: cannot read the configuration file: ${reason}`);
  }
  const decoded = decodeUtf8(read.bytes);
  if (decoded.lossy) throw new ConfigError(`${display}:${decoded.lossyLine ?? 1}: not UTF-8 text`);
  const text = decoded.text;
  const lines = new LineCounter();
  let doc: ReturnType<typeof parseDocument>;
  let data: unknown;
  try {
    doc = parseDocument(text, { lineCounter: lines });
    if (doc.errors.length > 0) {
      const error = doc.errors[0];
      throw new ConfigError(`${display}:${error?.linePos?.[0].line ?? 1}: ${error?.message.split('\n')[0] ?? 'invalid YAML'}`);
    }
    data = doc.toJS({ maxAliasCount: maxYamlAliases }) ?? {};
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    // The yaml package throws on an alias expansion past maxAliasCount (a "billion laughs" file) and on nesting
    // deeper than the stack: both are the file's fault, not pod2wi's.
    const message = error instanceof ReferenceError ? `YAML aliases expand beyond ${maxYamlAliases} nodes` : error instanceof RangeError ? 'nested too deeply' : error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error);
    throw new ConfigError(`${display}: ${message}; not a usable configuration file`);
  }
  const parsed = doc;
  const lineOf = (fieldPath: readonly (string | number)[]): number => {
    // The deepest node that exists on the path: an entry missing a field is reported at the entry.
    for (let depth = fieldPath.length; depth > 0; depth--) {
      const node = parsed.getIn(fieldPath.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return lines.linePos(node.range[0]).line;
    }
    return 1;
  };
  const result = schemas().configSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    const fieldPath = (issue?.path ?? []).filter((part): part is string | number => typeof part !== 'symbol');
    throw new ConfigError(`${display}:${lineOf(fieldPath)}: ${fieldPath.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return { config: result.data, file: display, lineOf };
}
