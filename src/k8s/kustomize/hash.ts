import { createHash } from 'node:crypto';
import { get, isMap, toPlain, type RMap } from '../rendered.js';
import { valueText } from './tree.js';

/**
 * The name suffix kustomize adds to generated ConfigMaps and Secrets (api/hasher): the SHA-256 of a JSON encoding of
 * kind, name, data (and type / binaryData / stringData), its first ten hex digits with 0, 1, 3, a, e replaced by
 * g, h, k, m, t. Kustomize looks the name up under a key that never matches, so the encoded name is always empty;
 * checked against `kubectl kustomize` (Kustomize 5.5).
 */

/** Go's encoding/json string escaping (HTML characters and U+2028/U+2029 escaped, as json.Marshal does). */
function goString(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || ch === '<' || ch === '>' || ch === '&' || code === 0x2028 || code === 0x2029) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Go's json.Marshal of plain data: map keys sorted by bytes. */
export function goJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return goString(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => {
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    return Buffer.compare(x, y);
  });
  return `{${entries.map(([key, item]) => `${goString(key)}:${goJson(item)}`).join(',')}}`;
}

function encode(hex: string): string {
  const map: Readonly<Record<string, string>> = { '0': 'g', '1': 'h', '3': 'k', a: 'm', e: 't' };
  return [...hex.slice(0, 10)].map((ch) => map[ch] ?? ch).join('');
}

/** A field as the hasher reads it: the plain value of a map (strings as kyaml gives them), else its text, else ''. */
function fieldValue(root: RMap, key: string): unknown {
  const node = get(root, key);
  if (!node) return '';
  if (isMap(node)) {
    const out: Record<string, unknown> = {};
    for (const pair of node.pairs) out[pair.key] = toPlain(pair.value);
    return out;
  }
  if (node.kind === 'seq') return toPlain(node);
  return valueText(node) ?? '';
}

/** The hash suffix of a generated object. */
export function generatedNameHash(root: RMap): string {
  const kind = valueText(get(root, 'kind')) ?? '';
  let encoded: string;
  if (kind === 'ConfigMap') {
    const record: Record<string, unknown> = { kind: 'ConfigMap', name: '', data: fieldValue(root, 'data') };
    const binary = fieldValue(root, 'binaryData');
    if (binary !== null && typeof binary === 'object' && !Array.isArray(binary)) record.binaryData = binary;
    encoded = goJson(record);
  } else if (kind === 'Secret') {
    const record: Record<string, unknown> = { kind: 'Secret', type: fieldValue(root, 'type'), name: '', data: fieldValue(root, 'data') };
    const stringData = fieldValue(root, 'stringData');
    if (stringData !== null && typeof stringData === 'object' && !Array.isArray(stringData)) record.stringData = stringData;
    encoded = goJson(record);
  } else {
    encoded = goJson(toPlain(root));
  }
  return encode(createHash('sha256').update(encoded, 'utf8').digest('hex'));
}
