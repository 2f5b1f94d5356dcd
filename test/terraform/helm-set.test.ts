import { describe, expect, it } from 'vitest';
import { generatedOrigin, toPlain, type RMap } from '../../src/k8s/rendered.js';
import { applySet, mergeValues, parseSetName, typedSetValue } from '../../src/terraform/helm-set.js';

const origin = generatedOrigin('test');
const scalar = (value: string | number | boolean | null) => ({ kind: 'scalar' as const, value, origin });

describe('Helm --set names', () => {
  it('reads paths as Helm strvals does', () => {
    expect(parseSetName('podLabels.aadpodidbinding')).toEqual({ ok: true, path: ['podLabels', 'aadpodidbinding'] });
    expect(parseSetName('podLabels.azure\\.workload\\.identity/use')).toEqual({ ok: true, path: ['podLabels', 'azure.workload.identity/use'] });
    expect(parseSetName('extraEnv[0].name')).toEqual({ ok: true, path: ['extraEnv', 0, 'name'] });
    expect(parseSetName('matrix[1][2]')).toEqual({ ok: true, path: ['matrix', 1, 2] });
    expect(parseSetName('a\\\\b')).toEqual({ ok: true, path: ['a\\b'] });
  });

  it('refuses what Helm refuses', () => {
    for (const name of ['', 'a..b', 'a.', '[0]', 'a[x]', 'a[0', 'a[0]b', 'a=b', 'a,b', 'a\\', 'a[65537]']) {
      expect(parseSetName(name).ok, name).toBe(false);
    }
  });

  it('types values like typedVal', () => {
    expect(typedSetValue('true')).toBe(true);
    expect(typedSetValue('FALSE')).toBe(false);
    expect(typedSetValue('null')).toBe(null);
    expect(typedSetValue('0')).toBe(0);
    expect(typedSetValue('42')).toBe(42);
    expect(typedSetValue('-7')).toBe(-7);
    expect(typedSetValue('0123')).toBe('0123');
    expect(typedSetValue('1.5')).toBe('1.5');
    expect(typedSetValue('99999999999999999999')).toBe('99999999999999999999');
  });
});

describe('applying sets and merging values', () => {
  it('creates maps and lists on the way and replaces what is there', () => {
    let values: RMap = { kind: 'map', pairs: [{ key: 'podLabels', keyOrigin: origin, value: { kind: 'map', pairs: [{ key: 'app', keyOrigin: origin, value: scalar('x') }], origin } }], origin };
    values = applySet(values, ['podLabels', 'aadpodidbinding'], scalar('id'), origin, origin);
    values = applySet(values, ['env', 1, 'name'], scalar('A'), origin, origin);
    values = applySet(values, ['podLabels', 'app'], scalar('y'), origin, origin);
    expect(toPlain(values)).toEqual({ podLabels: { app: 'y', aadpodidbinding: 'id' }, env: [null, { name: 'A' }] });
  });

  it('merges maps key by key; later scalars and lists win', () => {
    const base: RMap = { kind: 'map', pairs: [{ key: 'a', keyOrigin: origin, value: { kind: 'map', pairs: [{ key: 'b', keyOrigin: origin, value: scalar(1) }], origin } }, { key: 'l', keyOrigin: origin, value: { kind: 'seq', items: [scalar(1)], origin } }], origin };
    const overlay: RMap = { kind: 'map', pairs: [{ key: 'a', keyOrigin: origin, value: { kind: 'map', pairs: [{ key: 'c', keyOrigin: origin, value: scalar(2) }], origin } }, { key: 'l', keyOrigin: origin, value: { kind: 'seq', items: [], origin } }], origin };
    expect(toPlain(mergeValues(base, overlay))).toEqual({ a: { b: 1, c: 2 }, l: [] });
  });
});
