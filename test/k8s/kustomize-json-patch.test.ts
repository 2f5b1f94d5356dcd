import fc from 'fast-check';
import jsonpatch from 'fast-json-patch';
import { describe, expect, it } from 'vitest';
import { applyJsonPatch, JsonPatchError, readOperations, type JsonPatchOperation } from '../../src/k8s/kustomize/json-patch.js';
import { fromPlain } from '../../src/k8s/kustomize/tree.js';
import { toPlain, type Origin, type RMap } from '../../src/k8s/rendered.js';
import { readTree } from '../../src/k8s/yaml-tree.js';

/**
 * JSON 6902 on rendered trees, against the maintained fast-json-patch library: random valid patches over random
 * documents give the same plain data. Reproduce with KUSTOMIZE_PROPERTY_SEED=<seed>.
 */

const seed = process.env.KUSTOMIZE_PROPERTY_SEED ? Number(process.env.KUSTOMIZE_PROPERTY_SEED) : process.env.CI ? 20261204 : undefined;
const origin: Origin = { source: 'kustomize-json6902', file: 'p.yaml', line: 1, column: 1, span: null };

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const json: fc.Arbitrary<Json> = fc.letrec((tie) => ({
  value: fc.oneof(
    { maxDepth: 3 },
    fc.constantFrom<Json>(null, true, false, 0, 1, 'a', 'b', 'x/y', 'm~n'),
    fc.array(tie('value') as fc.Arbitrary<Json>, { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c', 'x/y', 'm~n', ''), tie('value') as fc.Arbitrary<Json>, { maxKeys: 3, noNullPrototype: true }),
  ),
})).value;

const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** Every path in the document, with its value. */
function paths(doc: Json, prefix = ''): { path: string; value: Json }[] {
  const out: { path: string; value: Json }[] = [{ path: prefix, value: doc }];
  if (Array.isArray(doc)) doc.forEach((item, i) => out.push(...paths(item, `${prefix}/${i}`)));
  else if (doc && typeof doc === 'object') for (const [key, item] of Object.entries(doc)) out.push(...paths(item, `${prefix}/${escape(key)}`));
  return out;
}

interface Op {
  op: string;
  path: string;
  from?: string;
  value?: Json;
}

/** A random operation that is valid on `doc` (picked with the random numbers in `choice`). */
function validOp(doc: Json, choice: readonly number[], value: Json): Op | null {
  const all = paths(doc).filter((p) => p.path !== '');
  const containers = paths(doc).filter((p) => p.value !== null && typeof p.value === 'object');
  const pick = <T>(list: readonly T[], n: number) => list[(choice[n] ?? 0) % Math.max(1, list.length)];
  switch ((choice[0] ?? 0) % 6) {
    case 0: {
      const target = pick(containers, 1);
      if (!target) return null;
      if (Array.isArray(target.value)) {
        const index = (choice[2] ?? 0) % (target.value.length + 2);
        return { op: 'add', path: `${target.path}/${index > target.value.length ? '-' : index}`, value };
      }
      return { op: 'add', path: `${target.path}/${escape(pick(['a', 'b', 'new', 'x/y'], 2) ?? 'new')}`, value };
    }
    case 1: {
      const target = pick(all, 1);
      return target ? { op: 'remove', path: target.path } : null;
    }
    case 2: {
      const target = pick(all, 1);
      return target ? { op: 'replace', path: target.path, value } : null;
    }
    case 3:
    case 4: {
      const from = pick(all, 1);
      const to = pick(containers, 2);
      if (!from || !to) return null;
      const key = Array.isArray(to.value) ? '-' : 'moved';
      const path = `${to.path}/${key}`;
      if (path === from.path || path.startsWith(`${from.path}/`) || to.path.startsWith(`${from.path}/`) || to.path === from.path) return null;
      const op = (choice[0] ?? 0) % 6 === 3 ? 'move' : 'copy';
      if (op === 'move') {
        // Removing `from` may shift a list that holds `to`: keep moves whose destination is still a container.
        const removed = jsonpatch.applyPatch(structuredClone(doc), [{ op: 'remove', path: from.path }]).newDocument as Json;
        let target: Json | undefined;
        try {
          target = to.path === '' ? removed : (jsonpatch.getValueByPointer(removed, to.path) as Json | undefined);
        } catch {
          return null;
        }
        if (target === null || target === undefined || typeof target !== 'object' || Array.isArray(target) !== Array.isArray(to.value)) return null;
      }
      return { op, from: from.path, path };
    }
    default: {
      const target = pick(all, 1);
      return target ? { op: 'test', path: target.path, value: target.value } : null;
    }
  }
}

function ours(doc: { [key: string]: Json }, ops: readonly Op[]): unknown {
  const operations: JsonPatchOperation[] = ops.map((op) => ({ op: op.op, path: op.path, from: op.from ?? null, value: op.value === undefined ? undefined : fromPlain(op.value, origin), at: origin }));
  return toPlain(applyJsonPatch(fromPlain(doc, origin) as RMap, operations));
}

describe('JSON 6902 against fast-json-patch', () => {
  it('random valid patches give the same document', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('a', 'b', 'c', 'x/y'), json, { minKeys: 1, maxKeys: 4, noNullPrototype: true }), fc.array(fc.tuple(fc.array(fc.nat(50), { minLength: 3, maxLength: 3 }), json), { maxLength: 6 }), (doc, steps) => {
        let current: Json = structuredClone(doc);
        const ops: Op[] = [];
        for (const [choice, value] of steps) {
          const op = validOp(current, choice, structuredClone(value));
          if (!op) continue;
          current = jsonpatch.applyPatch(structuredClone(current), [op as jsonpatch.Operation], true).newDocument as Json;
          ops.push(op);
        }
        expect(ours(doc, ops)).toEqual(current);
      }),
      { numRuns: 1000, ...(seed === undefined ? {} : { seed }) },
    );
  });

  it('fails where the library fails: missing paths, failed tests, indexes out of range', () => {
    const doc = { a: { b: [1, 2] } };
    for (const op of [
      { op: 'remove', path: '/a/c' },
      { op: 'replace', path: '/x', value: 1 },
      { op: 'add', path: '/a/b/5', value: 1 },
      { op: 'add', path: '/q/r', value: 1 },
      { op: 'test', path: '/a/b/0', value: 2 },
      { op: 'move', from: '/nope', path: '/a/x' },
    ]) {
      expect(() => jsonpatch.applyPatch(structuredClone(doc), [op as jsonpatch.Operation], true)).toThrow();
      expect(() => ours(doc, [op as Op])).toThrow(JsonPatchError);
    }
  });

  it('keeps the origin of the operation value on what it adds', () => {
    const patch = readTree('patch.yaml', '- op: replace\n  path: /spec/clientID\n  value: 1234-abcd\n', { source: 'kustomize-json6902' }).documents[0]?.node ?? null;
    const operations = readOperations(patch);
    const target = readTree('base.yaml', 'spec:\n  clientID: old\n  type: 0\n', { source: 'manifest' }).documents[0]?.node as RMap;
    const result = applyJsonPatch(target, operations ?? []);
    const spec = result.pairs[0]?.value;
    const pairs = spec?.kind === 'map' ? spec.pairs : [];
    expect(pairs.map((p) => [p.key, p.value.origin.file, p.value.origin.line, p.value.origin.source])).toEqual([
      ['clientID', 'patch.yaml', 3, 'kustomize-json6902'],
      ['type', 'base.yaml', 3, 'manifest'],
    ]);
  });
});
