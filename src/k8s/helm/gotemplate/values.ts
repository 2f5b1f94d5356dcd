import type { Condition, Origin, SourceKind, Unknown } from '../../rendered.js';
import { unknownClose, unknownOpen } from '../../yaml-tree.js';

/**
 * The values a Go template computes with, modelled closely enough to reproduce text/template's behaviour (Go's
 * reflect kinds and type names matter: `eq` refuses int against float64, `nindent` refuses a float64, printing follows
 * fmt's %v), plus what pod2wi needs on top: strings are ropes of segments that remember where their text came from,
 * and a value nobody can know from the repository is `unknown` (printed as an `\uE000n\uE001` token).
 */

/** Where a piece of text came from. */
export type SegmentSource =
  /** The text is verbatim `file[start, start + text.length)`; `node` is the origin of the whole value when the
   * segment is exactly a values scalar or key (its span may include quotes). */
  | { readonly k: 'file'; readonly source: SourceKind; readonly file: string; readonly start: number; readonly node?: Origin; readonly path?: readonly (string | number)[] }
  /** Not verbatim: a values scalar reformatted (1e+06), a value read through an alias; the origin has `span: null`. */
  | { readonly k: 'origin'; readonly origin: Origin }
  /** Computed by a template action. */
  | { readonly k: 'action'; readonly at: ActionRef }
  /** The token of an unknown value. */
  | { readonly k: 'unknown'; readonly index: number };

/** A template action, resolved to an origin only when one is asked for. */
export interface ActionRef {
  readonly template: TemplateSource;
  readonly start: number;
  readonly end: number;
}

/** Where a parsed template's text lives, to turn its offsets into origins. */
export interface TemplateSource {
  /** The template name as Helm knows it (`chart/templates/deployment.yaml`, or a define's name). */
  readonly name: string;
  /** The template text. */
  readonly text: string;
  /** The origin of an action at [start, end) of the text: not verbatim, `via` holds the action text. */
  actionOrigin(start: number, end: number): Origin;
  /** The segments of the literal text [start, end) of the template. */
  literal(start: number, end: number): readonly Segment[];
  /** When the text is a file's text (not a `tpl` string): the file, for byte ranges of branches. */
  readonly file: string | null;
}

export interface Segment {
  readonly text: string;
  readonly src: SegmentSource;
  /** Template branches taken around this text inside the include that produced it (outermost first). */
  readonly cond?: readonly Condition[];
}

/** A string made of segments. */
export class Rope {
  readonly segs: readonly Segment[];
  #text: string | undefined;

  constructor(segs: readonly Segment[], text?: string) {
    this.segs = segs;
    this.#text = text;
  }

  get text(): string {
    if (this.#text === undefined) this.#text = this.segs.length === 1 ? (this.segs[0]?.text ?? '') : this.segs.map((seg) => seg.text).join('');
    return this.#text;
  }

  get length(): number {
    return this.text.length;
  }

  static readonly empty = new Rope([], '');

  static of(text: string, src: SegmentSource): Rope {
    return text === '' ? Rope.empty : new Rope([{ text, src }], text);
  }

  static concat(parts: readonly Rope[]): Rope {
    const nonEmpty = parts.filter((part) => part.segs.length > 0);
    if (nonEmpty.length === 0) return Rope.empty;
    if (nonEmpty.length === 1) return nonEmpty[0] ?? Rope.empty;
    return new Rope(nonEmpty.flatMap((part) => part.segs));
  }

  /** The text [start, end) with the segments that produced it. Verbatim file segments stay verbatim. */
  slice(start: number, end = this.length): Rope {
    const from = Math.max(0, start);
    const to = Math.min(this.length, end);
    if (from >= to) return Rope.empty;
    if (from === 0 && to === this.length) return this;
    const out: Segment[] = [];
    let offset = 0;
    for (const seg of this.segs) {
      const segEnd = offset + seg.text.length;
      if (segEnd > from && offset < to) {
        const a = Math.max(from, offset) - offset;
        const b = Math.min(to, segEnd) - offset;
        out.push(a === 0 && b === seg.text.length ? seg : sliceSegment(seg, a, b));
      }
      offset = segEnd;
      if (offset >= to) break;
    }
    return new Rope(out);
  }

  /** Whether the text holds an unknown's token. */
  get hasUnknown(): boolean {
    return this.text.includes(unknownOpen);
  }
}

function sliceSegment(seg: Segment, a: number, b: number): Segment {
  const text = seg.text.slice(a, b);
  const src = seg.src;
  let next: SegmentSource;
  switch (src.k) {
    case 'file':
      next = src.path ? { k: 'file', source: src.source, file: src.file, start: src.start + a, path: src.path } : { k: 'file', source: src.source, file: src.file, start: src.start + a };
      break;
    case 'unknown':
      // Cutting a token breaks it: what is left is computed text.
      next = src;
      break;
    default:
      next = src;
  }
  return seg.cond ? { text, src: next, cond: seg.cond } : { text, src: next };
}

/** Where a scalar read from values (or Chart.yaml, or a template literal) was written. */
export interface ScalarSource {
  /** The value's own origin, its span the bytes as written (quotes included). */
  readonly origin: Origin;
  /** The text at the span, when known. */
  readonly raw: string | null;
}

/** The segment for `text` printed from a value written at `src`: verbatim when the text is what was written. */
export function segmentFor(text: string, src: ScalarSource): SegmentSource {
  const { origin, raw } = src;
  const path = origin.path;
  if (origin.span && raw !== null) {
    const base = { k: 'file' as const, source: origin.source, file: origin.file, node: origin };
    if (raw === text) return path ? { ...base, start: origin.span[0], path } : { ...base, start: origin.span[0] };
    const quote = raw[0];
    if ((quote === '"' || quote === "'") && raw.length >= 2 && raw.endsWith(quote) && raw.slice(1, -1) === text) {
      return path ? { ...base, start: origin.span[0] + 1, path } : { ...base, start: origin.span[0] + 1 };
    }
  }
  return { k: 'origin', origin: { ...origin, span: null } };
}

export type IntType = 'int' | 'int64' | 'int32' | 'int8' | 'int16' | 'uint' | 'uint8' | 'uint16' | 'uint32' | 'uint64';

/** A map's Go type: a plain map, Helm's chartutil.Values, a map of strings (sprig's split), Helm's files. */
export type MapType = 'map[string]interface {}' | 'chartutil.Values' | 'map[string]string' | 'engine.files';

export type ListType = '[]interface {}' | '[]string' | '[]int' | '[]uint8';

export interface MapEntry {
  value: Value;
  /** Where the key was written (values files), for keys that toYaml prints. */
  readonly key?: ScalarSource;
}

/** A method of a struct or map value (`.Capabilities.APIVersions.Has`, `.Files.Get`). */
export interface Method {
  readonly params: readonly ParamType[];
  readonly variadic?: ParamType;
  readonly call: (args: readonly Value[]) => Value;
}

/** What a Go function parameter accepts. */
export type ParamType = 'any' | 'reflect' | 'string' | 'int' | 'int64' | 'float64' | 'bool' | 'map' | 'values' | 'strings';

export type Value =
  /** reflect's invalid Value: "no value" (a missing key outside missingkey=zero, the result of nothing). */
  | { readonly k: 'invalid' }
  /** A nil interface{}: a null in the data, or a missing key under missingkey=zero. */
  | { readonly k: 'nil' }
  | { readonly k: 'bool'; readonly v: boolean; readonly src?: ScalarSource; readonly assumed?: string }
  | { readonly k: 'int'; readonly v: number; readonly t: IntType; readonly src?: ScalarSource; readonly big?: bigint }
  | { readonly k: 'float'; readonly v: number; readonly src?: ScalarSource }
  | { readonly k: 'string'; readonly s: Rope; readonly src?: ScalarSource }
  | { readonly k: 'list'; readonly items: Value[]; readonly t: ListType; readonly origin?: Origin; readonly isNil?: boolean }
  | {
      readonly k: 'map';
      readonly entries: Map<string, MapEntry>;
      readonly t: MapType;
      readonly origin?: Origin;
      /** Unknown content that may add keys (an include that could not be rendered, values from outside the repository). */
      readonly open?: readonly Unknown[];
      readonly methods?: ReadonlyMap<string, Method>;
      readonly isNil?: boolean;
    }
  | { readonly k: 'struct'; readonly t: string; readonly fields: ReadonlyMap<string, Value>; readonly methods: ReadonlyMap<string, Method>; readonly pointer: boolean }
  | { readonly k: 'bytes'; readonly text: string }
  | { readonly k: 'time'; readonly ms: number; readonly zone: string }
  | { readonly k: 'unknown'; readonly u: Unknown };

export const invalid: Value = { k: 'invalid' };
export const nil: Value = { k: 'nil' };
export const trueValue: Value = { k: 'bool', v: true };
export const falseValue: Value = { k: 'bool', v: false };

export function str(text: string, src: SegmentSource): Value {
  return { k: 'string', s: Rope.of(text, src) };
}

export function ropeValue(s: Rope): Value {
  return { k: 'string', s };
}

export function int(v: number, t: IntType = 'int'): Value {
  return { k: 'int', v, t };
}

export function float(v: number): Value {
  return { k: 'float', v };
}

export function bool(v: boolean, assumed?: string): Value {
  return assumed ? { k: 'bool', v, assumed } : v ? trueValue : falseValue;
}

export function list(items: Value[], t: ListType = '[]interface {}'): Value {
  return { k: 'list', items, t };
}

export function map(entries: Map<string, MapEntry> = new Map(), t: MapType = 'map[string]interface {}'): Value {
  return { k: 'map', entries, t };
}

/** The Go type name, as %T prints it. */
export function typeName(value: Value): string {
  switch (value.k) {
    case 'invalid':
    case 'nil':
      return '<nil>';
    case 'bool':
      return 'bool';
    case 'int':
      return value.t;
    case 'float':
      return 'float64';
    case 'string':
      return 'string';
    case 'list':
      return value.t;
    case 'map':
      return value.t;
    case 'struct':
      return value.pointer ? `*${value.t}` : value.t;
    case 'bytes':
      return '[]uint8';
    case 'time':
      return 'time.Time';
    case 'unknown':
      return 'interface {}';
  }
}

/** reflect.Kind's name, as sprig's kindOf prints it. */
export function kindName(value: Value): string {
  switch (value.k) {
    case 'invalid':
    case 'nil':
      return 'invalid';
    case 'bool':
      return 'bool';
    case 'int':
      return value.t;
    case 'float':
      return 'float64';
    case 'string':
      return 'string';
    case 'list':
    case 'bytes':
      return 'slice';
    case 'map':
      return 'map';
    case 'struct':
      return value.pointer ? 'ptr' : 'struct';
    case 'time':
      return 'struct';
    case 'unknown':
      return 'interface';
  }
}

/** Go template truth (text/template isTrue); null for an unknown, whose truth is assumed by the caller. */
export function truth(value: Value): boolean | null {
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
      return value.entries.size > 0 || (value.open?.length ?? 0) > 0;
    case 'bytes':
      return value.text.length > 0;
    case 'struct':
    case 'time':
      return true;
    case 'unknown':
      return null;
  }
}

/** The token standing for unknown number `index` in rendered text. */
export function unknownToken(index: number): string {
  return `${unknownOpen}${index}${unknownClose}`;
}

/** Unknowns of one render, numbered as their tokens are. */
export class UnknownTable {
  readonly #items: Unknown[] = [];

  add(unknown: Unknown): number {
    this.#items.push(unknown);
    return this.#items.length - 1;
  }

  get(index: number): Unknown | null {
    return this.#items[index] ?? null;
  }

  /** A rope holding only the token of `unknown`. */
  rope(unknown: Unknown): Rope {
    const index = this.add(unknown);
    return Rope.of(unknownToken(index), { k: 'unknown', index });
  }
}

const tokenPattern = /\uE000(\d+)\uE001/;

/** The first unknown a text refers to, when it holds a token. */
export function firstUnknownIn(text: string, table: UnknownTable): Unknown | null {
  const match = tokenPattern.exec(text);
  return match ? table.get(Number(match[1])) : null;
}

/** Go's string comparison: by UTF-8 bytes. */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  // UTF-16 order equals UTF-8 byte order except around surrogates; only then compare bytes.
  if (!/[\uD800-\uDFFF\uE000-\uFFFF]/.test(a) && !/[\uD800-\uDFFF\uE000-\uFFFF]/.test(b)) return a < b ? -1 : 1;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The keys of a map sorted as Go's fmt and range sort string keys. */
export function sortedKeys(entries: ReadonlyMap<string, MapEntry>): string[] {
  return [...entries.keys()].sort(compareGoStrings);
}

/** Byte length of a string in UTF-8 (Go's len). */
export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** A deep copy of maps and lists (origins kept); scalars are immutable and shared. */
export function deepCopy(value: Value, depth = 0): Value {
  if (depth > 500) throw new RangeError('value nested deeper than 500 levels');
  if (value.k === 'map') {
    const entries = new Map<string, MapEntry>();
    for (const [key, entry] of value.entries) entries.set(key, entry.key ? { value: deepCopy(entry.value, depth + 1), key: entry.key } : { value: deepCopy(entry.value, depth + 1) });
    return { ...value, entries };
  }
  if (value.k === 'list') return { ...value, items: value.items.map((item) => deepCopy(item, depth + 1)) };
  return value;
}
