import { GoError, describeUnknown, type CallContext, type FunctionDef, type FunctionTable } from '../exec.js';
import { sprint, sprintf, sprintln } from '../fmt.js';
import { bool, byteLength, compareGoStrings, invalid, nil, Rope, typeName, type Value } from '../values.js';

/**
 * Go's predefined template functions (text/template funcs.go): and, or, not, len, index, slice, print, printf,
 * println, eq, ne, lt, le, gt, ge, html, js, urlquery, call. Comparisons follow Go ≥ 1.18 (nil compares with
 * anything, int and float64 never compare). A comparison that involves an unknown value is assumed false (`ne`
 * true) and the assumption is reported.
 */

type Kind = 'bool' | 'int' | 'uint' | 'float' | 'string' | 'invalid';

/** indirectInterface: a nil interface is no value. */
function indirect(value: Value): Value {
  return value.k === 'nil' ? invalid : value;
}

function basicKind(value: Value): Kind {
  switch (value.k) {
    case 'bool':
      return 'bool';
    case 'int':
      return value.t.startsWith('uint') ? 'uint' : 'int';
    case 'float':
      return 'float';
    case 'string':
      return 'string';
    default:
      return 'invalid';
  }
}

function numberOf(value: Value): number {
  return value.k === 'int' || value.k === 'float' ? value.v : 0;
}

function isNilValue(value: Value): boolean {
  return value.k === 'invalid' || value.k === 'nil' || ((value.k === 'map' || value.k === 'list') && value.isNil === true);
}

function involvesUnknown(values: readonly Value[]): Value | null {
  for (const value of values) {
    if (value.k === 'unknown') return value;
    if (value.k === 'string' && value.s.hasUnknown) return value;
    if (value.k === 'bool' && value.assumed) return value;
  }
  return null;
}

function assumeComparison(call: CallContext, result: boolean, unknown: Value): Value {
  const what = unknown.k === 'string' ? 'a value pod2wi cannot know' : describeUnknown(unknown);
  call.assume(`assumed \`${call.expression}\` is ${result}: it compares ${what}`);
  return bool(result, `\`${call.expression}\` (assumed ${result})`);
}

function eqValues(a: Value, rest: readonly Value[]): boolean {
  const arg1 = indirect(a);
  if (rest.length === 0) throw new GoError('missing argument for comparison');
  const k1 = basicKind(arg1);
  for (const raw of rest) {
    const arg = indirect(raw);
    const k2 = basicKind(arg);
    let truth = false;
    if (k1 !== k2) {
      if (k1 === 'int' && k2 === 'uint') truth = numberOf(arg1) >= 0 && numberOf(arg1) === numberOf(arg);
      else if (k1 === 'uint' && k2 === 'int') truth = numberOf(arg) >= 0 && numberOf(arg1) === numberOf(arg);
      else if (arg1.k !== 'invalid' && arg.k !== 'invalid') throw new GoError('incompatible types for comparison');
    } else {
      switch (k1) {
        case 'bool':
          truth = arg1.k === 'bool' && arg.k === 'bool' && arg1.v === arg.v;
          break;
        case 'int':
        case 'uint':
        case 'float':
          truth = numberOf(arg1) === numberOf(arg);
          break;
        case 'string':
          truth = arg1.k === 'string' && arg.k === 'string' && arg1.s.text === arg.s.text;
          break;
        default: {
          const sameKind = arg1.k === arg.k || arg1.k === 'invalid' || arg.k === 'invalid';
          if (!sameKind) throw new GoError(`non-comparable types ${arg1.k}, ${arg.k}`);
          if (isNilValue(arg1) || isNilValue(arg)) truth = isNilValue(arg) === isNilValue(arg1);
          else if (arg.k === 'map' || arg.k === 'list' || arg.k === 'bytes') throw new GoError(`non-comparable type ${typeName(arg)}`);
          else truth = arg1 === arg;
        }
      }
    }
    if (truth) return true;
  }
  return false;
}

function ltValues(a: Value, b: Value): boolean {
  const arg1 = indirect(a);
  const arg2 = indirect(b);
  const k1 = basicKind(arg1);
  if (k1 === 'invalid') throw new GoError('invalid type for comparison');
  const k2 = basicKind(arg2);
  if (k2 === 'invalid') throw new GoError('invalid type for comparison');
  if (k1 !== k2) {
    if (k1 === 'int' && k2 === 'uint') return numberOf(arg1) < 0 || numberOf(arg1) < numberOf(arg2);
    if (k1 === 'uint' && k2 === 'int') return numberOf(arg2) >= 0 && numberOf(arg1) < numberOf(arg2);
    throw new GoError('incompatible types for comparison');
  }
  switch (k1) {
    case 'bool':
      throw new GoError('invalid type for comparison');
    case 'string':
      return arg1.k === 'string' && arg2.k === 'string' && compareGoStrings(arg1.s.text, arg2.s.text) < 0;
    default:
      return numberOf(arg1) < numberOf(arg2);
  }
}

function comparison(compute: (args: Value[]) => boolean, ifUnknown: boolean, params: number, variadic: boolean): FunctionDef {
  return {
    params: Array.from({ length: params }, () => 'reflect' as const),
    ...(variadic ? { variadic: 'reflect' as const } : {}),
    handlesUnknown: true,
    call: (call, args) => {
      const unknown = involvesUnknown(args);
      if (unknown) {
        // Identical text (the same unknown compared with itself) is still equal.
        const texts = args.map((arg) => (arg.k === 'string' ? arg.s.text : null));
        if (texts.every((text) => text !== null && text === texts[0]) && args.length > 1) return assumeComparison(call, !ifUnknown, unknown);
        return assumeComparison(call, ifUnknown, unknown);
      }
      return bool(compute(args));
    },
  };
}

function logic(): FunctionDef {
  // and/or are evaluated by the interpreter (short-circuit); this entry gives their signature.
  return { params: ['reflect'], variadic: 'reflect', handlesUnknown: true, call: (_call, args) => args[args.length - 1] ?? invalid };
}

/** Go's evalArgs for html/js/urlquery: one string as is, else fmt.Sprint with nil printed as <no value>. */
function escaperInput(call: CallContext, args: readonly Value[]): string {
  const only = args[0];
  if (args.length === 1 && only?.k === 'string') return only.s.text;
  const printable = args.map((arg): Value => (arg.k === 'invalid' || arg.k === 'nil' ? { k: 'string', s: Rope.of('<no value>', call.computed) } : arg));
  return sprint(printable, call.print).text;
}

/** template.HTMLEscapeString. */
export function htmlEscape(text: string): string {
  return text.replace(/[\0"'&<>]/g, (c) => {
    switch (c) {
      case '\0':
        return '\uFFFD';
      case '"':
        return '&#34;';
      case "'":
        return '&#39;';
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      default:
        return '&gt;';
    }
  });
}

const jsPrintable = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** template.JSEscapeString. */
export function jsEscape(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    switch (ch) {
      case '\\':
        out += '\\\\';
        continue;
      case "'":
        out += "\\'";
        continue;
      case '"':
        out += '\\"';
        continue;
      case '<':
        out += '\\u003C';
        continue;
      case '>':
        out += '\\u003E';
        continue;
      case '&':
        out += '\\u0026';
        continue;
      case '=':
        out += '\\u003D';
        continue;
    }
    if (c < 0x20) out += `\\u00${c.toString(16).toUpperCase().padStart(2, '0')}`;
    else if (c < 0x80) out += ch;
    else if (jsPrintable.test(ch)) out += ch;
    else out += `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return out;
}

/** url.QueryEscape. */
export function queryEscape(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function indexInt(index: Value, cap: number): number {
  const value = indirect(index);
  let x: number;
  if (value.k === 'int') x = value.v;
  else if (value.k === 'invalid') throw new GoError('cannot index slice/array with nil');
  else throw new GoError(`cannot index slice/array with type ${typeName(value)}`);
  if (x < 0 || x > cap) throw new GoError(`index out of range: ${x}`);
  return x;
}

function indexValue(call: CallContext, item: Value, indexes: readonly Value[]): Value {
  let current = indirect(item);
  if (current.k === 'invalid') throw new GoError('index of untyped nil');
  for (const index of indexes) {
    if (current.k === 'nil' || current.k === 'invalid') throw new GoError('index of nil pointer');
    if (current.k === 'unknown') return call.unknown(`computed from ${current.u.expression}, which pod2wi cannot know`);
    switch (current.k) {
      case 'list': {
        const x = indexInt(index, current.items.length);
        if (x >= current.items.length) throw new GoError(`reflect: slice index out of range`);
        current = current.items[x] ?? nil;
        break;
      }
      case 'string': {
        if (current.s.hasUnknown) return call.unknown('indexes into a value pod2wi cannot know');
        const bytes: Buffer = Buffer.from(current.s.text, 'utf8');
        const x = indexInt(index, bytes.length);
        if (x >= bytes.length) throw new GoError('reflect: string index out of range');
        current = { k: 'int', v: bytes[x] ?? 0, t: 'uint8' };
        break;
      }
      case 'bytes': {
        const bytes: Buffer = Buffer.from(current.text, 'utf8');
        const x = indexInt(index, bytes.length);
        if (x >= bytes.length) throw new GoError('reflect: slice index out of range');
        current = { k: 'int', v: bytes[x] ?? 0, t: 'uint8' };
        break;
      }
      case 'map': {
        const key = indirect(index);
        if (key.k === 'unknown') return call.unknown(`looked up with ${key.u.expression}, which pod2wi cannot know`);
        if (key.k === 'invalid') throw new GoError('value is nil; should be of type string');
        if (key.k !== 'string') throw new GoError(`value has type ${typeName(key)}; should be string`);
        if (key.s.hasUnknown) return call.unknown('looked up with a key pod2wi cannot know');
        const entry = current.entries.get(key.s.text);
        if (entry) current = entry.value;
        else if (current.open && current.open.length > 0) return call.unknown(`it may be set by ${current.open[0]?.expression ?? 'unknown content'}`);
        else current = current.t === 'map[string]string' ? { k: 'string', s: Rope.empty } : nil;
        break;
      }
      default:
        throw new GoError(`can't index item of type ${typeName(current)}`);
    }
  }
  return current;
}

function sliceValue(call: CallContext, item: Value, indexes: readonly Value[]): Value {
  const value = indirect(item);
  if (value.k === 'invalid') throw new GoError('slice of untyped nil');
  if (indexes.length > 3) throw new GoError(`too many slice indexes: ${indexes.length}`);
  let length: number;
  switch (value.k) {
    case 'string':
      if (indexes.length === 3) throw new GoError('cannot 3-index slice a string');
      if (value.s.hasUnknown) return call.unknown('slices a value pod2wi cannot know');
      length = byteLength(value.s.text);
      break;
    case 'list':
      length = value.items.length;
      break;
    case 'bytes':
      length = byteLength(value.text);
      break;
    case 'unknown':
      return call.unknown(`computed from ${value.u.expression}`);
    default:
      throw new GoError(`can't slice item of type ${typeName(value)}`);
  }
  const idx = [0, length, length];
  indexes.forEach((index, i) => {
    idx[i] = indexInt(index, length);
  });
  const [i = 0, j = length, k = length] = idx;
  if (i > j) throw new GoError(`invalid slice index: ${i} > ${j}`);
  if (indexes.length === 3 && j > k) throw new GoError(`invalid slice index: ${j} > ${k}`);
  if (value.k === 'list') return { k: 'list', items: value.items.slice(i, j), t: value.t };
  const source = value.k === 'string' ? value.s.text : value.text;
  const bytes = Buffer.from(source, 'utf8');
  if (value.k === 'string' && bytes.length === value.s.text.length) return { k: 'string', s: value.s.slice(i, j) };
  const text = bytes.subarray(i, j).toString('utf8');
  return value.k === 'bytes' ? { k: 'bytes', text } : call.derived(text);
}

function lengthOf(call: CallContext, value: Value): Value {
  switch (value.k) {
    case 'invalid':
      throw new GoError('reflect: call of reflect.Value.Type on zero Value');
    case 'nil':
      throw new GoError('len of nil pointer');
    case 'string':
      if (value.s.hasUnknown) return call.unknown('the length of a value pod2wi cannot know');
      return { k: 'int', v: byteLength(value.s.text), t: 'int' };
    case 'bytes':
      return { k: 'int', v: byteLength(value.text), t: 'int' };
    case 'list':
      return { k: 'int', v: value.items.length, t: 'int' };
    case 'map':
      if (value.open && value.open.length > 0) return call.unknown('the size of a map with content pod2wi cannot know');
      return { k: 'int', v: value.entries.size, t: 'int' };
    case 'unknown':
      return call.unknown(`the length of ${value.u.expression}`);
    default:
      throw new GoError(`len of type ${typeName(value)}`);
  }
}

/** Go's predefined functions. */
export function builtinFunctions(): FunctionTable {
  const table = new Map<string, FunctionDef>();
  table.set('and', logic());
  table.set('or', logic());
  table.set('not', {
    params: ['reflect'],
    handlesUnknown: true,
    call: (call, [arg = invalid]) => {
      const value = indirect(arg);
      if (value.k === 'unknown') return bool(false, `not ${describeUnknown(value)}`);
      if (value.k === 'bool' && value.assumed) return bool(!value.v, value.assumed);
      if (value.k === 'string' && value.s.hasUnknown) return assumeComparison(call, false, value);
      const t = value.k === 'invalid' ? false : truthOf(value);
      return bool(!t);
    },
  });
  table.set('len', { params: ['reflect'], handlesUnknown: true, call: (call, [arg = invalid]) => lengthOf(call, arg) });
  table.set('index', { params: ['reflect'], variadic: 'reflect', handlesUnknown: true, call: (call, [item = invalid, ...indexes]) => indexValue(call, item, indexes) });
  table.set('slice', { params: ['reflect'], variadic: 'reflect', handlesUnknown: true, call: (call, [item = invalid, ...indexes]) => sliceValue(call, item, indexes) });
  table.set('print', { params: [], variadic: 'any', handlesUnknown: true, call: (call, args) => ({ k: 'string', s: sprint(args, call.print) }) });
  table.set('println', { params: [], variadic: 'any', handlesUnknown: true, call: (call, args) => ({ k: 'string', s: sprintln(args, call.print) }) });
  table.set('printf', {
    params: ['string'],
    variadic: 'any',
    handlesUnknown: true,
    call: (call, [format, ...args]) => ({ k: 'string', s: sprintf(format?.k === 'string' ? format.s.text : '', args, call.print) }),
  });
  table.set('eq', comparison(([a = invalid, ...rest]) => eqValues(a, rest), false, 1, true));
  table.set('ne', comparison(([a = invalid, b = invalid]) => !eqValues(a, [b]), true, 2, false));
  table.set('lt', comparison(([a = invalid, b = invalid]) => ltValues(a, b), false, 2, false));
  table.set('le', comparison(([a = invalid, b = invalid]) => ltValues(a, b) || eqValues(a, [b]), false, 2, false));
  table.set('gt', comparison(([a = invalid, b = invalid]) => !(ltValues(a, b) || eqValues(a, [b])), false, 2, false));
  table.set('ge', comparison(([a = invalid, b = invalid]) => !ltValues(a, b), false, 2, false));
  table.set('html', { params: [], variadic: 'any', scrambles: true, call: (call, args) => call.derived(htmlEscape(escaperInput(call, args))) });
  table.set('js', { params: [], variadic: 'any', scrambles: true, call: (call, args) => call.derived(jsEscape(escaperInput(call, args))) });
  table.set('urlquery', { params: [], variadic: 'any', scrambles: true, call: (call, args) => call.derived(queryEscape(escaperInput(call, args))) });
  table.set('call', {
    params: ['reflect'],
    variadic: 'reflect',
    handlesUnknown: true,
    call: (call) => {
      call.problem('unsupported-function', '`call` needs a function value, which chart data never holds: its result is treated as unknown');
      return call.unknown('`call` is not supported');
    },
  });
  return table;
}

function truthOf(value: Value): boolean {
  switch (value.k) {
    case 'invalid':
    case 'nil':
      return false;
    case 'bool':
      return value.v;
    case 'int':
    case 'float':
      return value.v !== 0;
    case 'string':
      return value.s.length > 0;
    case 'list':
      return value.items.length > 0;
    case 'map':
      return value.entries.size > 0;
    case 'bytes':
      return value.text.length > 0;
    default:
      return true;
  }
}
