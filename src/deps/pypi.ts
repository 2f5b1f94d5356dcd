/**
 * PyPI ecosystem: requirements*.txt (with -r/-c includes), pyproject.toml (PEP 621, PEP 735 dependency groups,
 * Poetry), Pipfile, setup.cfg, setup.py (read as text, never run) and a conda environment.yml's pip section declare;
 * poetry.lock, uv.lock (also a workspace root's) and Pipfile.lock say what is installed. Names are compared per
 * PEP 503 and reported normalised.
 */
import { parse as parseToml } from 'smol-toml';
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { TextFile } from '../walk/repo.js';
import { asRecord, asString, lineAt, readJson, readText, reportParseError, yamlMessage } from './files.js';
import { jsonPathKey, locateJson } from './json-text.js';
import { isListed } from './knowledge.js';
import { cutAt, lowestPep440, lowestPoetry, nameFromUrl, parsePep508, parseRequirementsFile, skipForUrl, type Requirement, type RequirementLine } from './pypi-requirements.js';
import type { Lowest } from './skip.js';
import { TomlLines } from './toml-lines.js';
import { ancestors, cached, folderOf, joinPath, resolvePath, type AppFolder, type DependencyReader, type FoundDependency, type ReadContext } from './types.js';
import { normalizePypiName } from './versions/pep440.js';

/** A requirement as some manifest declares it, before any lockfile is consulted. */
interface Declared {
  readonly name: string;
  readonly declared: string | null;
  readonly lowest: Lowest;
  readonly file: string;
  readonly line: number;
}

/** One package entry of a Python lockfile. */
interface LockedPackage {
  readonly name: string;
  readonly version: string | null;
  readonly line: number;
  readonly dependencies: readonly string[];
  /** uv: the workspace member this entry is (`source = { editable = "packages/a" }`). */
  readonly member: string | null;
}

interface PythonLock {
  readonly path: string;
  readonly packages: readonly LockedPackage[];
  /** Pipfile.lock has no dependency graph: every identity library in it belongs to the application. */
  readonly graph: boolean;
}

const requirementsFile = /^requirements.*\.txt$/i;
const manifests = new Set(['pyproject.toml', 'Pipfile', 'setup.py', 'setup.cfg', 'environment.yml', 'environment.yaml']);

function fromRequirement(requirement: Requirement, file: string, line: number): Declared {
  const name = requirement.url !== null && requirement.name === requirement.url ? requirement.name : normalizePypiName(requirement.name);
  if (requirement.url !== null) {
    // A wheel or sdist file name carries the exact version (`azure_identity-1.16.0-py3-none-any.whl`).
    const fromFile = nameFromUrl(requirement.url)?.version ?? null;
    const pinned = requirement.specifier ? lowestPep440(requirement.specifier) : fromFile ? lowestPep440(`==${fromFile}`) : null;
    return {
      name,
      declared: requirement.url,
      lowest: pinned && pinned.kind === 'exact' ? pinned : { kind: 'skip', skip: skipForUrl(requirement.url) },
      file,
      line,
    };
  }
  return { name, declared: requirement.specifier, lowest: lowestPep440(requirement.specifier), file, line };
}

function toFound(declared: Declared): FoundDependency {
  const base = { ecosystem: 'pypi' as const, name: declared.name, declared: declared.declared, file: declared.file, line: declared.line, direct: true };
  return declared.lowest.kind === 'skip'
    ? { ...base, version: null, resolution: 'unresolved', skip: declared.lowest.skip }
    : { ...base, version: declared.lowest.version, resolution: declared.lowest.kind, skip: null };
}

function readTomlFile(context: ReadContext, path: string): { file: TextFile; data: Record<string, unknown>; lines: TomlLines } | null {
  return cached(context, `toml:${path}`, () => {
    const file = readText(context, path);
    if (!file) return null;
    try {
      return { file, data: parseToml(file.text) as Record<string, unknown>, lines: new TomlLines(file.text) };
    } catch (error) {
      const detail = asRecord(error);
      const line = typeof detail?.line === 'number' ? detail.line : 1;
      const column = typeof detail?.column === 'number' ? detail.column : 1;
      const message = ((error as Error).message.split('\n')[0] ?? '').replace(/^Invalid TOML document:\s*/, '');
      reportParseError(context, path, line, column, path.slice(path.lastIndexOf('/') + 1), message);
      return null;
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------
// requirements files

function parsedRequirements(context: ReadContext, path: string): { file: TextFile; lines: RequirementLine[] } | null {
  return cached(context, `requirements:${path}`, () => {
    const file = readText(context, path);
    if (!file) return null;
    const lines = parseRequirementsFile(file.text);
    for (const line of lines) {
      if (line.kind === 'invalid') reportParseError(context, path, line.line, 1, 'requirements file', `cannot read ${JSON.stringify(line.text)}`);
    }
    return { file, lines };
  });
}

/** Reads a requirements file and what it includes; constraints (-c) are collected apart, keyed by PEP 503 name. */
function readRequirements(context: ReadContext, path: string, visited: Set<string>, constraintMode: boolean, out: Declared[], constraints: Map<string, Declared>): void {
  if (visited.has(path)) return;
  visited.add(path);
  const parsed = parsedRequirements(context, path);
  if (!parsed) return;
  for (const line of parsed.lines) {
    if (line.kind === 'include') {
      const target = resolvePath(folderOf(path), line.path);
      if (target === null || !context.repo.has(target)) {
        cached(context, `missing:${path}:${line.line}`, () => {
          context.sink.add('dependency-file-missing', { file: path, line: line.line, column: 1 }, `${line.constraint ? '-c' : '-r'} ${line.path}: not in the scanned repository`);
          return true;
        });
        continue;
      }
      readRequirements(context, target, visited, constraintMode || line.constraint, out, constraints);
    } else if (line.kind === 'requirement') {
      const declared = fromRequirement(line.requirement, path, line.line);
      if (constraintMode) constraints.set(declared.name, declared);
      else out.push(declared);
    }
  }
}

function requirementsDependencies(context: ReadContext, folder: AppFolder): FoundDependency[] {
  const result: FoundDependency[] = [];
  for (const name of folder.files.filter((file) => requirementsFile.test(file))) {
    const declared: Declared[] = [];
    const constraints = new Map<string, Declared>();
    readRequirements(context, joinPath(folder.path, name), new Set(), false, declared, constraints);
    for (const requirement of declared) {
      const constraint = constraints.get(requirement.name);
      // pip installs what a constraint pins when the requirement itself does not pin a version.
      if (constraint && constraint.lowest.kind === 'exact' && requirement.lowest.kind !== 'exact') {
        result.push(toFound({ ...constraint, declared: requirement.declared ?? constraint.declared }));
      } else result.push(toFound(requirement));
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------------------
// pyproject.toml and Pipfile

function poetryDeclared(name: string, value: unknown, file: string, line: number): Declared {
  const normalized = normalizePypiName(name);
  const text = asString(value);
  if (text !== null) return { name: normalized, declared: text, lowest: lowestPoetry(text), file, line };
  const entries = Array.isArray(value) ? value.map(asRecord) : [asRecord(value)];
  const versions = entries.flatMap((entry) => (entry && asString(entry.version) !== null ? [asString(entry.version) ?? ''] : []));
  if (versions.length > 0) {
    const joined = versions.join(' || ');
    return { name: normalized, declared: joined, lowest: lowestPoetry(joined), file, line };
  }
  const entry = entries[0];
  const source = asString(entry?.git) ?? asString(entry?.url) ?? asString(entry?.path) ?? null;
  const skip = entry?.git !== undefined ? 'git-dependency' : entry?.url !== undefined ? 'url-dependency' : entry?.path !== undefined ? 'local-path' : 'unpinned';
  return { name: normalized, declared: source, lowest: { kind: 'skip', skip }, file, line };
}

/** Pipfile values are PEP 440 specifiers (`"==1.13.0"`, `"*"`) or tables like Poetry's. */
function pipfileDeclared(name: string, value: unknown, file: string, line: number): Declared {
  const normalized = normalizePypiName(name);
  const text = asString(value) ?? asString(asRecord(value)?.version);
  if (text !== null) return { name: normalized, declared: text, lowest: text.trim() === '*' ? { kind: 'skip', skip: 'unpinned' } : lowestPep440(text), file, line };
  return poetryDeclared(name, value, file, line);
}

function readPyproject(context: ReadContext, path: string): { name: string | null; declared: Declared[] } | null {
  const parsed = readTomlFile(context, path);
  if (!parsed) return null;
  const { data, lines } = parsed;
  const declared: Declared[] = [];
  const fromArray = (table: string, key: string, list: unknown): void => {
    if (!Array.isArray(list)) return;
    for (const item of list) {
      const text = asString(item);
      if (text === null) continue; // `{ include-group = "..." }` in PEP 735 groups
      const requirement = parsePep508(text);
      if (requirement) declared.push(fromRequirement(requirement, path, lines.stringLine(table, key, text) ?? 1));
    }
  };
  const project = asRecord(data.project);
  if (project) {
    fromArray('project', 'dependencies', project.dependencies);
    for (const [group, list] of Object.entries(asRecord(project['optional-dependencies']) ?? {})) fromArray('project.optional-dependencies', group, list);
  }
  for (const [group, list] of Object.entries(asRecord(data['dependency-groups']) ?? {})) fromArray('dependency-groups', group, list);
  const tool = asRecord(data.tool);
  const uv = asRecord(tool?.uv);
  if (uv) fromArray('tool.uv', 'dev-dependencies', uv['dev-dependencies']);
  const poetry = asRecord(tool?.poetry);
  if (poetry) {
    const tables: [string, Record<string, unknown> | null][] = [
      ['tool.poetry.dependencies', asRecord(poetry.dependencies)],
      ['tool.poetry.dev-dependencies', asRecord(poetry['dev-dependencies'])],
      ...Object.entries(asRecord(poetry.group) ?? {}).map(([group, value]): [string, Record<string, unknown> | null] => [`tool.poetry.group.${group}.dependencies`, asRecord(asRecord(value)?.dependencies)]),
    ];
    for (const [table, dependencies] of tables) {
      for (const [name, value] of Object.entries(dependencies ?? {})) {
        if (name.toLowerCase() === 'python') continue;
        declared.push(poetryDeclared(name, value, path, lines.keyLine(table, name) ?? lines.tableLine(table) ?? 1));
      }
    }
  }
  return { name: asString(project?.name) ?? asString(poetry?.name), declared };
}

function readPipfile(context: ReadContext, path: string): Declared[] {
  const parsed = readTomlFile(context, path);
  if (!parsed) return [];
  const declared: Declared[] = [];
  for (const table of ['packages', 'dev-packages']) {
    for (const [name, value] of Object.entries(asRecord(parsed.data[table]) ?? {})) {
      declared.push(pipfileDeclared(name, value, path, parsed.lines.keyLine(table, name) ?? 1));
    }
  }
  return declared;
}

// ---------------------------------------------------------------------------------------------------------------
// Lockfiles: poetry.lock, uv.lock, Pipfile.lock

function readTomlLock(context: ReadContext, path: string): PythonLock | null {
  return cached(context, `python-lock:${path}`, () => {
    const parsed = readTomlFile(context, path);
    if (!parsed) return null;
    const list = Array.isArray(parsed.data.package) ? parsed.data.package : [];
    const packages = list.flatMap((value, index): LockedPackage[] => {
      const entry = asRecord(value);
      const name = asString(entry?.name);
      if (!entry || name === null) return [];
      const dependencies = Array.isArray(entry.dependencies)
        ? entry.dependencies.flatMap((dependency) => asString(asRecord(dependency)?.name) ?? [])
        : Object.keys(asRecord(entry.dependencies) ?? {});
      const source = asRecord(entry.source);
      return [{
        name: normalizePypiName(name),
        version: asString(entry.version),
        line: parsed.lines.keyLine('package', 'version', index) ?? parsed.lines.tableLine('package', index) ?? 1,
        dependencies: dependencies.map(normalizePypiName),
        member: asString(source?.editable) ?? asString(source?.virtual),
      }];
    });
    return { path, packages, graph: true };
  });
}

function readPipfileLock(context: ReadContext, path: string): PythonLock | null {
  return cached(context, `python-lock:${path}`, () => {
    const parsed = readJson(context, path, 'Pipfile.lock');
    const data = asRecord(parsed?.value);
    if (!parsed || !data) return null;
    const entries: { section: string; name: string; version: string | null }[] = [];
    for (const section of ['default', 'develop']) {
      for (const [name, value] of Object.entries(asRecord(data[section]) ?? {})) {
        const pinned = asString(asRecord(value)?.version);
        entries.push({ section, name, version: pinned === null ? null : pinned.replace(/^===?/, '') });
      }
    }
    const offsets = locateJson(parsed.file.text, entries.map((entry) => [entry.section, entry.name, 'version']));
    const packages = entries.map((entry): LockedPackage => ({
      name: normalizePypiName(entry.name),
      version: entry.version,
      line: lineAt(context, parsed.file, offsets.get(jsonPathKey([entry.section, entry.name, 'version'])) ?? 0),
      dependencies: [],
      member: null,
    }));
    return { path, packages, graph: false };
  });
}

/** The lockfile for an application: its own poetry.lock / uv.lock / Pipfile.lock, or a uv workspace root's uv.lock. */
function findLock(context: ReadContext, folder: AppFolder, pipfile: boolean): PythonLock | null {
  if (pipfile) return folder.files.includes('Pipfile.lock') ? readPipfileLock(context, joinPath(folder.path, 'Pipfile.lock')) : null;
  for (const name of ['poetry.lock', 'uv.lock']) if (folder.files.includes(name)) return readTomlLock(context, joinPath(folder.path, name));
  for (const candidate of ancestors(folder.path).slice(1)) {
    const path = joinPath(candidate, 'uv.lock');
    if (!context.repo.has(path)) continue;
    const rel = candidate === '.' ? folder.path : folder.path.slice(candidate.length + 1);
    const lock = readTomlLock(context, path);
    if (lock?.packages.some((entry) => entry.member === rel)) return lock;
  }
  return null;
}

/** Direct dependencies resolved through the lockfile; identity libraries reachable from them reported as transitive. */
function applyLock(context: ReadContext, declared: readonly Declared[], lock: PythonLock | null): FoundDependency[] {
  if (!lock) return declared.map(toFound);
  const byName = new Map<string, LockedPackage[]>();
  for (const entry of lock.packages) byName.set(entry.name, [...(byName.get(entry.name) ?? []), entry]);
  const result: FoundDependency[] = [];
  const reported = new Set<LockedPackage>();
  for (const requirement of declared) {
    const entries = (byName.get(requirement.name) ?? []).filter((entry) => entry.member === null);
    if (entries.length === 0) {
      if (isListed(context.knowledge, 'pypi', requirement.name, true)) {
        context.sink.add('lockfile-mismatch', { file: requirement.file, line: requirement.line, column: 1 }, `${requirement.name} is declared but ${lock.path} has no entry for it`);
      }
      result.push(toFound(requirement));
      continue;
    }
    for (const entry of entries) {
      reported.add(entry);
      result.push({
        ecosystem: 'pypi',
        name: requirement.name,
        version: entry.version,
        declared: requirement.declared,
        resolution: entry.version === null ? 'unresolved' : 'locked',
        skip: entry.version === null ? 'invalid-version' : null,
        file: lock.path,
        line: entry.line,
        direct: true,
      });
    }
  }
  const reachable = lock.graph ? reachableNames(declared.map((requirement) => requirement.name), byName) : new Set(byName.keys());
  for (const entry of lock.packages) {
    if (reported.has(entry) || entry.member !== null || !reachable.has(entry.name) || !isListed(context.knowledge, 'pypi', entry.name, false)) continue;
    if (declared.some((requirement) => requirement.name === entry.name)) continue;
    result.push({ ecosystem: 'pypi', name: entry.name, version: entry.version, declared: null, resolution: entry.version === null ? 'unresolved' : 'locked', skip: entry.version === null ? 'invalid-version' : null, file: lock.path, line: entry.line, direct: false });
  }
  return result;
}

function reachableNames(roots: readonly string[], byName: ReadonlyMap<string, readonly LockedPackage[]>): Set<string> {
  const seen = new Set<string>(roots);
  const queue = [...roots];
  for (let next = 0; next < queue.length; next++) {
    const name = queue[next] ?? '';
    for (const entry of byName.get(name) ?? []) {
      for (const dependency of entry.dependencies) {
        if (seen.has(dependency)) continue;
        seen.add(dependency);
        queue.push(dependency);
      }
    }
  }
  return seen;
}

// ---------------------------------------------------------------------------------------------------------------
// setup.cfg, setup.py, environment.yml

function readSetupCfg(context: ReadContext, path: string): { name: string | null; declared: Declared[] } {
  const file = readText(context, path);
  if (!file) return { name: null, declared: [] };
  const declared: Declared[] = [];
  let section = '';
  let key: string | null = null;
  let name: string | null = null;
  const take = (text: string, line: number): void => {
    const clean = cutAt(text, /\s[#;]/).trim();
    if (clean === '' || clean.startsWith('#')) return;
    const requirement = parsePep508(clean);
    if (requirement) declared.push(fromRequirement(requirement, path, line));
  };
  const wanted = (): boolean => (section === 'options' && key === 'install_requires') || section === 'options.extras_require';
  file.text.split(/\r?\n/).forEach((raw, index) => {
    const header = /^\[([^\]]+)\]\s*$/.exec(raw);
    if (header?.[1]) {
      section = header[1].trim();
      key = null;
      return;
    }
    if (/^\s*[#;]/.test(raw) || raw.trim() === '') return;
    const assignment = /^([A-Za-z0-9_.-]+)\s*[=:]\s*(.*)$/.exec(raw);
    if (assignment?.[1] !== undefined) {
      key = assignment[1].trim();
      if (section === 'metadata' && key === 'name') name = (assignment[2] ?? '').trim() || null;
      if (wanted() && (assignment[2] ?? '').trim() !== '') take(assignment[2] ?? '', index + 1);
      return;
    }
    if (/^\s/.test(raw) && wanted()) take(raw, index + 1);
  });
  return { name, declared };
}

/** String literals of a Python list starting at `open` (the `[`), with their offsets. */
function listStrings(text: string, open: number): { value: string; offset: number }[] {
  const result: { value: string; offset: number }[] = [];
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '#') {
      while (i < text.length && text.charAt(i) !== '\n') i++;
    } else if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') {
      depth--;
      if (depth === 0) return result;
    } else if (c === '"' || c === "'") {
      const end = text.indexOf(c, i + 1);
      if (end < 0) return result;
      result.push({ value: text.slice(i + 1, end), offset: i });
      i = end;
    }
  }
  return result;
}

/** setup.py, read as text: the string literals of `install_requires=[...]` (or of the list variable it names). */
function readSetupPy(context: ReadContext, path: string): { name: string | null; declared: Declared[] } {
  const file = readText(context, path);
  if (!file) return { name: null, declared: [] };
  const text = file.text;
  const name = /\bsetup\s*\([\s\S]*?\bname\s*=\s*(['"])([^'"]+)\1/.exec(text)?.[2] ?? null;
  const call = /\binstall_requires\s*=\s*(\[|[A-Za-z_][A-Za-z0-9_]*)/.exec(text);
  if (!call?.[1]) return { name, declared: [] };
  let open = call.index + call[0].length - 1;
  if (call[1] !== '[') {
    const variable = new RegExp(`^[ \\t]*${call[1]}[ \\t]*=\\s*\\[`, 'm').exec(text);
    if (!variable) return { name, declared: [] };
    open = variable.index + variable[0].length - 1;
  }
  const declared = listStrings(text, open).flatMap(({ value, offset }) => {
    const requirement = parsePep508(value);
    return requirement ? [fromRequirement(requirement, path, lineAt(context, file, offset))] : [];
  });
  return { name, declared };
}

function readEnvironment(context: ReadContext, path: string): { name: string | null; declared: Declared[] } {
  const file = readText(context, path);
  if (!file) return { name: null, declared: [] };
  const document = parseDocument(file.text);
  const error = document.errors[0];
  if (error) {
    reportParseError(context, path, error.linePos?.[0].line ?? 1, error.linePos?.[0].col ?? 1, 'environment.yml', yamlMessage(error));
    return { name: null, declared: [] };
  }
  const declared: Declared[] = [];
  const dependencies = document.get('dependencies', true);
  if (isSeq(dependencies)) {
    for (const item of dependencies.items) {
      if (!isMap(item)) continue; // conda packages themselves are not PyPI packages
      const pip = item.get('pip', true);
      if (!isSeq(pip)) continue;
      for (const entry of pip.items) {
        if (!isScalar(entry) || typeof entry.value !== 'string') continue;
        const line = lineAt(context, file, entry.range?.[0] ?? 0);
        const include = /^(-r|--requirement)(?:\s*=\s*|\s+)(\S+)/.exec(entry.value);
        if (include?.[2]) {
          const target = resolvePath(folderOf(path), include[2]);
          if (target === null || !context.repo.has(target)) {
            context.sink.add('dependency-file-missing', { file: path, line, column: 1 }, `-r ${include[2]}: not in the scanned repository`);
          } else readRequirements(context, target, new Set(), false, declared, new Map());
          continue;
        }
        const requirement = parsePep508(entry.value);
        if (requirement) declared.push(fromRequirement(requirement, path, line));
      }
    }
  }
  return { name: typeof document.get('name') === 'string' ? String(document.get('name')) : null, declared };
}

export const pypi: DependencyReader = {
  ecosystem: 'pypi',
  marks: (fileName) => requirementsFile.test(fileName) || manifests.has(fileName),
  read(folder: AppFolder, context: ReadContext) {
    const has = (name: string): boolean => folder.files.includes(name);
    const dependencies: FoundDependency[] = [];
    let name: string | null = null;
    if (has('pyproject.toml')) {
      const project = readPyproject(context, joinPath(folder.path, 'pyproject.toml'));
      if (project) {
        name = project.name;
        dependencies.push(...applyLock(context, project.declared, findLock(context, folder, false)));
      }
    }
    if (has('Pipfile')) dependencies.push(...applyLock(context, readPipfile(context, joinPath(folder.path, 'Pipfile')), findLock(context, folder, true)));
    dependencies.push(...requirementsDependencies(context, folder));
    if (has('setup.cfg')) {
      const setup = readSetupCfg(context, joinPath(folder.path, 'setup.cfg'));
      name ??= setup.name;
      dependencies.push(...setup.declared.map(toFound));
    }
    if (has('setup.py')) {
      const setup = readSetupPy(context, joinPath(folder.path, 'setup.py'));
      name ??= setup.name;
      dependencies.push(...setup.declared.map(toFound));
    }
    for (const environment of ['environment.yml', 'environment.yaml']) {
      if (!has(environment)) continue;
      const env = readEnvironment(context, joinPath(folder.path, environment));
      name ??= env.name;
      dependencies.push(...env.declared.map(toFound));
    }
    return { name, dependencies };
  },
};
