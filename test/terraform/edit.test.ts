import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileSource } from '../../src/k8s/files.js';
import { get, getIn, isMap, type RNode } from '../../src/k8s/rendered.js';
import { addBlockAttribute, addSet, removeBlock, removeObjectKey, removeSet, replaceLiteral, setObjectKey, type HclEditResult } from '../../src/terraform/edit.js';
import { parseHcl } from '../../src/terraform/hcl-syntax.js';
import { readTerraform, type TerraformRead } from '../../src/terraform/read.js';
import { expectGolden } from '../helpers/golden.js';

const dir = join(import.meta.dirname, '..', '..', 'fixtures', 'terraform', 'edits');

function read(file: string, text: string): TerraformRead {
  return readTerraform(fileSource([file], (path) => (path === file ? text : null)));
}

function start(node: RNode | null | undefined): number {
  const span = node?.origin.span;
  if (!span) throw new Error('the node has no source span');
  return span[0];
}

function release(state: TerraformRead, name: string) {
  const found = state.releases.find((candidate) => candidate.address === `helm_release.${name}`);
  if (!found) throw new Error(`no release ${name}`);
  return found;
}

function object(state: TerraformRead, kind: string) {
  const found = state.objects.find((candidate) => candidate.kind === kind);
  if (!found) throw new Error(`no ${kind}`);
  return found;
}

/** An edit decided from what pod2wi reads, as the fix does: run on its own output it must change nothing. */
interface Case {
  readonly name: string;
  readonly file: string;
  readonly edit: (text: string, state: TerraformRead) => HclEditResult;
}

const useLabel = 'azure.workload.identity/use';

const cases: Case[] = [
  {
    name: 'add-set-use-label',
    file: 'release.tf',
    edit: (text, state) => addSet('release.tf', text, start({ kind: 'scalar', value: null, origin: release(state, 'api').at }), { name: 'podLabels.azure\\.workload\\.identity/use', value: 'true' }, 'use label'),
  },
  {
    name: 'remove-set-binding',
    file: 'release.tf',
    edit: (text, state) => removeSet('release.tf', text, release(state, 'api').at.span?.[0] ?? -1, 'podLabels.aadpodidbinding', 'drop aadpodidbinding'),
  },
  {
    name: 'change-set-value',
    file: 'release.tf',
    edit: (text, state) => {
      const set = release(state, 'api').sets.find((candidate) => candidate.name.value === 'replicaCount');
      if (set?.value.kind === 'scalar' && set.value.value === 3) return { ok: true, edits: [], text };
      return replaceLiteral('release.tf', text, start(set?.value), '3', 'scale');
    },
  },
  {
    name: 'yamlencode-add-label',
    file: 'release.tf',
    edit: (text, state) => setObjectKey('release.tf', text, start(release(state, 'api').layers[0]), ['podLabels', useLabel], 'true', 'use label'),
  },
  {
    name: 'yamlencode-add-nested-annotation',
    file: 'release.tf',
    edit: (text, state) => setObjectKey('release.tf', text, start(release(state, 'api').layers[0]), ['serviceAccount', 'annotations', 'azure.workload.identity/client-id'], '11111111-2222-3333-4444-555555555555', 'client id'),
  },
  {
    name: 'yamlencode-remove-label',
    file: 'release.tf',
    edit: (text, state) => removeObjectKey('release.tf', text, start(release(state, 'api').layers[0]), ['podLabels', 'aadpodidbinding'], 'drop aadpodidbinding'),
  },
  {
    name: 'list-form-add-set',
    file: 'list-form.tf',
    edit: (text, state) => addSet('list-form.tf', text, release(state, 'worker').at.span?.[0] ?? -1, { name: 'podLabels.azure\\.workload\\.identity/use', value: 'true' }, 'use label'),
  },
  {
    name: 'list-form-remove-set',
    file: 'list-form.tf',
    edit: (text, state) => removeSet('list-form.tf', text, release(state, 'worker').at.span?.[0] ?? -1, 'podLabels.aadpodidbinding', 'drop aadpodidbinding'),
  },
  {
    name: 'single-line-object-add-label',
    file: 'resources.tf',
    edit: (text, state) => setObjectKey('resources.tf', text, start(getIn(object(state, 'Deployment').root, ['spec', 'template', 'metadata', 'labels'])), [useLabel], 'true', 'use label'),
  },
  {
    name: 'single-line-object-remove-label',
    file: 'resources.tf',
    edit: (text, state) => removeObjectKey('resources.tf', text, start(getIn(object(state, 'Deployment').root, ['spec', 'template', 'metadata', 'labels'])), ['aadpodidbinding'], 'drop aadpodidbinding'),
  },
  {
    name: 'remove-resource',
    file: 'resources.tf',
    edit: (text, state) => {
      const identity = state.objects.find((candidate) => candidate.kind === 'AzureIdentity');
      return identity ? removeBlock('resources.tf', text, identity.at.span?.[0] ?? -1, 'retire AzureIdentity') : { ok: true, edits: [], text };
    },
  },
  {
    name: 'metadata-add-annotations',
    file: 'resources.tf',
    edit: (text, state) => {
      const account = object(state, 'ServiceAccount');
      const metadata = get(account.root, 'metadata');
      if (isMap(metadata) && get(metadata, 'annotations')) return { ok: true, edits: [], text };
      return addBlockAttribute('resources.tf', text, start(metadata), 'annotations', '{\n  "azure.workload.identity/client-id" = "11111111-2222-3333-4444-555555555555"\n}', 'client id');
    },
  },
  {
    name: 'crlf-add-set',
    file: 'crlf.tf',
    edit: (text, state) => addSet('crlf.tf', text, release(state, 'crlf').at.span?.[0] ?? -1, { name: 'podLabels.azure\\.workload\\.identity/use', value: 'true' }, 'use label'),
  },
];

describe('HCL editors', () => {
  for (const c of cases) {
    it(c.name, () => {
      const text = readFileSync(join(dir, c.file), 'utf8');
      const first = c.edit(text, read(c.file, text));
      if (!first.ok) throw new Error(first.reason);
      expect(first.edits.length).toBeGreaterThan(0);
      expect(first.text).not.toBe(text);
      expect(parseHcl(first.text).ok).toBe(true);
      for (const edit of first.edits) expect(text.slice(edit.start, edit.end)).toBe(edit.expect);
      expectGolden(join(dir, 'expected', `${c.name}.tf.fixed`), first.text);
      const second = c.edit(first.text, read(c.file, first.text));
      if (!second.ok) throw new Error(`second run: ${second.reason}`);
      expect(second.edits).toEqual([]);
      expect(second.text).toBe(first.text);
    });
  }

  it('reads the edited release as intended', () => {
    const text = readFileSync(join(dir, 'release.tf'), 'utf8');
    const added = addSet('release.tf', text, release(read('release.tf', text), 'api').at.span?.[0] ?? -1, { name: 'podLabels.azure\\.workload\\.identity/use', value: 'true' }, 'use label');
    if (!added.ok) throw new Error(added.reason);
    const values = release(read('release.tf', added.text), 'api').values;
    expect(getIn(values, ['podLabels', useLabel])).toMatchObject({ kind: 'scalar', value: true });
  });

  it('refuses what it cannot edit in place', () => {
    const text = 'resource "helm_release" "r" {\n  values = [yamlencode({ podLabels = var.labels })]\n  set {\n    name  = "a"\n    value = var.x\n  }\n}\n';
    const state = read('main.tf', text);
    const layer = release(state, 'r').layers[0];
    const nested = setObjectKey('main.tf', text, start(layer), ['podLabels', 'x'], 'y', 'label');
    expect(nested.ok).toBe(false);
    const valueStart = text.indexOf('var.x');
    expect(replaceLiteral('main.tf', text, valueStart, 'z', 'change').ok).toBe(false);
    expect(setObjectKey('main.tf', text, 3, ['a'], 'b', 'nothing there').ok).toBe(false);
  });

  it('quotes and escapes new text as HCL', () => {
    const text = 'locals {\n  x = { a = "1" }\n}\n';
    const result = setObjectKey('main.tf', text, text.indexOf('{ a'), ['b.c'], 'say "${hi}"\n', 'text');
    if (!result.ok) throw new Error(result.reason);
    expect(result.text).toBe('locals {\n  x = { a = "1", "b.c" = "say \\"$${hi}\\"\\n" }\n}\n');
  });
});
