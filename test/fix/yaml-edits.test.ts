import { describe, expect, it } from 'vitest';
import { applyEdits, findOverlap, type Edit } from '../../src/fix/edit.js';
import { childMap, fileModel, locate, type FileModel, type Located } from '../../src/fix/file-model.js';
import { appendDocument, appendItem, declined, ensurePairs, removeDocument, removeKeys, type Built } from '../../src/fix/yaml-edits.js';
import { verifyChange } from '../../src/fix/verify.js';
import type { YAMLMap, YAMLSeq } from 'yaml';
import { isMap, isSeq } from 'yaml';

function model(text: string, path = 'x.yaml', template = false): FileModel {
  return fileModel(path, text, false, template);
}

function root(file: FileModel, doc = 0): Located<YAMLMap> {
  const node = file.docs[doc]?.contents;
  if (!isMap(node)) throw new Error('no map');
  return { file, doc, path: [], node };
}

function at(file: FileModel, path: readonly (string | number)[], doc = 0): Located<YAMLMap> {
  let current: Located<YAMLMap> = root(file, doc);
  for (const key of path) {
    const next = childMap(current, key);
    if (!next) throw new Error(`no map at ${String(key)}`);
    current = next;
  }
  return current;
}

function run(file: FileModel, built: Built): string {
  if (declined(built)) throw new Error(built.decline);
  const after = applyEdits(file.text, built.edits);
  const problem = verifyChange(file, after, built.intents);
  if (problem) throw new Error(`${problem}\n${after}`);
  return after;
}

const labels = { 'azure.workload.identity/use': 'true' };

describe('edit application', () => {
  const edit = (start: number, end: number, text = 'x'): Edit => ({ file: 'f', start, end, expect: 'abcdef'.slice(start, end), text, why: '' });
  it('refuses overlapping edits and a wrong expectation', () => {
    expect(findOverlap([edit(0, 3), edit(2, 4)])).not.toBeNull();
    expect(findOverlap([edit(1, 4), edit(2, 2)])).not.toBeNull();
    expect(findOverlap([edit(1, 1), edit(1, 1), edit(1, 3)])).toBeNull();
    expect(() => applyEdits('abcdef', [{ ...edit(0, 2), expect: 'zz' }])).toThrow(/expected "zz"/);
    expect(applyEdits('abcdef', [edit(1, 1, 'X'), edit(1, 1, 'Y'), edit(3, 5, '-')])).toBe('aXYbc-f');
  });
});

describe('ensurePairs', () => {
  it('adds to a block map after its last entry, with a comment kept', () => {
    const file = model('metadata:\n  labels:\n    app: web   # the app\n  name: x\n');
    expect(run(file, ensurePairs(at(file, ['metadata']), ['labels'], labels, 'w'))).toBe('metadata:\n  labels:\n    app: web   # the app\n    azure.workload.identity/use: "true"\n  name: x\n');
  });
  it('creates a missing map, CRLF kept, 3-space indentation', () => {
    const file = model('metadata:\r\n   name: x\r\n   labels:\r\n      app: web\r\nspec: {}\r\n');
    expect(run(file, ensurePairs(at(file, ['metadata']), ['annotations'], { a: 'true', b: '8001' }, 'w'))).toBe('metadata:\r\n   name: x\r\n   labels:\r\n      app: web\r\n   annotations:\r\n      a: "true"\r\n      b: "8001"\r\nspec: {}\r\n');
  });
  it('adds to flow maps, single line and JSON over several lines', () => {
    const file = model("labels: {app: web, 'tier': x}\n");
    expect(run(file, ensurePairs(root(file), ['labels'], labels, 'w'))).toBe("labels: {app: web, 'tier': x, azure.workload.identity/use: \"true\"}\n");
    const json = model('{\n  "metadata": {\n    "labels": {\n      "app": "web"\n    }\n  }\n}\n', 'x.json');
    expect(run(json, ensurePairs(root(json), ['metadata', 'annotations'], { a: 'b' }, 'w'))).toBe('{\n  "metadata": {\n    "labels": {\n      "app": "web"\n    },\n    "annotations": {\n      "a": "b"\n    }\n  }\n}\n');
  });
  it('fills an empty key and changes nothing when the pair is there', () => {
    const file = model('metadata:\n  labels:\n  name: x\n');
    const after = run(file, ensurePairs(root(file), ['metadata', 'labels'], labels, 'w'));
    expect(after).toBe('metadata:\n  labels:\n    azure.workload.identity/use: "true"\n  name: x\n');
    const again = ensurePairs(root(model(after)), ['metadata', 'labels'], labels, 'w');
    expect(declined(again) ? again : again.edits).toEqual([]);
  });
  it('sets a scalar that has another value, keeping its quotes', () => {
    const file = model("labels:\n  azure.workload.identity/use: 'false'\n");
    expect(run(file, ensurePairs(root(file), ['labels'], labels, 'w'))).toBe("labels:\n  azure.workload.identity/use: 'true'\n");
  });
});

describe('removal', () => {
  it('removes a block pair with its trailing comment, and an emptied map becomes {}', () => {
    const file = model('labels:\n  app: web\n  aadpodidbinding: x   # old\nspec: 1\n');
    expect(run(file, removeKeys(at(file, ['labels']), ['aadpodidbinding'], 'w'))).toBe('labels:\n  app: web\nspec: 1\n');
    const only = model('labels:   # c\n  aadpodidbinding: x\nspec: 1\n');
    expect(run(only, removeKeys(at(only, ['labels']), ['aadpodidbinding'], 'w'))).toBe('labels: {}   # c\nspec: 1\n');
  });
  it('removes flow entries with one comma', () => {
    const file = model('a: {x: 1, aadpodidbinding: y, z: 2}\nb: {x: 1, aadpodidbinding: y}\nc: {aadpodidbinding: y}\n');
    let after = run(file, removeKeys(at(file, ['a']), ['aadpodidbinding'], 'w'));
    expect(after).toBe('a: {x: 1, z: 2}\nb: {x: 1, aadpodidbinding: y}\nc: {aadpodidbinding: y}\n');
    const second = model(after);
    after = run(second, removeKeys(at(second, ['b']), ['aadpodidbinding'], 'w'));
    const third = model(after);
    expect(run(third, removeKeys(at(third, ['c']), ['aadpodidbinding'], 'w'))).toBe('a: {x: 1, z: 2}\nb: {x: 1}\nc: {}\n');
  });
  it('removes documents without leaving an empty one', () => {
    const text = '# head\nkind: A\n---\nkind: B\n# about C\n---\nkind: C\n';
    const file = model(text);
    expect(run(file, removeDocument(file, 0, 'w'))).toBe('# head\nkind: B\n# about C\n---\nkind: C\n');
    expect(run(file, removeDocument(file, 1, 'w'))).toBe('# head\nkind: A\n# about C\n---\nkind: C\n');
    expect(run(file, removeDocument(file, 2, 'w'))).toBe('# head\nkind: A\n---\nkind: B\n# about C\n');
  });
});

describe('new objects', () => {
  it('appends a document and a List item', () => {
    const file = model('kind: A\n');
    expect(run(file, appendDocument(file, { kind: 'ServiceAccount', metadata: { name: 'x' } }, 'w'))).toBe('kind: A\n---\nkind: ServiceAccount\nmetadata:\n  name: x\n');
    const json = model('{\n  "kind": "List",\n  "items": [\n    { "kind": "A" }\n  ]\n}\n', 'l.json');
    const items = locate(json, json.text.indexOf('['));
    if (!items || !isSeq(items.node)) throw new Error('no list');
    expect(run(json, appendItem(items as Located<YAMLSeq>, { kind: 'B' }, 'w'))).toBe('{\n  "kind": "List",\n  "items": [\n    { "kind": "A" },\n    {\n      "kind": "B"\n    }\n  ]\n}\n');
  });
});

describe('templates', () => {
  const template = (text: string) => model(text, 'templates/deployment.yaml', true);
  const labelsOf = (file: FileModel) => at(file, ['spec', 'template', 'metadata', 'labels']);

  it('adds a line after an {{- if }} block, never inside it', () => {
    const file = template('spec:\n  template:\n    metadata:\n      labels:\n        app: x\n        {{- if .Values.on }}\n        aadpodidbinding: {{ .Values.id }}\n        {{- end }}\n    spec: {}\n');
    expect(run(file, ensurePairs(labelsOf(file), [], labels, 'w'))).toBe('spec:\n  template:\n    metadata:\n      labels:\n        app: x\n        {{- if .Values.on }}\n        aadpodidbinding: {{ .Values.id }}\n        {{- end }}\n        azure.workload.identity/use: "true"\n    spec: {}\n');
  });

  it('does not glue a line to a right-trimmed action: it goes right after the key instead', () => {
    const file = template('spec:\n  template:\n    metadata:\n      labels:\n        app: x\n        {{- if .Values.on }}\n        aadpodidbinding: {{ .Values.id }}\n        {{- end -}}\n    spec: {}\n');
    expect(run(file, ensurePairs(labelsOf(file), [], labels, 'w'))).toBe('spec:\n  template:\n    metadata:\n      labels:\n        azure.workload.identity/use: "true"\n        app: x\n        {{- if .Values.on }}\n        aadpodidbinding: {{ .Values.id }}\n        {{- end -}}\n    spec: {}\n');
  });

  it('removes a label with the {{- if }} that only wrapped it, and keeps an if that wraps more', () => {
    const file = template('spec:\n  template:\n    metadata:\n      labels:\n        app: x\n        {{- if .Values.on }}\n        aadpodidbinding: {{ .Values.id }}\n        {{- end }}\n    spec: {}\n');
    expect(run(file, removeKeys(labelsOf(file), ['aadpodidbinding'], 'w'))).toBe('spec:\n  template:\n    metadata:\n      labels:\n        app: x\n    spec: {}\n');
    const wider = template('spec:\n  template:\n    metadata:\n      labels:\n        app: x\n        {{- if .Values.on }}\n        aadpodidbinding: {{ .Values.id }}\n        team: a\n        {{- end }}\n    spec: {}\n');
    expect(run(wider, removeKeys(labelsOf(wider), ['aadpodidbinding'], 'w'))).toBe('spec:\n  template:\n    metadata:\n      labels:\n        app: x\n        {{- if .Values.on }}\n        team: a\n        {{- end }}\n    spec: {}\n');
  });

  it('keeps the key of a block an include still fills', () => {
    const file = template('spec:\n  template:\n    metadata:\n      labels:\n        {{- include "x.labels" . | nindent 8 }}\n        aadpodidbinding: y\n    spec: {}\n');
    expect(run(file, removeKeys(labelsOf(file), ['aadpodidbinding'], 'w', 'key'))).toBe('spec:\n  template:\n    metadata:\n      labels:\n        {{- include "x.labels" . | nindent 8 }}\n    spec: {}\n');
  });

  it('declines a line that holds control flow of its own', () => {
    const file = template('spec:\n  template:\n    metadata:\n      labels:\n        app: x\n        aadpodidbinding: {{ if .Values.a }}a{{ else }}b{{ end }}\n    spec: {}\n');
    const built = removeKeys(labelsOf(file), ['aadpodidbinding'], 'w');
    expect(declined(built) ? built.decline : 'applied').toMatch(/control flow/);
  });
});

describe('anchors', () => {
  it('declines maps shared through an anchor or a merge key', () => {
    const file = model('spec:\n  selector:\n    matchLabels: &labels\n      app: x\n  template:\n    metadata:\n      labels: *labels\n');
    const built = ensurePairs(at(file, ['spec', 'selector']), ['matchLabels'], labels, 'w');
    expect(declined(built) ? built.decline : 'applied').toMatch(/anchor &labels/);
    const merged = model('base: &base\n  app: x\nlabels:\n  <<: *base\n  tier: y\n');
    const again = ensurePairs(root(merged), ['labels'], labels, 'w');
    expect(declined(again) ? again.decline : 'applied').toMatch(/merges/);
  });
});
