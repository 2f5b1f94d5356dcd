/**
 * NuGet ecosystem: SDK-style projects (*.csproj, *.fsproj, *.vbproj) with PackageReference (Version as attribute or
 * child element, `$(Property)` resolved), Directory.Build.props / Directory.Build.targets and Directory.Packages.props
 * (central package management, VersionOverride, GlobalPackageReference) found upward from the project, explicit
 * `<Import>`s inside the repository, packages.lock.json, and packages.config.
 *
 * A small, static MSBuild evaluation: properties in import order (Directory.Build.props, Directory.Packages.props, the
 * project, Directory.Build.targets), last definition wins. A definition under a Condition counts only when it is the
 * `'$(Name)' == ''` default idiom, or when no unconditional definition exists (pod2wi does not know the build's
 * Configuration or TargetFramework).
 */
import { asRecord, asString, lineAt, readJson, readText } from './files.js';
import { jsonPathKey, locateJson } from './json-text.js';
import { isListed } from './knowledge.js';
import type { Lowest } from './skip.js';
import { ancestors, cached, folderOf, joinPath, resolvePath, type AppFolder, type DependencyReader, type FoundDependency, type Include, type ReadContext } from './types.js';
import { lowestNuget } from './versions/nuget-version.js';
import { attribute, childNamed, readXml, type XmlElement } from './xml.js';

const projectFile = /\.(cs|fs|vb)proj$/i;

/** Where a value is written. */
interface Site {
  readonly file: string;
  readonly line: number;
}

interface Property extends Site {
  readonly value: string;
  readonly conditional: boolean;
}

interface Reference {
  readonly name: string;
  /** The version as written (before property expansion), with where it is written. */
  readonly version: (Site & { readonly raw: string }) | null;
  readonly override: (Site & { readonly raw: string }) | null;
  readonly site: Site;
}

/** The state of one static evaluation. */
interface Evaluation {
  readonly properties: Map<string, Property>;
  readonly fallbacks: Map<string, Property>;
  readonly references: Map<string, Reference>;
  readonly packageVersions: Map<string, Site & { readonly raw: string }>;
  readonly globalReferences: Reference[];
  readonly visited: Set<string>;
  /** `<ProjectReference Include="..\Lib\Lib.csproj">`: the referenced project files, root-relative. */
  readonly projects: { readonly path: string; readonly site: Site }[];
}

const key = (name: string): string => name.toLowerCase();

/** Expands `$(Name)` references; unknown names stay as written. Returns the value and the first property used. */
function expand(evaluation: Evaluation, text: string, depth = 0): { value: string; via: Property | null } {
  let via: Property | null = null;
  const value = text.replace(/\$\(([A-Za-z_][\w.-]*)\)/g, (whole, name: string) => {
    const property = evaluation.properties.get(key(name)) ?? evaluation.fallbacks.get(key(name));
    if (!property || depth > 10) return whole;
    via ??= property;
    return expand(evaluation, property.value, depth + 1).value;
  });
  return { value, via };
}

function versionOf(element: XmlElement, name: string, file: string): (Site & { readonly raw: string }) | null {
  const fromAttribute = attribute(element, name);
  if (fromAttribute !== undefined) return { raw: fromAttribute, file, line: element.line };
  const child = childNamed(element, name);
  return child ? { raw: child.text, file, line: child.line } : null;
}

/** `'$(Name)' == ''`: the "default unless already set" idiom. */
function isDefaultIdiom(condition: string, name: string): boolean {
  const match = /^\s*'\$\(([\w.-]+)\)'\s*==\s*''\s*$/.exec(condition);
  return match?.[1]?.toLowerCase() === name.toLowerCase();
}

function setProperty(evaluation: Evaluation, element: XmlElement, file: string, groupCondition: string | undefined): void {
  const condition = attribute(element, 'Condition') ?? groupCondition;
  const value = expand(evaluation, element.text).value;
  const property: Property = { value, file, line: element.line, conditional: condition !== undefined };
  const name = key(element.name);
  if (condition === undefined) evaluation.properties.set(name, property);
  else if (isDefaultIdiom(condition, element.name)) {
    if (!evaluation.properties.has(name)) evaluation.properties.set(name, property);
  } else if (!evaluation.fallbacks.has(name)) evaluation.fallbacks.set(name, property);
}

function addItems(evaluation: Evaluation, group: XmlElement, file: string): void {
  for (const item of group.children) {
    const kind = item.name.toLowerCase();
    if (kind === 'packagereference' || kind === 'globalpackagereference') {
      const include = attribute(item, 'Include');
      const update = attribute(item, 'Update');
      const remove = attribute(item, 'Remove');
      if (remove !== undefined) for (const name of remove.split(';')) evaluation.references.delete(key(name.trim()));
      const version = versionOf(item, 'Version', file);
      const override = versionOf(item, 'VersionOverride', file);
      for (const name of (include ?? update ?? '').split(';').map((part) => part.trim()).filter((part) => part !== '')) {
        const known = evaluation.references.get(key(name));
        if (update !== undefined && include === undefined) {
          if (known) evaluation.references.set(key(name), { ...known, version: version ?? known.version, override: override ?? known.override });
          continue;
        }
        const reference: Reference = { name: expand(evaluation, name).value, version, override, site: { file, line: item.line } };
        if (kind === 'globalpackagereference') evaluation.globalReferences.push(reference);
        else evaluation.references.set(key(name), reference);
      }
    } else if (kind === 'projectreference') {
      for (const name of (attribute(item, 'Include') ?? '').split(';').map((part) => part.trim()).filter((part) => part !== '')) {
        const target = expand(evaluation, name).value.replace(/\\/g, '/');
        if (target.includes('$(') || target.startsWith('/')) continue;
        const resolved = resolvePath(folderOf(file), target);
        if (resolved !== null) evaluation.projects.push({ path: resolved, site: { file, line: item.line } });
      }
    } else if (kind === 'packageversion') {
      const include = attribute(item, 'Include') ?? attribute(item, 'Update');
      const version = versionOf(item, 'Version', file);
      if (include === undefined || version === null) continue;
      const conditional = attribute(item, 'Condition') !== undefined || attribute(group, 'Condition') !== undefined;
      if (!conditional || !evaluation.packageVersions.has(key(include))) evaluation.packageVersions.set(key(include), version);
    }
  }
}

/** The file an `<Import Project="...">` names, for the forms pod2wi can follow inside the repository. */
function importTarget(context: ReadContext, evaluation: Evaluation, element: XmlElement, file: string): string | null {
  const project = attribute(element, 'Project');
  if (project === undefined) return null;
  const folder = folderOf(file);
  const above = /GetPathOfFileAbove\(\s*'?([^',)]+)'?/i.exec(project) ?? /GetDirectoryNameOfFileAbove\([^,]*,\s*'?([^',)]+)'?\s*\)/i.exec(project);
  if (above?.[1]) {
    const name = above[1].trim();
    for (const candidate of ancestors(folder).slice(1)) if (context.repo.has(joinPath(candidate, name))) return joinPath(candidate, name);
    return null;
  }
  const expanded = expand(evaluation, project.replace(/\$\(MSBuildThisFileDirectory\)/gi, '')).value;
  if (expanded.includes('$(') || expanded.includes('$([')) return null; // SDK or toolchain paths: not in the repository
  const target = resolvePath(folder, expanded);
  if (target === null || !context.repo.has(target)) {
    cached(context, `missing-import:${file}:${element.line}`, () => {
      context.sink.add('dependency-file-missing', { file, line: element.line, column: 1 }, `Import ${project}: not in the scanned repository`);
      return true;
    });
    return null;
  }
  return target;
}

function evaluateFile(context: ReadContext, evaluation: Evaluation, path: string): void {
  if (evaluation.visited.has(path)) return;
  evaluation.visited.add(path);
  const file = readText(context, path);
  if (!file) return;
  const root = readXml(context, file, path.slice(path.lastIndexOf('/') + 1));
  if (!root) return;
  const visit = (elements: readonly XmlElement[], condition: string | undefined): void => {
    for (const element of elements) {
      const kind = element.name.toLowerCase();
      if (kind === 'propertygroup') {
        const groupCondition = attribute(element, 'Condition') ?? condition;
        for (const property of element.children) setProperty(evaluation, property, path, groupCondition);
      } else if (kind === 'itemgroup') addItems(evaluation, element, path);
      else if (kind === 'import') {
        const target = importTarget(context, evaluation, element, path);
        if (target) evaluateFile(context, evaluation, target);
      } else if (kind === 'choose' || kind === 'when' || kind === 'otherwise') {
        visit(element.children, attribute(element, 'Condition') ?? condition ?? 'choose');
      }
    }
  };
  visit(root.children, undefined);
}

/** The nearest file of this name from the folder up to the root. */
function nearest(context: ReadContext, folder: string, name: string): string | null {
  for (const candidate of ancestors(folder)) if (context.repo.has(joinPath(candidate, name))) return joinPath(candidate, name);
  return null;
}

function lowestExpanded(expanded: string): Lowest {
  return /\$\(/.test(expanded) ? { kind: 'skip', skip: 'variable-not-found' } : lowestNuget(expanded);
}

function resolveReference(evaluation: Evaluation, reference: Reference, centrallyManaged: boolean): FoundDependency {
  const base = { ecosystem: 'nuget' as const, name: reference.name, direct: true };
  const chosen = reference.override ?? reference.version ?? (centrallyManaged ? (evaluation.packageVersions.get(key(reference.name)) ?? null) : null);
  if (!chosen) {
    return { ...base, version: null, declared: null, resolution: 'unresolved', skip: centrallyManaged ? 'managed-version-not-found' : 'unpinned', file: reference.site.file, line: reference.site.line };
  }
  const { value, via } = expand(evaluation, chosen.raw);
  const site: Site = via ?? chosen;
  const lowest = lowestExpanded(value);
  return lowest.kind === 'skip'
    ? { ...base, version: null, declared: chosen.raw, resolution: 'unresolved', skip: lowest.skip, file: site.file, line: site.line }
    : { ...base, version: lowest.version, declared: chosen.raw, resolution: lowest.kind, skip: null, file: site.file, line: site.line };
}

/** packages.lock.json: the resolved version of each package per target framework. */
function readPackagesLock(context: ReadContext, path: string): { name: string; version: string; type: string; line: number }[] {
  return cached(context, `nuget-lock:${path}`, () => {
    const parsed = readJson(context, path, 'packages.lock.json');
    const frameworks = asRecord(asRecord(parsed?.value)?.dependencies);
    if (!parsed || !frameworks) return [];
    const entries: { framework: string; name: string; version: string; type: string }[] = [];
    for (const [framework, packages] of Object.entries(frameworks)) {
      for (const [name, value] of Object.entries(asRecord(packages) ?? {})) {
        const entry = asRecord(value);
        const resolved = asString(entry?.resolved);
        if (resolved !== null) entries.push({ framework, name, version: resolved, type: asString(entry?.type) ?? '' });
      }
    }
    const offsets = locateJson(parsed.file.text, entries.map((entry) => ['dependencies', entry.framework, entry.name, 'resolved']));
    const seen = new Set<string>();
    return entries.flatMap((entry) => {
      const id = `${key(entry.name)}@${entry.version}`;
      if (seen.has(id)) return [];
      seen.add(id);
      const offset = offsets.get(jsonPathKey(['dependencies', entry.framework, entry.name, 'resolved'])) ?? 0;
      return [{ name: entry.name, version: entry.version, type: entry.type, line: lineAt(context, parsed.file, offset) }];
    });
  });
}

function readPackagesConfig(context: ReadContext, path: string): FoundDependency[] {
  const file = readText(context, path);
  const root = file ? readXml(context, file, 'packages.config') : null;
  if (!root) return [];
  return root.children
    .filter((element) => element.name.toLowerCase() === 'package')
    .flatMap((element): FoundDependency[] => {
      const id = attribute(element, 'id');
      const version = attribute(element, 'version');
      if (id === undefined) return [];
      const lowest: Lowest = version === undefined ? { kind: 'skip', skip: 'unpinned' } : lowestNuget(`[${version}]`);
      const base = { ecosystem: 'nuget' as const, name: id, declared: version ?? null, file: path, line: element.line, direct: true };
      return [lowest.kind === 'skip' ? { ...base, version: null, resolution: 'unresolved', skip: lowest.skip } : { ...base, version: lowest.version, resolution: 'exact', skip: null }];
    });
}

function readProject(context: ReadContext, folder: AppFolder, projectName: string): { name: string; dependencies: FoundDependency[]; includes: Include[] } {
  const path = joinPath(folder.path, projectName);
  const evaluation: Evaluation = { properties: new Map(), fallbacks: new Map(), references: new Map(), packageVersions: new Map(), globalReferences: [], visited: new Set(), projects: [] };
  const buildProps = nearest(context, folder.path, 'Directory.Build.props');
  if (buildProps) evaluateFile(context, evaluation, buildProps);
  const packagesProps = nearest(context, folder.path, 'Directory.Packages.props');
  if (packagesProps) evaluateFile(context, evaluation, packagesProps);
  evaluateFile(context, evaluation, path);
  const buildTargets = nearest(context, folder.path, 'Directory.Build.targets');
  if (buildTargets) evaluateFile(context, evaluation, buildTargets);

  const managed = expand(evaluation, '$(ManagePackageVersionsCentrally)').value.trim().toLowerCase() === 'true';
  const references = [...evaluation.references.values(), ...(managed ? evaluation.globalReferences : [])];
  let dependencies = references.map((reference) => resolveReference(evaluation, reference, managed));

  const lockPath = joinPath(folder.path, 'packages.lock.json');
  if (context.repo.has(lockPath)) {
    const locked = readPackagesLock(context, lockPath);
    const byName = new Map<string, (typeof locked)[number]>();
    for (const entry of locked) if (!byName.has(key(entry.name)) || entry.type === 'Direct') byName.set(key(entry.name), entry);
    dependencies = dependencies.map((dependency) => {
      const entry = byName.get(key(dependency.name));
      if (!entry) {
        if (isListed(context.knowledge, 'nuget', dependency.name, true)) {
          context.sink.add('lockfile-mismatch', { file: dependency.file, line: dependency.line, column: 1 }, `${dependency.name} is referenced but ${lockPath} has no entry for it`);
        }
        return dependency;
      }
      return { ...dependency, version: entry.version, resolution: 'locked', skip: null, file: lockPath, line: entry.line };
    });
    const direct = new Set(dependencies.map((dependency) => key(dependency.name)));
    for (const entry of locked) {
      if (direct.has(key(entry.name)) || !isListed(context.knowledge, 'nuget', entry.name, false)) continue;
      dependencies.push({ ecosystem: 'nuget', name: entry.name, version: entry.version, declared: null, resolution: 'locked', skip: null, file: lockPath, line: entry.line, direct: false });
    }
  }
  const assembly = expand(evaluation, '$(AssemblyName)').value;
  const name = assembly.includes('$(') || assembly.trim() === '' ? projectName.replace(projectFile, '') : assembly.trim();
  const includes = evaluation.projects.filter((project) => context.repo.has(project.path)).map((project) => ({ path: folderOf(project.path), file: project.site.file, line: project.site.line }));
  return { name, dependencies, includes };
}

export const nuget: DependencyReader = {
  ecosystem: 'nuget',
  marks: (fileName) => projectFile.test(fileName) || fileName.toLowerCase() === 'packages.config',
  read(folder: AppFolder, context: ReadContext) {
    let name: string | null = null;
    const dependencies: FoundDependency[] = [];
    const includes: Include[] = [];
    for (const file of folder.files.filter((candidate) => projectFile.test(candidate))) {
      const project = readProject(context, folder, file);
      name ??= project.name;
      dependencies.push(...project.dependencies);
      includes.push(...project.includes);
    }
    const config = folder.files.find((file) => file.toLowerCase() === 'packages.config');
    if (config) dependencies.push(...readPackagesConfig(context, joinPath(folder.path, config)));
    return { name, dependencies, includes };
  },
};
