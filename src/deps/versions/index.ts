/**
 * Version order per ecosystem, so that "at or above the floor" means what the package manager means: npm and vcpkg
 * SemVer (`semver`), PyPI PEP 440, NuGet's four-part SemVer, Maven's ComparableVersion, Go's `v`-prefixed SemVer
 * (pseudo-versions are pre-releases; `+incompatible` is build metadata and does not affect order).
 */
import semver from 'semver';
import type { Ecosystem } from '../../model/application.js';
import { compareMavenVersions, isMavenVersion } from './maven-version.js';
import { compareNugetText } from './nuget-version.js';
import { comparePep440Text } from './pep440.js';

/** Go module versions: `v1.2.3`, `v1.2.3-pre`, pseudo-versions, `v2.0.0+incompatible`. */
export function parseGoVersion(text: string): semver.SemVer | null {
  if (!/^v\d/.test(text)) return null;
  return semver.parse(text.slice(1).replace(/\+incompatible$/, ''));
}

/** vcpkg versions: SemVer when they are SemVer, else dotted numbers (`1.6.0`, `2023-11-10`); `#n` port versions ignored. */
function compareVcpkg(a: string, b: string): number | null {
  const strip = (text: string): string => text.replace(/#\d+$/, '').trim();
  const x = semver.parse(strip(a), { loose: true });
  const y = semver.parse(strip(b), { loose: true });
  if (x && y) return semver.compare(x, y);
  const parts = (text: string): number[] | null => (/^\d+([.-]\d+)*$/.test(text) ? text.split(/[.-]/).map(Number) : null);
  const p = parts(strip(a));
  const q = parts(strip(b));
  if (!p || !q) return null;
  for (let i = 0; i < Math.max(p.length, q.length); i++) {
    const order = Math.sign((p[i] ?? 0) - (q[i] ?? 0));
    if (order !== 0) return order;
  }
  return 0;
}

/**
 * Compares two versions with the ecosystem's own rules. Null when either is not a version there (the caller then
 * reports no verdict rather than a wrong one).
 */
export function compareVersions(ecosystem: Ecosystem, a: string, b: string): number | null {
  switch (ecosystem) {
    case 'npm': {
      const x = semver.parse(a, { loose: true });
      const y = semver.parse(b, { loose: true });
      return x && y ? semver.compare(x, y) : null;
    }
    case 'pypi':
      return comparePep440Text(a, b);
    case 'nuget':
      return compareNugetText(a, b);
    case 'maven':
      return isMavenVersion(a) && isMavenVersion(b) ? compareMavenVersions(a, b) : null;
    case 'go': {
      const x = parseGoVersion(a.startsWith('v') ? a : `v${a}`);
      const y = parseGoVersion(b.startsWith('v') ? b : `v${b}`);
      return x && y ? semver.compare(x, y) : null;
    }
    case 'vcpkg':
      return compareVcpkg(a, b);
  }
}

/** Is `version` a version at all in this ecosystem? */
export function isVersion(ecosystem: Ecosystem, version: string): boolean {
  return compareVersions(ecosystem, version, version) !== null;
}
