/**
 * Gradle builds (build.gradle, build.gradle.kts). A build script is a program, so pod2wi reads it as text (never
 * runs it): dependency declarations in string notation (`'g:a:v'`), map notation (`group: 'g', name: 'a', version:
 * 'v'` / `group = "g", name = "a"`), version-catalog accessors (`libs.azure.identity`, `libs.bundles.x`) resolved
 * through gradle/libs.versions.toml (smol-toml), `$var` / `${var}` from simple assignments, `ext` and
 * gradle.properties, BOMs through `platform(...)` / `enforcedPlatform(...)` / `mavenBom`, and gradle.lockfile.
 */
import { parse as parseToml } from 'smol-toml';
import type { TextFile } from '../walk/repo.js';
import { asRecord, asString, lineAt, readText, reportParseError } from './files.js';
import { azureIdentityMavenName, azureSdkBom, bomAzureIdentity, isListed } from './knowledge.js';
import { reportUnknownBom } from './maven-pom.js';
import type { Lowest } from './skip.js';
import { TomlLines } from './toml-lines.js';
import { ancestors, cached, joinPath, type AppFolder, type FoundDependency, type ReadContext } from './types.js';
import { isMavenVersion, lowestMaven } from './versions/maven-version.js';

interface Site {
  readonly file: string;
  readonly line: number;
}

/** A value with where it is written. */
interface Located extends Site {
  readonly value: string;
}

/** Blanks `//` and `/* *\/` comments (keeping newlines and string literals), so matches never come from comments. */
export function blankComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    const next = text.charAt(i + 1);
    if (c === '/' && next === '/') {
      while (i < text.length && text.charAt(i) !== '\n') {
        out += ' ';
        i++;
      }
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      out += text.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else if (c === '"' || c === "'") {
      const triple = text.startsWith(c.repeat(3), i);
      const quote = triple ? c.repeat(3) : c;
      let j = i + quote.length;
      while (j < text.length && !text.startsWith(quote, j)) j += text.charAt(j) === '\\' ? 2 : 1;
      const stop = Math.min(text.length, j + quote.length);
      out += text.slice(i, stop);
      i = stop;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Version catalog: gradle/libs.versions.toml

interface CatalogLibrary {
  readonly module: string;
  readonly version: Located | null;
  readonly declared: string | null;
}

interface Catalog {
  readonly path: string;
  /** Accessor path (`azure.identity`) → library. */
  readonly libraries: ReadonlyMap<string, CatalogLibrary>;
  /** Accessor path of a bundle (`azure`) → accessor paths of its libraries. */
  readonly bundles: ReadonlyMap<string, readonly string[]>;
}

/** Gradle maps `-`, `_` and `.` in an alias to `.` in the accessor: `azure-identity` is `libs.azure.identity`. */
export function catalogAccessor(alias: string): string {
  return alias.replace(/[-_.]/g, '.').toLowerCase();
}

function readCatalog(context: ReadContext, path: string): Catalog | null {
  return cached(context, `catalog:${path}`, () => {
    const file = readText(context, path);
    if (!file) return null;
    let data: Record<string, unknown>;
    try {
      data = parseToml(file.text) as Record<string, unknown>;
    } catch (error) {
      const detail = asRecord(error);
      reportParseError(context, path, typeof detail?.line === 'number' ? detail.line : 1, typeof detail?.column === 'number' ? detail.column : 1, 'libs.versions.toml', ((error as Error).message.split('\n')[0] ?? '').replace(/^Invalid TOML document:\s*/, ''));
      return null;
    }
    const lines = new TomlLines(file.text);
    const versions = asRecord(data.versions) ?? {};
    const versionOf = (reference: string): Located | null => {
      const value = versions[reference];
      const text = asString(value) ?? asString(asRecord(value)?.strictly) ?? asString(asRecord(value)?.require) ?? asString(asRecord(value)?.prefer);
      return text === null ? null : { value: text, file: path, line: lines.keyLine('versions', reference) ?? 1 };
    };
    const libraries = new Map<string, CatalogLibrary>();
    for (const [alias, value] of Object.entries(asRecord(data.libraries) ?? {})) {
      const line = lines.keyLine('libraries', alias) ?? lines.tableLine('libraries') ?? 1;
      const notation = asString(value);
      if (notation !== null) {
        const [group, name, version] = notation.split(':');
        libraries.set(catalogAccessor(alias), { module: `${group ?? ''}:${name ?? ''}`, version: version ? { value: version, file: path, line } : null, declared: version ?? null });
        continue;
      }
      const entry = asRecord(value) ?? {};
      const module = asString(entry.module) ?? `${asString(entry.group) ?? ''}:${asString(entry.name) ?? ''}`;
      const rawVersion = entry.version;
      const reference = asString(asRecord(rawVersion)?.ref) ?? asString(entry['version.ref']);
      const inline = asString(rawVersion) ?? asString(asRecord(rawVersion)?.strictly) ?? asString(asRecord(rawVersion)?.require);
      const version = reference !== null ? versionOf(reference) : inline !== null ? { value: inline, file: path, line } : null;
      libraries.set(catalogAccessor(alias), { module, version, declared: reference !== null ? `version.ref = ${reference}` : inline });
    }
    const bundles = new Map<string, string[]>();
    for (const [name, value] of Object.entries(asRecord(data.bundles) ?? {})) {
      if (Array.isArray(value)) bundles.set(catalogAccessor(name), value.flatMap((alias) => (typeof alias === 'string' ? [catalogAccessor(alias)] : [])));
    }
    return { path, libraries, bundles };
  });
}

function findCatalog(context: ReadContext, folder: string): Catalog | null {
  for (const candidate of ancestors(folder)) {
    const path = joinPath(candidate, 'gradle/libs.versions.toml');
    if (context.repo.has(path)) return readCatalog(context, path);
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Variables: simple assignments in the script, ext blocks, gradle.properties

function gradleProperties(context: ReadContext, folder: string): Map<string, Located> {
  const result = new Map<string, Located>();
  for (const candidate of [...ancestors(folder)].reverse()) {
    const path = joinPath(candidate, 'gradle.properties');
    const file = context.repo.has(path) ? readText(context, path) : null;
    if (!file) continue;
    file.text.split(/\r?\n/).forEach((line, index) => {
      const match = /^\s*([\w.-]+)\s*[=:]\s*(.*?)\s*$/.exec(line);
      if (match?.[1] && !line.trimStart().startsWith('#') && !line.trimStart().startsWith('!')) result.set(match[1], { value: match[2] ?? '', file: path, line: index + 1 });
    });
  }
  return result;
}

function scriptVariables(context: ReadContext, file: TextFile, code: string): Map<string, Located> {
  const result = new Map<string, Located>();
  const patterns = [
    /(?:\b(?:def|val|var|String)\s+|\bext\.|\bproject\.ext\.|\bextra\[")(\w+)(?:"\])?\s*=\s*(['"])([^'"$\n]*)\2/g,
    /\bset\(\s*"(\w+)"\s*,\s*(["'])([^'"$\n]*)\2\s*\)/g,
    /\bval\s+(\w+)\s+by\s+extra\(\s*(["'])([^'"$\n]*)\2\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of code.matchAll(pattern)) {
      if (match[1] !== undefined && match[3] !== undefined) result.set(match[1], { value: match[3], file: file.path, line: lineAt(context, file, match.index) });
    }
  }
  // Inside `ext { name = 'value' }` blocks.
  for (const block of code.matchAll(/\bext\s*\{/g)) {
    let depth = 0;
    let end = block.index + block[0].length - 1;
    for (; end < code.length; end++) {
      if (code.charAt(end) === '{') depth++;
      else if (code.charAt(end) === '}' && --depth === 0) break;
    }
    const body = code.slice(block.index, end);
    for (const match of body.matchAll(/^[ \t]*(\w+)[ \t]*=[ \t]*(['"])([^'"$\n]*)\2/gm)) {
      if (match[1] !== undefined && match[3] !== undefined) result.set(match[1], { value: match[3], file: file.path, line: lineAt(context, file, block.index + match.index) });
    }
  }
  return result;
}

/** Replaces `$name`, `${name}` and `${a.b.name}` with known variables; reports the first used and whether any stayed unknown. */
function substitute(variables: ReadonlyMap<string, Located>, text: string): { value: string; via: Located | null; open: boolean } {
  let via: Located | null = null;
  let open = false;
  const value = text.replace(/\$\{([^}$]+)\}|\$(\w+)/g, (whole, braced: string | undefined, bare: string | undefined) => {
    const expression = (braced ?? bare ?? '').trim();
    const name = expression.replace(/\.get\(\)$/, '').split('.').pop() ?? expression;
    const known = variables.get(expression) ?? variables.get(name);
    if (!known) {
      open = true;
      return whole;
    }
    via ??= known;
    return known.value;
  });
  return { value, via, open };
}

// ---------------------------------------------------------------------------------------------------------------
// Gradle version strings

/** Lowest version of a Gradle version: `1.+` prefixes, `[1,2)` ranges, `1.0!!` strict, `latest.*` dynamic. */
export function lowestGradle(version: string): Lowest {
  const text = version.trim();
  if (text === '' ) return { kind: 'skip', skip: 'unpinned' };
  if (text === '+' || /^latest\./.test(text)) return { kind: 'skip', skip: 'dynamic-version' };
  const strict = /^(.+?)!!$/.exec(text);
  if (strict?.[1]) return lowestMaven(strict[1]);
  const prefix = /^(\d+(?:\.\d+)*)\.\+$/.exec(text);
  if (prefix?.[1]) {
    const parts = prefix[1].split('.');
    while (parts.length < 3) parts.push('0');
    return { kind: 'range', version: parts.join('.') };
  }
  if (/^[[(\]]/.test(text)) return lowestMaven(text.replace(/^\]/, '(').replace(/\[$/, ')'));
  return isMavenVersion(text) ? { kind: 'exact', version: text } : { kind: 'skip', skip: 'invalid-version' };
}

// ---------------------------------------------------------------------------------------------------------------
// The script

const configuration = String.raw`\b(?:implementation|api|compile|compileOnly|runtimeOnly|runtime|testImplementation|testCompile|testRuntimeOnly|testCompileOnly|annotationProcessor|kapt|developmentOnly|[a-z]\w*(?:Implementation|Api|CompileOnly|RuntimeOnly))\b`;

interface Declaration {
  readonly module: string;
  readonly version: { readonly raw: string; readonly lowest: Lowest; readonly site: Site } | null;
  readonly site: Site;
  readonly platform: boolean;
}

function declare(context: ReadContext, file: TextFile, variables: ReadonlyMap<string, Located>, offset: number, module: string, version: string | null, platform: boolean): Declaration {
  const site = { file: file.path, line: lineAt(context, file, offset) };
  if (version === null) return { module, version: null, site, platform };
  const substituted = substitute(variables, version);
  return {
    module,
    platform,
    site,
    version: { raw: version, lowest: substituted.open ? { kind: 'skip', skip: 'variable-not-found' } : lowestGradle(substituted.value), site: substituted.via ?? site },
  };
}

function scriptDeclarations(context: ReadContext, file: TextFile, code: string, variables: ReadonlyMap<string, Located>, catalog: Catalog | null): Declaration[] {
  const found: { offset: number; declaration: Declaration }[] = [];
  // String notation: configuration("g:a:v") / configuration 'g:a:v' / configuration(platform("g:a:v")) / mavenBom "g:a:v"
  const stringNotation = new RegExp(String.raw`(?:${configuration}\s*(?:\(\s*)?(?:(enforcedPlatform|platform)\s*\(\s*)?|\b(mavenBom)\s*(?:\(\s*)?)(["'])([\w.-]+):([\w.-]+)(?::([^"':@]+))?(?::[^"'@]*)?(?:@\w+)?\3`, 'g');
  for (const match of code.matchAll(stringNotation)) {
    const platform = match[1] !== undefined || match[2] !== undefined;
    found.push({ offset: match.index, declaration: declare(context, file, variables, match.index, `${match[4]}:${match[5]}`, match[6] ?? null, platform) });
  }
  // Map notation (Groovy `group: 'g', name: 'a', version: 'v'`; Kotlin `group = "g", name = "a", version = "v"`).
  const mapNotation = new RegExp(String.raw`${configuration}\s*(?:\(\s*)?group\s*[:=]\s*(["'])([^"']+)\1\s*,\s*name\s*[:=]\s*(["'])([^"']+)\3(?:\s*,\s*version\s*[:=]\s*(["'])([^"']+)\5)?`, 'g');
  for (const match of code.matchAll(mapNotation)) {
    found.push({ offset: match.index, declaration: declare(context, file, variables, match.index, `${match[2]}:${match[4]}`, match[6] ?? null, false) });
  }
  // Version catalog accessors.
  if (catalog) {
    const accessor = new RegExp(String.raw`${configuration}\s*(?:\(\s*)?(?:((?:enforcedPlatform|platform))\s*\(\s*)?libs\.([\w.]+)`, 'g');
    for (const match of code.matchAll(accessor)) {
      const path = (match[2] ?? '').replace(/\.get$/, '').toLowerCase();
      const aliases = path.startsWith('bundles.') ? (catalog.bundles.get(path.slice('bundles.'.length)) ?? []) : [path];
      for (const alias of aliases) {
        const library = catalog.libraries.get(alias);
        if (!library) continue;
        const site = { file: file.path, line: lineAt(context, file, match.index) };
        const lowest = library.version ? lowestGradle(library.version.value) : null;
        found.push({
          offset: match.index,
          declaration: {
            module: library.module,
            platform: match[1] !== undefined,
            site,
            version: library.version && lowest ? { raw: library.declared ?? library.version.value, lowest, site: library.version } : null,
          },
        });
      }
    }
  }
  return found.sort((a, b) => a.offset - b.offset).map((entry) => entry.declaration);
}

/** gradle.lockfile (and the older gradle/dependency-locks/*.lockfile): `group:artifact:version=configurations`. */
function readGradleLock(context: ReadContext, folder: AppFolder): Map<string, Located> {
  const result = new Map<string, Located>();
  const paths = [joinPath(folder.path, 'gradle.lockfile'), ...context.repo.files.map((file) => file.path).filter((path) => path.startsWith(joinPath(folder.path, 'gradle/dependency-locks/')) && path.endsWith('.lockfile'))];
  for (const path of paths) {
    const file = context.repo.has(path) ? readText(context, path) : null;
    if (!file) continue;
    file.text.split(/\r?\n/).forEach((line, index) => {
      if (line.startsWith('#') || line.trim() === '' || line.startsWith('empty=')) return;
      const match = /^([^:=\s]+):([^:=\s]+):([^:=\s]+)(?:=.*)?$/.exec(line.trim());
      if (!match) {
        reportParseError(context, path, index + 1, 1, 'gradle lockfile', `cannot read ${JSON.stringify(line.trim())}`);
        return;
      }
      const module = `${match[1]}:${match[2]}`;
      if (!result.has(module)) result.set(module, { value: match[3] ?? '', file: path, line: index + 1 });
    });
  }
  return result;
}

/** The dependencies a Gradle build script declares, resolved through the catalog, variables, BOMs and the lockfile. */
export function readGradleDependencies(context: ReadContext, folder: AppFolder, script: string): FoundDependency[] {
  const path = joinPath(folder.path, script);
  const file = readText(context, path);
  if (!file) return [];
  const code = blankComments(file.text);
  const variables = new Map([...gradleProperties(context, folder.path), ...scriptVariables(context, file, code)]);
  const declarations = scriptDeclarations(context, file, code, variables, findCatalog(context, folder.path));
  const platforms = declarations.filter((declaration) => declaration.platform);
  const locked = readGradleLock(context, folder);
  const identity = azureIdentityMavenName(context.knowledge);
  const dependencies: FoundDependency[] = [];
  for (const declaration of declarations.filter((entry) => !entry.platform)) {
    const name = declaration.module;
    const lock = locked.get(name);
    if (lock) {
      dependencies.push({ ecosystem: 'maven', name, version: lock.value, declared: declaration.version?.raw ?? null, resolution: 'locked', skip: null, file: lock.file, line: lock.line, direct: true });
      continue;
    }
    if (declaration.version) {
      const { lowest, site, raw } = declaration.version;
      const base = { ecosystem: 'maven' as const, name, declared: raw, file: site.file, line: site.line, direct: true };
      dependencies.push(lowest.kind === 'skip' ? { ...base, version: null, resolution: 'unresolved', skip: lowest.skip } : { ...base, version: lowest.version, resolution: lowest.kind, skip: null });
      continue;
    }
    const azure = platforms.find((platform) => platform.module === azureSdkBom);
    const platform = name.startsWith('com.azure:') && azure ? azure : platforms.length === 1 ? platforms[0] : undefined;
    if (platform) {
      const bomVersion = platform.version && platform.version.lowest.kind !== 'skip' ? platform.version.lowest.version : null;
      const bom = `${platform.module}${bomVersion ? `:${bomVersion}` : ''}`;
      const site = platform.version?.site ?? platform.site;
      const row = platform.module === azureSdkBom && name === identity && bomVersion !== null ? bomAzureIdentity(context.knowledge, bomVersion) : null;
      const base = { ecosystem: 'maven' as const, name, declared: null, file: site.file, line: site.line, direct: true, managedBy: bom };
      if (row) dependencies.push({ ...base, version: row.azureIdentity, resolution: 'exact', skip: null });
      else {
        if (name === identity) reportUnknownBom(context, bom, site);
        dependencies.push({ ...base, version: null, resolution: 'unresolved', skip: 'bom-version-unknown' });
      }
      continue;
    }
    dependencies.push({ ecosystem: 'maven', name, version: null, declared: null, resolution: 'unresolved', skip: 'managed-version-not-found', file: declaration.site.file, line: declaration.site.line, direct: true });
  }
  const direct = new Set(dependencies.map((dependency) => dependency.name));
  for (const [name, lock] of locked) {
    if (direct.has(name) || !isListed(context.knowledge, 'maven', name, false)) continue;
    dependencies.push({ ecosystem: 'maven', name, version: lock.value, declared: null, resolution: 'locked', skip: null, file: lock.file, line: lock.line, direct: false });
  }
  return dependencies;
}

/** `rootProject.name` from settings.gradle(.kts) in the folder, the Gradle name of the build. */
export function gradleProjectName(context: ReadContext, folder: AppFolder): string | null {
  for (const settings of ['settings.gradle.kts', 'settings.gradle']) {
    if (!folder.files.includes(settings)) continue;
    const file = readText(context, joinPath(folder.path, settings));
    const match = file ? /rootProject\.name\s*=\s*(["'])([^"']+)\1/.exec(blankComments(file.text)) : null;
    if (match?.[2]) return match[2];
  }
  return null;
}
