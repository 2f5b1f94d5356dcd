import { parseDocument } from 'yaml';
import type { RenderProblem } from '../files.js';
import { get, isMap, isScalar, isSeq, type Origin, type RenderedObject, type RMap, type RNode, type RScalar, type RUnknown, type ScalarPart } from '../rendered.js';
import { withRoot } from '../rendered-objects.js';
import { asSource, computed, stringMap, valueText } from './tree.js';

/**
 * Flux's post-build variable substitution (kustomize-controller `spec.postBuild`), on rendered objects: `${VAR}` and
 * the envsubst forms Flux accepts (`${VAR:=default}`, `${VAR:-default}`, `${VAR=default}`, `${VAR:+word}` (which Flux
 * treats as a default too), `${#VAR}`, `${VAR^^}` and kin, `${VAR:offset:length}`, `${VAR/a/b}` and kin,
 * `${VAR#glob}` and kin), `$$` escaping a dollar; objects labelled or annotated
 * `kustomize.toolkit.fluxcd.io/substitute: disabled` are left alone. Flux substitutes in the object's YAML text and
 * reads it back with YAML 1.1, so a value that was only `${REPLICAS}` becomes the number 3: the same retyping is
 * applied. A substituted scalar keeps its literal text's origin and gets 'flux-substitute' parts at each variable's
 * definition. An unset variable without a default stays an unknown part `${VAR}`: Flux (not strict) would write an
 * empty string, and a problem says so.
 */

export const substituteProblemCodes = {
  /** A variable name Flux refuses (it must match `^[_[:alpha:]][_[:alpha:][:digit:]]*$`); Flux fails the build. */
  'substitute-invalid-name': 'a substitution variable has an invalid name',
  /** `${...}` that Flux cannot parse (a bad name, an unsupported operator); Flux fails the build, the object stays as written. */
  'substitute-syntax': 'a substitution expression does not parse',
  /** A variable used without a default and not set: kept unknown (Flux writes an empty string, or fails in strict mode). */
  'substitute-unset': 'a substitution variable is not set',
  /** A `substituteFrom` ConfigMap or Secret that is not in the repository (and not optional). */
  'substitute-source-missing': 'a substituteFrom source is missing',
} as const;

export type SubstituteProblemCode = keyof typeof substituteProblemCodes;

/** A variable and where it is defined (the `substitute` entry, or the ConfigMap / Secret key). */
export interface SubstituteVariable {
  readonly value: string;
  readonly origin: Origin;
}

export interface SubstituteOptions {
  /** Flux's strict mode (StrictPostBuildSubstitutions): an unset variable without a default fails the build. */
  readonly strict?: boolean;
  /**
   * ConfigMaps and Secrets of `substituteFrom` that are not in the repository (`Kind/name`): a variable the repository
   * does not set may come from them, so it is unknown without being reported as unset.
   */
  readonly missingSources?: readonly string[];
}

export interface SubstituteResult {
  readonly objects: RenderedObject[];
  readonly problems: RenderProblem[];
}

const validName = /^[_A-Za-z][_A-Za-z0-9]*$/;

class SyntaxError_ extends Error {}

type Node = { readonly t: 'text'; readonly text: string } | { readonly t: 'func'; readonly name: string; readonly op: string; readonly args: readonly (readonly Node[])[]; readonly source: string };

/** Parses envsubst text into literal text and `${...}` expressions (Flux's fork of drone/envsubst). */
class Parser {
  #i = 0;
  readonly #s: string;

  constructor(source: string) {
    this.#s = source;
  }

  parse(): Node[] {
    return this.#text(false);
  }

  #text(inFunc: boolean, stop: (ch: string) => boolean = () => false): Node[] {
    const out: Node[] = [];
    let literal = '';
    const flush = () => {
      if (literal !== '') out.push({ t: 'text', text: literal });
      literal = '';
    };
    while (this.#i < this.#s.length) {
      const ch = this.#s[this.#i] ?? '';
      if (inFunc && (ch === '}' || stop(ch))) break;
      if (ch === '$' && this.#s[this.#i + 1] === '$') {
        literal += '$';
        this.#i += 2;
        if (this.#s[this.#i] === '{') {
          literal += '{';
          this.#i++;
        }
        continue;
      }
      if (ch === '$' && this.#s[this.#i + 1] === '{') {
        flush();
        out.push(this.#func());
        continue;
      }
      if (inFunc && ch === '\\' && (this.#s[this.#i + 1] === '/' || this.#s[this.#i + 1] === '\\')) {
        literal += this.#s[this.#i + 1];
        this.#i += 2;
        continue;
      }
      literal += ch;
      this.#i++;
    }
    flush();
    return out;
  }

  #expect(ch: string): void {
    if (this.#s[this.#i] !== ch) throw new SyntaxError_(ch === '}' ? 'missing closing brace' : 'bad substitution');
    this.#i++;
  }

  #func(): Node {
    const start = this.#i;
    this.#i += 2;
    if (this.#s[this.#i] === '#') {
      this.#i++;
      const name = this.#name();
      this.#expect('}');
      return { t: 'func', name, op: '#len', args: [], source: this.#s.slice(start, this.#i) };
    }
    const name = this.#name();
    const next = this.#s[this.#i];
    let op = '';
    const args: Node[][] = [];
    if (next === '}') {
      this.#i++;
    } else if (next === ':') {
      const after = this.#s[this.#i + 1] ?? '';
      if ('=-?+'.includes(after) && after !== '') {
        op = `:${after}`;
        this.#i += 2;
        args.push(this.#text(true));
        this.#expect('}');
      } else {
        op = ':';
        this.#i++;
        args.push(this.#text(true, (ch) => ch === ':'));
        if (this.#s[this.#i] === ':') {
          this.#i++;
          args.push(this.#text(true));
        }
        this.#expect('}');
      }
    } else if (next === '=') {
      op = '=';
      this.#i++;
      args.push(this.#text(true));
      this.#expect('}');
    } else if (next === ',' || next === '^') {
      op = next;
      this.#i++;
      if (this.#s[this.#i] === next) {
        op += next;
        this.#i++;
      }
      this.#expect('}');
    } else if (next === '/') {
      op = '/';
      this.#i++;
      const kind = this.#s[this.#i];
      if (kind === '/' || kind === '#' || kind === '%') {
        op += kind;
        this.#i++;
      }
      args.push(this.#text(true, (ch) => ch === '/'));
      this.#expect('/');
      args.push(this.#text(true));
      this.#expect('}');
    } else if (next === '#' || next === '%') {
      op = next;
      this.#i++;
      if (this.#s[this.#i] === next) {
        op += next;
        this.#i++;
      }
      args.push(this.#text(true));
      this.#expect('}');
    } else {
      throw new SyntaxError_(next === undefined ? 'missing closing brace' : `unable to parse ${JSON.stringify(this.#s.slice(start, Math.min(this.#s.length, this.#i + 1)))}`);
    }
    return { t: 'func', name, op, args, source: this.#s.slice(start, this.#i) };
  }

  #name(): string {
    const start = this.#i;
    while (this.#i < this.#s.length && /[\p{L}\p{N}_]/u.test(this.#s[this.#i] ?? '')) this.#i++;
    if (this.#i === start) throw new SyntaxError_('unable to parse variable name');
    return this.#s.slice(start, this.#i);
  }
}

/** Shell glob (`*`, `?`, `[...]`) matching the whole text, as Go's path.Match, with a linear two-pointer walk. */
function globMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  const single = (pi: number, ch: string): [boolean, number] => {
    const c = pattern[pi];
    if (c === '?') return [ch !== '/', pi + 1];
    if (c === '[') {
      const close = pattern.indexOf(']', pi + 2);
      if (close < 0) return [c === ch, pi + 1];
      let body = pattern.slice(pi + 1, close);
      const negate = body.startsWith('^') || body.startsWith('!');
      if (negate) body = body.slice(1);
      let ok = false;
      for (let k = 0; k < body.length; k++) {
        if (body[k + 1] === '-' && k + 2 < body.length) {
          if (ch >= (body[k] ?? '') && ch <= (body[k + 2] ?? '')) ok = true;
          k += 2;
        } else if (body[k] === ch) ok = true;
      }
      return [ok !== negate, close + 1];
    }
    if (c === '\\' && pi + 1 < pattern.length) return [pattern[pi + 1] === ch, pi + 2];
    return [c === ch, pi + 1];
  };
  while (t < text.length) {
    if (pattern[p] === '*') {
      star = p++;
      mark = t;
      continue;
    }
    if (p < pattern.length) {
      const [ok, next] = single(p, text[t] ?? '');
      if (ok) {
        p = next;
        t++;
        continue;
      }
    }
    if (star >= 0 && (text[mark] ?? '') !== '/') {
      p = star + 1;
      t = ++mark;
      continue;
    }
    return false;
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

function trim(value: string, pattern: string, op: string): string {
  const chars = [...value];
  if (op === '#' || op === '##') {
    const lengths = chars.map((_, i) => chars.length - i);
    const order = op === '#' ? lengths.slice().reverse() : lengths;
    for (const length of order) if (globMatch(pattern, chars.slice(0, length).join(''))) return chars.slice(length).join('');
    return value;
  }
  const lengths = chars.map((_, i) => chars.length - i);
  const order = op === '%' ? lengths.slice().reverse() : lengths;
  for (const length of order) if (globMatch(pattern, chars.slice(chars.length - length).join(''))) return chars.slice(0, chars.length - length).join('');
  return value;
}

function applyOp(op: string, value: string, args: readonly string[]): string {
  switch (op) {
    case '#len':
      return String(Buffer.byteLength(value, 'utf8'));
    case ',':
      return value === '' ? value : `${value[0]?.toLowerCase() ?? ''}${value.slice(1)}`;
    case ',,':
      return value.toLowerCase();
    case '^':
      return value === '' ? value : `${value[0]?.toUpperCase() ?? ''}${value.slice(1)}`;
    case '^^':
      return value.toUpperCase();
    case ':': {
      let pos = Number.parseInt(args[0] ?? '', 10);
      if (!/^-?\d+$/.test((args[0] ?? '').trim())) return value;
      if (pos < 0) pos = Math.max(0, value.length + pos);
      if (args.length < 2) return pos < value.length ? value.slice(pos) : '';
      if (!/^-?\d+$/.test((args[1] ?? '').trim())) return value;
      const length = Number.parseInt(args[1] ?? '', 10);
      if (length < 0) {
        const end = value.length + length;
        return end < pos ? '' : value.slice(pos, end);
      }
      return pos + length >= value.length ? (pos < value.length ? value.slice(pos) : '') : value.slice(pos, pos + length);
    }
    case '/':
      return value.replace(args[0] ?? '', args[1] ?? '');
    case '//':
      return (args[0] ?? '') === '' ? value : value.split(args[0] ?? '').join(args[1] ?? '');
    case '/#':
      return value.startsWith(args[0] ?? '') ? `${args[1] ?? ''}${value.slice((args[0] ?? '').length)}` : value;
    case '/%':
      return value.endsWith(args[0] ?? '') ? `${value.slice(0, value.length - (args[0] ?? '').length)}${args[1] ?? ''}` : value;
    case '#':
    case '##':
    case '%':
    case '%%':
      return trim(value, args[0] ?? '', op);
    default:
      // '', '=', ':=', ':-', ':?', ':+': the value, or the arguments when it is empty.
      return value === '' && args.length > 0 ? args.join('') : value;
  }
}

const defaultOps = new Set(['=', ':=', ':-', ':?', ':+']);

interface Expansion {
  readonly parts: ScalarPart[];
  readonly changed: boolean;
}

class Expander {
  readonly problems: RenderProblem[] = [];
  readonly #variables: ReadonlyMap<string, SubstituteVariable>;
  readonly #strict: boolean;
  readonly #missing: readonly string[];

  constructor(variables: ReadonlyMap<string, SubstituteVariable>, strict: boolean, missing: readonly string[] = []) {
    this.#variables = variables;
    this.#strict = strict;
    this.#missing = missing;
  }

  /** Expands nodes into parts; `textOrigin` is the origin of literal text. */
  expand(nodes: readonly Node[], textOrigin: Origin, at: Origin): Expansion {
    const parts: ScalarPart[] = [];
    let changed = false;
    for (const node of nodes) {
      if (node.t === 'text') {
        parts.push({ text: node.text, origin: textOrigin });
        continue;
      }
      changed = true;
      const variable = this.#variables.get(node.name);
      const args = node.args.map((arg) => this.expand(arg, textOrigin, at));
      const argText = args.map((arg) => (arg.parts.every((part) => 'text' in part) ? arg.parts.map((part) => ('text' in part ? part.text : '')).join('') : null));
      if (!variable) {
        if (defaultOps.has(node.op) && args.length > 0) {
          for (const arg of args) parts.push(...arg.parts);
          continue;
        }
        if (this.#missing.length > 0) {
          parts.push({ unknown: { expression: node.source, reason: `${node.name} is not set in the repository; it may come from ${this.#missing.join(', ')}, which ${this.#missing.length === 1 ? 'is' : 'are'} not in the repository`, origin: at } });
          continue;
        }
        this.problems.push({
          code: 'substitute-unset',
          at,
          message: `\${${node.name}} is not set and has no default: Flux ${this.#strict ? 'fails the build (strict mode)' : 'substitutes an empty string'}; pod2wi keeps it unknown`,
        });
        parts.push({ unknown: { expression: node.source, reason: `${node.name} is not set in postBuild.substitute or substituteFrom (Flux would write an empty string)`, origin: at } });
        continue;
      }
      const origin = asSource(variable.origin, 'flux-substitute');
      if (argText.some((text) => text === null)) {
        parts.push({ unknown: { expression: node.source, reason: 'an argument depends on an unset variable', origin: at } });
        continue;
      }
      const result = applyOp(node.op, variable.value, argText as string[]);
      if (node.op === '' || (defaultOps.has(node.op) && variable.value !== '')) parts.push({ text: result, origin });
      else if (defaultOps.has(node.op)) for (const arg of args) parts.push(...arg.parts);
      else parts.push({ text: result, origin: computed(origin, `${node.source}`) });
    }
    return { parts, changed };
  }
}

/** YAML 1.1 reading of a substituted value written plain, as Flux reads the substituted text back. */
function retype(text: string): RScalar['value'] | undefined {
  if (text === '') return '';
  let doc;
  try {
    doc = parseDocument(text, { version: '1.1', uniqueKeys: false });
  } catch {
    return undefined;
  }
  if (doc.errors.length > 0) return undefined;
  const value: unknown = doc.toJS();
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return undefined;
}

/** Whether a YAML encoder writes this string without quotes (then Flux's re-read may retype it). */
function writtenPlain(text: string): boolean {
  if (text === '' || text !== text.trim() || text.includes('\n') || text.includes(': ') || text.includes(' #') || text.endsWith(':')) return false;
  return !'-?:,[]{}#&*!|>\'"%@`'.includes(text[0] ?? '');
}

function substituteScalar(node: RScalar, expander: Expander, at: Origin): RNode {
  if (typeof node.value !== 'string' || !node.value.includes('${') && !node.value.includes('$$')) return node;
  let nodes: Node[];
  try {
    nodes = new Parser(node.value).parse();
  } catch (error) {
    if (!(error instanceof SyntaxError_)) throw error;
    expander.problems.push({ code: 'substitute-syntax', at: node.origin, message: `${JSON.stringify(node.value)}: ${error.message}; Flux fails the build` });
    return node;
  }
  const textOrigin = computed(node.origin, 'text around a Flux substitution');
  const { parts, changed } = expander.expand(nodes, textOrigin, node.origin.span ? node.origin : at);
  if (!changed && parts.every((part) => 'text' in part) && parts.map((part) => ('text' in part ? part.text : '')).join('') === node.value) return node;
  const origin = computed(node.origin, 'Flux post-build substitution');
  if (parts.some((part) => 'unknown' in part)) return { kind: 'unknown', parts, origin } satisfies RUnknown;
  const text = parts.map((part) => ('text' in part ? part.text : '')).join('');
  const value = writtenPlain(node.value) ? (retype(text) ?? text) : text;
  return { kind: 'scalar', value, origin, parts } satisfies RScalar;
}

function walk(node: RNode, expander: Expander, at: Origin): RNode {
  if (isScalar(node)) return substituteScalar(node, expander, at);
  if (isMap(node)) {
    let changed = false;
    const pairs = node.pairs.map((pair) => {
      const value = walk(pair.value, expander, at);
      let key = pair.key;
      if (key.includes('${')) {
        const replaced = substituteScalar({ kind: 'scalar', value: key, origin: pair.keyOrigin }, expander, at);
        if (replaced.kind === 'scalar' && typeof replaced.value === 'string') key = replaced.value;
      }
      if (value === pair.value && key === pair.key) return pair;
      changed = true;
      return { ...pair, key, value };
    });
    return changed ? { ...node, pairs } : node;
  }
  if (isSeq(node)) {
    let changed = false;
    const items = node.items.map((item) => {
      const value = walk(item, expander, at);
      if (value !== item) changed = true;
      return value;
    });
    return changed ? { ...node, items } : node;
  }
  return node;
}

/** Applies Flux post-build substitution to rendered objects. */
export function substitute(objects: readonly RenderedObject[], variables: ReadonlyMap<string, SubstituteVariable>, options: SubstituteOptions = {}): SubstituteResult {
  const problems: RenderProblem[] = [];
  const invalid = [...variables].filter(([name]) => !validName.test(name));
  for (const [name, variable] of invalid) {
    problems.push({ code: 'substitute-invalid-name', at: variable.origin, message: `'${name}' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'; Flux fails the build` });
  }
  if (invalid.length > 0 || (variables.size === 0 && (options.missingSources ?? []).length === 0)) return { objects: [...objects], problems };
  const out = objects.map((object) => {
    const metadata = get(object.root, 'metadata');
    const disabled = stringMap(get(metadata, 'labels')).get('kustomize.toolkit.fluxcd.io/substitute') === 'disabled' || stringMap(get(metadata, 'annotations')).get('kustomize.toolkit.fluxcd.io/substitute') === 'disabled';
    if (disabled) return object;
    const expander = new Expander(variables, options.strict === true, options.missingSources);
    const root = walk(object.root, expander, object.at);
    problems.push(...expander.problems);
    return root === object.root || !isMap(root) ? object : withRoot(object, root as RMap);
  });
  // One unset variable is reported once per file (its first use), not at every line that uses it.
  const seen = new Set<string>();
  const reported = problems.filter((problem) => {
    if (problem.code !== 'substitute-unset') return true;
    const key = `${problem.at.file}\u0000${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { objects: out, problems: reported };
}

/** A reference to a ConfigMap or Secret of `substituteFrom`. */
interface SubstituteFrom {
  readonly kind: string;
  readonly name: string;
  readonly optional: boolean;
  readonly at: Origin;
}

/**
 * The variables of a Flux Kustomization: the data of its `substituteFrom` ConfigMaps and Secrets (in order, later
 * ones winning; Secret data base64-decoded), then `substitute`, which wins over all. `candidates` are the ConfigMaps
 * and Secrets found in the repository; one is used when its kind and name match and its namespace is the Flux
 * Kustomization's (or unset). Newlines are removed from values, as Flux does.
 */
export function fluxVariables(kustomization: RMap, candidates: readonly RenderedObject[]): { variables: Map<string, SubstituteVariable>; problems: RenderProblem[]; missingSources: string[] } {
  const variables = new Map<string, SubstituteVariable>();
  const problems: RenderProblem[] = [];
  const missingSources: string[] = [];
  const postBuild = get(get(kustomization, 'spec'), 'postBuild');
  const namespace = valueText(get(get(kustomization, 'metadata'), 'namespace')) ?? '';
  const from: SubstituteFrom[] = [];
  const list = get(postBuild, 'substituteFrom');
  if (isSeq(list)) {
    for (const item of list.items) {
      if (!isMap(item)) continue;
      from.push({ kind: valueText(get(item, 'kind')) ?? '', name: valueText(get(item, 'name')) ?? '', optional: valueText(get(item, 'optional')) === 'true', at: item.origin });
    }
  }
  for (const reference of from) {
    const source = candidates.find((object) => object.kind === reference.kind && valueText(object.name) === reference.name && ['', namespace].includes(valueText(object.namespace) ?? ''));
    if (!source) {
      if (!reference.optional) problems.push({ code: 'substitute-source-missing', at: reference.at, message: `substitute from '${reference.kind}/${reference.name}': not found in the repository; its variables are unknown` });
      missingSources.push(`${reference.kind}/${reference.name}`);
      continue;
    }
    const entries: [string, RNode][] = [];
    const data = get(source.root, 'data');
    if (isMap(data)) for (const pair of data.pairs) entries.push([pair.key, pair.value]);
    const stringData = reference.kind === 'Secret' ? get(source.root, 'stringData') : null;
    for (const [key, node] of entries) {
      const raw = valueText(node) ?? '';
      const value = reference.kind === 'Secret' ? Buffer.from(raw, 'base64').toString('utf8') : raw;
      variables.set(key, { value: value.replace(/\n/g, ''), origin: reference.kind === 'Secret' ? computed(node.origin, 'base64 decoded') : node.origin });
    }
    if (isMap(stringData)) for (const pair of stringData.pairs) variables.set(pair.key, { value: (valueText(pair.value) ?? '').replace(/\n/g, ''), origin: pair.value.origin });
  }
  const inline = get(postBuild, 'substitute');
  if (isMap(inline)) for (const pair of inline.pairs) variables.set(pair.key, { value: (valueText(pair.value) ?? '').replace(/\n/g, ''), origin: pair.value.origin });
  return { variables, problems, missingSources };
}
