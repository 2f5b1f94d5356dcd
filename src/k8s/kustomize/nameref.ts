import { get, isMap, isSeq, type RMap, type RNode, type RScalar, type ScalarPart } from '../rendered.js';
import type { Sink } from './context.js';
import { applyFieldSpec, FieldTypeError } from './field-path.js';
import type { NameBackReference } from './field-specs.js';
import { problem } from './problems.js';
import { curId, describeId, effectiveNamespace, gvkSelected, isClusterScoped, nameNode, orgId, prevIds, type Res } from './resource.js';
import { computed, setPair, valueText } from './tree.js';

/**
 * Name references fixed after renaming (kustomize's nameReferenceTransformer / filters/nameref): every field the
 * nameReference configuration lists (a pod's serviceAccountName, a RoleBinding's subjects, volumes and env naming
 * ConfigMaps and Secrets, ...) that names an object renamed by a prefix, suffix or hash, or moved to a namespace,
 * follows the object. The new value keeps the parts of the object's name (prefix from the kustomization, base name
 * from its file).
 */

function sameEnding(a: readonly string[], b: readonly string[]): boolean {
  const [shortest, longest] = a.length > b.length ? [b, a] : [a, b];
  const diff = longest.length - shortest.length;
  if (shortest.length === 0) return diff === 0;
  for (let i = shortest.length - 1; i >= 0; i--) if (longest[i + diff] !== shortest[i]) return false;
  return true;
}

function affixesEqual(candidate: Res, referrer: Res, allowEmpty: boolean): boolean {
  if (allowEmpty) {
    const prefixesOk = candidate.prefixes.length === 0 || referrer.prefixes.length === 0 || sameEnding(candidate.prefixes, referrer.prefixes);
    const suffixesOk = candidate.suffixes.length === 0 || referrer.suffixes.length === 0 || sameEnding(candidate.suffixes, referrer.suffixes);
    return prefixesOk && suffixesOk;
  }
  return sameEnding(candidate.prefixes, referrer.prefixes) && sameEnding(candidate.suffixes, referrer.suffixes);
}

/** Indexes over the build's objects for name reference lookups (kustomize scans every object for every field). */
class Candidates {
  readonly all: readonly Res[];
  readonly #byPreviousName = new Map<string, Res[]>();
  readonly #position = new Map<Res, number>();

  constructor(all: readonly Res[]) {
    this.all = all;
    all.forEach((res, i) => {
      this.#position.set(res, i);
      for (const name of new Set(prevIds(res).map((id) => id.name))) {
        const list = this.#byPreviousName.get(name);
        if (list) list.push(res);
        else this.#byPreviousName.set(name, [res]);
      }
    });
  }

  /** Objects that had `name` before a rename, in build order. */
  named(name: string): readonly Res[] {
    return this.#byPreviousName.get(name) ?? [];
  }
}

/** Whether a referrer may name an object: cluster-scoped ones, those in its namespace, and (RoleBinding) its subjects' namespaces. */
function mayReference(referrer: Res): (candidate: Res) => boolean {
  const id = curId(referrer.root);
  if (isClusterScoped(id)) return () => true;
  const namespaces = new Set<string>();
  if (id.kind === 'RoleBinding') {
    const subjects = get(referrer.root, 'subjects');
    if (isSeq(subjects)) {
      for (const subject of subjects.items) {
        if (valueText(get(subject, 'kind')) === 'ServiceAccount' && get(subject, 'namespace')) namespaces.add(valueText(get(subject, 'namespace')) ?? '');
      }
    }
  }
  const namespace = effectiveNamespace(id);
  return (candidate) => {
    const cid = curId(candidate.root);
    return isClusterScoped(cid) || effectiveNamespace(cid) === namespace || namespaces.has(cid.namespace);
  };
}

interface Filter {
  readonly spec: NameBackReference['referrers'][number];
  readonly target: NameBackReference['gvk'];
}

class Fixer {
  readonly #sink: Sink;
  readonly #referrer: Res;
  readonly #filter: Filter;
  readonly #candidates: Candidates;
  readonly #may: (candidate: Res) => boolean;

  constructor(sink: Sink, referrer: Res, filter: Filter, candidates: Candidates, may: (candidate: Res) => boolean) {
    this.#sink = sink;
    this.#referrer = referrer;
    this.#filter = filter;
    this.#candidates = candidates;
    this.#may = may;
  }

  #roleRefAccepts(candidate: Res): boolean {
    if (!this.#filter.spec.path.endsWith('roleRef/name')) return true;
    const roleRef = get(this.#referrer.root, 'roleRef');
    const group = get(roleRef, 'apiGroup');
    const kind = get(roleRef, 'kind');
    if (!isMap(roleRef) || !group || !kind) return true;
    return prevIds(candidate).some((id) => gvkSelected(id, { group: valueText(group) ?? '', kind: valueText(kind) ?? '' }));
  }

  #select(oldName: string, within: (candidate: Res) => boolean, identical: (list: readonly Res[]) => boolean): Res | null {
    const referrerId = curId(this.#referrer.root);
    let candidates = this.#candidates.named(oldName).filter((c) => this.#may(c) && within(c));
    candidates = candidates.filter((c) => prevIds(c).some((id) => gvkSelected(id, this.#filter.target)));
    candidates = candidates.filter((c) => this.#roleRefAccepts(c));
    if (!isClusterScoped(referrerId)) {
      candidates = candidates.filter((c) => {
        const cid = curId(c.root);
        return isClusterScoped(cid) || cid.kind === 'ServiceAccount' || effectiveNamespace(cid) === effectiveNamespace(referrerId);
      });
    }
    if (candidates.length === 1) return candidates[0] ?? null;
    candidates = candidates.filter((c) => affixesEqual(c, this.#referrer, true));
    if (candidates.length > 1) candidates = candidates.filter((c) => affixesEqual(c, this.#referrer, false));
    if (candidates.length === 1) return candidates[0] ?? null;
    if (candidates.length === 0) return null;
    if (identical(candidates)) return candidates[0] ?? null;
    this.#sink.problems.add(problem('nameref-ambiguous', this.#referrer.at, `${describeId(referrerId)}: ${this.#filter.spec.path} names ${oldName}, and several objects could be meant: ${candidates.map((c) => describeId(curId(c.root))).join(', ')}`));
    return null;
  }

  /** The referral's name as the new value, with its parts, at the referring field. */
  #nameValue(old: RNode, referral: Res): RScalar {
    const name = nameNode(referral.root);
    const text = valueText(name) ?? '';
    const parts: readonly ScalarPart[] = name && (name.kind === 'scalar' || name.kind === 'unknown') ? (name.parts ?? [{ text, origin: name.origin }]) : [];
    const id = curId(referral.root);
    return { kind: 'scalar', value: text, origin: computed(old.origin, `name reference to ${id.kind} ${text}`), parts };
  }

  scalar(node: RNode): RNode {
    const oldName = valueText(node);
    if (oldName === null || node.kind === 'unknown') return node;
    const referral = this.#select(oldName, () => true, (list) => list.every((c) => curId(c.root).name === curId(list[0]?.root ?? c.root).name));
    if (!referral) return node;
    if (curId(referral.root).name === oldName) return node;
    return this.#nameValue(node, referral);
  }

  mapping(node: RMap): RNode {
    const nameEntry = get(node, 'name');
    if (!nameEntry) throw new FieldTypeError(`path config error; no 'name' field in node`);
    const namespaceEntry = get(node, 'namespace');
    let within: (candidate: Res) => boolean = () => true;
    if (namespaceEntry) {
      // kustomize groups the candidates by original namespace, else by current namespace.
      const namespace = valueText(namespaceEntry) ?? '';
      const byOriginal = this.#candidates.all.some((c) => this.#may(c) && effectiveNamespace(orgId(c)) === namespace);
      within = byOriginal ? (c) => effectiveNamespace(orgId(c)) === namespace : (c) => effectiveNamespace(curId(c.root)) === namespace;
    }
    const oldName = valueText(nameEntry) ?? '';
    const referral = this.#select(oldName, within, (list) => {
      const first = curId(list[0]?.root ?? node);
      return list.every((c) => curId(c.root).name === first.name && curId(c.root).namespace === first.namespace);
    });
    if (!referral) return node;
    const rid = curId(referral.root);
    if (rid.name === oldName && rid.namespace === '') return node;
    let out = setPair(node, 'name', this.#nameValue(nameEntry, referral), node.pairs.find((pair) => pair.key === 'name')?.keyOrigin ?? node.origin);
    if (rid.namespace !== '') {
      const namespace = get(get(referral.root, 'metadata'), 'namespace');
      const value: RScalar = namespace && namespace.kind === 'scalar' ? namespace : { kind: 'scalar', value: rid.namespace, origin: computed(node.origin, `namespace of ${rid.kind} ${rid.name}`) };
      out = setPair(out, 'namespace', value, computed(node.origin, `namespace of ${rid.kind} ${rid.name}`));
    }
    return out;
  }

  set(node: RNode): RNode {
    if (node.kind === 'scalar' && node.value === null) return node;
    if (node.kind === 'scalar' || node.kind === 'unknown') return this.scalar(node);
    if (isMap(node)) return this.mapping(node);
    let changed = false;
    const items = node.items.map((item) => {
      let next: RNode = item;
      if (item.kind === 'scalar' || item.kind === 'unknown') next = this.scalar(item);
      else if (isMap(item)) next = this.mapping(item);
      else throw new FieldTypeError('a name reference list holds something other than names or maps');
      if (next !== item) changed = true;
      return next;
    });
    return changed ? { ...node, items } : node;
  }
}

/** Applies the nameReference configuration to every resource. */
export function fixNameReferences(resources: readonly Res[], backRefs: readonly NameBackReference[], sink: Sink): Res[] {
  const candidates = new Candidates(resources);
  return resources.map((res) => {
    const org = orgId(res);
    const filters: Filter[] = [];
    for (const backRef of backRefs) for (const spec of backRef.referrers) if (gvkSelected(org, spec)) filters.push({ spec, target: backRef.gvk });
    if (filters.length === 0) return res;
    const may = mayReference(res);
    let current = res;
    for (const filter of filters) {
      const id = curId(current.root);
      const spec = { path: filter.spec.path, create: false, group: id.group, version: id.version, kind: id.kind };
      const fixer = new Fixer(sink, current, filter, candidates, may);
      try {
        const root = applyFieldSpec(current.root, spec, (node) => fixer.set(node), { createKind: null, created: current.at });
        if (root !== current.root) current = { ...current, root };
      } catch (error) {
        if (!(error instanceof FieldTypeError)) throw error;
        sink.problems.add(problem('field-type', current.at, `updating name reference in '${filter.spec.path}' field of ${describeId(id)}: ${error.message}`));
      }
    }
    return current;
  });
}
