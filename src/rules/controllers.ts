/**
 * Third-party controllers that use pod identity (rules/controllers.yaml, validated at build), and the verdict for one
 * of them from the image tag or chart version a repository pins: `latest` (the version supports workload identity:
 * change its own settings), `legacy` (below the first version with workload identity: the proxy sidecar, and upgrade)
 * or `unknown` (the version is not pinned: `latest`, a digest only, no chart version, a range that straddles the
 * floor).
 */
import semver from 'semver';
import type { ControllerChart, ControllerRow } from './controllers-schema.js';
import { loadRuleFile } from './load.js';

export type { ControllerChart, ControllerRow };

/** The rows of rules/controllers.yaml (validated when pod2wi is built: see rules/load.ts). */
export function loadControllerTable(): readonly ControllerRow[] {
  return loadRuleFile<ControllerRow[]>('controllers.yaml');
}

let charts: readonly ControllerChart[] | null = null;

/** The charts of the table that label their pods from a value (`podIdentityValue`), read once per process. */
export function chartsLabellingFromValues(): readonly ControllerChart[] {
  charts ??= loadControllerTable().flatMap((row) => row.charts.filter((chart) => chart.podIdentityValue !== undefined));
  return charts;
}

/** What identifies a controller in a repository: an image reference, or a chart with the version it pins. */
export type ControllerSubject =
  | { readonly kind: 'image'; readonly image: string }
  | { readonly kind: 'chart'; readonly name: string; readonly repository?: string | null; readonly version: string | null };

export type ControllerVerdict = 'latest' | 'legacy' | 'unknown';

/** The row a subject belongs to and the verdict for its version. */
export interface ControllerMatch {
  readonly row: ControllerRow;
  readonly verdict: ControllerVerdict;
  /** Why, in words a user understands (with the version needed when legacy). */
  readonly reason: string;
  /** What the verdict rests on: the image reference or chart and version as written. */
  readonly evidence: string;
  /** The version read from the tag or chart (null when none). */
  readonly version: string | null;
}

/** A version without its leading `v` (`v1.2.3` → `1.2.3`). */
export function stripV(version: string): string {
  return version.trim().replace(/^v(?=\d)/, '');
}

/** An image reference split as the Docker reference grammar does: registry, path, tag, digest. */
export interface ImageReference {
  readonly registry: string;
  readonly path: string;
  readonly tag: string | null;
  readonly digest: string | null;
}

/** Parses `[registry/]path[:tag][@digest]`; Docker Hub names get `docker.io` (and `library/` for one component). */
export function parseImage(reference: string): ImageReference | null {
  let rest = reference.trim();
  if (rest === '' || /\s/.test(rest)) return null;
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | null = null;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const parts = rest.split('/');
  const first = parts[0] ?? '';
  const hasRegistry = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasRegistry ? first.toLowerCase() : 'docker.io';
  let path = (hasRegistry ? parts.slice(1) : parts).join('/').toLowerCase();
  if (registry === 'docker.io' && !path.includes('/')) path = `library/${path}`;
  if (path === '' || (tag !== null && tag === '')) return null;
  return { registry: registry === 'index.docker.io' || registry === 'registry-1.docker.io' ? 'docker.io' : registry, path, tag, digest };
}

/** Suffixes that mark a pre-release; other suffixes after the version (`-debian-11-r0`, `-alpine`) are image flavours. */
const prerelease = /^-(rc|alpha|beta|pre|preview|dev)\b/i;

/** What a tag or chart version says about the version. */
type VersionReading =
  | { readonly kind: 'exact'; readonly version: string }
  | { readonly kind: 'range'; readonly range: string }
  | { readonly kind: 'none'; readonly reason: string };

/** Reads an image tag: `v0.13.6`, `0.13.6-debian-11-r0` (a flavour), `1.0.0-rc.1`, `1.13` (a moving series). */
export function readTag(tag: string | null, digest: string | null): VersionReading {
  if (tag === null) return { kind: 'none', reason: digest ? 'the image is pinned by digest only, so its version is not known from the repository' : 'the image has no tag (it means latest)' };
  const match = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(.*)$/.exec(tag);
  if (!match) return { kind: 'none', reason: `the tag ${tag} is not a version` };
  const [, major, minor, patch, suffix = ''] = match;
  if (minor === undefined || patch === undefined) {
    // A moving tag for a series: every release of the series.
    return { kind: 'range', range: minor === undefined ? `${major}.x` : `${major}.${minor}.x` };
  }
  const core = `${major}.${minor}.${patch}`;
  if (suffix === '' || suffix.startsWith('+')) return { kind: 'exact', version: core };
  if (prerelease.test(suffix)) {
    const version = semver.valid(`${core}${suffix}`);
    return version ? { kind: 'exact', version } : { kind: 'exact', version: `${core}-${suffix.slice(1).replace(/[^0-9A-Za-z.-]/g, '')}` };
  }
  if (suffix.startsWith('-') || suffix.startsWith('_')) return { kind: 'exact', version: core };
  return { kind: 'none', reason: `the tag ${tag} is not a version` };
}

/** Reads a chart version as written in a HelmRelease, a Terraform helm_release or a Chart.yaml dependency. */
export function readChartVersion(version: string | null): VersionReading {
  if (version === null || version.trim() === '') return { kind: 'none', reason: 'no chart version is pinned, so the newest chart is installed at each upgrade' };
  const trimmed = version.trim();
  if (trimmed === '*' || trimmed.toLowerCase() === 'latest' || trimmed === 'x') return { kind: 'none', reason: `the chart version ${trimmed} is not pinned` };
  const exact = semver.valid(stripV(trimmed));
  if (exact) return { kind: 'exact', version: exact };
  const range = semver.validRange(trimmed.replace(/(^|[\s<>=~^|])v(?=\d)/g, '$1'));
  if (range) return { kind: 'range', range };
  return { kind: 'none', reason: `the chart version ${trimmed} is neither a version nor a range` };
}

/** The verdict of a reading against a floor. */
function judge(reading: VersionReading, floor: string | null, what: string): { verdict: ControllerVerdict; reason: string; version: string | null } {
  if (reading.kind === 'none') return { verdict: 'unknown', reason: reading.reason, version: null };
  if (floor === null) return { verdict: 'unknown', reason: `no source states the first ${what} with workload identity`, version: reading.kind === 'exact' ? reading.version : reading.range };
  if (reading.kind === 'exact') {
    return semver.gte(reading.version, floor)
      ? { verdict: 'latest', reason: `${what} ${reading.version} supports workload identity (from ${floor})`, version: reading.version }
      : { verdict: 'legacy', reason: `${what} ${reading.version} is older than ${floor}, the first with workload identity: upgrade to ${floor} or later, or keep the proxy sidecar until then`, version: reading.version };
  }
  const atFloor = `>=${floor}`;
  if (semver.subset(reading.range, atFloor, { includePrerelease: true })) return { verdict: 'latest', reason: `every ${what} in ${reading.range} supports workload identity (from ${floor})`, version: reading.range };
  if (!semver.intersects(reading.range, atFloor, { includePrerelease: true })) return { verdict: 'legacy', reason: `every ${what} in ${reading.range} is older than ${floor}, the first with workload identity: upgrade to ${floor} or later`, version: reading.range };
  return { verdict: 'unknown', reason: `${reading.range} allows ${what}s both below and from ${floor} (the first with workload identity); pin one`, version: reading.range };
}

function normaliseRepository(url: string): string {
  return url.trim().toLowerCase().replace(/\/+$/, '');
}

/**
 * The controller a subject belongs to, and the verdict for its version; null when no row knows it. An image matches a
 * row by registry and path, or by path alone (a mirror in a private registry: the evidence says so). A chart matches
 * by name; when two rows list charts of that name, the repository decides, and without it the verdict is unknown.
 * aad-pod-identity itself is always `legacy`: it is what the migration removes.
 */
export function matchController(table: readonly ControllerRow[], subject: ControllerSubject): ControllerMatch | null {
  if (subject.kind === 'image') {
    const image = parseImage(subject.image);
    if (!image) return null;
    const full = `${image.registry}/${image.path}`;
    let row = table.find((candidate) => candidate.images.includes(full));
    let mirrored = false;
    if (!row) {
      row = table.find((candidate) => candidate.images.some((known) => {
        const path = known.slice(known.indexOf('/') + 1);
        return image.path === path || image.path.endsWith(`/${path}`);
      }));
      mirrored = row !== undefined;
    }
    if (!row) return null;
    const evidence = `image ${subject.image}${mirrored ? ' (matched by its path: a mirror of the upstream image?)' : ''}`;
    if (row.role === 'is-pod-identity') return { row, verdict: 'legacy', reason: `${row.name} itself: it is removed once no workload uses pod identity`, evidence, version: readVersion(readTag(image.tag, image.digest)) };
    if (row.role === 'no-azure-tokens') return { row, verdict: 'latest', reason: `${row.name} asks for no Azure token of its own`, evidence, version: readVersion(readTag(image.tag, image.digest)) };
    const judged = judge(readTag(image.tag, image.digest), row.workloadIdentityVersion, 'version');
    return { row, ...judged, evidence };
  }
  const candidates = table.flatMap((row) => row.charts.filter((chart) => chart.name === subject.name).map((chart) => ({ row, chart })));
  if (candidates.length === 0) return null;
  let chosen = candidates.length === 1 ? candidates[0] : undefined;
  const repository = subject.repository ? normaliseRepository(subject.repository) : null;
  if (candidates.length > 1 && repository) {
    const byRepository = candidates.filter(({ chart }) => (chart.repositories ?? []).some((known) => normaliseRepository(known) === repository));
    if (byRepository.length === 1) chosen = byRepository[0];
  }
  const evidence = `chart ${subject.name}${subject.repository ? ` from ${subject.repository}` : ''} version ${subject.version ?? '(none)'}`;
  if (!chosen) {
    const first = candidates[0];
    if (!first) return null;
    const where = candidates.map(({ chart }) => (chart.repositories ?? ['(no repository listed)']).join(' or ')).join('; ');
    return { row: first.row, verdict: 'unknown', reason: `several charts are named ${subject.name} (${where}): the repository decides which one, and it is ${subject.repository ? `${subject.repository}, not one of them` : 'not known'}`, evidence, version: readVersion(readChartVersion(subject.version)) };
  }
  const { row, chart } = chosen;
  if (row.role === 'is-pod-identity') return { row, verdict: 'legacy', reason: `${row.name} itself: it is removed once no workload uses pod identity`, evidence, version: readVersion(readChartVersion(subject.version)) };
  const judged = judge(readChartVersion(subject.version), chart.workloadIdentityVersion, 'chart version');
  return { row, ...judged, evidence };
}

function readVersion(reading: VersionReading): string | null {
  return reading.kind === 'exact' ? reading.version : reading.kind === 'range' ? reading.range : null;
}
