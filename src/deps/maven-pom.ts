/**
 * pom.xml (https://maven.apache.org/pom.html): `${property}` interpolation over the project and its parents inside
 * the repository (relativePath, default `../pom.xml`, else any pom of the repository with the parent's coordinates),
 * inherited `<dependencies>`, `<dependencyManagement>` with imported BOMs (in the repository, or
 * com.azure:azure-sdk-bom through rules/azure-sdk-bom.yaml). A parent that is not in the repository is remote: what
 * only it could supply is reported with skip `remote-parent`.
 */
import { compareStrings } from '../model/location.js';
import { readText } from './files.js';
import { azureIdentityMavenName, azureSdkBom, bomAzureIdentity } from './knowledge.js';
import type { Lowest, SkipReason } from './skip.js';
import { cached, folderOf, joinPath, resolvePath, type FoundDependency, type ReadContext } from './types.js';
import { lowestMaven } from './versions/maven-version.js';
import { childNamed, readXml, type XmlElement } from './xml.js';

interface Site {
  readonly file: string;
  readonly line: number;
}

interface Text extends Site {
  readonly raw: string;
}

interface PomDependency {
  readonly groupId: string;
  readonly artifactId: string;
  readonly version: Text | null;
  readonly scope: string;
  readonly type: string;
  readonly site: Site;
}

/** One pom.xml as written. */
export interface Pom {
  readonly path: string;
  readonly groupId: string | null;
  readonly artifactId: string | null;
  readonly version: string | null;
  readonly parent: { readonly groupId: string; readonly artifactId: string; readonly version: string; readonly relativePath: string | null; readonly site: Site } | null;
  readonly properties: ReadonlyMap<string, Text>;
  readonly managed: readonly PomDependency[];
  readonly dependencies: readonly PomDependency[];
}

const text = (element: XmlElement | undefined): string | null => (element ? element.text : null);

function readDependencies(list: XmlElement | undefined, file: string): PomDependency[] {
  if (!list) return [];
  return list.children
    .filter((element) => element.name === 'dependency')
    .map((element) => {
      const version = childNamed(element, 'version');
      return {
        groupId: text(childNamed(element, 'groupId')) ?? '',
        artifactId: text(childNamed(element, 'artifactId')) ?? '',
        version: version ? { raw: version.text, file, line: version.line } : null,
        scope: text(childNamed(element, 'scope')) ?? 'compile',
        type: text(childNamed(element, 'type')) ?? 'jar',
        site: { file, line: element.line },
      };
    });
}

/** Reads one pom.xml (cached per scan); null when absent or malformed (reported). */
export function readPom(context: ReadContext, path: string): Pom | null {
  return cached(context, `pom:${path}`, () => {
    const file = readText(context, path);
    const root = file ? readXml(context, file, 'pom.xml') : null;
    if (!root) return null;
    const parentElement = childNamed(root, 'parent');
    const relative = parentElement ? childNamed(parentElement, 'relativePath') : undefined;
    const management = childNamed(root, 'dependencyManagement');
    const properties = new Map<string, Text>();
    for (const property of childNamed(root, 'properties')?.children ?? []) properties.set(property.name, { raw: property.text, file: path, line: property.line });
    return {
      path,
      groupId: text(childNamed(root, 'groupId')),
      artifactId: text(childNamed(root, 'artifactId')),
      version: text(childNamed(root, 'version')),
      parent: parentElement
        ? {
            groupId: text(childNamed(parentElement, 'groupId')) ?? '',
            artifactId: text(childNamed(parentElement, 'artifactId')) ?? '',
            version: text(childNamed(parentElement, 'version')) ?? '',
            relativePath: relative === undefined ? null : relative.text,
            site: { file: path, line: parentElement.line },
          }
        : null,
      properties,
      managed: readDependencies(management ? childNamed(management, 'dependencies') : undefined, path),
      dependencies: readDependencies(childNamed(root, 'dependencies'), path),
    };
  });
}

/** Every pom.xml of the repository by `groupId:artifactId` (for parents and BOMs found by coordinates). */
function pomIndex(context: ReadContext): Map<string, string> {
  return cached(context, 'pom-index', () => {
    const index = new Map<string, string>();
    for (const file of context.repo.files) {
      if (!(file.path === 'pom.xml' || file.path.endsWith('/pom.xml')) || /(^|\/)(node_modules|target)\//.test(file.path)) continue;
      const pom = readPom(context, file.path);
      const groupId = pom?.groupId ?? pom?.parent?.groupId;
      if (pom?.artifactId && groupId && !index.has(`${groupId}:${pom.artifactId}`)) index.set(`${groupId}:${pom.artifactId}`, file.path);
    }
    return index;
  });
}

/** The parent pom inside the repository, or null when it is remote. */
function findParent(context: ReadContext, pom: Pom): Pom | null {
  const parent = pom.parent;
  if (!parent) return null;
  const wanted = `${parent.groupId}:${parent.artifactId}`;
  if (parent.relativePath !== '') {
    const relative = parent.relativePath ?? '../pom.xml';
    let target = resolvePath(folderOf(pom.path), relative);
    if (target !== null && !target.endsWith('.xml')) target = joinPath(target, 'pom.xml');
    if (target !== null && context.repo.has(target)) {
      const candidate = readPom(context, target);
      if (candidate && `${candidate.groupId ?? candidate.parent?.groupId}:${candidate.artifactId}` === wanted) return candidate;
    }
  }
  const indexed = pomIndex(context).get(wanted);
  return indexed && indexed !== pom.path ? readPom(context, indexed) : null;
}

/** The pom and its parents inside the repository, nearest first, and whether the chain ends at a remote parent. */
function lineage(context: ReadContext, pom: Pom): { chain: Pom[]; remote: string | null } {
  const chain = [pom];
  let current = pom;
  for (let depth = 0; depth < 20; depth++) {
    if (!current.parent) return { chain, remote: null };
    const parent = findParent(context, current);
    if (!parent || chain.includes(parent)) {
      return { chain, remote: parent ? null : `${current.parent.groupId}:${current.parent.artifactId}:${current.parent.version}` };
    }
    chain.push(parent);
    current = parent;
  }
  return { chain, remote: null };
}

/** Properties of a pom's effective model: its own over its parents', plus the `project.*` built-ins. */
function effectiveProperties(chain: readonly Pom[]): Map<string, Text> {
  const properties = new Map<string, Text>();
  for (const pom of [...chain].reverse()) for (const [name, value] of pom.properties) properties.set(name, value);
  const self = chain[0];
  if (self) {
    const site = { file: self.path, line: 1 };
    const version = self.version ?? self.parent?.version ?? null;
    const groupId = self.groupId ?? self.parent?.groupId ?? null;
    if (version !== null) for (const name of ['project.version', 'pom.version', 'version']) properties.set(name, { raw: version, ...site });
    if (groupId !== null) properties.set('project.groupId', { raw: groupId, ...site });
    if (self.artifactId !== null) properties.set('project.artifactId', { raw: self.artifactId, ...site });
    if (self.parent) {
      properties.set('project.parent.version', { raw: self.parent.version, ...self.parent.site });
      properties.set('project.parent.groupId', { raw: self.parent.groupId, ...self.parent.site });
    }
  }
  return properties;
}

/** Expands `${name}`; returns the value, the site of the first property used, and whether a reference stayed open. */
function interpolate(properties: ReadonlyMap<string, Text>, value: string, depth = 0): { value: string; via: Site | null; open: boolean } {
  let via: Site | null = null;
  let open = false;
  const result = value.replace(/\$\{([^}$]+)\}/g, (whole, name: string) => {
    const property = properties.get(name.trim());
    if (!property || depth > 10) {
      open = true;
      return whole;
    }
    const inner = interpolate(properties, property.raw, depth + 1);
    via ??= inner.via ?? { file: property.file, line: property.line };
    if (inner.open) open = true;
    return inner.value;
  });
  return { value: result, via, open };
}

/** Where a managed version comes from: a dependencyManagement entry, or a BOM pod2wi knows or does not know. */
type Managed =
  | { readonly kind: 'entry'; readonly version: Text; readonly properties: ReadonlyMap<string, Text> }
  | { readonly kind: 'bom'; readonly bom: string; readonly version: string | null; readonly site: Site };

/** The dependencyManagement of a pom's effective model, imported BOMs expanded, keyed by `groupId:artifactId`. */
function managedVersions(context: ReadContext, chain: readonly Pom[], depth = 0): { entries: Map<string, Managed>; boms: Managed[] } {
  const properties = effectiveProperties(chain);
  const entries = new Map<string, Managed>();
  const boms: Managed[] = [];
  const imports: PomDependency[] = [];
  for (const pom of chain) {
    for (const dependency of pom.managed) {
      const ga = `${interpolate(properties, dependency.groupId).value}:${interpolate(properties, dependency.artifactId).value}`;
      if (dependency.scope === 'import' && dependency.type === 'pom') imports.push(dependency);
      else if (dependency.version && !entries.has(ga)) entries.set(ga, { kind: 'entry', version: dependency.version, properties });
    }
  }
  for (const bom of imports) {
    const ga = `${interpolate(properties, bom.groupId).value}:${interpolate(properties, bom.artifactId).value}`;
    const version = bom.version ? interpolate(properties, bom.version.raw) : null;
    const site = version?.via ?? (bom.version ? { file: bom.version.file, line: bom.version.line } : bom.site);
    const local = pomIndex(context).get(ga);
    const localPom = local ? readPom(context, local) : null;
    if (localPom && depth < 10) {
      const imported = managedVersions(context, lineage(context, localPom).chain, depth + 1);
      for (const [key, value] of imported.entries) if (!entries.has(key)) entries.set(key, value);
      boms.push(...imported.boms);
      continue;
    }
    boms.push({ kind: 'bom', bom: `${ga}${version && !version.open ? `:${version.value}` : ''}`, version: version && !version.open ? version.value : null, site });
  }
  return { entries, boms };
}

function fromLowest(base: Omit<FoundDependency, 'version' | 'resolution' | 'skip'>, lowest: Lowest): FoundDependency {
  return lowest.kind === 'skip' ? { ...base, version: null, resolution: 'unresolved', skip: lowest.skip } : { ...base, version: lowest.version, resolution: lowest.kind, skip: null };
}

/**
 * The dependencies of the pom at `path` (its own and those inherited from parents in the repository), each with the
 * version Maven would use and where that version is written.
 */
export function readPomDependencies(context: ReadContext, path: string): { name: string | null; dependencies: FoundDependency[] } {
  const pom = readPom(context, path);
  if (!pom) return { name: null, dependencies: [] };
  const { chain, remote } = lineage(context, pom);
  const properties = effectiveProperties(chain);
  const managed = managedVersions(context, chain);
  const identity = azureIdentityMavenName(context.knowledge);
  const dependencies: FoundDependency[] = [];
  const seen = new Set<string>();
  for (const declaring of chain) {
    for (const dependency of declaring.dependencies) {
      const name = `${interpolate(properties, dependency.groupId).value}:${interpolate(properties, dependency.artifactId).value}`;
      if (seen.has(name)) continue; // the child's declaration overrides an inherited one
      seen.add(name);
      const unresolvedSkip: SkipReason = remote ? 'remote-parent' : 'variable-not-found';
      if (dependency.version) {
        const value = interpolate(properties, dependency.version.raw);
        const site = value.via ?? dependency.version;
        const base = { ecosystem: 'maven' as const, name, declared: dependency.version.raw, file: site.file, line: site.line, direct: true };
        dependencies.push(fromLowest(base, value.open ? { kind: 'skip', skip: unresolvedSkip } : lowestMaven(value.value)));
        continue;
      }
      const entry = managed.entries.get(name);
      if (entry?.kind === 'entry') {
        const value = interpolate(entry.properties, entry.version.raw);
        const site = value.via ?? entry.version;
        const base = { ecosystem: 'maven' as const, name, declared: null, file: site.file, line: site.line, direct: true };
        dependencies.push(fromLowest(base, value.open ? { kind: 'skip', skip: unresolvedSkip } : lowestMaven(value.value)));
        continue;
      }
      const azure = managed.boms.find((bom) => bom.kind === 'bom' && bom.bom.startsWith(`${azureSdkBom}`));
      const bom = name.startsWith('com.azure:') && azure ? azure : managed.boms.length === 1 ? managed.boms[0] : undefined;
      if (bom?.kind === 'bom') {
        const base = { ecosystem: 'maven' as const, name, declared: null, file: bom.site.file, line: bom.site.line, direct: true, managedBy: bom.bom };
        const row = bom.bom.startsWith(`${azureSdkBom}:`) && name === identity && bom.version !== null ? bomAzureIdentity(context.knowledge, bom.version) : null;
        if (row) dependencies.push({ ...base, version: row.azureIdentity, resolution: 'exact', skip: null });
        else {
          if (name === identity) reportUnknownBom(context, bom.bom, bom.site);
          dependencies.push({ ...base, version: null, resolution: 'unresolved', skip: 'bom-version-unknown' });
        }
        continue;
      }
      const skip: SkipReason = remote ? 'remote-parent' : managed.boms.length > 0 ? 'bom-version-unknown' : 'managed-version-not-found';
      dependencies.push({ ecosystem: 'maven', name, version: null, declared: null, resolution: 'unresolved', skip, file: dependency.site.file, line: dependency.site.line, direct: true, ...(skip === 'bom-version-unknown' ? { managedBy: managed.boms.map((entry) => (entry.kind === 'bom' ? entry.bom : '')).sort(compareStrings).join(', ') } : {}) });
    }
  }
  return { name: pom.artifactId, dependencies };
}

/** A `bom-version-unknown` note at the BOM import, once per place. */
export function reportUnknownBom(context: ReadContext, bom: string, site: Site): void {
  cached(context, `unknown-bom:${site.file}:${site.line}`, () => {
    const known = bom.startsWith(`${azureSdkBom}:`);
    context.sink.add(
      'bom-version-unknown',
      { file: site.file, line: site.line, column: 1 },
      known ? `azure-identity is managed by ${bom}, a version rules/azure-sdk-bom.yaml does not list` : `azure-identity is managed by ${bom}, a BOM that is not in the repository`,
    );
    return true;
  });
}
