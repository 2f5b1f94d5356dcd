import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fileSource, type FileSource } from '../../../src/k8s/files.js';
import { GrammarCache } from '../../../src/code/tree-sitter.js';
import { ArmExpressionError, parseArmExpression } from '../../../src/podidentity/addon/arm-expression.js';
import { lexBicep } from '../../../src/podidentity/addon/bicep-lexer.js';
import { parseBicep } from '../../../src/podidentity/addon/bicep-parser.js';
import { addonAsObjects, addonExceptionAsObject, readAddon } from '../../../src/podidentity/addon/index.js';
import { readAzureIdentity, readBinding, readException } from '../../../src/podidentity/crds.js';
import { FindingSink } from '../../../src/model/findings-sink.js';
import { loadFindingCatalogue } from '../../../src/rules/catalogue.js';

const grammars = new GrammarCache();
const seed = process.env.CI ? 20261204 : undefined;

function repo(files: Record<string, string>): FileSource {
  return fileSource(Object.keys(files), (path) => files[path] ?? null);
}

const cluster = (properties: string) => `resource aks 'Microsoft.ContainerService/managedClusters@2023-01-01' = {\n  name: 'aks-a'\n  properties: ${properties}\n}\n`;

describe('ARM expressions', () => {
  it('parses calls, strings with escaped quotes, numbers, member and index access, user functions', () => {
    expect(parseArmExpression("concat('it''s', parameters('a').b[0], ns.fn(1))")).toMatchObject({
      kind: 'call',
      name: 'concat',
      args: [{ kind: 'string', value: "it's" }, { kind: 'index', object: { kind: 'member', name: 'b' }, index: { kind: 'number', value: 0 } }, { kind: 'call', name: 'ns.fn' }],
    });
  });

  it.each(["concat('a'", "parameters('a'))", 'foo', "'open", "a(1 2)"])('refuses %s with an offset', (text) => {
    expect(() => parseArmExpression(text)).toThrow(ArmExpressionError);
  });

  it('refuses nesting beyond its limit instead of overflowing the stack', () => {
    expect(() => parseArmExpression(`${'concat('.repeat(5000)}'a'${')'.repeat(5000)}`)).toThrow(/nested deeper/);
  });
});

describe('Bicep lexer and parser', () => {
  it('reads escapes, interpolation with nested strings, multi-line strings and pragmas', () => {
    const tokens = lexBicep("var a = 'x\\'y\\${z}${f('}')}'\nvar b = '''\nline ${not}\n'''\n#disable-next-line BCP081\n");
    const strings = tokens.filter((token) => token.kind === 'string');
    expect(strings[0]).toMatchObject({ segments: [{ text: "x'y${z}" }, { hole: expect.any(Array) }] });
    expect(strings[1]).toMatchObject({ segments: [{ text: 'line ${not}\n' }] });
  });

  it('skips a declaration it cannot parse and keeps the others, with the offset of the error', () => {
    const file = parseBicep("param a string = 'x'\nvar broken = {\n  key 'no colon'\n}\nvar b = a\n");
    expect(file.statements.map((statement) => statement.kind)).toEqual(['param', 'var']);
    expect(file.errors).toHaveLength(1);
  });

  it('bounds nesting (arrays, objects, parentheses, interpolations)', () => {
    for (const text of [`var a = ${'['.repeat(20000)}`, `var a = ${'('.repeat(20000)}1${')'.repeat(20000)}`, `var a = ${"'${".repeat(200)}`]) {
      const file = parseBicep(text);
      expect(file.errors.length).toBeGreaterThan(0);
    }
  });

  it('never throws on arbitrary text', () => {
    const alphabet = fc.constantFrom(...["param ", "var ", "resource ", "module ", "'", '${', '}', '{', '[', ']', '(', ')', ':', ',', '\n', ' ', 'a', '=', '?', '.', '...', 'for ', 'in ', 'if ', "'''", '//', '/*', '*/', '@', '!', '#']);
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 80 }), (pieces) => {
        const file = parseBicep(pieces.join(''));
        expect(Array.isArray(file.statements)).toBe(true);
      }),
      { numRuns: 300, ...(seed === undefined ? {} : { seed }) },
    );
  });
});

describe('readAddon robustness', () => {
  it('turns bad files into problems with file and line, and reads the others', async () => {
    const read = await readAddon(repo({
      'bad.json': '{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "resources": [ {"type": "Microsoft.ContainerService/managedClusters",,] }',
      'bad.bicep': cluster("{\n    podIdentityProfile: {\n      enabled: true\n      userAssignedIdentities: [ ) ]\n    }\n  }"),
      'bad.sh': 'if then az aks pod-identity add --name a --namespace b\n( az aks pod-identity delete --name c --namespace d\n',
      'bad.yml': 'steps:\n  - script: az aks pod-identity add --name a\n    bad: [\n',
      'good.bicep': cluster("{\n    podIdentityProfile: {\n      enabled: true\n      userAssignedIdentities: [\n        {\n          name: 'ok'\n          namespace: 'ns'\n        }\n      ]\n    }\n  }"),
    }), { grammars });
    expect(read.identities.map((identity) => identity.name.value)).toContain('ok');
    const codes = read.problems.map((problem) => `${problem.code} ${problem.at.file}:${problem.at.line}`);
    expect(codes).toEqual(expect.arrayContaining(['addon-parse-error bad.json:1', 'addon-parse-error bad.bicep:6', 'addon-parse-error bad.yml:3']));
    expect(codes.some((code) => code.startsWith('addon-script-parse-error bad.sh:'))).toBe(true);
  });

  it('isolates a reader that fails on one file', async () => {
    const files = repo({ 'a.sh': 'az aks pod-identity add --name a --namespace b\n', 'b.sh': 'az aks pod-identity add --name c --namespace d\n' });
    const withBroken: FileSource = {
      list: () => ['a.sh', 'b.sh', 'broken.json'],
      has: (path) => path === 'broken.json' || files.has(path),
      read: (path) => {
        if (path === 'broken.json') throw new Error('disk on fire');
        return files.read(path);
      },
    };
    const read = await readAddon(withBroken, { grammars });
    expect(read.identities.map((identity) => identity.name.value)).toEqual(['a', 'c']);
    expect(read.problems.map((problem) => problem.code)).toEqual(['addon-reader-failed']);
  });

  it('stops at its nesting limits: ARM deployments, Bicep module chains and cycles', async () => {
    const nested = (depth: number): unknown => depth === 0
      ? { type: 'Microsoft.ContainerService/managedClusters', name: 'deep', properties: { podIdentityProfile: { enabled: true } } }
      : { type: 'Microsoft.Resources/deployments', name: `d${depth}`, properties: { template: { resources: [nested(depth - 1)] } } };
    const template = JSON.stringify({ $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#', resources: [nested(12)] });
    const modules: Record<string, string> = { 'm0.bicep': "module next 'm1.bicep' = {\n  name: 'x'\n}\n" };
    for (let i = 1; i < 12; i++) modules[`m${i}.bicep`] = `module next 'm${i + 1}.bicep' = {\n  name: 'x'\n}\n`;
    modules['m12.bicep'] = cluster('{\n    podIdentityProfile: {\n      enabled: true\n    }\n  }');
    modules['cycle-a.bicep'] = "module b 'cycle-b.bicep' = {\n  name: 'b'\n}\n" + cluster('{\n    podIdentityProfile: {\n      enabled: false\n    }\n  }');
    modules['cycle-b.bicep'] = "module a 'cycle-a.bicep' = {\n  name: 'a'\n}\n";
    const read = await readAddon(repo({ 'deep.json': template, ...modules }), { grammars });
    const codes = read.problems.map((problem) => `${problem.code} ${problem.at.file}`);
    expect(codes).toContain('addon-nesting-limit deep.json');
    expect(codes.some((code) => code.startsWith('addon-nesting-limit m'))).toBe(true);
    expect(read.settings.some((setting) => setting.at.file === 'cycle-a.bicep' && setting.enabled === false)).toBe(true);
  });

  it('evaluates variables that refer to each other many times once each (ARM and Bicep)', async () => {
    const variables: Record<string, string> = { v0: 'a' };
    for (let i = 1; i <= 30; i++) variables[`v${i}`] = `[concat(variables('v${i - 1}'), variables('v${i - 1}'))]`;
    const template = JSON.stringify({
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      variables,
      resources: [{ type: 'Microsoft.ContainerService/managedClusters', name: "[substring(variables('v30'), 0, 3)]", properties: { podIdentityProfile: { enabled: true, userAssignedIdentities: [{ name: "[variables('v3')]", namespace: 'n' }] } } }],
    });
    const vars = ["var v0 = 'a'", ...Array.from({ length: 30 }, (_, i) => `var v${i + 1} = '\${v${i}}\${v${i}}'`)].join('\n');
    const bicep = `${vars}\n${cluster("{\n    podIdentityProfile: {\n      enabled: true\n      userAssignedIdentities: [\n        {\n          name: v3\n          namespace: 'n'\n        }\n      ]\n    }\n  }")}`;
    const started = performance.now();
    const read = await readAddon(repo({ 'a.json': template, 'a.bicep': bicep }), { grammars });
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(read.identities.map((identity) => identity.name.value)).toEqual(['aaaaaaaa', 'aaaaaaaa']);
  });

  it('bounds the work of nested loops', async () => {
    const loops = `${'[for a in range(0, 200): '.repeat(6)}'x'${']'.repeat(6)}`;
    const started = performance.now();
    const read = await readAddon(repo({ 'loops.bicep': `var deep = ${loops}\n${cluster("{\n    podIdentityProfile: {\n      enabled: true\n      userAssignedIdentities: deep\n    }\n  }")}` }), { grammars });
    expect(performance.now() - started).toBeLessThan(30_000);
    expect(read.settings.map((setting) => setting.setting)).toEqual(['pod-identity']);
  });

  it('reports computed lists and entries without name or namespace', async () => {
    const read = await readAddon(repo({
      'main.bicep': `param ids array\n${cluster("{\n    podIdentityProfile: {\n      enabled: true\n      userAssignedIdentities: ids\n      userAssignedIdentityExceptions: [\n        {\n          name: 'e'\n          podLabels: {\n            app: 'x'\n          }\n        }\n      ]\n    }\n  }")}`,
    }), { grammars });
    expect(read.problems.map((problem) => `${problem.code} ${problem.at.line}`)).toEqual(['addon-list-unknown 7', 'addon-entry-incomplete 9']);
    const disabled = await readAddon(repo({ 'off.bicep': `param ids array\n${cluster('{\n    podIdentityProfile: {\n      enabled: false\n      userAssignedIdentities: ids\n    }\n  }')}` }), { grammars });
    expect(disabled.problems).toEqual([]);
    expect(disabled.settings.map((setting) => [setting.setting, setting.enabled])).toEqual([['pod-identity', false]]);
  });

  it('reads a large script in a time proportional to its size', async () => {
    const line = 'az aks pod-identity add --cluster-name c -g g --namespace n --name id-$I --identity-resource-id "$R"\n';
    const small = line.repeat(50);
    const large = line.repeat(1000);
    await readAddon(repo({ 'warm.sh': small }), { grammars });
    let started = performance.now();
    await readAddon(repo({ 'small.sh': small }), { grammars });
    const smallTime = performance.now() - started;
    started = performance.now();
    const read = await readAddon(repo({ 'large.sh': large }), { grammars });
    const largeTime = performance.now() - started;
    expect(read.identities).toHaveLength(1000);
    // 20 times the input; a generous bound for a loaded machine, far below quadratic growth (400x).
    expect(largeTime).toBeLessThan(Math.max(smallTime, 5) * 120);
  });
});

describe('addonAsObjects', () => {
  it('gives objects the CRD readers accept, namespaced, with the default selector', async () => {
    const read = await readAddon(repo({ 'a.sh': 'az aks pod-identity add --cluster-name c -g g --namespace shop --name cart --identity-resource-id /subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-cart\naz aks pod-identity exception add --cluster-name c -g g --namespace kube-system --name agent --pod-labels app=agent\naz aks pod-identity delete --cluster-name c -g g --namespace shop --name old\n' }), { grammars });
    const sink = new FindingSink(loadFindingCatalogue());
    const added = read.identities.find((identity) => identity.action === 'add');
    const removed = read.identities.find((identity) => identity.action === 'delete');
    if (!added || !removed) throw new Error('identities missing');
    const [identity, binding] = addonAsObjects(added, 5);
    if (!identity || !binding) throw new Error('objects missing');
    expect([identity.index, binding.index]).toEqual([5, 6]);
    expect(identity.unit.kind).toBe('cluster-export');
    expect(readAzureIdentity(identity, null, sink)).toMatchObject({ name: 'cart', namespace: 'shop', namespaced: true, clientId: null, resourceIdParts: { resourceGroup: 'rg', identityName: 'id-cart' } });
    expect(readBinding(binding, null, sink)).toMatchObject({ name: 'cart-binding', namespace: 'shop', selector: { value: 'cart' }, azureIdentity: { value: 'cart' } });
    expect(addonAsObjects(removed)).toEqual([]);
    const exception = read.exceptions[0];
    const object = exception ? addonExceptionAsObject(exception) : null;
    expect(object && readException(object, null, sink)).toMatchObject({ name: 'agent', namespace: 'kube-system' });
    expect(sink.all.map((finding) => finding.ruleId)).toContain('identity-client-id-unresolved');
  });

  it('keeps partly unknown names as unknown nodes with their text', async () => {
    const read = await readAddon(repo({ 'a.sh': 'az aks pod-identity add --cluster-name c -g g --namespace "team-$TEAM" --name "api-$TEAM"\n' }), { grammars });
    const [identity] = addonAsObjects(read.identities[0] ?? (() => { throw new Error('missing'); })());
    expect(identity?.name).toMatchObject({ kind: 'unknown', parts: [{ text: 'api-' }, { unknown: { expression: '$TEAM' } }] });
  });
});
