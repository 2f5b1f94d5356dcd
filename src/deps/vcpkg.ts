/**
 * vcpkg manifests (https://learn.microsoft.com/vcpkg/reference/vcpkg-json): `dependencies` (names, or objects with
 * `version>=`), `overrides` (exact versions) and `builtin-baseline`. Without an override or a minimum, the version is
 * whatever the registry had at the baseline commit, which pod2wi does not look up: it says so (`baseline-version`).
 */
import { asRecord, asString, lineAt, readJson } from './files.js';
import { jsonPathKey, locateJson } from './json-text.js';
import { joinPath, type AppFolder, type DependencyReader, type FoundDependency, type ReadContext } from './types.js';
import { compareVersions } from './versions/index.js';

const versionFields = ['version', 'version-semver', 'version-date', 'version-string'] as const;

export const vcpkg: DependencyReader = {
  ecosystem: 'vcpkg',
  marks: (fileName) => fileName === 'vcpkg.json',
  read(folder: AppFolder, context: ReadContext) {
    const path = joinPath(folder.path, 'vcpkg.json');
    const parsed = readJson(context, path, 'vcpkg.json');
    const manifest = asRecord(parsed?.value);
    if (!parsed || !manifest) return { name: null, dependencies: [] };
    const baseline = asString(manifest['builtin-baseline']);
    const dependencies = Array.isArray(manifest.dependencies) ? manifest.dependencies : [];
    const overrides = Array.isArray(manifest.overrides) ? manifest.overrides : [];
    const paths: string[][] = [];
    dependencies.forEach((_entry, index) => paths.push(['dependencies', String(index)], ['dependencies', String(index), 'version>=']));
    overrides.forEach((_entry, index) => versionFields.forEach((field) => paths.push(['overrides', String(index), field])));
    const offsets = locateJson(parsed.file.text, paths);
    const line = (at: string[]): number => lineAt(context, parsed.file, offsets.get(jsonPathKey(at)) ?? 0);

    const overridden = new Map<string, { version: string; line: number }>();
    overrides.forEach((value, index) => {
      const entry = asRecord(value);
      const name = asString(entry?.name);
      const field = versionFields.find((candidate) => asString(entry?.[candidate]) !== null);
      if (name !== null && field !== undefined) overridden.set(name, { version: asString(entry?.[field]) ?? '', line: line(['overrides', String(index), field]) });
    });
    const found: FoundDependency[] = [];
    dependencies.forEach((value, index) => {
      const entry = asRecord(value);
      const name = asString(value) ?? asString(entry?.name);
      if (name === null) return;
      const minimum = asString(entry?.['version>=']);
      const override = overridden.get(name);
      const base = { ecosystem: 'vcpkg' as const, name, file: path, direct: true };
      if (override) {
        found.push({ ...base, version: override.version, declared: `override ${override.version}`, resolution: 'exact', skip: null, line: override.line });
      } else if (minimum !== null) {
        const valid = compareVersions('vcpkg', minimum, minimum) !== null;
        const at = line(['dependencies', String(index), 'version>=']);
        found.push(valid ? { ...base, version: minimum.replace(/#\d+$/, ''), declared: `version>= ${minimum}`, resolution: 'range', skip: null, line: at } : { ...base, version: null, declared: `version>= ${minimum}`, resolution: 'unresolved', skip: 'invalid-version', line: at });
      } else {
        found.push({ ...base, version: null, declared: baseline ? `builtin-baseline ${baseline}` : null, resolution: 'unresolved', skip: baseline ? 'baseline-version' : 'unpinned', line: line(['dependencies', String(index)]) });
      }
    });
    return { name: asString(manifest.name), dependencies: found };
  },
};
