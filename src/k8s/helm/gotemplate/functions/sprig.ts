import { createHash } from 'node:crypto';
import semver from 'semver';
import { GoError, type CallContext, type FunctionDef } from '../exec.js';
import { formatGoTime, quoteGo, sprint, sprintf } from '../fmt.js';
import { codePoints, expandTemplate, fromCodePoints, GoRegexp, RegexSyntaxError } from '../regex.js';
import { bool, byteLength, compareGoStrings, deepCopy, invalid, kindName, nil, Rope, typeName, type MapEntry, type ParamType, type Value } from '../values.js';

/**
 * Sprig v3 (https://masterminds.github.io/sprig/) as Helm ships it: each function with Go's parameter types (so a
 * float64 where Sprig wants an int fails as it does in Helm) and Sprig's documented behaviour. Functions that choose a
 * value (`default`, `coalesce`, `ternary`, `first`, `get`) pass it through with its origin; string functions that only
 * cut or pad (`trim*`, `trunc`, `indent`, `quote`) keep the segments of their input. What would read the clock, the
 * environment, the network or a random source is a fixed, reported assumption or an unknown.
 */

type Table = Map<string, FunctionDef>;

// ---- conversions (Sprig's strval, strslice, cast.ToInt64, cast.ToFloat64, empty) ----

export function textOf(value: Value | undefined): string {
  if (!value) return '';
  if (value.k === 'string') return value.s.text;
  return '';
}

/** Sprig's strval: strings as they are (segments kept), []byte as text, anything else with %v. */
export function strval(call: CallContext, value: Value): Rope {
  switch (value.k) {
    case 'string':
      return value.s;
    case 'bytes':
      return Rope.of(value.text, call.computed);
    case 'invalid':
    case 'nil':
      return Rope.of('<nil>', call.computed);
    default:
      return sprint([value], call.print);
  }
}

function trimZeroDecimal(text: string): string {
  const match = /^(-?\d+)\.0*$/.exec(text);
  return match ? (match[1] ?? text) : text;
}

function parseGoIntBase0(text: string): number | null {
  const match = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|0[0-7_]*|[1-9][0-9_]*)$/.exec(text);
  if (!match) return null;
  const sign = match[1] === '-' ? -1 : 1;
  const body = (match[2] ?? '0').replace(/_/g, '');
  let value: number;
  if (/^0[xX]/.test(body)) value = parseInt(body.slice(2), 16);
  else if (/^0[oO]/.test(body)) value = parseInt(body.slice(2), 8);
  else if (/^0[bB]/.test(body)) value = parseInt(body.slice(2), 2);
  else if (body.length > 1 && body.startsWith('0')) value = parseInt(body.slice(1), 8);
  else value = parseInt(body, 10);
  return Number.isFinite(value) ? sign * value : null;
}

/** cast.ToInt64 (errors become 0, as Sprig ignores them). */
export function toInt64(value: Value): number {
  switch (value.k) {
    case 'int':
      return value.v;
    case 'float':
      return Number.isFinite(value.v) ? Math.trunc(value.v) : 0;
    case 'bool':
      return value.v ? 1 : 0;
    case 'string': {
      const parsed = parseGoIntBase0(trimZeroDecimal(value.s.text));
      return parsed ?? 0;
    }
    default:
      return 0;
  }
}

/** cast.ToFloat64. */
export function toFloat64(value: Value): number {
  switch (value.k) {
    case 'int':
    case 'float':
      return value.v;
    case 'bool':
      return value.v ? 1 : 0;
    case 'string': {
      const text = value.s.text;
      if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return Number(text);
      return 0;
    }
    default:
      return 0;
  }
}

/** Sprig's empty: Go zero values, empty collections, nil. */
export function isEmpty(value: Value): boolean {
  switch (value.k) {
    case 'invalid':
    case 'nil':
      return true;
    case 'bool':
      return !value.v;
    case 'int':
    case 'float':
      return value.v === 0;
    case 'string':
      return value.s.length === 0;
    case 'list':
      return value.items.length === 0;
    case 'map':
      return value.entries.size === 0 && (value.open?.length ?? 0) === 0;
    case 'bytes':
      return value.text.length === 0;
    default:
      return false;
  }
}

function unknownIn(values: readonly Value[]): Value | null {
  for (const value of values) if (value.k === 'unknown') return value;
  return null;
}

/** The items of a slice value; null for anything else. */
function itemsOf(value: Value): Value[] | null {
  if (value.k === 'list') return value.items;
  if (value.k === 'bytes') return [...Buffer.from(value.text, 'utf8')].map((byte) => ({ k: 'int', v: byte, t: 'uint8' }) as Value);
  return null;
}

function requireList(value: Value, what: string): Value[] {
  const items = itemsOf(value);
  if (items) return items;
  if (value.k === 'invalid' || value.k === 'nil') throw new GoError(`runtime error: invalid memory address or nil pointer dereference`);
  throw new GoError(`Cannot ${what} on type ${kindName(value)}`);
}

/** Sprig's strslice: a list's items as strings (nils dropped), or the value itself. */
function strslice(call: CallContext, value: Value): Rope[] {
  if (value.k === 'list') return value.items.filter((item) => item.k !== 'nil' && item.k !== 'invalid').map((item) => strval(call, item));
  if (value.k === 'invalid' || value.k === 'nil') return [];
  return [strval(call, value)];
}

/** reflect.DeepEqual over template values. */
export function deepEqual(a: Value, b: Value, depth = 0): boolean {
  if (depth > 200) throw new RangeError('values nested too deeply to compare');
  const norm = (v: Value): Value => (v.k === 'invalid' ? nil : v);
  const x = norm(a);
  const y = norm(b);
  if (x.k !== y.k) return false;
  switch (x.k) {
    case 'nil':
      return true;
    case 'bool':
      return y.k === 'bool' && x.v === y.v;
    case 'int':
      return y.k === 'int' && x.t === y.t && x.v === y.v;
    case 'float':
      return y.k === 'float' && x.v === y.v;
    case 'string':
      return y.k === 'string' && x.s.text === y.s.text;
    case 'bytes':
      return y.k === 'bytes' && x.text === y.text;
    case 'list':
      return y.k === 'list' && x.t === y.t && x.items.length === y.items.length && x.items.every((item, i) => deepEqual(item, y.items[i] ?? nil, depth + 1));
    case 'map':
      if (y.k !== 'map' || x.entries.size !== y.entries.size) return false;
      for (const [key, entry] of x.entries) {
        const other = y.entries.get(key);
        if (!other || !deepEqual(entry.value, other.value, depth + 1)) return false;
      }
      return true;
    default:
      return x === y;
  }
}

function newMap(entries: Map<string, MapEntry> = new Map()): Value {
  return { k: 'map', entries, t: 'map[string]interface {}' };
}

function stringList(call: CallContext, texts: readonly string[]): Value {
  return { k: 'list', items: texts.map((text) => call.derived(text)), t: '[]string' };
}

function checkSize(call: CallContext, length: number): void {
  if (length > call.exec.maxValueSize) throw new RangeError(`${call.name} would make a value of ${length} items or characters`);
}

// ---- ropes: cutting and padding keep segments ----

function ropeTrim(rope: Rope, left: (ch: string) => boolean, right: (ch: string) => boolean): Rope {
  const text = rope.text;
  let start = 0;
  let end = text.length;
  while (start < end && left(text[start] ?? '')) start++;
  while (end > start && right(text[end - 1] ?? '')) end--;
  return rope.slice(start, end);
}

const goSpace = /^[\t\n\v\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]$/;

function isGoSpace(ch: string): boolean {
  return goSpace.test(ch);
}

/** `pad` before the text and after every newline (Sprig's indent). */
export function indentRope(rope: Rope, pad: string, call: CallContext): Rope {
  const padRope = Rope.of(pad, call.computed);
  const text = rope.text;
  const parts: Rope[] = [padRope];
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
    parts.push(rope.slice(start, i + 1), padRope);
    start = i + 1;
  }
  parts.push(rope.slice(start));
  return Rope.concat(parts);
}

/** strings.Replace(s, old, new, -1) keeping the segments of what is not replaced. */
function replaceRope(rope: Rope, old: string, replacement: string, call: CallContext): Rope {
  const text = rope.text;
  if (old === '') {
    // strings.Replace with an empty old string puts the replacement around every character.
    const chars = [...text];
    const result = chars.length === 0 ? replacement : replacement + chars.join(replacement) + replacement;
    checkSize(call, result.length);
    return Rope.of(result, call.computed);
  }
  if (!text.includes(old)) return rope;
  const parts: Rope[] = [];
  let start = 0;
  for (let i = text.indexOf(old); i >= 0; i = text.indexOf(old, start)) {
    parts.push(rope.slice(start, i), Rope.of(replacement, call.computed));
    start = i + old.length;
  }
  parts.push(rope.slice(start));
  const result = Rope.concat(parts);
  checkSize(call, result.length);
  return result;
}

/** Bytes [start, end) of a rope's UTF-8 text, keeping segments when the text is ASCII. */
function byteSlice(rope: Rope, start: number, end: number, call: CallContext): Value {
  const text = rope.text;
  const bytes = Buffer.from(text, 'utf8');
  const tokenInside = (s: number, e: number) => {
    // A cut inside an unknown's token would scramble it.
    const prefix = bytes.subarray(0, s).toString('utf8');
    const kept = bytes.subarray(s, e).toString('utf8');
    const open = (prefix.match(/\uE000/g) ?? []).length - (prefix.match(/\uE001/g) ?? []).length;
    return open !== 0 || (kept.match(/\uE000/g) ?? []).length !== (kept.match(/\uE001/g) ?? []).length;
  };
  if (text.includes('\uE000') && tokenInside(start, end)) return call.unknown('cuts a value pod2wi cannot know');
  if (bytes.length === text.length) return { k: 'string', s: rope.slice(start, end) };
  return call.derived(bytes.subarray(start, end).toString('utf8'));
}

// ---- definitions ----

function def(params: readonly ParamType[], call: FunctionDef['call'], extra: Partial<FunctionDef> = {}): FunctionDef {
  return { params, call, ...extra };
}

function variadic(params: readonly ParamType[], rest: ParamType, call: FunctionDef['call'], extra: Partial<FunctionDef> = {}): FunctionDef {
  return { params, variadic: rest, call, ...extra };
}

function s(call: CallContext, text: string): Value {
  return call.derived(text);
}

function int64(v: number): Value {
  return { k: 'int', v: Math.trunc(v), t: 'int64' };
}

function intValue(v: number): Value {
  return { k: 'int', v: Math.trunc(v), t: 'int' };
}

function assumeText(call: CallContext, result: boolean, values: readonly Value[]): Value {
  if (values.some((value) => value.k === 'string' && value.s.hasUnknown)) {
    call.assume(`assumed \`${call.expression}\` is ${result}: it looks into a value pod2wi cannot know`);
    return bool(result, `\`${call.expression}\` (assumed ${result})`);
  }
  return bool(result);
}

function compileRegex(pattern: string): GoRegexp {
  try {
    return new GoRegexp(pattern);
  } catch (error) {
    if (error instanceof RegexSyntaxError) throw new GoError(`error parsing regexp: ${error.message}: \`${pattern}\``);
    throw error;
  }
}

/** Masterminds/semver v3 constraint check. */
export function semverSatisfies(constraint: string, version: string): boolean {
  const v = semver.coerce(version, { loose: true, includePrerelease: true }) && semver.parse(normaliseVersion(version), { loose: true });
  if (!v) throw new GoError(`Invalid Semantic Version`);
  const groups = constraint.split('||');
  return groups.some((group) => {
    const terms = [...group.matchAll(/(!=|>=|=>|<=|=<|~>|>|<|=|~|\^)?\s*(v?[0-9xX*]+(?:\.[0-9xX*]+){0,2}(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)/g)];
    if (terms.length === 0) throw new GoError(`improper constraint: ${constraint}`);
    // Hyphen ranges: "1.2 - 1.4".
    const hyphen = /^\s*(\S+)\s+-\s+(\S+)\s*$/.exec(group);
    if (hyphen) return checkTerm('>=', hyphen[1] ?? '', v) && checkTerm('<=', hyphen[2] ?? '', v);
    return terms.every((term) => checkTerm(term[1] ?? '=', term[2] ?? '', v));
  });
}

function normaliseVersion(version: string): string {
  const match = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(.*)$/.exec(version.trim());
  if (!match) return version;
  return `${match[1]}.${match[2] ?? '0'}.${match[3] ?? '0'}${match[4] ?? ''}`;
}

function checkTerm(op: string, raw: string, v: semver.SemVer): boolean {
  const text = raw.replace(/^v/, '');
  const parts = text.split(/[-+]/)[0]?.split('.') ?? [];
  const wildcard = (p: string | undefined) => p === undefined || p === 'x' || p === 'X' || p === '*';
  const major = parts[0];
  const minor = parts[1];
  const patch = parts[2];
  const prerelease = /-([0-9A-Za-z.-]+)/.exec(text)?.[1] ?? '';
  // A version with a pre-release matches only constraints that have one.
  if (v.prerelease.length > 0 && prerelease === '') return false;
  const base = (a: string | undefined, b: string | undefined, c: string | undefined) => `${wildcard(a) ? 0 : a}.${wildcard(b) ? 0 : b}.${wildcard(c) ? 0 : c}${prerelease ? `-${prerelease}` : ''}`;
  const c = semver.parse(base(major, minor, patch), { loose: true });
  if (!c) throw new GoError(`improper constraint: ${raw}`);
  const cmp = semver.compare(v, c);
  const upperOf = (): semver.SemVer | null => {
    if (wildcard(major)) return null;
    if (wildcard(minor)) return semver.parse(`${Number(major) + 1}.0.0-0`);
    if (wildcard(patch)) return semver.parse(`${major}.${Number(minor) + 1}.0-0`);
    return null;
  };
  switch (op) {
    case '=':
    case '': {
      if (wildcard(major)) return true;
      const upper = upperOf();
      if (upper) return cmp >= 0 && semver.compare(v, upper) < 0;
      return cmp === 0;
    }
    case '!=': {
      const upper = upperOf();
      if (wildcard(major)) return false;
      if (upper) return !(cmp >= 0 && semver.compare(v, upper) < 0);
      return cmp !== 0;
    }
    case '>': {
      const upper = upperOf();
      if (upper) return semver.compare(v, upper) >= 0;
      return cmp > 0;
    }
    case '<':
      return cmp < 0;
    case '>=':
    case '=>':
      return cmp >= 0;
    case '<=':
    case '=<': {
      const upper = upperOf();
      if (upper) return semver.compare(v, upper) < 0;
      return cmp <= 0;
    }
    case '~':
    case '~>': {
      if (cmp < 0) return false;
      const limit = wildcard(minor) ? `${Number(major) + 1}.0.0-0` : `${major}.${Number(minor) + 1}.0-0`;
      return semver.compare(v, limit) < 0;
    }
    case '^': {
      if (cmp < 0) return false;
      let limit: string;
      if (Number(major) > 0 || wildcard(minor)) limit = `${Number(major) + 1}.0.0-0`;
      else if (Number(minor) > 0 || wildcard(patch)) limit = `0.${Number(minor) + 1}.0-0`;
      else limit = `0.0.${Number(patch) + 1}-0`;
      return semver.compare(v, limit) < 0;
    }
  }
  throw new GoError(`improper constraint: ${op}${raw}`);
}

/** Sprig's merge (mergo.Merge) or mergeOverwrite (mergo.Merge WithOverride), in place on dst. */
function mergeInto(dst: Value, src: Value, overwrite: boolean, depth: number): void {
  if (depth > 200) throw new RangeError('maps nested too deeply to merge');
  if (dst.k !== 'map' || src.k !== 'map') return;
  for (const [key, entry] of src.entries) {
    const value = entry.value;
    const existing = dst.entries.get(key);
    if (value.k === 'nil' || value.k === 'invalid' || ((value.k === 'map' || value.k === 'list') && value.isNil)) {
      if (overwrite) dst.entries.set(key, entry);
      continue;
    }
    if (existing && existing.value.k === 'map' && value.k === 'map') {
      mergeInto(existing.value, value, overwrite, depth + 1);
      continue;
    }
    if (existing && !isEmpty(existing.value) && (value.k === 'map' || value.k === 'list') && !overwrite) continue;
    if (overwrite || !existing || isEmpty(existing.value)) dst.entries.set(key, entry);
  }
}

/** Go's time.Format layout for Sprig's date functions; instants as Unix milliseconds. */
function timeOf(value: Value, clock: number): number {
  if (value.k === 'time') return value.ms;
  if (value.k === 'int') return value.v * 1000;
  return clock;
}

/** The Sprig functions. `clock` is the fixed instant `now` returns. */
export function sprigFunctions(clock: number): Table {
  const t: Table = new Map();
  const alias = (name: string, target: string) => {
    const fn = t.get(target);
    if (fn) t.set(name, fn);
  };

  // Defaults and flow.
  t.set(
    'default',
    variadic(['any'], 'any', (call, [d = nil, ...given]) => {
      const first = given[0];
      if (first === undefined) return d;
      if (first.k === 'unknown') {
        call.assume(`assumed ${first.u.expression} is set, so \`${call.expression}\` does not use its default`);
        return first;
      }
      return isEmpty(first) ? d : first;
    }, { handlesUnknown: true }),
  );
  t.set('empty', def(['any'], (call, [v = nil]) => (v.k === 'unknown' ? (call.assume(`assumed ${v.u.expression} is not empty`), bool(false, `\`${call.expression}\` (assumed false)`)) : bool(isEmpty(v))), { handlesUnknown: true }));
  t.set(
    'coalesce',
    variadic([], 'any', (call, values) => {
      for (const v of values) {
        if (v.k === 'unknown') {
          call.assume(`assumed ${v.u.expression} is set (coalesce)`);
          return v;
        }
        if (!isEmpty(v)) return v;
      }
      return nil;
    }, { handlesUnknown: true }),
  );
  t.set('all', variadic([], 'any', (_call, values) => bool(values.every((v) => !isEmpty(v)))));
  t.set('any', variadic([], 'any', (_call, values) => bool(values.some((v) => !isEmpty(v)))));
  t.set('ternary', def(['any', 'any', 'bool'], (_call, [a = nil, b = nil, c]) => (c?.k === 'bool' && c.v ? a : b), { handlesUnknown: true }));
  t.set('fail', def(['string'], (call, [message]) => {
    throw new GoError(textOf(message) || call.expression);
  }));

  // Strings.
  t.set('toString', def(['any'], (call, [v = nil]) => ({ k: 'string', s: strval(call, v) }), { handlesUnknown: true }));
  t.set('trim', def(['string'], (call, [v]) => ({ k: 'string', s: ropeTrim(v?.k === 'string' ? v.s : Rope.empty, isGoSpace, isGoSpace) }), { handlesUnknown: true }));
  t.set('trimAll', def(['string', 'string'], (call, [cut, v]) => {
    const set = [...textOf(cut)];
    return { k: 'string', s: ropeTrim(v?.k === 'string' ? v.s : Rope.empty, (ch) => set.includes(ch), (ch) => set.includes(ch)) };
  }, { handlesUnknown: true }));
  t.set('trimPrefix', def(['string', 'string'], (_call, [prefix, v]) => {
    const rope = v?.k === 'string' ? v.s : Rope.empty;
    const p = textOf(prefix);
    return { k: 'string', s: p !== '' && rope.text.startsWith(p) ? rope.slice(p.length) : rope };
  }, { handlesUnknown: true }));
  t.set('trimSuffix', def(['string', 'string'], (_call, [suffix, v]) => {
    const rope = v?.k === 'string' ? v.s : Rope.empty;
    const p = textOf(suffix);
    return { k: 'string', s: p !== '' && rope.text.endsWith(p) ? rope.slice(0, rope.length - p.length) : rope };
  }, { handlesUnknown: true }));
  t.set('upper', def(['string'], (call, [v]) => s(call, textOf(v).toUpperCase()), { scrambles: true }));
  t.set('lower', def(['string'], (call, [v]) => s(call, textOf(v).toLowerCase()), { scrambles: true }));
  t.set('title', def(['string'], (call, [v]) => s(call, goTitle(textOf(v))), { scrambles: true }));
  t.set('untitle', def(['string'], (call, [v]) => s(call, textOf(v).replace(/(^|\s)(\S)/gu, (_m, a: string, b: string) => a + b.toLowerCase())), { scrambles: true }));
  t.set('swapcase', def(['string'], (call, [v]) => s(call, [...textOf(v)].map((ch) => (ch === ch.toUpperCase() ? ch.toLowerCase() : ch.toUpperCase())).join('')), { scrambles: true }));
  t.set('camelcase', def(['string'], (call, [v]) => s(call, textOf(v).split(/[_\s-]+/).filter(Boolean).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('')), { scrambles: true }));
  t.set('snakecase', def(['string'], (call, [v]) => s(call, wordsOf(textOf(v)).join('_')), { scrambles: true }));
  t.set('kebabcase', def(['string'], (call, [v]) => s(call, wordsOf(textOf(v)).join('-')), { scrambles: true }));
  t.set('replace', def(['string', 'string', 'string'], (call, [o, n, v]) => ({ k: 'string', s: replaceRope(v?.k === 'string' ? v.s : Rope.empty, textOf(o), textOf(n), call) }), { handlesUnknown: true }));
  t.set('plural', def(['string', 'string', 'int'], (_call, [one = nil, many = nil, count]) => (count?.k === 'int' && count.v === 1 ? one : many)));
  t.set('contains', def(['string', 'string'], (call, [sub, v]) => assumeText(call, textOf(v).includes(textOf(sub)), [sub ?? nil, v ?? nil])));
  t.set('hasPrefix', def(['string', 'string'], (call, [p, v]) => assumeText(call, textOf(v).startsWith(textOf(p)), [p ?? nil, v ?? nil])));
  t.set('hasSuffix', def(['string', 'string'], (call, [p, v]) => assumeText(call, textOf(v).endsWith(textOf(p)), [p ?? nil, v ?? nil])));
  t.set('repeat', def(['int', 'string'], (call, [count, v]) => {
    const n = count?.k === 'int' ? count.v : 0;
    if (n < 0) throw new GoError('strings: negative Repeat count');
    const rope = v?.k === 'string' ? v.s : Rope.empty;
    checkSize(call, rope.length * n);
    return { k: 'string', s: Rope.concat(Array.from({ length: n }, () => rope)) };
  }, { handlesUnknown: true }));
  t.set('trunc', def(['int', 'string'], (call, [count, v]) => {
    const c = count?.k === 'int' ? count.v : 0;
    const rope = v?.k === 'string' ? v.s : Rope.empty;
    const length = byteLength(rope.text);
    if (c < 0 && length + c > 0) return byteSlice(rope, length + c, length, call);
    if (c >= 0 && length > c) return byteSlice(rope, 0, c, call);
    return { k: 'string', s: rope };
  }, { handlesUnknown: true }));
  t.set('substr', def(['int', 'int', 'string'], (call, [a, b, v]) => {
    const start = a?.k === 'int' ? a.v : 0;
    const end = b?.k === 'int' ? b.v : 0;
    const rope = v?.k === 'string' ? v.s : Rope.empty;
    const length = byteLength(rope.text);
    if (start < 0) {
      if (end < 0 || end > length) throw new GoError(`runtime error: slice bounds out of range [:${end}] with length ${length}`);
      return byteSlice(rope, 0, end, call);
    }
    if (end < 0 || end > length) {
      if (start > length) throw new GoError(`runtime error: slice bounds out of range [${start}:${length}]`);
      return byteSlice(rope, start, length, call);
    }
    if (start > end) throw new GoError(`runtime error: slice bounds out of range [${start}:${end}]`);
    return byteSlice(rope, start, end, call);
  }, { handlesUnknown: true }));
  t.set('nospace', def(['string'], (call, [v]) => s(call, [...textOf(v)].filter((ch) => !isGoSpace(ch)).join(''))));
  t.set('indent', def(['int', 'string'], (call, [n, v]) => {
    const count = n?.k === 'int' ? Math.max(0, n.v) : 0;
    checkSize(call, count);
    return { k: 'string', s: indentRope(v?.k === 'string' ? v.s : Rope.empty, ' '.repeat(count), call) };
  }, { handlesUnknown: true }));
  t.set('nindent', def(['int', 'string'], (call, [n, v]) => {
    const count = n?.k === 'int' ? Math.max(0, n.v) : 0;
    checkSize(call, count);
    return { k: 'string', s: Rope.concat([Rope.of('\n', call.computed), indentRope(v?.k === 'string' ? v.s : Rope.empty, ' '.repeat(count), call)]) };
  }, { handlesUnknown: true }));
  t.set('quote', variadic([], 'any', (call, values) => {
    const parts: Rope[] = [];
    for (const value of values) {
      if (value.k === 'nil' || value.k === 'invalid') continue;
      if (parts.length > 0) parts.push(Rope.of(' ', call.computed));
      parts.push(quoteRope(call, value.k === 'unknown' ? call.exec.unknownRope(value.u) : strval(call, value)));
    }
    return { k: 'string', s: Rope.concat(parts) };
  }, { handlesUnknown: true }));
  t.set('squote', variadic([], 'any', (call, values) => {
    const parts: Rope[] = [];
    for (const value of values) {
      if (value.k === 'nil' || value.k === 'invalid') continue;
      if (parts.length > 0) parts.push(Rope.of(' ', call.computed));
      const inner = value.k === 'unknown' ? call.exec.unknownRope(value.u) : value.k === 'string' ? value.s : sprint([value], call.print);
      parts.push(Rope.of("'", call.computed), inner, Rope.of("'", call.computed));
    }
    return { k: 'string', s: Rope.concat(parts) };
  }, { handlesUnknown: true }));
  t.set('cat', variadic([], 'any', (call, values) => {
    const parts: Rope[] = [];
    for (const value of values) {
      if (value.k === 'nil' || value.k === 'invalid') continue;
      if (parts.length > 0) parts.push(Rope.of(' ', call.computed));
      parts.push(value.k === 'unknown' ? call.exec.unknownRope(value.u) : value.k === 'string' ? value.s : sprint([value], call.print));
    }
    return { k: 'string', s: Rope.concat(parts) };
  }, { handlesUnknown: true }));
  t.set('join', def(['string', 'any'], (call, [sep, v = nil]) => {
    if (v.k === 'unknown') return call.unknown(`joins ${v.u.expression}, which pod2wi cannot know`);
    const items = strslice(call, v);
    const parts: Rope[] = [];
    items.forEach((item, i) => {
      if (i > 0) parts.push(Rope.of(textOf(sep), call.computed));
      parts.push(item);
    });
    return { k: 'string', s: Rope.concat(parts) };
  }, { handlesUnknown: true }));
  t.set('split', def(['string', 'string'], (call, [sep, v]) => splitMap(call, goSplit(textOf(v), textOf(sep), -1))));
  t.set('splitList', def(['string', 'string'], (call, [sep, v]) => stringList(call, goSplit(textOf(v), textOf(sep), -1))));
  t.set('splitn', def(['string', 'int', 'string'], (call, [sep, n, v]) => splitMap(call, goSplit(textOf(v), textOf(sep), n?.k === 'int' ? n.v : -1))));
  t.set('toStrings', def(['any'], (call, [v = nil]) => ({ k: 'list', items: strslice(call, v).map((rope) => ({ k: 'string', s: rope }) as Value), t: '[]string' })));
  t.set('abbrev', def(['int', 'string'], (call, [n, v]) => {
    const width = n?.k === 'int' ? n.v : 0;
    const text = textOf(v);
    if (width < 4 || [...text].length <= width) return s(call, text);
    return s(call, `${[...text].slice(0, width - 3).join('')}...`);
  }, { scrambles: true }));
  t.set('initials', def(['string'], (call, [v]) => s(call, textOf(v).split(/\s+/).filter(Boolean).map((w) => [...w][0] ?? '').join('')), { scrambles: true }));
  t.set('wrap', def(['int', 'string'], (call, [n, v]) => s(call, wrapText(textOf(v), n?.k === 'int' ? n.v : 80, '\n')), { scrambles: true }));
  t.set('wrapWith', def(['int', 'string', 'string'], (call, [n, sep, v]) => s(call, wrapText(textOf(v), n?.k === 'int' ? n.v : 80, textOf(sep))), { scrambles: true }));
  t.set('regexQuoteMeta', def(['string'], (call, [v]) => s(call, textOf(v).replace(/[\\.+*?()|[\]{}^$]/g, '\\$&'))));

  // Numbers.
  t.set('atoi', def(['string'], (_call, [v]) => intValue(/^[+-]?\d+$/.test(textOf(v)) ? Number(textOf(v)) : 0)));
  t.set('int', def(['any'], (_call, [v = nil]) => intValue(toInt64(v))));
  t.set('int64', def(['any'], (_call, [v = nil]) => int64(toInt64(v))));
  t.set('float64', def(['any'], (_call, [v = nil]) => ({ k: 'float', v: toFloat64(v) })));
  t.set('toDecimal', def(['any'], (_call, [v = nil]) => int64(parseInt(textOf(v) || String(toInt64(v)), 8) || 0)));
  t.set('add', variadic([], 'any', (_call, values) => int64(values.reduce((sum, v) => sum + toInt64(v), 0))));
  t.set('add1', def(['any'], (_call, [v = nil]) => int64(toInt64(v) + 1)));
  t.set('sub', def(['any', 'any'], (_call, [a = nil, b = nil]) => int64(toInt64(a) - toInt64(b))));
  t.set('mul', variadic(['any'], 'any', (_call, [a = nil, ...rest]) => int64(rest.reduce((product, v) => product * toInt64(v), toInt64(a)))));
  t.set('div', def(['any', 'any'], (_call, [a = nil, b = nil]) => {
    const d = toInt64(b);
    if (d === 0) throw new GoError('runtime error: integer divide by zero');
    return int64(Math.trunc(toInt64(a) / d));
  }));
  t.set('mod', def(['any', 'any'], (_call, [a = nil, b = nil]) => {
    const d = toInt64(b);
    if (d === 0) throw new GoError('runtime error: integer divide by zero');
    return int64(toInt64(a) % d);
  }));
  t.set('max', variadic(['any'], 'any', (_call, [a = nil, ...rest]) => int64(rest.reduce((m, v) => Math.max(m, toInt64(v)), toInt64(a)))));
  alias('biggest', 'max');
  t.set('min', variadic(['any'], 'any', (_call, [a = nil, ...rest]) => int64(rest.reduce((m, v) => Math.min(m, toInt64(v)), toInt64(a)))));
  t.set('addf', variadic([], 'any', (_call, values) => ({ k: 'float', v: decimalSum(values.map(toFloat64)) })));
  t.set('add1f', def(['any'], (_call, [v = nil]) => ({ k: 'float', v: decimalSum([toFloat64(v), 1]) })));
  t.set('subf', variadic(['any'], 'any', (_call, [a = nil, ...rest]) => ({ k: 'float', v: decimalSum([toFloat64(a), ...rest.map((v) => -toFloat64(v))]) })));
  t.set('mulf', variadic(['any'], 'any', (_call, [a = nil, ...rest]) => ({ k: 'float', v: rest.reduce((p, v) => decimalProduct(p, toFloat64(v)), toFloat64(a)) })));
  t.set('divf', variadic(['any'], 'any', (_call, [a = nil, ...rest]) => ({ k: 'float', v: rest.reduce((p, v) => Number((p / toFloat64(v)).toPrecision(16)), toFloat64(a)) })));
  t.set('maxf', variadic(['any'], 'any', (_call, [a = nil, ...rest]) => ({ k: 'float', v: rest.reduce((m, v) => Math.max(m, toFloat64(v)), toFloat64(a)) })));
  t.set('minf', variadic(['any'], 'any', (_call, [a = nil, ...rest]) => ({ k: 'float', v: rest.reduce((m, v) => Math.min(m, toFloat64(v)), toFloat64(a)) })));
  t.set('floor', def(['any'], (_call, [v = nil]) => ({ k: 'float', v: Math.floor(toFloat64(v)) })));
  t.set('ceil', def(['any'], (_call, [v = nil]) => ({ k: 'float', v: Math.ceil(toFloat64(v)) })));
  t.set('round', variadic(['any', 'int'], 'float64', (_call, [a = nil, p, roundOn]) => {
    const on = roundOn?.k === 'float' ? roundOn.v : 0.5;
    const pow = 10 ** (p?.k === 'int' ? p.v : 0);
    const digit = pow * toFloat64(a);
    const fraction = digit - Math.trunc(digit);
    const rounded = fraction >= on ? Math.ceil(digit) : Math.floor(digit);
    return { k: 'float', v: rounded / pow };
  }));
  t.set('until', def(['int'], (call, [n]) => {
    const count = n?.k === 'int' ? n.v : 0;
    return untilStep(call, 0, count, count < 0 ? -1 : 1);
  }));
  t.set('untilStep', def(['int', 'int', 'int'], (call, [a, b, c]) => untilStep(call, a?.k === 'int' ? a.v : 0, b?.k === 'int' ? b.v : 0, c?.k === 'int' ? c.v : 0)));
  t.set('seq', variadic([], 'int', (call, values) => {
    const n = values.map((v) => (v.k === 'int' ? v.v : 0));
    let [start, step, end] = [1, 1, 0];
    if (n.length === 1) end = n[0] ?? 0;
    else if (n.length === 2) [start, end] = [n[0] ?? 0, n[1] ?? 0];
    else if (n.length === 3) [start, step, end] = [n[0] ?? 0, n[1] ?? 0, n[2] ?? 0];
    else return s(call, '');
    if (n.length < 3) step = end >= start ? 1 : -1;
    const list = untilStep(call, start, end + (step > 0 ? 1 : -1), step);
    return s(call, list.k === 'list' ? list.items.map((v) => (v.k === 'int' ? v.v : 0)).join(' ') : '');
  }));

  // Lists.
  t.set('list', variadic([], 'any', (_call, values) => ({ k: 'list', items: values.map((v) => (v.k === 'invalid' ? nil : v)), t: '[]interface {}' }), { handlesUnknown: true }));
  alias('tuple', 'list');
  const push = def(['any', 'any'], (call, [l = nil, v = nil]) => {
    const items = requireList(l, 'push');
    checkSize(call, items.length + 1);
    return { k: 'list', items: [...items, v], t: '[]interface {}' };
  }, { handlesUnknown: true });
  t.set('append', push);
  t.set('push', push);
  t.set('mustAppend', push);
  t.set('mustPush', push);
  const prepend = def(['any', 'any'], (_call, [l = nil, v = nil]) => ({ k: 'list', items: [v, ...requireList(l, 'prepend')], t: '[]interface {}' }), { handlesUnknown: true });
  t.set('prepend', prepend);
  t.set('mustPrepend', prepend);
  const first = def(['any'], (_call, [l = nil]) => {
    const items = requireList(l, 'find first');
    return items.length === 0 ? nil : (items[0] ?? nil);
  });
  t.set('first', first);
  t.set('mustFirst', first);
  const last = def(['any'], (_call, [l = nil]) => {
    const items = requireList(l, 'find last');
    return items.length === 0 ? nil : (items[items.length - 1] ?? nil);
  });
  t.set('last', last);
  t.set('mustLast', last);
  const rest = def(['any'], (_call, [l = nil]) => {
    const items = requireList(l, 'find rest');
    return items.length === 0 ? nil : { k: 'list', items: items.slice(1), t: '[]interface {}' };
  });
  t.set('rest', rest);
  t.set('mustRest', rest);
  const initial = def(['any'], (_call, [l = nil]) => {
    const items = requireList(l, 'find initial');
    return items.length === 0 ? nil : { k: 'list', items: items.slice(0, -1), t: '[]interface {}' };
  });
  t.set('initial', initial);
  t.set('mustInitial', initial);
  const uniq = def(['any'], (_call, [l = nil]) => {
    const out: Value[] = [];
    for (const item of requireList(l, 'find uniq')) if (!out.some((o) => deepEqual(o, item))) out.push(item);
    return { k: 'list', items: out, t: '[]interface {}' };
  });
  t.set('uniq', uniq);
  t.set('mustUniq', uniq);
  const without = variadic(['any'], 'any', (_call, [l = nil, ...omit]) => ({ k: 'list', items: requireList(l, 'find without').filter((item) => !omit.some((o) => deepEqual(o, item))), t: '[]interface {}' }));
  t.set('without', without);
  t.set('mustWithout', without);
  const has = def(['any', 'any'], (_call, [needle = nil, haystack = nil]) => {
    if (haystack.k === 'invalid' || haystack.k === 'nil') return bool(false);
    const items = requireList(haystack, 'find has');
    return bool(items.some((item) => deepEqual(needle, item)));
  });
  t.set('has', has);
  t.set('mustHas', has);
  const compact = def(['any'], (_call, [l = nil]) => ({ k: 'list', items: requireList(l, 'compact').filter((item) => !isEmpty(item)), t: '[]interface {}' }));
  t.set('compact', compact);
  t.set('mustCompact', compact);
  t.set('concat', variadic([], 'any', (call, lists) => {
    const out: Value[] = [];
    for (const l of lists) {
      const items = itemsOf(l);
      if (!items) throw new GoError(`Cannot concat type ${kindName(l)} as list`);
      out.push(...items);
    }
    checkSize(call, out.length);
    return out.length === 0 ? nil : { k: 'list', items: out, t: '[]interface {}' };
  }));
  const reverse = def(['any'], (_call, [l = nil]) => ({ k: 'list', items: [...requireList(l, 'find reverse')].reverse(), t: '[]interface {}' }));
  t.set('reverse', reverse);
  t.set('mustReverse', reverse);
  t.set('sortAlpha', def(['any'], (call, [l = nil]) => {
    if (l.k === 'list') return { k: 'list', items: strslice(call, l).sort((a, b) => compareGoStrings(a.text, b.text)).map((rope) => ({ k: 'string', s: rope }) as Value), t: '[]string' };
    return { k: 'list', items: [{ k: 'string', s: strval(call, l) }], t: '[]string' };
  }));
  const chunk = def(['int', 'any'], (_call, [size, l = nil]) => {
    const n = size?.k === 'int' ? size.v : 0;
    if (n <= 0) throw new GoError('runtime error: integer divide by zero');
    const items = requireList(l, 'chunk');
    const out: Value[] = [];
    for (let i = 0; i < items.length; i += n) out.push({ k: 'list', items: items.slice(i, i + n), t: '[]interface {}' });
    return { k: 'list', items: out, t: '[]interface {}' };
  });
  t.set('chunk', chunk);
  t.set('mustChunk', chunk);
  const sliceFn = variadic(['any'], 'any', (_call, [l = nil, ...indices]) => {
    const items = requireList(l, 'slice');
    const n = indices.map(toInt64);
    const start = n[0] ?? 0;
    const end = n[1] ?? items.length;
    if (start < 0 || end > items.length || start > end) throw new GoError(`runtime error: slice bounds out of range [${start}:${end}]`);
    return { k: 'list', items: items.slice(start, end), t: '[]interface {}' };
  });
  t.set('slice', sliceFn);
  t.set('mustSlice', sliceFn);

  // Dictionaries.
  t.set('dict', variadic([], 'any', (call, values) => {
    const entries = new Map<string, MapEntry>();
    for (let i = 0; i < values.length; i += 2) {
      const keyValue = values[i] ?? nil;
      const key = keyValue.k === 'unknown' ? call.exec.unknownRope(keyValue.u).text : strval(call, keyValue).text;
      const value = i + 1 < values.length ? (values[i + 1] ?? nil) : s(call, '');
      entries.set(key, { value: value.k === 'invalid' ? nil : value });
    }
    return newMap(entries);
  }, { handlesUnknown: true }));
  t.set('get', def(['map', 'string'], (call, [d = nil, key]) => {
    if (d.k !== 'map') return s(call, '');
    const entry = d.entries.get(textOf(key));
    if (entry) return entry.value;
    if (d.open && d.open.length > 0) return call.unknown(`may be set by ${d.open[0]?.expression ?? 'unknown content'}`);
    return s(call, '');
  }, { handlesUnknown: true }));
  t.set('set', def(['map', 'string', 'any'], (_call, [d = nil, key, value = nil]) => {
    if (d.k !== 'map' || d.isNil) throw new GoError('assignment to entry in nil map');
    d.entries.set(textOf(key), { value: value.k === 'invalid' ? nil : value });
    return d;
  }, { handlesUnknown: true }));
  t.set('unset', def(['map', 'string'], (_call, [d = nil, key]) => {
    if (d.k === 'map') d.entries.delete(textOf(key));
    return d;
  }));
  t.set('hasKey', def(['map', 'string'], (call, [d = nil, key]) => {
    if (d.k !== 'map') return bool(false);
    if (d.entries.has(textOf(key))) return bool(true);
    if (d.open && d.open.length > 0) {
      call.assume(`assumed ${textOf(key)} is not set (the map may hold more keys: ${d.open[0]?.expression ?? ''})`);
      return bool(false, `\`${call.expression}\` (assumed false)`);
    }
    return bool(false);
  }, { handlesUnknown: true }));
  t.set('keys', variadic([], 'map', (call, dicts) => {
    // Go's map order is random; pod2wi gives each map's keys sorted, so output never changes from run to run.
    const keys: string[] = [];
    for (const d of dicts) if (d.k === 'map') keys.push(...[...d.entries.keys()].sort(compareGoStrings));
    return { k: 'list', items: keys.map((key) => keyValueOf(call, d0(dicts), key)), t: '[]string' };
  }));
  t.set('values', def(['map'], (_call, [d = nil]) => ({ k: 'list', items: d.k === 'map' ? [...d.entries.keys()].sort(compareGoStrings).map((key) => d.entries.get(key)?.value ?? nil) : [], t: '[]interface {}' })));
  t.set('pluck', variadic(['string'], 'map', (_call, [key, ...dicts]) => {
    const out: Value[] = [];
    for (const d of dicts) {
      const entry = d.k === 'map' ? d.entries.get(textOf(key)) : undefined;
      if (entry) out.push(entry.value);
    }
    return { k: 'list', items: out, t: '[]interface {}' };
  }));
  t.set('pick', variadic(['map'], 'string', (_call, [d = nil, ...keys]) => {
    const entries = new Map<string, MapEntry>();
    if (d.k === 'map') for (const key of keys) {
      const entry = d.entries.get(textOf(key));
      if (entry) entries.set(textOf(key), entry);
    }
    return newMap(entries);
  }));
  t.set('omit', variadic(['map'], 'string', (_call, [d = nil, ...keys]) => {
    const skip = new Set(keys.map(textOf));
    const entries = new Map<string, MapEntry>();
    if (d.k === 'map') for (const [key, entry] of d.entries) if (!skip.has(key)) entries.set(key, entry);
    return newMap(entries);
  }));
  const merge = (overwrite: boolean) =>
    variadic(['map'], 'map', (_call, [dst = nil, ...srcs]) => {
      const target = dst.k === 'map' && !dst.isNil ? dst : newMap();
      for (const src of srcs) mergeInto(target, src, overwrite, 0);
      return target;
    });
  t.set('merge', merge(false));
  t.set('mustMerge', merge(false));
  t.set('mergeOverwrite', merge(true));
  t.set('mustMergeOverwrite', merge(true));
  const copy = def(['any'], (_call, [v = nil]) => deepCopy(v), { handlesUnknown: true });
  t.set('deepCopy', copy);
  t.set('mustDeepCopy', copy);
  t.set('dig', variadic([], 'any', (call, args) => {
    if (args.length < 3) throw new GoError('dig needs at least three arguments');
    const dict = args[args.length - 1] ?? nil;
    const fallback = args[args.length - 2] ?? nil;
    let current: Value = dict;
    for (const key of args.slice(0, -2)) {
      if (current.k === 'unknown') return current;
      if (current.k !== 'map') return fallback;
      const entry = current.entries.get(textOf(key));
      if (!entry) return current.open && current.open.length > 0 ? call.unknown('may be set by content pod2wi cannot read') : fallback;
      current = entry.value;
    }
    return current;
  }, { handlesUnknown: true }));

  // Types and reflection.
  t.set('kindOf', def(['any'], (call, [v = nil]) => s(call, kindName(v))));
  t.set('kindIs', def(['string', 'any'], (_call, [target, v = nil]) => bool(textOf(target) === kindName(v))));
  t.set('typeOf', def(['any'], (call, [v = nil]) => s(call, typeName(v))));
  t.set('typeIs', def(['string', 'any'], (_call, [target, v = nil]) => bool(textOf(target) === typeName(v))));
  t.set('typeIsLike', def(['string', 'any'], (_call, [target, v = nil]) => bool(textOf(target) === typeName(v) || `*${textOf(target)}` === typeName(v))));
  t.set('deepEqual', def(['any', 'any'], (_call, [a = nil, b = nil]) => bool(deepEqual(a, b))));

  // Semantic versions.
  t.set('semver', def(['string'], (call, [v]) => {
    const parsed = semver.parse(normaliseVersion(textOf(v)), { loose: true });
    if (!parsed) throw new GoError('Invalid Semantic Version');
    const fields = new Map<string, Value>([
      ['Major', { k: 'int', v: parsed.major, t: 'uint64' }],
      ['Minor', { k: 'int', v: parsed.minor, t: 'uint64' }],
      ['Patch', { k: 'int', v: parsed.patch, t: 'uint64' }],
      ['Prerelease', s(call, parsed.prerelease.join('.'))],
      ['Metadata', s(call, parsed.build.join('.'))],
      ['Original', s(call, textOf(v))],
    ]);
    return { k: 'struct', t: 'semver.Version', pointer: true, fields, methods: new Map([['String', { params: [], call: () => s(call, parsed.version) }]]) };
  }));
  t.set('semverCompare', def(['string', 'string'], (call, [c, v]) => {
    if (v?.k === 'string' && v.s.hasUnknown) return call.unknown('compares a version pod2wi cannot know');
    return bool(semverSatisfies(textOf(c), textOf(v)));
  }));

  // Regular expressions (linear time, RE2 syntax).
  t.set('regexMatch', def(['string', 'string'], (_call, [re, v]) => {
    let compiled: GoRegexp;
    try {
      compiled = new GoRegexp(textOf(re));
    } catch (error) {
      if (error instanceof RegexSyntaxError) return bool(false);
      throw error;
    }
    return bool(compiled.exec(codePoints(textOf(v)), 0) !== null);
  }, { scrambles: true }));
  t.set('mustRegexMatch', def(['string', 'string'], (_call, [re, v]) => bool(compileRegex(textOf(re)).exec(codePoints(textOf(v)), 0) !== null), { scrambles: true }));
  const regexFind = def(['string', 'string'], (call, [re, v]) => {
    const text = codePoints(textOf(v));
    const match = compileRegex(textOf(re)).exec(text, 0);
    return s(call, match ? fromCodePoints(text, match[0] ?? 0, match[1] ?? 0) : '');
  }, { scrambles: true });
  t.set('regexFind', regexFind);
  t.set('mustRegexFind', regexFind);
  const regexFindAll = def(['string', 'string', 'int'], (call, [re, v, n]) => {
    const text = codePoints(textOf(v));
    const matches = compileRegex(textOf(re)).findAll(text, n?.k === 'int' ? n.v : -1);
    return stringList(call, matches.map((m) => fromCodePoints(text, m[0] ?? 0, m[1] ?? 0)));
  }, { scrambles: true });
  t.set('regexFindAll', regexFindAll);
  t.set('mustRegexFindAll', regexFindAll);
  const regexReplace = (literal: boolean) =>
    def(['string', 'string', 'string'], (call, [re, v, repl]) => {
      const compiled = compileRegex(textOf(re));
      const text = codePoints(textOf(v));
      let out = '';
      let last = 0;
      for (const match of compiled.findAll(text, -1)) {
        out += fromCodePoints(text, last, match[0] ?? 0);
        out += literal ? textOf(repl) : expandTemplate(textOf(repl), compiled, text, match);
        last = match[1] ?? 0;
        checkSize(call, out.length);
      }
      out += fromCodePoints(text, last, text.length);
      return s(call, out);
    }, { scrambles: true });
  t.set('regexReplaceAll', regexReplace(false));
  t.set('mustRegexReplaceAll', regexReplace(false));
  t.set('regexReplaceAllLiteral', regexReplace(true));
  t.set('mustRegexReplaceAllLiteral', regexReplace(true));
  const regexSplit = def(['string', 'string', 'int'], (call, [re, v, n]) => {
    // regexp.Split.
    const limit = n?.k === 'int' ? n.v : -1;
    if (limit === 0) return { k: 'list', items: [], t: '[]string', isNil: true };
    const compiled = compileRegex(textOf(re));
    const text = codePoints(textOf(v));
    if (textOf(re).length > 0 && text.length === 0) return stringList(call, ['']);
    const out: string[] = [];
    let beg = 0;
    let end = 0;
    for (const match of compiled.findAll(text, limit)) {
      if (limit > 0 && out.length === limit - 1) break;
      end = match[0] ?? 0;
      if ((match[1] ?? 0) !== 0) out.push(fromCodePoints(text, beg, end));
      beg = match[1] ?? 0;
    }
    if (end !== text.length) out.push(fromCodePoints(text, beg, text.length));
    return stringList(call, out);
  }, { scrambles: true });
  t.set('regexSplit', regexSplit);
  t.set('mustRegexSplit', regexSplit);

  // Encodings and hashes.
  t.set('b64enc', def(['string'], (call, [v]) => s(call, Buffer.from(textOf(v), 'utf8').toString('base64')), { scrambles: true }));
  t.set('b64dec', def(['string'], (call, [v]) => {
    const text = textOf(v);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return s(call, `illegal base64 data at input byte ${firstBadBase64(text)}`);
    return s(call, Buffer.from(text, 'base64').toString('utf8'));
  }, { scrambles: true }));
  t.set('b32enc', def(['string'], (call, [v]) => s(call, base32(Buffer.from(textOf(v), 'utf8'))), { scrambles: true }));
  t.set('sha256sum', def(['string'], (call, [v]) => s(call, createHash('sha256').update(textOf(v), 'utf8').digest('hex')), { scrambles: true }));
  t.set('sha1sum', def(['string'], (call, [v]) => s(call, createHash('sha1').update(textOf(v), 'utf8').digest('hex')), { scrambles: true }));
  t.set('sha512sum', def(['string'], (call, [v]) => s(call, createHash('sha512').update(textOf(v), 'utf8').digest('hex')), { scrambles: true }));
  t.set('adler32sum', def(['string'], (call, [v]) => s(call, String(adler32(Buffer.from(textOf(v), 'utf8')))), { scrambles: true }));

  // Paths and URLs.
  t.set('base', def(['string'], (call, [v]) => s(call, pathBase(textOf(v)))));
  t.set('dir', def(['string'], (call, [v]) => s(call, pathDir(textOf(v)))));
  t.set('ext', def(['string'], (call, [v]) => s(call, /(\.[^./]*)$/.exec(textOf(v))?.[1] ?? '')));
  t.set('isAbs', def(['string'], (_call, [v]) => bool(textOf(v).startsWith('/'))));

  // Time: a fixed clock, said so.
  t.set('now', def([], (call) => {
    call.assume(`\`now\` is taken as ${new Date(clock).toISOString()} so renders are reproducible`, 'assumed-environment');
    return { k: 'time', ms: clock, zone: 'UTC' };
  }));
  const dateInZone = (withZone: boolean) =>
    withZone
      ? def(['string', 'any', 'string'], (call, [layout, d = nil, zone]) => s(call, formatGoTime(timeOf(d, clock), textOf(layout), textOf(zone) === 'UTC' ? 'UTC' : 'UTC')))
      : def(['string', 'any'], (call, [layout, d = nil]) => {
          if (d.k !== 'time' && d.k !== 'int') call.assume('`date` of a non-time value uses the fixed clock', 'assumed-environment');
          return s(call, formatGoTime(timeOf(d, clock), textOf(layout)));
        });
  t.set('date', dateInZone(false));
  t.set('dateInZone', dateInZone(true));
  t.set('date_in_zone', dateInZone(true));
  t.set('htmlDate', def(['any'], (call, [d = nil]) => s(call, formatGoTime(timeOf(d, clock), '2006-01-02'))));
  t.set('unixEpoch', def(['any'], (call, [d = nil]) => s(call, String(Math.floor(timeOf(d, clock) / 1000)))));

  // Randomness, secrets, the environment, the network: unknowable at scan time.
  for (const name of ['uuidv4', 'randAlphaNum', 'randAlpha', 'randNumeric', 'randAscii', 'randBytes', 'randInt', 'shuffle']) {
    t.set(name, variadic([], 'any', (call) => call.unknown(`\`${name}\` gives a random value at install time`), { handlesUnknown: true }));
  }
  for (const name of ['genCA', 'genCAWithKey', 'genSelfSignedCert', 'genSelfSignedCertWithKey', 'genSignedCert', 'genSignedCertWithKey', 'genPrivateKey', 'derivePassword', 'buildCustomCert', 'htpasswd', 'bcrypt', 'encryptAES', 'decryptAES', 'getHostByName']) {
    t.set(name, variadic([], 'any', (call) => call.unknown(`\`${name}\` makes a key, certificate or lookup at install time`), { handlesUnknown: true }));
  }
  for (const name of ['env', 'expandenv']) {
    t.set(name, variadic([], 'any', (call) => {
      call.problem('unsupported-function', `\`${name}\` reads the environment of whoever renders the chart (Helm does not even define it): treated as unknown`);
      return call.unknown(`\`${name}\` reads the environment, which pod2wi never does`);
    }, { handlesUnknown: true }));
  }
  return t;
}

function d0(dicts: readonly Value[]): Value {
  return dicts[0] ?? nil;
}

function keyValueOf(call: CallContext, dict: Value, key: string): Value {
  const entry = dict.k === 'map' ? dict.entries.get(key) : undefined;
  if (entry?.key) {
    const src = entry.key;
    return { k: 'string', s: Rope.of(key, { k: 'origin', origin: { ...src.origin, span: null } }) };
  }
  return call.derived(key);
}

function quoteRope(call: CallContext, rope: Rope): Rope {
  // Go's %q: verbatim between quotes when nothing needs escaping (an unknown's token never does).
  const pieces: Rope[] = [Rope.of('"', call.computed)];
  for (const seg of rope.segs) {
    if (seg.src.k === 'unknown') {
      pieces.push(new Rope([seg]));
      continue;
    }
    const quoted = quoteGo(seg.text);
    if (quoted === `"${seg.text}"`) pieces.push(new Rope([seg]));
    else pieces.push(Rope.of(quoted.slice(1, -1), call.computed));
  }
  pieces.push(Rope.of('"', call.computed));
  return Rope.concat(pieces);
}

function goTitle(text: string): string {
  let prev = ' ';
  let out = '';
  for (const ch of text) {
    const separator = isSeparator(prev);
    out += separator ? ch.toUpperCase() : ch;
    prev = ch;
  }
  return out;
}

function isSeparator(ch: string): boolean {
  const c = ch.codePointAt(0) ?? 0;
  if (c <= 0x7f) return !((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f);
  if (/[\p{L}\p{Nd}]/u.test(ch)) return false;
  return /\s/u.test(ch);
}

function wordsOf(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

function wrapText(text: string, width: number, sep: string): string {
  const words = text.split(' ');
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line === '') line = word;
    else if (line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line += ` ${word}`;
  }
  lines.push(line);
  return lines.join(sep);
}

/** strings.SplitN. */
function goSplit(text: string, sep: string, n: number): string[] {
  if (n === 0) return [];
  if (sep === '') {
    const chars = [...text];
    if (n < 0 || n >= chars.length) return chars;
    return [...chars.slice(0, n - 1), chars.slice(n - 1).join('')];
  }
  const parts = text.split(sep);
  if (n < 0 || parts.length <= n) return parts;
  return [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
}

function splitMap(call: CallContext, parts: readonly string[]): Value {
  const entries = new Map<string, MapEntry>();
  parts.forEach((part, i) => entries.set(`_${i}`, { value: call.derived(part) }));
  return { k: 'map', entries, t: 'map[string]string' };
}

function untilStep(call: CallContext, start: number, stop: number, step: number): Value {
  const count = step === 0 ? 0 : Math.ceil((stop - start) / step);
  if (count > call.exec.maxValueSize) throw new RangeError(`${call.name} would make ${count} numbers, more than ${call.exec.maxValueSize}`);
  const out: Value[] = [];
  const push = (i: number) => {
    out.push({ k: 'int', v: i, t: 'int' });
    if (out.length > call.exec.maxValueSize) throw new RangeError(`${call.name} would make more than ${call.exec.maxValueSize} numbers`);
  };
  if (stop < start) {
    if (step >= 0) return { k: 'list', items: out, t: '[]int' };
    for (let i = start; i > stop; i += step) push(i);
    return { k: 'list', items: out, t: '[]int' };
  }
  if (step <= 0) return { k: 'list', items: out, t: '[]int' };
  for (let i = start; i < stop; i += step) push(i);
  return { k: 'list', items: out, t: '[]int' };
}

function decimalParts(x: number): { digits: bigint; scale: number } {
  const text = String(x);
  if (/e/i.test(text)) return { digits: BigInt(Math.round(x * 1e15)), scale: 15 };
  const [whole = '0', fraction = ''] = text.replace('-', '').split('.');
  const digits = BigInt(whole + fraction) * (x < 0 ? -1n : 1n);
  return { digits, scale: fraction.length };
}

/** shopspring/decimal addition, as Sprig's addf uses it: exact on the decimal texts. */
function decimalSum(values: readonly number[]): number {
  let scale = 0;
  const parts = values.map(decimalParts);
  for (const p of parts) scale = Math.max(scale, p.scale);
  let sum = 0n;
  for (const p of parts) sum += p.digits * 10n ** BigInt(scale - p.scale);
  return Number(sum) / 10 ** scale;
}

function decimalProduct(a: number, b: number): number {
  const x = decimalParts(a);
  const y = decimalParts(b);
  return Number(x.digits * y.digits) / 10 ** (x.scale + y.scale);
}

function firstBadBase64(text: string): number {
  for (let i = 0; i < text.length; i++) if (!/[A-Za-z0-9+/=]/.test(text[i] ?? '')) return i;
  return Math.max(0, text.length - (text.length % 4));
}

function base32(bytes: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += '=';
  return out;
}

function adler32(bytes: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of bytes) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

function pathBase(p: string): string {
  if (p === '') return '.';
  const trimmed = p.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

function pathDir(p: string): string {
  const i = p.lastIndexOf('/');
  const dir = i < 0 ? '' : p.slice(0, i + 1);
  const cleaned = dir.replace(/\/+$/, '') || (dir.startsWith('/') ? '/' : '.');
  return cleaned;
}

export { invalid };
