import type { FileSource } from '../../k8s/files.js';
import { scalarRef, type Origin, type RNode, type ScalarPart, type ScalarRef } from '../../k8s/rendered.js';
import { readTree } from '../../k8s/yaml-tree.js';
import { blankJsonComments } from './arm.js';
import { AddonCollector, brief, joinParts, partsOf, unknownRef } from './collect.js';
import { fromRoot, joinPath } from './paths.js';
import { getKey, readClusterProperties } from './profile.js';
import type { AddonSource, ClusterSetting } from './types.js';

/**
 * `az` command lines, whatever script they come from: the front-ends (bash, PowerShell, Makefile, pipeline steps)
 * give each argument as a node (text with its origin, or partly unknown: a variable the script does not set), and
 * this module reads what the commands do to the pod-identity add-on. Option names follow the aks-preview extension
 * (`Azure/azure-cli-extensions:src/aks-preview/azext_aks_preview/_params.py`): in `az aks pod-identity ...`, `--name`
 * / `-n` is the identity or exception and `--cluster-name` the cluster; in `az aks update|create`, `--name` / `-n` is
 * the cluster.
 */
export interface AzCommandLine {
  /** The arguments after `az`, each a scalar or an unknown node. */
  readonly args: readonly RNode[];
  /** The command's first word. */
  readonly at: Origin;
  /** The command's text, for messages. */
  readonly text: string;
  readonly source: Extract<AddonSource, 'az-cli' | 'pipeline'>;
}

/** What reading a command may use: the repository's files, and where to note the body files `az rest` reads. */
export interface AzContext {
  readonly files: FileSource;
  /** Files read as `az rest --body @file`: not read again as documents of their own. */
  readonly bodies: Set<string>;
}

/** Options that take a value, per command; every other `--x` is a flag. */
const podIdentityValues = new Set(['--cluster-name', '--resource-group', '-g', '--name', '-n', '--namespace', '--identity-resource-id', '--binding-selector', '--subscription', '--pod-labels', '--aks-custom-headers', '--output', '-o', '--query']);
const clusterValues = new Set(['--name', '-n', '--resource-group', '-g', '--subscription', '--output', '-o', '--query', '--kubernetes-version', '-k', '--location', '-l', '--node-count', '-c', '--node-vm-size', '-s', '--network-plugin', '--enable-workload-identity', '--tags']);
const restValues = new Set(['--method', '-m', '--url', '--uri', '-u', '--body', '-b', '--headers', '--resource', '--subscription', '--output', '-o', '--query', '--uri-parameters', '--url-parameters']);
/** Options that take every value up to the next option. */
const manyValues = new Set(['--pod-labels', '--tags']);

interface Options {
  readonly values: ReadonlyMap<string, readonly RNode[]>;
  /** Where each option is written. */
  readonly at: ReadonlyMap<string, Origin>;
}

/** The known text of a node, or null. */
function textOf(node: RNode): string | null {
  return node.kind === 'scalar' && node.value !== null ? String(node.value) : null;
}

/**
 * Splits `--opt=value` into the option and the value node (its parts after the first `=`); null when the node does
 * not start with a known option.
 */
function splitOption(node: RNode): { readonly name: string; readonly value: RNode | null } | null {
  const parts = partsOf(node);
  const first = parts?.[0];
  if (!parts || !first || !('text' in first) || !first.text.startsWith('-') || /^-\d/.test(first.text)) return null;
  const equals = first.text.indexOf('=');
  if (equals < 0) return parts.length === 1 ? { name: first.text, value: null } : null;
  const rest: ScalarPart[] = [{ text: first.text.slice(equals + 1), origin: { ...first.origin, span: null } }, ...parts.slice(1)];
  return { name: first.text.slice(0, equals), value: joinParts(rest, node.origin, 'the value after =') };
}

function parseOptions(args: readonly RNode[], takesValue: ReadonlySet<string>): Options {
  const values = new Map<string, RNode[]>();
  const at = new Map<string, Origin>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg) continue;
    const option = splitOption(arg);
    if (!option) continue;
    const list = values.get(option.name) ?? [];
    values.set(option.name, list);
    at.set(option.name, arg.origin);
    if (option.value) {
      list.push(option.value);
      continue;
    }
    if (!takesValue.has(option.name)) {
      // A flag; a following `true`/`false` is its value (`--enable-workload-identity true` in older releases).
      const next = args[i + 1];
      const text = next ? textOf(next)?.toLowerCase() : undefined;
      if (next && (text === 'true' || text === 'false')) {
        list.push(next);
        i++;
      }
      continue;
    }
    while (i + 1 < args.length) {
      const next = args[i + 1];
      if (!next || splitOption(next)) break;
      list.push(next);
      i++;
      if (!manyValues.has(option.name)) break;
    }
  }
  return { values, at };
}

function first(options: Options, ...names: string[]): ScalarRef | null {
  for (const name of names) {
    const value = options.values.get(name)?.[0];
    if (value) return scalarRef(value);
  }
  return null;
}

/** The subcommand words: the leading arguments that are known words, not options. */
function subcommands(args: readonly RNode[]): string[] {
  const words: string[] = [];
  for (const arg of args) {
    const text = textOf(arg);
    if (text === null || text.startsWith('-') || !/^[a-z][a-z0-9-]*$/.test(text)) break;
    words.push(text);
  }
  return words;
}

/** Reads one `az` command into the collector; commands that are not about the add-on are ignored. */
export function interpretAz(command: AzCommandLine, collector: AddonCollector, context: AzContext): void {
  const words = subcommands(command.args);
  const rest = command.args.slice(words.length);
  const path = words.join(' ');
  if (path.startsWith('aks pod-identity')) {
    const options = parseOptions(rest, podIdentityValues);
    const cluster = first(options, '--cluster-name');
    const resourceGroup = first(options, '--resource-group', '-g');
    const where = (what: string) => `${what} at "${brief(command.text, 100)}"`;
    const name = (generated: boolean): ScalarRef => {
      const value = first(options, '--name', '-n');
      if (value) return value;
      if (generated) return unknownRef('--name', `not given: az ${path} generates a name`, command.at);
      collector.problem('addon-entry-incomplete', command.at, where(`az ${path} has no --name`));
      return unknownRef('--name', 'not given', command.at);
    };
    const namespace = (): ScalarRef => {
      const value = first(options, '--namespace');
      if (value) return value;
      collector.problem('addon-entry-incomplete', command.at, where(`az ${path} has no --namespace`));
      return unknownRef('--namespace', 'not given', command.at);
    };
    switch (path) {
      case 'aks pod-identity add':
        collector.identities.push({
          name: name(true),
          namespace: namespace(),
          bindingSelector: first(options, '--binding-selector'),
          clientId: null,
          resourceId: first(options, '--identity-resource-id'),
          objectId: null,
          cluster,
          resourceGroup,
          action: 'add',
          source: command.source,
          at: command.at,
        });
        return;
      case 'aks pod-identity delete':
        collector.identities.push({ name: name(false), namespace: namespace(), bindingSelector: null, clientId: null, resourceId: null, objectId: null, cluster, resourceGroup, action: 'delete', source: command.source, at: command.at });
        return;
      case 'aks pod-identity exception add':
      case 'aks pod-identity exception update':
      case 'aks pod-identity exception delete': {
        const remove = path.endsWith('delete');
        collector.exceptions.push({
          name: name(!remove && path.endsWith('add')),
          namespace: namespace(),
          podLabels: remove ? {} : labels(options.values.get('--pod-labels') ?? [], collector, command),
          cluster,
          resourceGroup,
          action: remove ? 'delete' : 'add',
          source: command.source,
          at: command.at,
        });
        return;
      }
      default:
        return;
    }
  }
  if (path === 'aks update' || path === 'aks create') {
    const options = parseOptions(rest, clusterValues);
    const cluster = first(options, '--name', '-n');
    const resourceGroup = first(options, '--resource-group', '-g');
    const flag = (name: string, setting: ClusterSetting['setting'], enabled: boolean) => {
      const at = options.at.get(name);
      if (!at) return;
      const value = options.values.get(name)?.[0];
      const text = value ? textOf(value)?.toLowerCase() : undefined;
      const on = text === 'false' ? !enabled : enabled;
      collector.settings.push({ setting, enabled: on, expression: null, cluster, resourceGroup, source: command.source, at });
    };
    flag('--enable-pod-identity', 'pod-identity', true);
    flag('--disable-pod-identity', 'pod-identity', false);
    flag('--enable-pod-identity-with-kubenet', 'pod-identity-kubenet', true);
    flag('--enable-oidc-issuer', 'oidc-issuer', true);
    flag('--enable-workload-identity', 'workload-identity', true);
    flag('--disable-workload-identity', 'workload-identity', false);
    return;
  }
  if (path === 'rest') readRest(parseOptions(rest, restValues), command, collector, context);
}

/** `--pod-labels k=v k2=v2`: each value split at its first `=` (the key must be known text). */
function labels(values: readonly RNode[], collector: AddonCollector, command: AzCommandLine): Record<string, ScalarRef> {
  const out: Record<string, ScalarRef> = {};
  for (const value of values) {
    const parts = partsOf(value) ?? [];
    const head = parts[0];
    const equals = head && 'text' in head ? head.text.indexOf('=') : -1;
    if (!head || !('text' in head) || equals <= 0) {
      collector.problem('addon-list-unknown', value.origin, `a --pod-labels value of "${brief(command.text, 80)}" is not key=value text known from the repository`);
      continue;
    }
    const rest: ScalarPart[] = [{ text: head.text.slice(equals + 1), origin: { ...head.origin, span: null } }, ...parts.slice(1)];
    const ref = scalarRef(joinParts(rest, value.origin, 'the value after ='));
    if (ref) out[head.text.slice(0, equals)] = ref;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * `az rest --method put|patch --url .../managedClusters/<name>?api-version=... --body <json>|@file`: the body read as a
 * managed cluster. A literal body's origins are the body argument; a body file is read with its own lines.
 */
function readRest(options: Options, command: AzCommandLine, collector: AddonCollector, context: AzContext): void {
  const files = context.files;
  const method = (first(options, '--method', '-m')?.value ?? '').toLowerCase();
  const url = first(options, '--url', '--uri', '-u');
  const body = options.values.get('--body')?.[0] ?? options.values.get('-b')?.[0];
  if (!body || (method !== 'put' && method !== 'patch') || !url || !/\/managedClusters\//i.test(url.display)) return;
  const cluster = urlSegment(url, 'managedClusters');
  const resourceGroup = urlSegment(url, 'resourceGroups');
  const text = textOf(body);
  if (text === null) return;
  let root: RNode | null = null;
  if (text.startsWith('@')) {
    // The working directory of the call is not known: the script's folder first, then the repository root.
    const relative = text.slice(1);
    const candidates = [joinPath(command.at.file, relative), fromRoot(relative)].filter((candidate): candidate is string => !!candidate);
    const found = candidates.find((candidate) => files.has(candidate));
    const content = found ? files.read(found) : null;
    if (!found || content === null) return;
    context.bodies.add(found);
    const tree = readTree(found, blankJsonComments(content), { source: 'manifest' });
    for (const problem of tree.problems) collector.problem('addon-parse-error', problem.at, `${found} (the body of az rest) does not parse: ${problem.message}`);
    root = tree.documents[0]?.node ?? null;
  } else {
    const tree = readTree(command.at.file, text, { source: 'script' });
    if (tree.problems.length > 0) {
      collector.problem('addon-parse-error', body.origin, `the --body of "${brief(command.text, 80)}" does not parse as JSON: ${tree.problems[0]?.message ?? ''}`);
      return;
    }
    root = relocate(tree.documents[0]?.node ?? null, body.origin);
  }
  if (!root) return;
  readClusterProperties(getKey(root, 'properties') ?? root, { source: command.source, cluster, resourceGroup }, collector);
}

/** The path segment after `/<name>/` in a URL, when known. */
function urlSegment(url: ScalarRef, name: string): ScalarRef | null {
  if (url.value === null) return null;
  const match = new RegExp(`/${name}/([^/?]+)`, 'i').exec(url.value);
  return match?.[1] ? { value: match[1], display: match[1], origin: { ...url.origin, span: null, via: `the URL's ${name} segment` }, unknowns: [] } : null;
}

/** A tree parsed from an argument's text, every origin moved to the argument (its own offsets mean nothing in the file). */
function relocate(node: RNode | null, origin: Origin): RNode | null {
  if (!node) return null;
  const at: Origin = { ...origin, span: null, via: 'az rest --body' };
  switch (node.kind) {
    case 'scalar':
      return { ...node, origin: at };
    case 'unknown':
      return { ...node, origin: at };
    case 'seq':
      return { kind: 'seq', items: node.items.map((item) => relocate(item, origin) ?? item), origin: at };
    case 'map':
      return { kind: 'map', pairs: node.pairs.map((pair) => ({ key: pair.key, keyOrigin: at, value: relocate(pair.value, origin) ?? pair.value })), origin: at };
  }
}
