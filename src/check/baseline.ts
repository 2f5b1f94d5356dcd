import type { z } from 'zod';
import { decodeUtf8, readRegularFile } from '../io/read-file.js';
import { ConfigError, UsageError } from '../model/errors.js';
import { compareStrings } from '../model/location.js';
import { onFirstUse, type ZodApi } from '../model/zod.js';
import { toolVersion } from '../version.js';
import type { BaselineEntry, GateFinding } from './result.js';

/** Version of the baseline file format; a reader refuses other versions rather than guess. */
export const baselineVersion = 1;

/** The schema of a baseline file, built on first use (zod loads only when a baseline is read). */
function buildSchema(z: ZodApi) {
  const entry = z.strictObject({
    fingerprint: z.string().regex(/^[0-9a-f]{32}$/, 'a fingerprint is 32 hex digits'),
    ruleId: z.string().min(1),
    file: z.string().min(1),
    line: z.number().int().positive(),
    message: z.string(),
  });

  const baselineFile = z.strictObject({
    version: z.literal(baselineVersion),
    tool: z.strictObject({ name: z.literal('pod2wi'), version: z.string() }),
    findings: z.array(entry),
  });
  return baselineFile;
}

const schema = onFirstUse(buildSchema);

/** `pod2wi check --write-baseline FILE` writes this; `--baseline FILE` reads it. */
export type BaselineFile = z.infer<ReturnType<typeof buildSchema>>;

/** Rules a baseline never records: a broken or expired suppression must be fixed, not recorded. */
export const unbaselinedRules: ReadonlySet<string> = new Set(['invalid-suppression', 'expired-suppression', 'unused-suppression']);

/** The largest baseline read: about 100,000 findings. */
export const maxBaselineBytes = 32 * 1024 * 1024;

/**
 * Reads and validates a baseline file: a regular file within {@link maxBaselineBytes} (a folder, FIFO or device is a
 * usage error), then JSON matching the format (else a configuration error naming the file and field).
 */
export function readBaseline(path: string, display: string): BaselineEntry[] {
  const read = readRegularFile(path, { maxBytes: maxBaselineBytes });
  if (!read.ok) {
    if (read.reason === 'not-found') throw new ConfigError(`--baseline ${display}: no such file (create it with --write-baseline)`);
    throw new UsageError(`--baseline ${display}: ${read.detail}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(decodeUtf8(read.bytes).text);
  } catch (error) {
    throw new ConfigError(`--baseline ${display}: ${(error as Error).message.split('\n')[0]}`);
  }
  const result = schema().safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.map(String).join('.') ?? '';
    throw new ConfigError(`--baseline ${display}: ${where ? `${where}: ` : ''}${issue?.message ?? 'not a pod2wi baseline'}`);
  }
  return result.data.findings;
}

/**
 * The baseline of a run: every finding that is not suppressed (open or already baselined), except findings about
 * suppressions, sorted by file, rule, line and fingerprint. Two-space JSON with a final newline; no timestamps, so
 * the same findings give the same bytes.
 */
export function renderBaseline(findings: readonly GateFinding[]): string {
  const entries: BaselineEntry[] = findings
    .filter((finding) => finding.status !== 'suppressed' && !unbaselinedRules.has(finding.ruleId))
    .map((finding) => ({ fingerprint: finding.fingerprint, ruleId: finding.ruleId, file: finding.file, line: finding.line, message: finding.message }))
    .sort(compareEntries);
  const file: BaselineFile = { version: baselineVersion, tool: { name: 'pod2wi', version: toolVersion }, findings: entries };
  return `${JSON.stringify(file, null, 2)}\n`;
}

export function compareEntries(a: BaselineEntry, b: BaselineEntry): number {
  return compareStrings(a.file, b.file) || compareStrings(a.ruleId, b.ruleId) || a.line - b.line || compareStrings(a.fingerprint, b.fingerprint);
}
