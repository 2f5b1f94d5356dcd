import { readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import { decodeUtf8, readRegularFile } from '../io/read-file.js';
import { compareStrings } from '../model/location.js';
import { toPosix } from '../walk/walk.js';

/** The largest report read: a scan of a very large monorepo stays far below it. */
export const maxReportBytes = 512 * 1024 * 1024;

const migrationPath = z.enum(['latest', 'legacy', 'migrated', 'unknown', 'not-applicable']);
const ecosystem = z.enum(['npm', 'pypi', 'nuget', 'maven', 'go', 'vcpkg']);
const line = z.number().int().min(1);

/**
 * The part of a scan report (schema/scan-report.schema.json) that a fleet report is built from. Other fields are
 * ignored, so reports of later pod2wi versions with added fields are read too.
 */
const scanReportShape = z.object({
  schemaVersion: z.literal(1),
  tool: z.object({ name: z.literal('pod2wi'), version: z.string() }),
  root: z.string(),
  workloads: z.array(
    z.object({
      id: z.string(),
      kind: z.string(),
      name: z.string(),
      namespace: z.string(),
      file: z.string(),
      line,
      podIdentity: z
        .object({ file: z.string(), line, identities: z.array(z.object({ name: z.string() })) })
        .nullable(),
      migration: z.object({
        path: migrationPath,
        blocked: z.boolean(),
        reasons: z.array(z.object({ code: z.string(), file: z.string().optional(), line: line.optional() })),
      }),
    }),
  ),
  identities: z.array(
    z.object({
      name: z.string(),
      namespace: z.string(),
      type: z.enum(['user-assigned-managed-identity', 'service-principal', 'service-principal-certificate']),
      clientId: z.string().nullable(),
      resourceId: z.string().nullable(),
      usedBy: z.array(z.string()),
      file: z.string(),
      line,
    }),
  ),
  applications: z.array(
    z.object({
      path: z.string(),
      dependencies: z.array(
        z.object({
          ecosystem,
          name: z.string(),
          version: z.string().nullable(),
          supportsWorkloadIdentity: z.boolean().nullable(),
          legacy: z.boolean(),
          file: z.string(),
          line,
        }),
      ),
    }),
  ),
  findings: z.array(z.object({ severity: z.enum(['error', 'warning', 'note']) })),
});

/** What `pod2wi merge` reads of one scan report. */
export type MergeInput = z.infer<typeof scanReportShape>;

/** A report read from a file: where it came from and what it says. */
export interface ReadReport {
  /** The path as given (or found under a given folder), with `/` separators. */
  readonly file: string;
  readonly report: MergeInput;
}

/** A file that is not a readable pod2wi scan report, and why (for one line of an error naming the file). */
export interface ReportProblem {
  readonly file: string;
  readonly message: string;
}

function where(path: readonly PropertyKey[]): string {
  return path.map((key, index) => (typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`)).join('') || '(top level)';
}

/**
 * Decides whether `data` is a pod2wi scan report, saying what it is otherwise: not an object, another tool's JSON,
 * a pod2wi fleet or check report, a schema version this pod2wi does not know, or a scan report missing a field.
 */
export function parseScanReport(data: unknown): { ok: true; report: MergeInput } | { ok: false; message: string } {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return { ok: false, message: 'not a pod2wi scan report (the JSON is not an object)' };
  const object = data as Record<string, unknown>;
  const tool = object.tool as Record<string, unknown> | undefined;
  if (tool === null || typeof tool !== 'object' || tool.name !== 'pod2wi') return { ok: false, message: 'not a pod2wi report (no "tool": {"name": "pod2wi"}); write one with pod2wi scan --format json' };
  if (object.kind === 'fleet') return { ok: false, message: 'a fleet report (the output of pod2wi merge), not a scan report' };
  if ('failOn' in object || 'passed' in object) return { ok: false, message: 'a pod2wi check report; merge reads scan reports (pod2wi scan --format json)' };
  if (object.schemaVersion !== 1) return { ok: false, message: `schemaVersion ${JSON.stringify(object.schemaVersion)}: this pod2wi reads scan reports of schemaVersion 1` };
  const parsed = scanReportShape.safeParse(data);
  if (parsed.success) return { ok: true, report: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, message: `not a valid pod2wi scan report: ${issue ? `${where(issue.path)}: ${issue.message}` : 'unknown problem'}` };
}

/** Reads one report file; a problem names the file. */
export function readReportFile(absolute: string, display: string): ReadReport | ReportProblem {
  const read = readRegularFile(absolute, { maxBytes: maxReportBytes, checkFilesystem: true });
  if (!read.ok) return { file: display, message: read.reason === 'not-found' ? 'no such file' : read.detail };
  const decoded = decodeUtf8(read.bytes);
  if (decoded.lossy) return { file: display, message: `line ${decoded.lossyLine ?? 1}: not UTF-8 text` };
  let data: unknown;
  try {
    data = JSON.parse(decoded.text);
  } catch (error) {
    return { file: display, message: `not JSON (${(error as Error).message})` };
  }
  const parsed = parseScanReport(data);
  return parsed.ok ? { file: display, report: parsed.report } : { file: display, message: parsed.message };
}

/** A report file to read: the absolute path and how it is shown. */
export interface ReportSource {
  readonly absolute: string;
  readonly display: string;
}

/**
 * The report files named by the arguments of `pod2wi merge`: a file as given; a folder, every `*.json` under it
 * (sorted; symbolic links under a folder are skipped). The same file named twice (a folder and a file in it) is
 * read once. A path that does not exist is a problem naming it.
 */
export function listReportSources(paths: readonly string[], cwd: string): { sources: ReportSource[]; problems: ReportProblem[] } {
  const sources: ReportSource[] = [];
  const problems: ReportProblem[] = [];
  const seen = new Set<string>();
  const add = (absolute: string, display: string) => {
    let real: string;
    try {
      real = realpathSync(absolute);
    } catch {
      problems.push({ file: display, message: 'no such file' });
      return;
    }
    if (seen.has(real)) return;
    seen.add(real);
    sources.push({ absolute, display });
  };
  for (const path of paths) {
    const absolute = resolve(cwd, path);
    let isFolder = false;
    try {
      isFolder = statSync(absolute).isDirectory();
    } catch {
      problems.push({ file: toPosix(path), message: 'no such file or folder' });
      continue;
    }
    if (!isFolder) {
      add(absolute, toPosix(path));
      continue;
    }
    const found = readdirSync(absolute, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
      .map((entry) => toPosix(join(entry.parentPath, entry.name).slice(absolute.length + 1)))
      .sort(compareStrings);
    if (found.length === 0) problems.push({ file: toPosix(path), message: 'a folder without any .json report' });
    const prefix = toPosix(path).replace(/\/+$/, '');
    for (const relative of found) add(join(absolute, relative), `${prefix}/${relative}`);
  }
  return { sources, problems };
}

/** The repository a report stands for: its `root`, or with `--name-from file` its file name without `.json`. */
export function repositoryOf(read: ReadReport, nameFrom: 'root' | 'file'): string {
  return nameFrom === 'root' ? read.report.root : basename(read.file).replace(/\.json$/i, '');
}
