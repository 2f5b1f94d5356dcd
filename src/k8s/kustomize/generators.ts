import type { FileSource } from '../files.js';
import { LineIndex } from '../line-index.js';
import type { Origin, RMap, RPair } from '../rendered.js';
import type { GeneratorEntry, GeneratorOptions, KPair } from './load.js';
import { isWithin, joinPath } from './paths.js';
import { problem, type KustomizeProblem } from './problems.js';
import { newRes, type Res } from './resource.js';
import { asSource, computed } from './tree.js';

/**
 * configMapGenerator / secretGenerator as kustomize runs them (api/internal/generators, api/kv): data from env files,
 * then literals, then files; keys sorted; Secret values base64-encoded; options' labels, annotations and `immutable`;
 * a hash suffix requested unless disabled. Each data value keeps where it was written (the literal, the env file line,
 * or the whole file).
 */

interface KvPair {
  readonly key: string;
  readonly value: string;
  readonly keyOrigin: Origin;
  readonly valueOrigin: Origin;
}

export interface GeneratorContext {
  readonly files: FileSource;
  readonly kustomization: string;
  readonly dir: string;
  readonly read: (path: string) => string | null;
  /** `--load-restrictor LoadRestrictionsNone` (see {@link KustomizeOptions}). */
  readonly unrestricted?: boolean;
}

const configMapKey = /^[-._a-zA-Z0-9]+$/;
const envVarName = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

function generatorOrigin(entry: GeneratorEntry): Origin {
  return asSource(entry.at, 'kustomize-generator');
}

/** Reads a file the generator names (relative to the kustomization folder, inside it as the load restrictor wants). */
function readSource(context: GeneratorContext, relative: string, at: Origin, problems: KustomizeProblem[]): { path: string; text: string } | null {
  const path = joinPath(context.dir, relative);
  if (path === null) {
    problems.push(problem('outside-repository', at, `${relative} is outside the repository`));
    return null;
  }
  if (!context.unrestricted && !isWithin(path, context.dir)) {
    problems.push(problem('outside-root', at, `security; file '${relative}' is not in or below '${context.dir || '.'}' (kustomize refuses it)`));
    return null;
  }
  const text = context.read(path);
  if (text === null) {
    problems.push(problem('generator-failed', at, `${context.kustomization}: generator source ${relative} is missing`));
    return null;
  }
  return { path, text };
}

function removeQuotes(text: string): string {
  if (text.length < 2 || text[0] !== text[text.length - 1]) return text;
  return text[0] === '"' || text[0] === "'" ? text.slice(1, -1) : text;
}

function collectPairs(entry: GeneratorEntry, context: GeneratorContext, problems: KustomizeProblem[]): KvPair[] | null {
  const pairs: KvPair[] = [];
  const origin = generatorOrigin(entry);
  for (const env of entry.envs) {
    const source = readSource(context, env.value, env.node.origin, problems);
    if (!source) return null;
    const index = new LineIndex(source.text);
    let offset = 0;
    for (const rawLine of source.text.split('\n')) {
      const lineStart = offset;
      offset += rawLine.length + 1;
      const line = rawLine.replace(/\r$/, '');
      const trimmed = line.replace(/^\s+/, '');
      if (trimmed === '' || trimmed.startsWith('#')) continue;
      const indent = line.length - trimmed.length;
      const eq = trimmed.indexOf('=');
      const key = eq < 0 ? trimmed : trimmed.slice(0, eq);
      if (!envVarName.test(key)) {
        problems.push(problem('generator-failed', env.node.origin, `${source.path}: '${key}' is not a valid environment variable name (kustomize refuses it)`));
        return null;
      }
      const keyStart = lineStart + indent;
      const valueStart = eq < 0 ? keyStart + key.length : keyStart + eq + 1;
      const value = eq < 0 ? '' : trimmed.slice(eq + 1);
      const at = (start: number, end: number): Origin => ({ source: 'kustomize-generator', file: source.path, ...index.position(start), span: [start, end] });
      pairs.push({ key, value, keyOrigin: at(keyStart, keyStart + key.length), valueOrigin: at(valueStart, valueStart + value.length) });
    }
  }
  for (const literal of entry.literals) {
    const eq = literal.value.indexOf('=');
    if (eq <= 0) {
      problems.push(problem('generator-failed', literal.node.origin, `invalid literal source ${literal.value}, expected key=value`));
      return null;
    }
    const at = computed(asSource(literal.node.origin, 'kustomize-generator'), `literal ${literal.value.slice(0, eq)}`);
    pairs.push({ key: literal.value.slice(0, eq), value: removeQuotes(literal.value.slice(eq + 1)), keyOrigin: at, valueOrigin: at });
  }
  for (const file of entry.files) {
    const count = (file.value.match(/=/g) ?? []).length;
    let key: string;
    let relative: string;
    if (count === 0) {
      relative = file.value;
      key = file.value.slice(file.value.lastIndexOf('/') + 1);
    } else if (count === 1 && !file.value.startsWith('=') && !file.value.endsWith('=')) {
      [key = '', relative = ''] = file.value.split('=');
    } else {
      problems.push(problem('generator-failed', file.node.origin, `invalid file source ${JSON.stringify(file.value)}`));
      return null;
    }
    const source = readSource(context, relative, file.node.origin, problems);
    if (!source) return null;
    const keyOrigin = computed(asSource(file.node.origin, 'kustomize-generator'), `file ${relative}`);
    pairs.push({ key, value: source.text, keyOrigin, valueOrigin: { source: 'kustomize-generator', file: source.path, line: 1, column: 1, span: [0, source.text.length] } });
  }
  const seen = new Set<string>();
  for (const pair of pairs) {
    if (!configMapKey.test(pair.key) || pair.key.length > 253) {
      problems.push(problem('generator-failed', pair.keyOrigin, `${origin.file}: '${pair.key}' is not a valid ConfigMap or Secret key`));
      return null;
    }
    if (seen.has(pair.key)) {
      problems.push(problem('generator-failed', pair.keyOrigin, `${entry.kind.toLowerCase()} ${entry.name?.value ?? ''} illegally repeats the key \`${pair.key}\``));
      return null;
    }
    seen.add(pair.key);
  }
  return pairs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Merges the kustomization's `generatorOptions` into an entry's options (the entry's keys win). */
export function mergeOptions(local: GeneratorOptions | null, global: GeneratorOptions | null): GeneratorOptions | null {
  if (!global) return local;
  const base = local ?? { labels: [], annotations: [], disableNameSuffixHash: false, immutable: false };
  const merge = (mine: readonly KPair[], theirs: readonly KPair[]) => [...mine, ...theirs.filter((pair) => !mine.some((m) => m.key === pair.key))];
  return {
    labels: merge(base.labels, global.labels),
    annotations: merge(base.annotations, global.annotations),
    disableNameSuffixHash: base.disableNameSuffixHash || global.disableNameSuffixHash,
    immutable: base.immutable || global.immutable,
  };
}

function sortedPairs(pairs: readonly KPair[], source: Origin['source']): RPair[] {
  return [...pairs]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((pair) => ({ key: pair.key, keyOrigin: asSource(pair.keyOrigin, source), value: { kind: 'scalar', value: pair.value, origin: asSource(pair.node.origin, source) } }));
}

/** Generates the object of one entry, or null (with problems) when kustomize would refuse it. */
export function generate(entry: GeneratorEntry, global: GeneratorOptions | null, context: GeneratorContext, index: number, problems: KustomizeProblem[]): Res | null {
  const origin = generatorOrigin(entry);
  if (!entry.name || entry.name.value === '') {
    problems.push(problem('generator-failed', entry.at, `${context.kustomization}: a ${entry.kind.toLowerCase()} must have a name`));
    return null;
  }
  const pairs = collectPairs(entry, context, problems);
  if (!pairs) return null;
  const options = mergeOptions(entry.options, global);
  const metadata: RPair[] = [{ key: 'name', keyOrigin: origin, value: { kind: 'scalar', value: entry.name.value, origin: asSource(entry.name.node.origin, 'kustomize-generator') } }];
  if (entry.namespace) metadata.push({ key: 'namespace', keyOrigin: origin, value: { kind: 'scalar', value: entry.namespace, origin } });
  if (options && options.labels.length > 0) metadata.push({ key: 'labels', keyOrigin: origin, value: { kind: 'map', pairs: sortedPairs(options.labels, 'kustomize-generator'), origin } });
  if (options && options.annotations.length > 0) metadata.push({ key: 'annotations', keyOrigin: origin, value: { kind: 'map', pairs: sortedPairs(options.annotations, 'kustomize-generator'), origin } });
  const dataPairs: RPair[] = [];
  const binaryPairs: RPair[] = [];
  for (const pair of pairs) {
    const secret = entry.kind === 'Secret';
    const valid = !pair.value.includes('\uFFFD');
    const value = secret || !valid ? Buffer.from(pair.value, 'utf8').toString('base64') : pair.value;
    const valueOrigin = secret ? computed(pair.valueOrigin, 'base64') : pair.valueOrigin;
    (secret || valid ? dataPairs : binaryPairs).push({ key: pair.key, keyOrigin: pair.keyOrigin, value: { kind: 'scalar', value, origin: valueOrigin } });
  }
  const rootPairs: RPair[] = [
    { key: 'apiVersion', keyOrigin: origin, value: { kind: 'scalar', value: 'v1', origin } },
    { key: 'kind', keyOrigin: origin, value: { kind: 'scalar', value: entry.kind, origin } },
    { key: 'metadata', keyOrigin: origin, value: { kind: 'map', pairs: metadata, origin } },
  ];
  if (entry.kind === 'Secret') rootPairs.push({ key: 'type', keyOrigin: origin, value: { kind: 'scalar', value: entry.type || 'Opaque', origin } });
  if (dataPairs.length > 0) rootPairs.push({ key: 'data', keyOrigin: origin, value: { kind: 'map', pairs: dataPairs, origin } });
  if (binaryPairs.length > 0) rootPairs.push({ key: 'binaryData', keyOrigin: origin, value: { kind: 'map', pairs: binaryPairs, origin } });
  if (options?.immutable) rootPairs.push({ key: 'immutable', keyOrigin: origin, value: { kind: 'scalar', value: true, origin } });
  const root: RMap = { kind: 'map', pairs: rootPairs, origin };
  const res = newRes(root, origin, `${context.kustomization}#${entry.kind}#${index}`, context.kustomization, [context.kustomization]);
  return { ...res, needsHash: !(options?.disableNameSuffixHash ?? false), behavior: entry.behavior };
}
