/**
 * Why a dependency's version could not be known. A closed list: every reader picks one of these, and the README
 * documents each. A dependency with a known version has `skip: null`.
 */
export const skipReasons = [
  /** Declared without any version (`azure-identity` in requirements.txt, Poetry `*`). */
  'unpinned',
  /** A range without a lower bound (`<2`, `(,2.0]`, npm `*`). */
  'no-lower-bound',
  /** The lowest allowed version lies just above a bound (`>1.12.0`, NuGet `(1.2,2.0)`, `>=1.0,!=1.0`). */
  'exclusive-lower-bound',
  /** No version satisfies every clause (`>=2,<1`). */
  'unsatisfiable-range',
  /** Not a version in this ecosystem's syntax. */
  'invalid-version',
  /** Resolved when the package manager runs: npm dist-tags, Maven LATEST/RELEASE, Gradle `latest.release`, NuGet `1.0.0-*`. */
  'dynamic-version',
  /** A `$(Property)`, `${property}` or build-script variable, or a version-catalog alias, defined nowhere pod2wi can read. */
  'variable-not-found',
  /** The version comes from a Maven parent POM that is not in the repository. */
  'remote-parent',
  /** No version, and no dependencyManagement, BOM or central package version in the repository supplies one. */
  'managed-version-not-found',
  /** Managed by a BOM whose contents pod2wi does not know (not in the repository, not in rules/azure-sdk-bom.yaml). */
  'bom-version-unknown',
  /** vcpkg: the version comes from the registry at the builtin-baseline commit. */
  'baseline-version',
  /** Installed from a git repository. */
  'git-dependency',
  /** Installed from a URL (tarball, wheel, archive). */
  'url-dependency',
  /** Installed from a local path (`file:`, `link:`, `-e ./lib`, Poetry `path`, Go `replace => ../x`). */
  'local-path',
  /** A workspace member (`workspace:*`), which is reported as its own application. */
  'workspace',
  /** Go: `replace` points the module at a different module path (a fork), whose versions are not comparable. */
  'replaced-module',
] as const;

/** One reason from the closed list above. */
export type SkipReason = (typeof skipReasons)[number];

/** What each skip reason means, for `pod2wi rules` and the documentation. */
export const skipReasonMeanings = {
  'unpinned': 'Declared without any version (`azure-identity` in requirements.txt, Poetry `*`).',
  'no-lower-bound': 'A range without a lower bound (`<2`, `(,2.0]`, npm `*`).',
  'exclusive-lower-bound': 'The lowest allowed version lies just above a bound (`>1.12.0`, NuGet `(1.2,2.0)`, `>=1.0,!=1.0`).',
  'unsatisfiable-range': 'No version satisfies every clause (`>=2,<1`).',
  'invalid-version': "Not a version in this ecosystem's syntax.",
  'dynamic-version': 'Resolved when the package manager runs: npm dist-tags, Maven LATEST/RELEASE, Gradle `latest.release`, NuGet `1.0.0-*`.',
  'variable-not-found': 'A `$(Property)`, `${property}` or build-script variable, or a version-catalog alias, defined nowhere pod2wi can read.',
  'remote-parent': 'The version comes from a Maven parent POM that is not in the repository.',
  'managed-version-not-found': 'No version, and no dependencyManagement, BOM or central package version in the repository supplies one.',
  'bom-version-unknown': 'Managed by a BOM whose contents pod2wi does not know (not in the repository, not in rules/azure-sdk-bom.yaml).',
  'baseline-version': 'vcpkg: the version comes from the registry at the builtin-baseline commit.',
  'git-dependency': 'Installed from a git repository.',
  'url-dependency': 'Installed from a URL (tarball, wheel, archive).',
  'local-path': 'Installed from a local path (`file:`, `link:`, `-e ./lib`, Poetry `path`, Go `replace => ../x`).',
  'workspace': 'A workspace member (`workspace:*`), which is reported as its own application.',
  'replaced-module': 'Go: `replace` points the module at a different module path (a fork), whose versions are not comparable.',
} as const satisfies Record<SkipReason, string>;

/** The lowest version a declared requirement allows, or why there is none. */
export type Lowest =
  | { readonly kind: 'exact' | 'range'; readonly version: string }
  | { readonly kind: 'skip'; readonly skip: SkipReason };
