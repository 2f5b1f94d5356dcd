import { formatFloat } from './fmt.js';
import { compareGoStrings, Rope, segmentFor, sortedKeys, type SegmentSource, type Value } from './values.js';

/**
 * Helm's serialisers, byte for byte: `toYaml` is sigs.k8s.io/yaml (encoding/json, then go-yaml v2's emitter with its
 * quoting rules, 2-space indentation, sequences not indented under a key, and long scalars folded at 80 columns),
 * `toJson` is encoding/json. The YAML keeps origins: keys and scalars that come out as they were written keep their
 * values-file segments; structure (indentation, `: `, `- `) is computed text.
 */

export class EncodeError extends Error {}

/** A value nested deeper than the encoder follows (Helm would encode it; pod2wi stops and says so). */
export class EncodeDepthError extends EncodeError {}

// ---- JSON (encoding/json) ----

function jsonString(text: string, escapeHtml: boolean): string {
  let out = '"';
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (c < 0x20) {
      if (ch === '\n') out += '\\n';
      else if (ch === '\r') out += '\\r';
      else if (ch === '\t') out += '\\t';
      else out += `\\u00${c.toString(16).padStart(2, '0')}`;
    } else if (escapeHtml && (ch === '<' || ch === '>' || ch === '&')) out += `\\u00${c.toString(16).padStart(2, '0')}`;
    else if (c === 0x2028 || c === 0x2029) out += `\\u${c.toString(16)}`;
    else out += ch;
  }
  return `${out}"`;
}

/** encoding/json's float64 text. */
export function jsonFloat(f: number): string {
  if (!Number.isFinite(f)) throw new EncodeError(`json: unsupported value: ${formatFloat(f, 'g', -1)}`);
  const abs = Math.abs(f);
  let format: 'f' | 'e' = 'f';
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) format = 'e';
  let text = formatFloat(f, format, -1);
  if (format === 'e') text = text.replace(/e-0(\d)$/, 'e-$1');
  return text;
}

export interface JsonOptions {
  readonly escapeHtml: boolean;
  readonly indent: string | null;
  readonly maxDepth?: number;
}

/** encoding/json.Marshal (or MarshalIndent); throws EncodeError for what Go refuses. */
export function toJson(value: Value, options: JsonOptions, depth = 0, prefix = ''): string {
  if (depth > (options.maxDepth ?? 500)) throw new EncodeDepthError('value nested deeper than 500 levels');
  switch (value.k) {
    case 'invalid':
    case 'nil':
      return 'null';
    case 'bool':
      return value.v ? 'true' : 'false';
    case 'int':
      return String(value.v);
    case 'float':
      return jsonFloat(value.v);
    case 'string':
      return jsonString(value.s.text, options.escapeHtml);
    case 'bytes':
      return jsonString(Buffer.from(value.text, 'utf8').toString('base64'), options.escapeHtml);
    case 'time':
      return jsonString(new Date(value.ms).toISOString().replace('.000Z', 'Z'), options.escapeHtml);
    case 'list': {
      if (value.isNil) return 'null';
      if (value.items.length === 0) return '[]';
      const inner = prefix + (options.indent ?? '');
      const items = value.items.map((item) => toJson(item, options, depth + 1, inner));
      return options.indent === null ? `[${items.join(',')}]` : `[\n${items.map((item) => inner + item).join(',\n')}\n${prefix}]`;
    }
    case 'map': {
      if (value.isNil) return 'null';
      if (value.entries.size === 0) return '{}';
      const inner = prefix + (options.indent ?? '');
      const pairs = sortedKeys(value.entries).map((key) => {
        const encoded = toJson(value.entries.get(key)?.value ?? { k: 'nil' }, options, depth + 1, inner);
        return options.indent === null ? `${jsonString(key, options.escapeHtml)}:${encoded}` : `${inner}${jsonString(key, options.escapeHtml)}: ${encoded}`;
      });
      return options.indent === null ? `{${pairs.join(',')}}` : `{\n${pairs.join(',\n')}\n${prefix}}`;
    }
    case 'struct': {
      const pairs = [...value.fields].map(([key, field]) => `${jsonString(key, options.escapeHtml)}:${toJson(field, options, depth + 1, prefix)}`);
      return `{${pairs.join(',')}}`;
    }
    case 'unknown':
      throw new EncodeError('unknown value');
  }
}

// ---- YAML (go-yaml v2 emitter) ----

const bestIndent = 2;
const bestWidth = 80;

/** go-yaml's resolve: what a plain scalar would read back as. */
function resolvesToString(text: string): boolean {
  if (text === '') return false;
  const first = text[0] ?? '';
  if ('yYnNtTfFoO~'.includes(first)) {
    return !/^(y|Y|yes|Yes|YES|true|True|TRUE|on|On|ON|n|N|no|No|NO|false|False|FALSE|off|Off|OFF|~|null|Null|NULL)$/.test(text);
  }
  if (first === '.') {
    if (/^\.(nan|NaN|NAN|inf|Inf|INF)$/.test(text)) return false;
    return !isGoFloat(text);
  }
  if (first === '+' || first === '-' || (first >= '0' && first <= '9')) {
    if (/^[-+]\.(inf|Inf|INF)$/.test(text)) return false;
    if (looksLikeTimestamp(text)) return false;
    const plain = text.replace(/_/g, '');
    if (isGoInt(plain)) return false;
    if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(plain) && isGoFloat(plain)) return false;
    if (/^-?0b[01]+$/.test(plain)) return false;
  }
  return true;
}

function isGoInt(text: string): boolean {
  return /^[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.test(text);
}

function isGoFloat(text: string): boolean {
  return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) || /^[-+]?(inf|infinity|nan)$/i.test(text);
}

function looksLikeTimestamp(text: string): boolean {
  if (!/^\d{4}-/.test(text)) return false;
  return (
    /^\d{4}-\d{1,2}-\d{1,2}$/.test(text) ||
    /^\d{4}-\d{1,2}-\d{1,2}[Tt ]\d{1,2}:\d{1,2}:\d{1,2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.test(text)
  );
}

function isBase60Float(text: string): boolean {
  return /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/.test(text);
}

/** go-yaml's is_printable, per character. */
function isPrintable(c: number): boolean {
  return c === 0x0a || (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff);
}

function isBreak(c: string): boolean {
  return c === '\r' || c === '\n' || c === '\u0085' || c === '\u2028' || c === '\u2029';
}

interface Analysis {
  multiline: boolean;
  flowPlain: boolean;
  blockPlain: boolean;
  singleQuoted: boolean;
  block: boolean;
}

function analyze(value: string): Analysis {
  if (value.length === 0) return { multiline: false, flowPlain: false, blockPlain: true, singleQuoted: true, block: false };
  let blockIndicators = false;
  let flowIndicators = false;
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  if (value.startsWith('---') || value.startsWith('...')) {
    blockIndicators = true;
    flowIndicators = true;
  }
  let precededByWhitespace = true;
  const chars = [...value];
  chars.forEach((ch, i) => {
    const next = chars[i + 1];
    const followedByWhitespace = next === undefined || next === ' ' || next === '\t' || isBreak(next);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) {
        flowIndicators = true;
        blockIndicators = true;
      } else if (ch === '?' || ch === ':') {
        flowIndicators = true;
        if (followedByWhitespace) blockIndicators = true;
      } else if (ch === '-' && followedByWhitespace) {
        flowIndicators = true;
        blockIndicators = true;
      }
    } else if (',?[]{}'.includes(ch)) flowIndicators = true;
    else if (ch === ':') {
      flowIndicators = true;
      if (followedByWhitespace) blockIndicators = true;
    } else if (ch === '#' && precededByWhitespace) {
      flowIndicators = true;
      blockIndicators = true;
    }
    const c = ch.codePointAt(0) ?? 0;
    if (!isPrintable(c)) special = true;
    if (ch === ' ') {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(ch)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = ch === ' ' || ch === '\t' || isBreak(ch);
  });
  const a: Analysis = { multiline: lineBreaks, flowPlain: true, blockPlain: true, singleQuoted: true, block: true };
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) {
    a.flowPlain = false;
    a.blockPlain = false;
  }
  if (trailingSpace) a.block = false;
  if (breakSpace) {
    a.flowPlain = false;
    a.blockPlain = false;
    a.singleQuoted = false;
  }
  if (spaceBreak || special) {
    a.flowPlain = false;
    a.blockPlain = false;
    a.singleQuoted = false;
    a.block = false;
  }
  if (lineBreaks) {
    a.flowPlain = false;
    a.blockPlain = false;
  }
  if (flowIndicators) a.flowPlain = false;
  if (blockIndicators) a.blockPlain = false;
  return a;
}

type Style = 'plain' | 'single' | 'double' | 'literal';

class YamlWriter {
  readonly parts: Rope[] = [];
  #pending = '';
  column = 0;
  whitespace = true;
  indention = true;
  openEnded = false;
  indent = -1;
  readonly indents: number[] = [];
  flowLevel = 0;
  readonly #computed: SegmentSource;

  constructor(computed: SegmentSource) {
    this.#computed = computed;
  }

  put(text: string): void {
    this.#pending += text;
    for (const ch of text) {
      if (ch === '\n') this.column = 0;
      else this.column++;
    }
  }

  putRope(rope: Rope): void {
    this.#flush();
    this.parts.push(rope);
    for (const ch of rope.text) {
      if (ch === '\n') this.column = 0;
      else this.column++;
    }
  }

  #flush(): void {
    if (this.#pending) {
      this.parts.push(Rope.of(this.#pending, this.#computed));
      this.#pending = '';
    }
  }

  rope(): Rope {
    this.#flush();
    return Rope.concat(this.parts);
  }

  putBreak(): void {
    this.put('\n');
  }

  writeIndent(): void {
    const indent = Math.max(this.indent, 0);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.putBreak();
    while (this.column < indent) this.put(' ');
    this.whitespace = true;
    this.indention = true;
  }

  writeIndicator(indicator: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean): void {
    if (needWhitespace && !this.whitespace) this.put(' ');
    this.put(indicator);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
    this.openEnded = false;
  }

  increaseIndent(flow: boolean, indentless: boolean): void {
    this.indents.push(this.indent);
    if (this.indent < 0) this.indent = flow ? bestIndent : 0;
    else if (!indentless) this.indent += bestIndent;
  }

  popIndent(): void {
    this.indent = this.indents.pop() ?? -1;
  }
}

interface Context {
  readonly root: boolean;
  readonly sequence: boolean;
  readonly mapping: boolean;
  readonly simpleKey: boolean;
}

/** The text of a scalar in a style, written the way go-yaml writes it (with folding). */
function writeScalar(w: YamlWriter, rope: Rope, style: Style, allowBreaks: boolean, verbatim: SegmentSource | null, root: boolean): void {
  const value = rope.text;
  switch (style) {
    case 'plain': {
      if (!w.whitespace) w.put(' ');
      // Fold at spaces past the best width, as go-yaml does.
      const folded = foldPlain(w, value, allowBreaks);
      if (folded === null) w.putRope(rope);
      else putComputed(w, folded, rope, verbatim);
      w.whitespace = false;
      w.indention = false;
      if (root) w.openEnded = true;
      return;
    }
    case 'single': {
      w.writeIndicator("'", true, false, false);
      const folded = foldQuoted(w, value, allowBreaks, 'single');
      if (folded === null) w.putRope(rope);
      else putComputed(w, folded, rope, verbatim);
      w.writeIndicator("'", false, false, false);
      w.whitespace = false;
      w.indention = false;
      return;
    }
    case 'double': {
      w.writeIndicator('"', true, false, false);
      const folded = foldQuoted(w, value, allowBreaks, 'double');
      if (folded === null) w.putRope(rope);
      else putComputed(w, folded, rope, verbatim);
      w.writeIndicator('"', false, false, false);
      w.whitespace = false;
      w.indention = false;
      return;
    }
    case 'literal': {
      w.writeIndicator('|', true, false, false);
      const first = value[0] ?? '';
      if (first === ' ' || isBreak(first)) w.writeIndicator(String(bestIndent), false, false, false);
      w.openEnded = false;
      let chomp = '';
      const chars = [...value];
      const last = chars[chars.length - 1];
      if (chars.length === 0 || last === undefined || !isBreak(last)) chomp = '-';
      else if (chars.length === 1) {
        chomp = '+';
        w.openEnded = true;
      } else if (isBreak(chars[chars.length - 2] ?? '')) {
        chomp = '+';
        w.openEnded = true;
      }
      if (chomp) w.writeIndicator(chomp, false, false, false);
      w.putBreak();
      w.indention = true;
      w.whitespace = true;
      let breaks = true;
      let i = 0;
      while (i < value.length) {
        const ch = value[i] ?? '';
        if (isBreak(ch)) {
          w.put('\n');
          i++;
          w.indention = true;
          breaks = true;
        } else {
          if (breaks) w.writeIndent();
          let j = i;
          while (j < value.length && !isBreak(value[j] ?? '')) j++;
          w.putRope(rope.slice(i, j));
          i = j;
          w.indention = false;
          breaks = false;
        }
      }
      return;
    }
  }
}

/** Writes computed scalar text that is not the value verbatim: its origin is the value's, without a span. */
function putComputed(w: YamlWriter, text: string, rope: Rope, verbatim: SegmentSource | null): void {
  const first = rope.segs.length === 1 ? rope.segs[0] : undefined;
  if (first && (first.src.k === 'file' || first.src.k === 'origin') && verbatim) {
    const origin = first.src.k === 'origin' ? first.src.origin : (first.src.node ?? null);
    if (origin) {
      w.putRope(Rope.of(text, { k: 'origin', origin: { ...origin, span: null } }));
      return;
    }
  }
  w.put(text);
}

/** The plain text with go-yaml's folding, or null when nothing folds (then the rope is written as is). */
function foldPlain(w: YamlWriter, value: string, allowBreaks: boolean): string | null {
  let column = w.column;
  let out = '';
  let spaces = false;
  let folded = false;
  const indent = Math.max(w.indent, 0);
  const chars = [...value];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] ?? '';
    if (ch === ' ') {
      if (allowBreaks && !spaces && column > bestWidth && chars[i + 1] !== ' ') {
        out += `\n${' '.repeat(indent)}`;
        column = indent;
        folded = true;
      } else {
        out += ch;
        column++;
      }
      spaces = true;
    } else {
      out += ch;
      column++;
      spaces = false;
    }
  }
  return folded ? out : null;
}

function foldQuoted(w: YamlWriter, value: string, allowBreaks: boolean, style: 'single' | 'double'): string | null {
  let column = w.column;
  let out = '';
  let spaces = false;
  let changed = false;
  const indent = Math.max(w.indent, 0);
  const chars = [...value];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] ?? '';
    const c = ch.codePointAt(0) ?? 0;
    if (style === 'double' && (!isPrintable(c) || c === 0xfeff || isBreak(ch) || ch === '"' || ch === '\\')) {
      out += doubleEscape(c);
      column += doubleEscape(c).length;
      changed = true;
      spaces = false;
    } else if (ch === ' ') {
      const canFold = style === 'single' ? i > 0 && i < chars.length - 1 && chars[i + 1] !== ' ' : i !== 0 && i !== chars.length - 1;
      if (allowBreaks && !spaces && column > bestWidth && canFold) {
        out += `\n${' '.repeat(indent)}`;
        column = indent;
        if (style === 'double' && chars[i + 1] === ' ') {
          out += '\\';
          column++;
        }
        changed = true;
      } else {
        out += ch;
        column++;
      }
      spaces = true;
    } else {
      if (style === 'single' && ch === "'") {
        out += "''";
        column += 2;
        changed = true;
      } else {
        out += ch;
        column++;
      }
      spaces = false;
    }
  }
  return changed ? out : null;
}

function doubleEscape(c: number): string {
  switch (c) {
    case 0x00:
      return '\\0';
    case 0x07:
      return '\\a';
    case 0x08:
      return '\\b';
    case 0x09:
      return '\\t';
    case 0x0a:
      return '\\n';
    case 0x0b:
      return '\\v';
    case 0x0c:
      return '\\f';
    case 0x0d:
      return '\\r';
    case 0x1b:
      return '\\e';
    case 0x22:
      return '\\"';
    case 0x5c:
      return '\\\\';
    case 0x85:
      return '\\N';
    case 0xa0:
      return '\\_';
    case 0x2028:
      return '\\L';
    case 0x2029:
      return '\\P';
  }
  if (c <= 0xff) return `\\x${c.toString(16).toUpperCase().padStart(2, '0')}`;
  if (c <= 0xffff) return `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
  return `\\U${c.toString(16).toUpperCase().padStart(8, '0')}`;
}

/** The style go-yaml picks for a string (encoder's stringv, then the emitter's select_scalar_style). */
function selectStyle(value: string, w: YamlWriter, ctx: Context): Style {
  const canUsePlain = resolvesToString(value) && !isBase60Float(value);
  let style: Style = value.includes('\n') ? 'literal' : canUsePlain ? 'plain' : 'double';
  const a = analyze(value);
  if (ctx.simpleKey && a.multiline) style = 'double';
  if (style === 'plain') {
    if ((w.flowLevel > 0 && !a.flowPlain) || (w.flowLevel === 0 && !a.blockPlain)) style = 'single';
    if (value.length === 0 && (w.flowLevel > 0 || ctx.simpleKey)) style = 'single';
  }
  if (style === 'single' && !a.singleQuoted) style = 'double';
  if (style === 'literal' && (!a.block || w.flowLevel > 0 || ctx.simpleKey)) style = 'double';
  return style;
}

/** A scalar as go-yaml writes a non-string (numbers as they come back from JSON, booleans, null). */
function emitPlainToken(w: YamlWriter, text: string, rope: Rope | null, ctx: Context): void {
  w.increaseIndent(true, false);
  if (!w.whitespace) w.put(' ');
  if (rope) w.putRope(rope);
  else w.put(text);
  w.whitespace = false;
  w.indention = false;
  if (ctx.root) w.openEnded = true;
  w.popIndent();
}

interface EmitOptions {
  readonly maxDepth: number;
  readonly unknownRope: (value: Extract<Value, { k: 'unknown' }>) => Rope;
}

function numberText(value: Value): string {
  if (value.k === 'int') return String(value.v);
  if (value.k !== 'float') return '';
  // JSON first: an integral float comes back from JSON as an int.
  const json = jsonFloat(value.v);
  if (/^-?\d+$/.test(json)) return json;
  const f = Number(json);
  return formatFloat(f, 'g', -1).replace(/^\+Inf$/, '.inf').replace(/^-Inf$/, '-.inf').replace(/^NaN$/, '.nan');
}

function emitNode(w: YamlWriter, value: Value, ctx: Context, options: EmitOptions, depth: number): void {
  if (depth > options.maxDepth) throw new EncodeDepthError(`value nested deeper than ${options.maxDepth} levels`);
  switch (value.k) {
    case 'invalid':
    case 'nil':
      emitPlainToken(w, 'null', null, ctx);
      return;
    case 'bool':
      emitPlainToken(w, value.v ? 'true' : 'false', value.src ? Rope.of(value.v ? 'true' : 'false', segmentFor(value.v ? 'true' : 'false', value.src)) : null, ctx);
      return;
    case 'int':
    case 'float': {
      const text = numberText(value);
      emitPlainToken(w, text, value.src ? Rope.of(text, segmentFor(text, value.src)) : null, ctx);
      return;
    }
    case 'unknown':
      emitPlainToken(w, '', options.unknownRope(value), ctx);
      return;
    case 'string':
    case 'bytes':
    case 'time': {
      const rope = value.k === 'string' ? value.s : value.k === 'bytes' ? Rope.of(Buffer.from(value.text, 'utf8').toString('base64'), { k: 'origin', origin: { source: 'generated', file: '', line: 1, column: 1, span: null } }) : Rope.of(new Date(value.ms).toISOString().replace('.000Z', 'Z'), { k: 'origin', origin: { source: 'generated', file: '', line: 1, column: 1, span: null } });
      emitString(w, rope, ctx);
      return;
    }
    case 'list': {
      if (value.isNil) {
        emitPlainToken(w, 'null', null, ctx);
        return;
      }
      if (value.items.length === 0 || w.flowLevel > 0) {
        w.writeIndicator('[', true, true, false);
        w.increaseIndent(true, false);
        w.flowLevel++;
        w.flowLevel--;
        w.popIndent();
        w.writeIndicator(']', false, false, false);
        return;
      }
      w.increaseIndent(false, ctx.mapping && !w.indention);
      for (const item of value.items) {
        w.writeIndent();
        w.writeIndicator('-', true, false, true);
        emitNode(w, item, { root: false, sequence: true, mapping: false, simpleKey: false }, options, depth + 1);
      }
      w.popIndent();
      return;
    }
    case 'map': {
      if (value.isNil) {
        emitPlainToken(w, 'null', null, ctx);
        return;
      }
      if (value.entries.size === 0) {
        w.writeIndicator('{', true, true, false);
        w.increaseIndent(true, false);
        w.popIndent();
        w.writeIndicator('}', false, false, false);
        return;
      }
      w.increaseIndent(false, false);
      for (const key of [...value.entries.keys()].sort(compareGoStrings)) {
        const entry = value.entries.get(key);
        w.writeIndent();
        const keyRope = entry?.key ? Rope.of(key, segmentFor(key, entry.key)) : Rope.of(key, { k: 'origin', origin: { source: 'generated', file: '', line: 1, column: 1, span: null } });
        const simple = key.length <= 128 && !key.includes('\n');
        if (simple) {
          emitString(w, keyRope, { root: false, sequence: false, mapping: true, simpleKey: true });
          w.writeIndicator(':', false, false, false);
        } else {
          w.writeIndicator('?', true, false, true);
          emitString(w, keyRope, { root: false, sequence: false, mapping: true, simpleKey: false });
          w.writeIndent();
          w.writeIndicator(':', true, false, true);
        }
        emitNode(w, entry?.value ?? { k: 'nil' }, { root: false, sequence: false, mapping: true, simpleKey: false }, options, depth + 1);
      }
      w.popIndent();
      return;
    }
    case 'struct': {
      const entries = new Map([...value.fields].map(([key, field]) => [key, { value: field }] as const));
      emitNode(w, { k: 'map', entries, t: 'map[string]interface {}' }, ctx, options, depth + 1);
      return;
    }
  }
}

function emitString(w: YamlWriter, rope: Rope, ctx: Context): void {
  const style = selectStyle(rope.text, w, ctx);
  w.increaseIndent(true, false);
  const verbatim = rope.segs[0]?.src ?? null;
  writeScalar(w, rope, style, !ctx.simpleKey, verbatim, ctx.root);
  w.popIndent();
}

/** Helm's toYaml: the YAML text without its final newline. */
export function toYaml(value: Value, computed: SegmentSource, unknownRope: EmitOptions['unknownRope'], maxDepth = 500): Rope {
  const w = new YamlWriter(computed);
  emitNode(w, value, { root: true, sequence: false, mapping: false, simpleKey: false }, { maxDepth, unknownRope }, 0);
  const rope = w.rope();
  // yaml.Marshal ends the document with a newline, and with "..." after a scalar at the root or a block scalar that
  // keeps its final newlines (libyaml's open-ended documents); Helm trims one "\n".
  if (w.openEnded) return Rope.concat([rope, Rope.of(rope.text.endsWith('\n') ? '...' : '\n...', computed)]);
  return rope;
}
