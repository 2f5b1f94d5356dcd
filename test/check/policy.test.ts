import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { podIdentityKinds, renderPolicy, type PolicyOptions } from '../../src/check/policy.js';
import { expectGolden } from '../helpers/golden.js';
import { writeTree } from '../helpers/repo.js';
import { check } from './helpers.js';

const expected = fileURLToPath(new URL('../../fixtures/check/policy/expected/', import.meta.url));

interface Doc {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string };
  readonly spec: Record<string, unknown>;
}

function docs(text: string): Doc[] {
  return parseAllDocuments(text).map((doc) => {
    if (Array.isArray(doc) || doc.errors.length > 0) throw new Error('the policy does not parse');
    return doc.toJS() as Doc;
  });
}

const options = (engine: PolicyOptions['engine'], mode: PolicyOptions['mode'] = 'enforce'): PolicyOptions => ({ engine, mode, excludeNamespaces: ['kube-system'] });

describe('pod2wi policy', () => {
  it.each([
    ['kyverno', 'enforce'],
    ['kyverno', 'audit'],
    ['gatekeeper', 'enforce'],
    ['gatekeeper', 'audit'],
  ] as const)('renders %s (%s) as its golden file', (engine, mode) => {
    expectGolden(join(expected, `${engine}-${mode}.yaml`), renderPolicy(options(engine, mode)));
  });

  it('Kyverno: denies the label on pods (controllers by autogen) and the creation of pod-identity objects', () => {
    const [pods, objects, extra] = docs(renderPolicy(options('kyverno')));
    expect(extra).toBeUndefined();
    expect(pods).toMatchObject({ apiVersion: 'kyverno.io/v1', kind: 'ClusterPolicy', spec: { validationFailureAction: 'Enforce', background: true } });
    const podRule = (pods?.spec.rules as Record<string, unknown>[])[0];
    expect(podRule).toMatchObject({
      match: { any: [{ resources: { kinds: ['Pod'] } }] },
      exclude: { any: [{ resources: { namespaces: ['kube-system'] } }] },
      validate: { pattern: { metadata: { '=(labels)': { 'X(aadpodidbinding)': 'null' } } } },
    });
    expect(pods?.metadata.name).toBe('pod2wi-deny-aadpodidbinding');
    const objectRule = (objects?.spec.rules as Record<string, unknown>[])[0];
    expect(objectRule).toMatchObject({
      match: { any: [{ resources: { kinds: podIdentityKinds.map((kind) => `aadpodidentity.k8s.io/v1/${kind}`), operations: ['CREATE'] } }] },
      validate: { deny: {} },
    });
    expect(docs(renderPolicy(options('kyverno', 'audit')))[0]?.spec.validationFailureAction).toBe('Audit');
  });

  it('Gatekeeper: a ConstraintTemplate with Rego, and a Constraint of its kind matching pods, controllers and pod-identity kinds', () => {
    const [template, constraint] = docs(renderPolicy(options('gatekeeper')));
    expect(template).toMatchObject({ apiVersion: 'templates.gatekeeper.sh/v1', kind: 'ConstraintTemplate' });
    const kind = (template?.spec.crd as { spec: { names: { kind: string } } }).spec.names.kind;
    expect(template?.metadata.name).toBe(kind.toLowerCase());
    const rego = (template?.spec.targets as { target: string; rego: string }[])[0];
    expect(rego?.target).toBe('admission.k8s.gatekeeper.sh');
    expect(rego?.rego).toMatch(/^package pod2widenypodidentity\n/);
    expect(rego?.rego).toContain('violation[{"msg": msg}]');
    expect(rego?.rego).toContain('input.review.kind.group == "aadpodidentity.k8s.io"');
    expect(constraint).toMatchObject({ apiVersion: 'constraints.gatekeeper.sh/v1beta1', kind, spec: { enforcementAction: 'deny', match: { excludedNamespaces: ['kube-system'] } } });
    const kinds = (constraint?.spec.match as { kinds: { apiGroups: string[]; kinds: string[] }[] }).kinds;
    expect(kinds).toEqual(expect.arrayContaining([
      { apiGroups: [''], kinds: ['Pod', 'ReplicationController'] },
      { apiGroups: ['apps'], kinds: ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'] },
      { apiGroups: ['batch'], kinds: ['Job', 'CronJob'] },
      { apiGroups: ['aadpodidentity.k8s.io'], kinds: [...podIdentityKinds] },
    ]));
    expect(docs(renderPolicy(options('gatekeeper', 'audit')))[1]?.spec.enforcementAction).toBe('dryrun');
  });

  it('does not trip the gate when committed to the repository it guards', () => {
    const dir = writeTree({ 'policy/kyverno.yaml': renderPolicy(options('kyverno')), 'policy/gatekeeper.yaml': renderPolicy(options('gatekeeper')) });
    expect(check(dir).result.findings).toEqual([]);
  });
});
