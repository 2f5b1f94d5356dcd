import { parse as parseToml, stringify as stringifyToml } from 'smol-toml';
import { parseAllDocuments } from 'yaml';
import type { Origin, Unknown } from '../../../rendered.js';
import { EncodeDepthError, EncodeError, toJson, toYaml } from '../encode.js';
import { FailError, GoError, type CallContext, type FunctionDef, type Template } from '../exec.js';
import { bool, nil, Rope, type MapEntry, type Value } from '../values.js';
import { textOf } from './sprig.js';

/**
 * Helm's own template functions (helm.sh/helm/v3/pkg/engine/funcs.go and engine.go): include, tpl, required, fail,
 * toYaml/fromYaml/fromYamlArray, toJson/fromJson/fromJsonArray, toToml/fromToml, lookup. `lookup` asks no cluster:
 * it returns an empty map, as `helm template` does, and says so.
 */

/** What Helm's functions need from the chart render. */
export interface HelmContext {
  /** A named template, or null. */
  lookup(name: string): Template | null;
  /** Why a missing named template cannot be known (a remote library defines it), or null when nothing explains it. */
  missingReason(name: string): string | null;
  /** Parses a `tpl` text into a template (its defines visible while it runs); throws GoError when it does not parse. */
  parseTpl(text: Rope, at: Origin): { main: Template; defines: ReadonlyMap<string, Template> };
  /** Runs `body` with extra named templates visible (a `tpl` text's own defines). */
  withDefines<T>(defines: ReadonlyMap<string, Template>, body: () => T): T;
}

type Table = Map<string, FunctionDef>;

/** Helm's "<no value>" hack: the text printed for a missing value is removed from include/tpl output. */
export function removeNoValue(rope: Rope): Rope {
  if (!rope.text.includes('<no value>')) return rope;
  const parts: Rope[] = [];
  let offset = 0;
  for (const seg of rope.segs) {
    const start = offset;
    offset += seg.text.length;
    if (!seg.text.includes('<no value>')) {
      parts.push(new Rope([seg]));
      continue;
    }
    const segRope = rope.slice(start, offset);
    let cursor = 0;
    for (let i = seg.text.indexOf('<no value>'); i >= 0; i = seg.text.indexOf('<no value>', cursor)) {
      parts.push(segRope.slice(cursor, i));
      cursor = i + '<no value>'.length;
    }
    parts.push(segRope.slice(cursor));
  }
  return Rope.concat(parts);
}

/** A plain JavaScript value (from YAML or JSON) as a template value: numbers are float64, as Helm reads them. */
export function plainToValue(data: unknown, call: CallContext, depth = 0): Value {
  if (depth > 300) throw new RangeError('document nested too deeply');
  if (data === null || data === undefined) return nil;
  if (typeof data === 'boolean') return bool(data);
  if (typeof data === 'number') return { k: 'float', v: data };
  if (typeof data === 'bigint') return { k: 'float', v: Number(data) };
  if (typeof data === 'string') return call.derived(data);
  if (data instanceof Date) return call.derived(data.toISOString());
  if (Array.isArray(data)) return { k: 'list', items: data.map((item) => plainToValue(item, call, depth + 1)), t: '[]interface {}' };
  if (data instanceof Map) {
    const entries = new Map<string, MapEntry>();
    for (const [key, value] of data) entries.set(String(key), { value: plainToValue(value, call, depth + 1) });
    return { k: 'map', entries, t: 'map[string]interface {}' };
  }
  if (typeof data === 'object') {
    const entries = new Map<string, MapEntry>();
    for (const [key, value] of Object.entries(data as Record<string, unknown>)) entries.set(key, { value: plainToValue(value, call, depth + 1) });
    return { k: 'map', entries, t: 'map[string]interface {}' };
  }
  return call.derived(String(data));
}

/** A value as plain data for encoders that need it (TOML). */
function valueToPlain(value: Value, depth = 0): unknown {
  if (depth > 300) throw new RangeError('value nested too deeply');
  switch (value.k) {
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const [key, entry] of value.entries) Object.defineProperty(out, key, { value: valueToPlain(entry.value, depth + 1), enumerable: true, writable: true, configurable: true });
      return out;
    }
    case 'list':
      return value.items.map((item) => valueToPlain(item, depth + 1));
    case 'string':
      return value.s.text;
    case 'int':
    case 'float':
    case 'bool':
      return value.v;
    default:
      return null;
  }
}

function yamlDocument(text: string): { value: unknown; error: string | null } {
  try {
    const docs = parseAllDocuments(text, { version: '1.1', uniqueKeys: false, merge: true, prettyErrors: false });
    const list = Array.isArray(docs) ? docs : [];
    const first = list[0];
    if (!first) return { value: null, error: null };
    if (first.errors.length > 0) return { value: null, error: `error converting YAML to JSON: yaml: ${first.errors[0]?.message.split('\n')[0] ?? 'invalid'}` };
    return { value: first.toJS({ mapAsMap: false, maxAliasCount: 1000 }), error: null };
  } catch (error) {
    return { value: null, error: `error converting YAML to JSON: yaml: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
  }
}

function errorMap(call: CallContext, message: string): Value {
  return { k: 'map', entries: new Map([['Error', { value: call.derived(message) }]]), t: 'map[string]interface {}' };
}

/** Helm's functions over a chart render. */
export function helmFunctions(context: HelmContext): Table {
  const t: Table = new Map();

  t.set('include', {
    params: ['string', 'any'],
    handlesUnknown: true,
    call: (call, [name, data = nil]) => {
      if (name?.k === 'string' && name.s.hasUnknown) return call.unknown('includes a template whose name pod2wi cannot know');
      const templateName = textOf(name);
      const template = context.lookup(templateName);
      if (!template) {
        const reason = context.missingReason(templateName);
        call.problem('missing-define', `template "${templateName}" is not defined in the repository${reason ? `: ${reason}` : ' (Helm would fail here)'}`);
        return call.unknown(reason ?? `no template named "${templateName}" is defined in the repository`);
      }
      // Helm keeps "<no value>" in an include's text and removes it from the whole file at the end.
      return { k: 'string', s: call.exec.callTemplate(template, data, call.origin) };
    },
  });

  t.set('tpl', {
    params: ['string', 'values'],
    handlesUnknown: true,
    call: (call, [text, data = nil]) => {
      const rope = text?.k === 'string' ? text.s : Rope.empty;
      if (!rope.text.includes('{{')) return { k: 'string', s: removeNoValue(rope) };
      const parsed = context.parseTpl(rope, call.origin);
      const out = context.withDefines(parsed.defines, () => call.exec.callTemplate(parsed.main, data, call.origin));
      return { k: 'string', s: removeNoValue(out) };
    },
  });

  t.set('required', {
    params: ['string', 'any'],
    handlesUnknown: true,
    call: (call, [warn, value = nil]) => {
      const missing = value.k === 'nil' || value.k === 'invalid' || (value.k === 'string' && value.s.length === 0);
      if (!missing) return value;
      const message = textOf(warn);
      call.problem('required-value', `required value is missing: ${message || call.expression} (Helm would stop here; pod2wi goes on with an unknown value)`);
      return call.unknown(`required value is not set: ${message}`);
    },
  });

  t.set('fail', {
    params: ['string'],
    call: (call, [message]) => {
      throw new FailError(textOf(message), call.origin);
    },
  });

  const yaml = (must: boolean): FunctionDef => ({
    params: ['any'],
    handlesUnknown: true,
    call: (call, [value = nil]) => {
      try {
        return { k: 'string', s: toYaml(value, call.computed, (unknown) => call.exec.unknownRope(unknown.u)) };
      } catch (error) {
        if (error instanceof EncodeDepthError || error instanceof RangeError) {
          call.problem('limit-exceeded', `${call.expression}: ${error.message}; its text is treated as unknown`);
          return call.unknown(error.message);
        }
        if (error instanceof EncodeError) {
          if (must) throw new GoError(error.message);
          return call.derived('');
        }
        throw error;
      }
    },
  });
  t.set('toYaml', yaml(false));
  t.set('mustToYaml', yaml(true));
  t.set('toYamlPretty', yaml(false));

  t.set('fromYaml', {
    params: ['string'],
    scrambles: true,
    call: (call, [text]) => {
      const { value, error } = yamlDocument(textOf(text));
      if (error) return errorMap(call, error);
      if (value === null || value === undefined) return { k: 'map', entries: new Map(), t: 'map[string]interface {}' };
      if (typeof value !== 'object' || Array.isArray(value)) return errorMap(call, 'error unmarshaling JSON: json: cannot unmarshal into Go value of type map[string]interface {}');
      return plainToValue(value, call);
    },
  });
  t.set('fromYamlArray', {
    params: ['string'],
    scrambles: true,
    call: (call, [text]) => {
      const { value, error } = yamlDocument(textOf(text));
      if (error) return { k: 'list', items: [call.derived(error)], t: '[]interface {}' };
      if (value === null || value === undefined) return { k: 'list', items: [], t: '[]interface {}' };
      if (!Array.isArray(value)) return { k: 'list', items: [call.derived('error unmarshaling JSON: json: cannot unmarshal object into Go value of type []interface {}')], t: '[]interface {}' };
      return plainToValue(value, call);
    },
  });

  const json = (escapeHtml: boolean, indent: string | null, must: boolean): FunctionDef => ({
    params: ['any'],
    call: (call, [value = nil]) => {
      try {
        return call.derived(toJson(value, { escapeHtml, indent }));
      } catch (error) {
        if (error instanceof EncodeDepthError || error instanceof RangeError) {
          call.problem('limit-exceeded', `${call.expression}: ${error.message}; its text is treated as unknown`);
          return call.unknown(error.message);
        }
        if (error instanceof EncodeError) {
          if (must) throw new GoError(error.message);
          return call.derived('');
        }
        throw error;
      }
    },
  });
  t.set('toJson', json(true, null, false));
  t.set('mustToJson', json(true, null, true));
  t.set('toPrettyJson', json(true, '  ', false));
  t.set('mustToPrettyJson', json(true, '  ', true));
  t.set('toRawJson', json(false, null, false));
  t.set('mustToRawJson', json(false, null, true));

  const fromJson = (array: boolean, must: boolean): FunctionDef => ({
    params: ['string'],
    scrambles: true,
    call: (call, [text]) => {
      let data: unknown;
      try {
        data = JSON.parse(textOf(text));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (must) throw new GoError(message);
        return array ? { k: 'list', items: [call.derived(message)], t: '[]interface {}' } : errorMap(call, message);
      }
      if (array !== Array.isArray(data) && data !== null) {
        const message = `json: cannot unmarshal ${Array.isArray(data) ? 'array' : typeof data} into Go value of type ${array ? '[]interface {}' : 'map[string]interface {}'}`;
        if (must) throw new GoError(message);
        return array ? { k: 'list', items: [call.derived(message)], t: '[]interface {}' } : errorMap(call, message);
      }
      if (data === null) return array ? { k: 'list', items: [], t: '[]interface {}', isNil: true } : { k: 'map', entries: new Map(), t: 'map[string]interface {}', isNil: true };
      return plainToValue(data, call);
    },
  });
  t.set('fromJson', fromJson(false, false));
  t.set('mustFromJson', fromJson(false, true));
  t.set('fromJsonArray', fromJson(true, false));
  t.set('mustFromJsonArray', fromJson(true, true));

  t.set('toToml', {
    params: ['any'],
    call: (call, [value = nil]) => {
      try {
        return call.derived(stringifyToml(valueToPlain(value) as Record<string, unknown>));
      } catch (error) {
        return call.derived(error instanceof Error ? error.message : String(error));
      }
    },
  });
  t.set('fromToml', {
    params: ['string'],
    scrambles: true,
    call: (call, [text]) => {
      try {
        return plainToValue(parseToml(textOf(text)), call);
      } catch (error) {
        return errorMap(call, error instanceof Error ? error.message : String(error));
      }
    },
  });

  t.set('lookup', {
    params: ['string', 'string', 'string', 'string'],
    handlesUnknown: true,
    call: (call) => {
      call.assume('`lookup` asks no cluster while pod2wi reads the repository: it returns an empty map, as `helm template` does', 'assumed-environment');
      return { k: 'map', entries: new Map(), t: 'map[string]interface {}' };
    },
  });

  return t;
}

export type { Unknown };
