// Regenerates src/k8s/kustomize/openapi-table.ts from the OpenAPI document Kustomize 5.5 builds with.
//
// Usage: node scripts/kustomize-openapi-table.mjs <swagger.pb> > src/k8s/kustomize/openapi-table.ts
// where swagger.pb is kubernetes-sigs/kustomize (tag kustomize/v5.5.0):kyaml/openapi/kubernetesapi/v1_21_2/swagger.pb,
// the Kubernetes 1.21.2 OpenAPI v2 document as gnostic protobuf (Document.definitions = 9; NamedSchema name = 1,
// value = 2; Schema $ref = 1, type = 22, items = 23, properties = 25, additionalProperties = 21, vendor extensions = 31).
// The table keeps, for every kind, the fields that lead to a list with `x-kubernetes-patch-strategy: merge`, and the
// merge keys of those lists (`x-kubernetes-list-map-keys` when present, else `x-kubernetes-patch-merge-key`), which is
// how kyaml's merge2 decides how to merge a list.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const buf = readFileSync(process.argv[2]);
function fields(start, end) {
  const out = [];
  let i = start;
  const varint = () => {
    let r = 0;
    let s = 1;
    for (;;) {
      const x = buf[i++];
      r += (x & 0x7f) * s;
      s *= 128;
      if (!(x & 0x80)) return r;
    }
  };
  while (i < end) {
    const key = varint();
    const no = Math.floor(key / 8);
    const wt = key % 8;
    if (wt === 0) out.push({ no, v: varint() });
    else if (wt === 2) {
      const len = varint();
      out.push({ no, s: i, e: i + len });
      i += len;
    } else if (wt === 1) i += 8;
    else if (wt === 5) i += 4;
    else throw new Error(`wire type ${wt} at ${i}`);
  }
  return out;
}
const str = (f) => buf.toString('utf8', f.s, f.e);
const named = (f) => {
  const n = fields(f.s, f.e);
  return [str(n.find((y) => y.no === 1)), n.find((y) => y.no === 2)];
};
function schema(f) {
  const out = {};
  for (const x of fields(f.s, f.e)) {
    if (x.no === 1) out.ref = str(x);
    else if (x.no === 22) out.type = fields(x.s, x.e).map(str);
    else if (x.no === 23) out.items = fields(x.s, x.e).filter((y) => y.no === 1).map(schema)[0];
    else if (x.no === 25) {
      out.props = {};
      for (const ns of fields(x.s, x.e)) {
        const [name, value] = named(ns);
        out.props[name] = schema(value);
      }
    } else if (x.no === 21) {
      const s = fields(x.s, x.e).find((y) => y.no === 1);
      if (s) out.additional = schema(s);
    } else if (x.no === 31) {
      const [name, value] = named(x);
      const yamlText = fields(value.s, value.e).find((y) => y.no === 2);
      out.ext ??= {};
      out.ext[name] = yamlText ? parse(str(yamlText)) : null;
    }
  }
  return out;
}
const doc = fields(0, buf.length);
const defs = {};
for (const ns of fields(...(({ s, e }) => [s, e])(doc.find((f) => f.no === 9)))) {
  const [name, value] = named(ns);
  defs[name] = schema(value);
}

const ref = (p) => (p.ref ?? p.items?.ref ?? p.additional?.ref)?.replace('#/definitions/', '') ?? null;
const isMergeList = (p) => p.type?.[0] === 'array' && String(p.ext?.['x-kubernetes-patch-strategy'] ?? '').split(',').includes('merge');
const memo = new Map();
function leads(type, stack = new Set()) {
  if (memo.has(type)) return memo.get(type);
  if (stack.has(type) || !defs[type]) return false;
  stack.add(type);
  let result = false;
  for (const p of Object.values(defs[type].props ?? {})) {
    const child = ref(p);
    if (isMergeList(p) || (child && leads(child, stack))) result = true;
  }
  stack.delete(type);
  memo.set(type, result);
  return result;
}
const short = (t) =>
  t
    .replace(/^io\.k8s\.api\./, '')
    .replace(/^io\.k8s\.apimachinery\.pkg\.apis\.meta\.v1\./, 'meta.v1.')
    .replace(/^io\.k8s\.kube-aggregator\.pkg\.apis\.apiregistration\./, 'apiregistration.')
    .replace(/^io\.k8s\.apiextensions-apiserver\.pkg\.apis\.apiextensions\./, 'apiextensions.');
const kinds = [];
const types = new Map();
function visit(type) {
  if (types.has(type) || !leads(type)) return;
  const entries = [];
  types.set(type, entries);
  for (const [field, p] of Object.entries(defs[type].props ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const child = ref(p);
    const typed = child && leads(child) ? child : null;
    const merge = isMergeList(p);
    if (!typed && !merge) continue;
    const keys = p.ext?.['x-kubernetes-list-map-keys'] ?? (p.ext?.['x-kubernetes-patch-merge-key'] ? [p.ext['x-kubernetes-patch-merge-key']] : []);
    const bits = [];
    if (typed) bits.push(`type: '${short(typed)}'`);
    if (merge) bits.push(`mergeKeys: [${keys.map((k) => `'${k}'`).join(', ')}]`);
    entries.push(`${/^[A-Za-z_$][\w$]*$/.test(field) ? field : `'${field}'`}: { ${bits.join(', ')} }`);
    if (typed) visit(typed);
  }
}
for (const [name, d] of Object.entries(defs)) {
  for (const g of d.ext?.['x-kubernetes-group-version-kind'] ?? []) {
    visit(name);
    if (types.has(name)) kinds.push(`  '${g.group ? `${g.group}/${g.version}` : g.version} ${g.kind}': '${short(name)}',`);
  }
}
const lines = [...types].map(([t, entries]) => `  '${short(t)}': { ${entries.join(', ')} },`).sort();
process.stdout.write(`/**
 * Which lists of the built-in kinds a strategic-merge patch merges, and by which keys: the OpenAPI document Kustomize 5.5
 * merges with (kubernetes-sigs/kustomize kyaml/openapi/kubernetesapi/v1_21_2/swagger.pb, Kubernetes 1.21.2). Its
 * \`x-kubernetes-patch-strategy\` / \`x-kubernetes-patch-merge-key\` / \`x-kubernetes-list-map-keys\` extensions are the
 * \`patchStrategy\` / \`patchMergeKey\` tags and \`+listMapKey\` markers of the k8s.io/api types (containers, volumes and
 * env by name, ports by containerPort and protocol, volumeMounts by mountPath, ...).
 *
 * Generated by scripts/kustomize-openapi-table.mjs; do not edit by hand. Only fields on a path to such a list are kept:
 * every other list of a built-in kind, and every list of a kind not listed here (custom resources), is replaced by the
 * patch, as kyaml does without a schema.
 */

/** A field of a schema type: the type of its value (or of its items, for a list), and the merge keys of a merged list. */
export interface SchemaField {
  readonly type?: string;
  /** Present when the list is merged (patch strategy \`merge\`); empty for a merged list of scalars. */
  readonly mergeKeys?: readonly string[];
}

/** \`apiVersion kind\` → schema type of the object. */
export const schemaKinds: Readonly<Record<string, string>> = {
${kinds.sort().join('\n')}
};

/** Schema type → its fields that matter to a merge. */
export const schemaTypes: Readonly<Record<string, Readonly<Record<string, SchemaField>>>> = {
${lines.join('\n')}
};
`);
