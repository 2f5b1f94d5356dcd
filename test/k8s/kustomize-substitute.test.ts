import { describe, expect, it } from 'vitest';
import { objectsOfDocument } from '../../src/k8s/rendered-objects.js';
import { fluxVariables, substitute, type SubstituteVariable } from '../../src/k8s/kustomize/index.js';
import { getIn, toPlain, type Origin, type RenderedObject, type RenderUnit, type RMap } from '../../src/k8s/rendered.js';
import { readTree } from '../../src/k8s/yaml-tree.js';

const unit: RenderUnit = { kind: 'flux-kustomization', path: 'clusters/prod/apps.yaml', variant: '', label: 'clusters/prod' };

function objects(file: string, text: string): RenderedObject[] {
  return readTree(file, text, { source: 'manifest' }).documents.flatMap((doc) => objectsOfDocument(doc, unit));
}

function vars(entries: Record<string, string>): Map<string, SubstituteVariable> {
  const origin: Origin = { source: 'flux-substitute', file: 'clusters/prod/apps.yaml', line: 9, column: 5, span: null };
  return new Map(Object.entries(entries).map(([name, value]) => [name, { value, origin }]));
}

/** Substitutes one string value through a ConfigMap and returns what became of it. */
function one(value: string, variables: Record<string, string>): unknown {
  const [object] = objects('cm.yaml', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  v: ${JSON.stringify(value)}\n`);
  if (!object) throw new Error('no object');
  return toPlain(getIn(substitute([object], vars(variables)).objects[0]?.root ?? null, ['data', 'v']));
}

describe('Flux envsubst syntax', () => {
  it.each([
    ['${var01}', { var01: 'abc' }, 'abc'],
    ['pre-${var01}-post', { var01: 'abc' }, 'pre-abc-post'],
    ['${var=xyz}', { other: 'x' }, 'xyz'],
    ['${var:=xyz}', { other: '' }, 'xyz'],
    ['${var:-xyz}', { var: '' }, 'xyz'],
    ['${var:-xyz}', { var: 'set' }, 'set'],
    ['${var:+alt}', { var: 'set' }, 'set'],
    ['${var:+alt}', { other: 'x' }, 'alt'],
    ['something ${var=${default_var}}', { default_var: 'foo' }, 'something foo'],
    ['len ${#var01}', { var01: 'abcdEFGH28ij' }, 'len 12'],
    ['${var01^^}', { var01: 'abc' }, 'ABC'],
    ['${var01,}', { var01: 'ABC' }, 'aBC'],
    ['${path_name:11:5}', { path_name: '/home/bozo/ideas/thoughts.for.today' }, 'ideas'],
    ['${stringZ//abc/xyz}', { stringZ: 'abcABC123ABCabc' }, 'xyzABC123ABCxyz'],
    ['${stringZ/%abc/XYZ}', { stringZ: 'abcABC123ABCabc' }, 'abcABC123ABCXYZ'],
    ['${filename##*.}', { filename: 'bash.string.txt' }, 'txt'],
    ['${filename%.*}', { filename: 'bash.string.txt' }, 'bash.string'],
    ['$${var01}', { var01: 'abc' }, '${var01}'],
    ['$var01 $$ ${var01}', { var01: 'abc' }, '$var01 $ abc'],
  ])('%s with %j is %j', (input, variables, expected) => {
    expect(one(input, variables)).toBe(expected);
  });

  it('reads a whole-value substitution back with YAML 1.1, as Flux does', () => {
    expect(one('${REPLICAS}', { REPLICAS: '3' })).toBe(3);
    expect(one('${ENABLED}', { ENABLED: 'yes' })).toBe(true);
    expect(one('v${REPLICAS}', { REPLICAS: '3' })).toBe('v3');
  });

  it('keeps an unset variable as an unknown part and says Flux would write an empty string', () => {
    const [object] = objects('sa.yaml', 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app\n  annotations:\n    azure.workload.identity/client-id: ${CLIENT_ID}\n');
    const result = substitute(object ? [object] : [], vars({ OTHER: 'x' }));
    const value = getIn(result.objects[0]?.root ?? null, ['metadata', 'annotations', 'azure.workload.identity/client-id']);
    expect(value?.kind).toBe('unknown');
    expect(value?.kind === 'unknown' ? value.parts : null).toEqual([{ unknown: expect.objectContaining({ expression: '${CLIENT_ID}', reason: expect.stringContaining('empty string') }) }]);
    expect(result.problems.map((p) => [p.code, p.at.file, p.at.line])).toEqual([['substitute-unset', 'sa.yaml', 6]]);
  });

  it('reports what Flux refuses: bad syntax, invalid variable names', () => {
    expect(substitute(objects('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {v: "${INTERVAL / 1000}"}\n'), vars({ INTERVAL: '5' })).problems.map((p) => p.code)).toEqual(['substitute-syntax']);
    expect(substitute(objects('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n'), vars({ 'bad-name': '1' })).problems.map((p) => p.code)).toEqual(['substitute-invalid-name']);
  });

  it('leaves objects that disable substitution alone', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations:\n    kustomize.toolkit.fluxcd.io/substitute: disabled\ndata:\n  v: ${X}\n';
    const input = objects('cm.yaml', text);
    expect(substitute(input, vars({ X: '1' })).objects[0]).toBe(input[0]);
  });

  it('gives substituted text flux-substitute parts at the variable definition, and keeps literal text with its file', () => {
    const [object] = objects('deploy.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api-${CLUSTER}\n');
    const name = substitute(object ? [object] : [], vars({ CLUSTER: 'weu' })).objects[0]?.name;
    expect(name?.kind === 'scalar' ? [name.value, name.parts?.map((p) => ('text' in p ? [p.text, p.origin.file, p.origin.source] : []))] : null).toEqual([
      'api-weu',
      [
        ['api-', 'deploy.yaml', 'manifest'],
        ['weu', 'clusters/prod/apps.yaml', 'flux-substitute'],
      ],
    ]);
  });
});

describe('fluxVariables', () => {
  it('reads substituteFrom ConfigMaps and Secrets in order, then substitute, which wins', () => {
    const text = [
      'apiVersion: kustomize.toolkit.fluxcd.io/v1',
      'kind: Kustomization',
      'metadata:',
      '  name: apps',
      '  namespace: flux-system',
      'spec:',
      '  postBuild:',
      '    substitute:',
      '      CLUSTER: weu',
      '    substituteFrom:',
      '      - kind: ConfigMap',
      '        name: cluster-vars',
      '      - kind: Secret',
      '        name: cluster-secrets',
      '      - kind: ConfigMap',
      '        name: optional-vars',
      '        optional: true',
      '      - kind: ConfigMap',
      '        name: missing-vars',
      '',
    ].join('\n');
    const kustomization = readTree('clusters/prod/apps.yaml', text, { source: 'manifest' }).documents[0]?.node as RMap;
    const candidates = objects('clusters/prod/vars.yaml', [
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cluster-vars\n  namespace: flux-system\ndata:\n  CLUSTER: neu\n  CLIENT_ID: "1111"\n',
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: cluster-secrets\ndata:\n  CLIENT_ID: MjIyMg==\n',
    ].join('---\n'));
    const { variables, problems } = fluxVariables(kustomization, candidates);
    expect(Object.fromEntries([...variables].map(([k, v]) => [k, [v.value, v.origin.file, v.origin.line]]))).toEqual({
      CLUSTER: ['weu', 'clusters/prod/apps.yaml', 9],
      CLIENT_ID: ['2222', 'clusters/prod/vars.yaml', 15],
    });
    expect(problems.map((p) => p.code)).toEqual(['substitute-source-missing']);
  });
});

describe('unset variables', () => {
  const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: ${DOMAIN}\n  b: api.${DOMAIN}\n  c: ${OTHER}\n';

  it('are reported once per file, at their first use, and kept unknown', () => {
    const result = substitute(objects('cm.yaml', text), vars({ SET: 'x' }));
    expect(result.problems.map((problem) => [problem.code, problem.at.line, problem.message.slice(0, 10)])).toEqual([
      ['substitute-unset', 6, '${DOMAIN} '],
      ['substitute-unset', 8, '${OTHER} i'],
    ]);
    expect(getIn(result.objects[0]?.root ?? null, ['data', 'b'])?.kind).toBe('unknown');
  });

  it('that a substituteFrom source outside the repository may set are unknown, not reported', () => {
    const result = substitute(objects('cm.yaml', text), new Map(), { missingSources: ['ConfigMap/cluster-vars'] });
    expect(result.problems).toEqual([]);
    const value = getIn(result.objects[0]?.root ?? null, ['data', 'a']);
    expect(value?.kind).toBe('unknown');
    expect(value?.kind === 'unknown' ? value.parts.find((part) => 'unknown' in part) : null).toMatchObject({ unknown: { reason: expect.stringContaining('ConfigMap/cluster-vars') } });
  });
});
