import type { Application, Dependency, Ecosystem } from '../model/application.js';
import type { FindingSink } from '../model/findings-sink.js';
import { pushTo } from '../model/collections.js';
import { compareStrings } from '../model/location.js';
import type { Repo } from '../walk/repo.js';
import { classify, isListed, loadDependencyKnowledge, roleOf, type DependencyKnowledge } from './knowledge.js';
import { go } from './go.js';
import { maven } from './maven.js';
import { npm } from './npm.js';
import { nuget } from './nuget.js';
import { pypi } from './pypi.js';
import { vcpkg } from './vcpkg.js';
import { installCommandDependencies } from './install-commands.js';
import { folderOf, type DependencyReader, type FoundDependency, type Include, type ReadContext } from './types.js';

/** Options of the dependency stage. */
export interface DependencyOptions {
  /** List every dependency, not only identity-relevant ones (--all-dependencies). */
  readonly allDependencies: boolean;
}

/** Every ecosystem reader, in the order an application's name is taken from its manifests. */
export const readers = [npm, pypi, nuget, maven, go, vcpkg] as const satisfies readonly DependencyReader[];

/** Folders that hold installed third-party code, never applications of their own. */
const installedCode = /(^|\/)(node_modules|bower_components)\//;

/** Finds the application folders: every folder holding a file some reader marks as a manifest. */
export function findApplicationFolders(repo: Repo): Map<string, { files: string[]; readers: DependencyReader[] }> {
  const filesByFolder = new Map<string, string[]>();
  for (const file of repo.files) {
    if (installedCode.test(file.path)) continue;
    const folder = folderOf(file.path);
    const name = folder === '.' ? file.path : file.path.slice(folder.length + 1);
    const list = filesByFolder.get(folder);
    if (list) list.push(name);
    else filesByFolder.set(folder, [name]);
  }
  const result = new Map<string, { files: string[]; readers: DependencyReader[] }>();
  for (const [folder, files] of [...filesByFolder.entries()].sort((a, b) => compareStrings(a[0], b[0]))) {
    const marking = readers.filter((reader) => files.some((name) => reader.marks(name)));
    if (marking.length > 0) result.set(folder, { files: files.sort(compareStrings), readers: marking });
  }
  return result;
}

/**
 * Finds the applications of a repository (folders holding a dependency manifest) and the Azure identity
 * libraries each runs. `credentialUses` is left empty: the code stage fills it.
 */
export function readApplications(repo: Repo, sink: FindingSink, options: DependencyOptions): Application[] {
  const knowledge = loadDependencyKnowledge();
  const context: ReadContext = { repo, sink, knowledge, cache: new Map(), allDependencies: options.allDependencies };
  const applications: Application[] = [];
  for (const [path, folder] of findApplicationFolders(repo)) {
    let name: string | null = null;
    const found: FoundDependency[] = [];
    const includes: Include[] = [];
    const ecosystems = new Set<Ecosystem>();
    for (const reader of folder.readers) {
      ecosystems.add(reader.ecosystem);
      const result = reader.read({ path, files: folder.files }, context);
      name ??= result.name;
      found.push(...result.dependencies);
      includes.push(...(result.includes ?? []));
    }
    found.push(...installCommandDependencies({ path, files: folder.files }, context));
    const dependencies = finishDependencies(found, knowledge, sink, options);
    applications.push({
      path,
      kind: 'dependencies',
      name: name ?? (path === '.' ? (repo.root.split(/[\\/]/).filter(Boolean).pop() ?? '.') : (path.split('/').pop() ?? path)),
      ecosystems: [...ecosystems].sort(compareStrings),
      dependencies,
      credentialUses: [],
      ...(includes.length > 0 ? { includes: includes.filter((item) => item.path !== path) } : {}),
    });
  }
  return applications;
}

/**
 * The packages a Dockerfile-only folder's Dockerfiles and scripts install (`RUN pip install azure-identity==1.5.0`):
 * the dependencies of the `container` application that folder becomes. Folders with a dependency manifest get these
 * through readApplications. Nothing is read until a folder is asked for; the files are grouped by folder once.
 */
export function containerDependencyReader(repo: Repo, sink: FindingSink, options: DependencyOptions): (folder: string) => Dependency[] {
  let byFolder: Map<string, string[]> | null = null;
  let context: ReadContext | null = null;
  return (folder) => {
    if (!byFolder) {
      byFolder = new Map();
      for (const file of repo.files) {
        const at = folderOf(file.path);
        pushTo(byFolder, at, at === '.' ? file.path : file.path.slice(at.length + 1));
      }
    }
    context ??= { repo, sink, knowledge: loadDependencyKnowledge(), cache: new Map(), allDependencies: options.allDependencies };
    const files = [...(byFolder.get(folder) ?? [])].sort(compareStrings);
    const found = installCommandDependencies({ path: folder, files }, context);
    return found.length > 0 ? finishDependencies(found, context.knowledge, sink, options) : [];
  };
}

/** Gives each found dependency its verdict, reports what needs a reader's attention, filters, de-duplicates and sorts. */
function finishDependencies(found: readonly FoundDependency[], knowledge: DependencyKnowledge, sink: FindingSink, options: DependencyOptions): Dependency[] {
  const unique = new Map<string, Dependency>();
  for (const dependency of found) {
    const listed = isListed(knowledge, dependency.ecosystem, dependency.name, dependency.direct);
    // --all-dependencies adds what a manifest declares (go.mod `// indirect` lines too), not a lockfile's whole tree.
    const declared = dependency.direct || dependency.declared !== null;
    if (!listed && !(options.allDependencies && declared)) continue;
    const key = [dependency.ecosystem, dependency.name, dependency.version ?? '', dependency.file, dependency.line].join('\u0000');
    const known = unique.get(key);
    if (known) {
      // The same entry seen twice (a lockfile node reached as direct and transitive): direct wins.
      if (dependency.direct && known.direct !== true) unique.set(key, { ...known, direct: true, declared: dependency.declared });
      continue;
    }
    const verdict = classify(knowledge, dependency.ecosystem, dependency.name, dependency.version);
    unique.set(key, {
      ecosystem: dependency.ecosystem,
      name: dependency.name,
      version: dependency.version,
      declared: dependency.declared,
      resolution: dependency.resolution,
      skip: dependency.skip,
      file: dependency.file,
      line: dependency.line,
      supportsWorkloadIdentity: verdict.supportsWorkloadIdentity,
      managedIdentityTokenExchange: verdict.managedIdentityTokenExchange,
      legacy: verdict.legacy,
      direct: dependency.direct,
      managedBy: dependency.managedBy ?? null,
    });
  }
  const dependencies = [...unique.values()].sort(compareDependencies);
  for (const dependency of dependencies) reportDependency(dependency, dependencies, knowledge, sink);
  return dependencies;
}

function reportDependency(dependency: Dependency, all: readonly Dependency[], knowledge: DependencyKnowledge, sink: FindingSink): void {
  const role = roleOf(knowledge, dependency.ecosystem, dependency.name);
  const at = { file: dependency.file, line: dependency.line, column: 1 };
  const label = `${dependency.name}${dependency.version ? ` ${dependency.version}` : ''}`;
  if ((role.kind === 'legacy' || role.kind === 'adal') && dependency.direct === true) {
    // Both kinds side by side (go-autorest next to a current azidentity) is common: say so, the code decides.
    const modern = all.find((other) => other.ecosystem === dependency.ecosystem && other.supportsWorkloadIdentity === true);
    const also = modern ? `; the application also depends on ${modern.name} ${modern.version ?? ''}, so check which one its code uses` : '';
    sink.add('legacy-identity-library', at, `${label}: ${role.library.note}${also}`);
  } else if (role.kind === 'msal' && dependency.direct === true) {
    sink.add('msal-library', at, `${label}: ${role.library.note}`);
  }
  // A BOM pod2wi does not know has its own note (bom-version-unknown) at the import.
  if (dependency.version === null && role.kind === 'azure-identity' && dependency.skip !== 'bom-version-unknown') {
    const declared = dependency.declared === null ? '' : ` (declared ${JSON.stringify(dependency.declared)})`;
    sink.add('dependency-version-unresolved', at, `${dependency.name}${declared}: version unknown, ${dependency.skip ?? 'unresolved'}${dependency.managedBy ? `; managed by ${dependency.managedBy}` : ''}`);
  }
}

/** Sort order of dependencies in the report: ecosystem, name, version, file, line. */
export function compareDependencies(a: Dependency, b: Dependency): number {
  return (
    compareStrings(a.ecosystem, b.ecosystem) ||
    compareStrings(a.name, b.name) ||
    compareStrings(a.version ?? '', b.version ?? '') ||
    compareStrings(a.file, b.file) ||
    a.line - b.line
  );
}
