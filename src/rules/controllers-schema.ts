/**
 * The schema of `rules/controllers.yaml` (zod). Only the build (which validates the rule files into
 * `dist/rules.json`) and the tests load it: pod2wi itself reads the validated data.
 */
import semver from 'semver';
import { z } from 'zod';
import { stripV } from './controllers.js';
import { ruleFileError } from './load.js';

const text = z.string().min(1);
const versionText = z
  .union([z.string(), z.number()])
  .transform((value) => String(value))
  .refine((value) => semver.valid(stripV(value)) !== null, { message: 'not a semantic version (major.minor.patch, optionally -prerelease)' });

/** A source is a URL, or `owner/repo:path@ref` (a tag or commit), optionally followed by what it states. */
const sourcePattern = /^(https?:\/\/\S+|[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+:[^@\s]+@[^\s]+)(\s.*)?$/s;
const sourceText = text.refine((value) => sourcePattern.test(value.trim()), { message: 'a source is a URL or owner/repo:path@tag' });
const chartSourceText = text;

const chartSchema = z.strictObject({
  name: text,
  repositories: z.array(text).optional(),
  workloadIdentityVersion: versionText.nullable(),
  source: chartSourceText,
  /**
   * A value with which the chart itself labels its pods `aadpodidbinding` (AGIC's `armAuth.type: aadPodIdentity`):
   * a release setting it is on pod identity though its values name no label.
   */
  podIdentityValue: z.strictObject({ path: text, equals: text, source: sourceText }).optional(),
});

const rowSchema = z
  .strictObject({
    id: text.regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'a kebab-case id'),
    name: text,
    role: z.enum(['uses-pod-identity', 'is-pod-identity', 'no-azure-tokens']),
    images: z.array(text.regex(/^[a-z0-9.-]+(:\d+)?\/[a-z0-9._\/-]+$/, 'registry/path of an image, without tag or digest')),
    workloadIdentityVersion: versionText.nullable(),
    charts: z.array(chartSchema),
    podIdentity: text,
    workloadIdentity: text,
    sources: z.array(sourceText).min(1),
    /** For `no-azure-tokens`: the setting that would make it reach Azure after all, which the user should rule out. */
    check: text.optional(),
  })
  .superRefine((row, context) => {
    if (row.role === 'uses-pod-identity' && row.workloadIdentityVersion === null) {
      context.addIssue({ code: 'custom', path: ['workloadIdentityVersion'], message: 'a controller that uses pod identity needs the first version with workload identity' });
    }
    if (row.role === 'no-azure-tokens' && (row.check === undefined || row.workloadIdentityVersion !== null || row.charts.length > 0)) {
      context.addIssue({ code: 'custom', path: ['check'], message: 'an image that asks for no Azure token needs `check` (what would make it ask), no version floor and no charts' });
    }
    if (row.images.length === 0 && row.charts.length === 0) context.addIssue({ code: 'custom', path: ['images'], message: 'a row needs an image or a chart that identifies it' });
    row.charts.forEach((chart, index) => {
      if (chart.workloadIdentityVersion !== null && !sourcePattern.test(chart.source.trim())) {
        context.addIssue({ code: 'custom', path: ['charts', index, 'source'], message: 'a chart floor needs a source: a URL or owner/repo:path@tag' });
      }
    });
  });

/** The schema of rules/controllers.yaml (exported for tests). */
export const controllersSchema = z.array(rowSchema).superRefine((rows, context) => {
  const ids = new Set<string>();
  const images = new Map<string, string>();
  rows.forEach((row, index) => {
    if (ids.has(row.id)) context.addIssue({ code: 'custom', path: [index, 'id'], message: `id ${row.id} is listed twice` });
    ids.add(row.id);
    row.images.forEach((image, imageIndex) => {
      const other = images.get(image);
      if (other) context.addIssue({ code: 'custom', path: [index, 'images', imageIndex], message: `image ${image} is already listed by ${other}` });
      images.set(image, row.id);
    });
  });
});

/** One controller: how to recognise it, from which version it supports workload identity, what changes, and sources. */
export type ControllerRow = z.output<typeof rowSchema>;
/** A Helm chart that installs a controller, with its own first workload-identity version. */
export type ControllerChart = z.output<typeof chartSchema>;

/** Validates rows given as data (tests, other tables); throws a ConfigError like the loader. */
export function parseControllerTable(data: unknown, file = 'controllers.yaml'): readonly ControllerRow[] {
  const result = controllersSchema.safeParse(data);
  if (result.success) return result.data;
  throw ruleFileError(file, result.error.issues);
}
