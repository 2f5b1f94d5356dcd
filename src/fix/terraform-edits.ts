import type { HelmRelease } from '../k8s/flux.js';
import { getIn, isMap, pairOf, type Origin, type RenderedObject } from '../k8s/rendered.js';
import { addBlockAttribute, addSet, quoteHcl, removeBlock, removeObjectKey, removeSet, replaceLiteral, setObjectKey, type HclEditResult } from '../terraform/edit.js';
import { camelCase } from '../terraform/kubernetes.js';
import type { TerraformSet } from '../terraform/releases.js';
import { parseHcl } from '../terraform/hcl-syntax.js';
import { terraformReleaseApiVersion } from '../terraform/scan.js';
import { composeEdits } from './compose.js';
import type { Edit } from './edit.js';
import type { Candidate, Candidates, EditState } from './editors.js';

/**
 * Source editors for what Terraform writes: a helm_release's `set` blocks and `yamlencode` maps, and the object
 * literals and blocks of kubernetes_* resources. Each returns candidates like the YAML editors; the realiser renders
 * again (Terraform read again with the edit) and keeps one only when the render changes exactly as intended.
 */

/** Whether an origin points into HCL text pod2wi may splice. */
export function isTerraformText(origin: Origin): origin is Origin & { span: readonly [number, number] } {
  return origin.source === 'terraform' && origin.span !== null && origin.file !== '';
}

/** The release a helm_release object was made from. */
function releaseOfObject(state: EditState, object: RenderedObject): HelmRelease | null {
  if (object.apiVersion !== terraformReleaseApiVersion) return null;
  const span = object.at.span?.[0];
  return state.scan.releases.find((release) => release.object === object)
    ?? state.scan.releases.find((release) => release.terraform !== null && release.object.at.file === object.at.file && release.object.at.span?.[0] === span)
    ?? null;
}

/** A Helm --set name for a values path: each key with `.`, `,`, `=`, `[` and `\` escaped. */
export function setName(path: readonly string[]): string {
  return path.map((key) => key.replace(/[\\.,=[\]]/g, (c) => `\\${c}`)).join('.');
}

/** Edits applied one after the other to one file, as one candidate (its splices composed onto the current text). */
function sequence(state: EditState, label: string, file: string, steps: readonly ((text: string) => HclEditResult)[]): Candidate | string {
  const original = state.files.read(file);
  if (original === null) return `${label}: cannot read ${file}`;
  let text = original;
  let edits: Edit[] = [];
  for (const step of steps) {
    const result = step(text);
    if (!result.ok) return `${label}: ${result.reason}`;
    edits = composeEdits(original, text, edits, result.edits);
    text = result.text;
  }
  if (text === original) return `${label}: nothing to change`;
  // A Terraform file left with nothing in it goes, as an emptied manifest does.
  if (text.trim() === '' && /\.tf$/.test(file)) return { label: `${label} (file deleted)`, texts: new Map([[file, null]]) };
  return { label, texts: new Map([[file, text]]), edits: new Map([[file, edits]]) };
}

function collect(out: { candidates: Candidate[]; declines: string[] }, made: Candidate | string): void {
  if (typeof made === 'string') out.declines.push(made);
  else if (!out.candidates.some((candidate) => JSON.stringify([...candidate.texts]) === JSON.stringify([...made.texts]))) out.candidates.push(made);
}

const where = (origin: Origin) => `${origin.file}:${origin.line}`;

/**
 * Candidates that make the map at `path` of a Terraform-made object hold `pairs`: for a helm_release, keys added to
 * the yamlencode map that holds the map's keys, else `set_string` blocks (a label or annotation must stay a string:
 * a plain `set` of "true" gives Helm a boolean); for a kubernetes_* resource, keys added to the object literal (or a
 * `labels`/`annotations` argument added to the block).
 */
export function terraformSetPairs(state: EditState, object: RenderedObject, path: readonly string[], pairs: Readonly<Record<string, string>>, why: string): Candidates {
  const out: { candidates: Candidate[]; declines: string[] } = { candidates: [], declines: [] };
  const release = releaseOfObject(state, object);
  const entries = Object.entries(pairs);
  // Object literals on the path, deepest first: keys set into them.
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? object.root : getIn(object.root, path.slice(0, depth));
    if (!isMap(node) || !isTerraformText(node.origin)) continue;
    const rest = path.slice(depth);
    const start = node.origin.span[0];
    const label = where(node.origin);
    collect(out, sequence(state, label, node.origin.file, entries.map(([key, value]) => (text: string) => setObjectKey(node.origin.file, text, start, [...rest, key], value, why))));
    // A block without the map (a kubernetes_* `metadata` without `labels`): the argument added, snake_case.
    if (!release && rest.length === 1 && camelCase(snakeCase(rest[0] ?? '')) === rest[0]) {
      const body = `{\n${entries.map(([key, value]) => `  ${quoteHcl(key)} = ${quoteHcl(value)}`).join('\n')}\n}`;
      collect(out, sequence(state, `${label} (${snakeCase(rest[0] ?? '')})`, node.origin.file, [(text) => addBlockAttribute(node.origin.file, text, start, snakeCase(rest[0] ?? ''), body, why)]));
    }
    // The block itself holds the fields (a pod `spec` block's `service_account_name`): each literal replaced, or added.
    if (!release && rest.length === 0 && entries.every(([key]) => camelCase(snakeCase(key)) === key)) {
      collect(out, sequence(state, `${label} (arguments)`, node.origin.file, entries.map(([key, value]) => (text: string) => {
        const current = pairOf(node, key)?.value.origin;
        if (current && isTerraformText(current)) return replaceLiteral(node.origin.file, text, current.span[0], value, why);
        return addBlockAttribute(node.origin.file, text, start, snakeCase(key), quoteHcl(value), why);
      })));
    }
  }
  if (release && path[0] === 'spec' && path[1] === 'values') collect(out, terraformReleaseSets(state, release, path.slice(2), pairs, why));
  if (out.candidates.length === 0 && out.declines.length === 0) out.declines.push(`${where(object.at)}: no literal in the Terraform to edit for ${path.join('.')}`);
  return out;
}

/**
 * One candidate that gives a helm_release's values `pairs` under `valuesPath`: a `set_string` entry each (a label or
 * annotation must stay a string: a plain `set` of "true" gives Helm a boolean).
 */
export function terraformReleaseSets(state: EditState, release: HelmRelease, valuesPath: readonly string[], pairs: Readonly<Record<string, string>>, why: string): Candidate | string {
  const at = release.object.at;
  if (!isTerraformText(at)) return `${where(at)}: the helm_release is not written where pod2wi can edit it`;
  return sequence(state, `${where(at)} (set_string ${setName(valuesPath)})`, at.file, Object.entries(pairs).map(([key, value]) => (text: string) => addSet(at.file, text, at.span[0], { name: setName([...valuesPath, key]), value, kind: 'set_string' }, why)));
}

/** The Terraform helm_release that installs the chart render an object comes from, if one does. */
export function terraformInstaller(state: EditState, object: RenderedObject): HelmRelease | null {
  const unit = object.unit;
  if (unit.kind !== 'helm-release') return null;
  return state.scan.releases.find((release) => release.terraform !== null && unit.variant === `${release.object.at.file}#${release.terraform.address}`) ?? null;
}

/** Candidates that take `key` out of the map at `path` of a Terraform-made object, where it is written. */
export function terraformRemoveKey(state: EditState, object: RenderedObject, path: readonly string[], key: string, why: string): Candidates {
  const out: { candidates: Candidate[]; declines: string[] } = { candidates: [], declines: [] };
  const map = getIn(object.root, path);
  const pair = pairOf(map, key);
  if (!pair || !isMap(map)) return out;
  const release = releaseOfObject(state, object);
  if (release && path[0] === 'spec' && path[1] === 'values' && isTerraformText(release.object.at)) {
    const at = release.object.at;
    const valuesPath = [...path.slice(2), key];
    const sets = setsFor(release, valuesPath);
    if (sets.length > 0) {
      collect(out, sequence(state, `${where(sets[0]?.at ?? at)} (set)`, at.file, sets.map((set) => (text: string) => removeSet(at.file, text, at.span[0], set.name.value, why))));
    }
  }
  if (isTerraformText(pair.keyOrigin) && isTerraformText(map.origin) && map.origin.file === pair.keyOrigin.file) {
    const origin = map.origin;
    collect(out, sequence(state, where(pair.keyOrigin), origin.file, [(text) => removeObjectKey(origin.file, text, origin.span[0], [key], why)]));
  }
  if (out.candidates.length === 0) out.declines.push(`${key} at ${where(pair.keyOrigin)} comes from ${pair.keyOrigin.via ?? pair.keyOrigin.source}; pod2wi cannot edit it there: change that line by hand`);
  return out;
}

/** Candidates that stop a Terraform resource from creating an object: the resource block removed. */
export function terraformDeleteObject(state: EditState, object: RenderedObject, why: string): Candidates {
  const out: { candidates: Candidate[]; declines: string[] } = { candidates: [], declines: [] };
  const at = object.at;
  if (!isTerraformText(at)) return out;
  if (object.conditions.length > 0) {
    out.declines.push(`${where(at)}: the resource has count or for_each; remove the instance by hand`);
    return out;
  }
  collect(out, sequence(state, `${where(at)} (resource)`, at.file, [(text) => removeBlock(at.file, text, at.span[0], why)]));
  return out;
}

/**
 * Candidates that create a ServiceAccount beside a workload Terraform creates: a `kubernetes_service_account` resource
 * after the workload's resource block, in its file (a YAML file there would not be applied by Terraform).
 */
export function terraformCreateServiceAccount(state: EditState, near: RenderedObject, name: string, namespace: string | null, annotations: Readonly<Record<string, string>>, why: string): Candidates {
  const out: { candidates: Candidate[]; declines: string[] } = { candidates: [], declines: [] };
  const at = near.at;
  if (!isTerraformText(at)) return out;
  const original = state.files.read(at.file);
  if (original === null) return out;
  const eol = original.includes('\r\n') ? '\r\n' : '\n';
  let label = name.replace(/[^A-Za-z0-9_-]/g, '_').replace(/^([^A-Za-z_])/, '_$1');
  const taken = (candidate: string) => new RegExp(`resource\\s+"kubernetes_service_account(_v1)?"\\s+"${candidate}"`).test(original);
  for (let index = 2; taken(label); index++) label = `${label.replace(/_\d+$/, '')}_${index}`;
  const lines = [
    `resource "kubernetes_service_account" ${quoteHcl(label)} {`,
    '  metadata {',
    `    name      = ${quoteHcl(name)}`,
    ...(namespace ? [`    namespace = ${quoteHcl(namespace)}`] : []),
    '    annotations = {',
    ...Object.entries(annotations).map(([key, value]) => `      ${quoteHcl(key)} = ${quoteHcl(value)}`),
    '    }',
    '  }',
    '}',
  ];
  const block = lines.join(eol);
  // After the line that closes the workload's resource block.
  const close = at.span[1];
  const lineEnd = original.indexOf('\n', close - 1);
  const insertAt = lineEnd < 0 ? original.length : lineEnd + 1;
  const prefix = lineEnd < 0 ? eol : '';
  const text = `${original.slice(0, insertAt)}${prefix}${eol}${block}${eol}${original.slice(insertAt)}`;
  const parsed = parseHcl(text);
  if (!parsed.ok) {
    out.declines.push(`${where(at)}: a kubernetes_service_account block would not parse here`);
    return out;
  }
  const edit: Edit = { file: at.file, start: insertAt, end: insertAt, expect: '', text: `${prefix}${eol}${block}${eol}`, why };
  out.candidates.push({ label: `${where(at)} (new kubernetes_service_account)`, texts: new Map([[at.file, text]]), edits: new Map([[at.file, [edit]]]) });
  return out;
}

/** The sets of a release whose path is `path` (the last one wins in Helm; all go). */
function setsFor(release: HelmRelease, path: readonly string[]): TerraformSet[] {
  return (release.terraform?.sets ?? []).filter((set) => set.form !== 'dynamic' && set.path.length === path.length && set.path.every((part, index) => String(part) === path[index]));
}

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

