import { describe, expect, it } from 'vitest';
import { fileSource, type FileSource } from '../../../src/k8s/files.js';
import { chartVariants, findCharts } from '../../../src/k8s/helm/chart-files.js';
import { renderChart } from '../../../src/k8s/helm/render.js';
import { getIn, toPlain } from '../../../src/k8s/rendered.js';

function repo(files: Readonly<Record<string, string>>): FileSource {
  return fileSource(Object.keys(files), (path) => files[path] ?? null);
}

const chart = (name: string, extra = '') => `apiVersion: v2\nname: ${name}\nversion: 1.0.0\n${extra}`;

describe('findCharts', () => {
  it('finds charts, resolves file:// and charts/ dependencies, and knows remote ones', () => {
    const files = repo({
      'apps/web/Chart.yaml': chart('web', 'dependencies:\n  - name: lib\n    repository: file://../../libs/lib\n  - name: redis\n    version: 18.0.0\n    repository: https://charts.example.test\n  - name: gone\n    repository: file://../nowhere\n    import-values: [data]\n'),
      'apps/web/charts/sidecar/Chart.yaml': chart('sidecar'),
      'apps/web/charts/db-1.2.3.tgz': 'binary',
      'libs/lib/Chart.yaml': chart('lib', 'type: library\n'),
      'old/Chart.yaml': 'apiVersion: v1\nname: old\nversion: 0.1.0\n',
      'old/requirements.yaml': 'dependencies:\n  - name: web\n    repository: file://../apps/web\n',
      'broken/Chart.yaml': 'apiVersion: v3\nversion: 1\n',
    });
    const charts = findCharts(files);
    expect(charts.map((c) => [c.dir, c.name, c.type, c.renderable, c.parent])).toEqual([
      ['apps/web', 'web', 'application', true, null],
      ['apps/web/charts/sidecar', 'sidecar', 'application', false, 'apps/web'],
      ['broken', '', 'application', true, null],
      ['libs/lib', 'lib', 'library', false, null],
      ['old', 'old', 'application', true, null],
    ]);
    const web = charts[0];
    expect(web?.dependencies.map((d) => [d.name, d.declared, d.resolved.kind === 'local' ? d.resolved.dir : 'remote', d.importValues])).toEqual([
      ['lib', 'Chart.yaml', 'libs/lib', false],
      ['redis', 'Chart.yaml', 'remote', false],
      ['gone', 'Chart.yaml', 'remote', true],
      ['sidecar', 'charts-folder', 'apps/web/charts/sidecar', false],
      ['db', 'charts-folder', 'remote', false],
    ]);
    expect(charts.find((c) => c.dir === 'old')?.dependencies.map((d) => [d.name, d.declared, d.resolved.kind])).toEqual([['web', 'requirements.yaml', 'local']]);
    expect(charts.find((c) => c.dir === 'broken')?.problems.map((p) => p.code)).toEqual(['chart-invalid', 'chart-invalid']);
  });

  it('lists a variant per values-*.yaml, values.*.yaml and ci/*-values.yaml', () => {
    const files = repo({ 'c/Chart.yaml': chart('c'), 'c/values.yaml': 'a: 1\n', 'c/values-prod.yaml': 'a: 2\n', 'c/values.dev.yaml': 'a: 3\n', 'c/ci/lint-values.yaml': 'a: 4\n', 'c/values.schema.json': '{}', 'c/other.yaml': 'x: 1\n', 'c/values-bad.yaml': 'a: [\n' });
    const [c] = findCharts(files);
    if (!c) throw new Error('no chart');
    const variants = chartVariants(files, c);
    expect(variants.map((v) => v.unit.variant)).toEqual(['', 'ci/lint-values.yaml', 'values-bad.yaml', 'values-prod.yaml', 'values.dev.yaml']);
    expect(variants.find((v) => v.unit.variant === 'values-bad.yaml')?.problems?.map((p) => p.code)).toEqual(['values-invalid']);
  });
});

describe('values as Helm coalesces them', () => {
  const template = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  all: {{ toJson .Values | quote }}\n';
  const render = (values: string, layers: Record<string, string> = {}) => {
    const files = repo({ 'c/Chart.yaml': chart('c'), 'c/values.yaml': values, 'c/templates/cm.yaml': template, ...Object.fromEntries(Object.entries(layers).map(([k, v]) => [`c/${k}`, v])) });
    const [c] = findCharts(files);
    if (!c) throw new Error('no chart');
    const variant = chartVariants(files, c).at(-1);
    if (!variant) throw new Error('no variant');
    const result = renderChart(files, variant);
    return JSON.parse(String(toPlain(getIn(result.objects[0]?.root, ['data', 'all'])))) as unknown;
  };

  it('a user null removes a default; maps merge key by key; the user wins', () => {
    expect(render('a: 1\nb: {p: 1, q: 2}\nc: keep\nd: {deep: {k: v}}\n', { 'values-x.yaml': 'a: null\nb: {q: 3, r: 4}\nd: {deep: null}\n' })).toEqual({ b: { p: 1, q: 3, r: 4 }, c: 'keep', d: {} });
  });

  it('a default that is null stays null when nobody sets it', () => {
    expect(render('a: null\nb: 1\n')).toEqual({ a: null, b: 1 });
  });
});

describe('.Files', () => {
  it('reads chart files through the FileSource: Get, Glob, Lines, AsConfig, AsSecrets; never templates or outside the chart', () => {
    const files = repo({
      'c/Chart.yaml': chart('c'),
      'c/config/app.conf': 'port=80\n',
      'c/config/log.conf': 'level=info',
      'c/secret.txt': 'pw',
      'outside.txt': 'no',
      'c/templates/cm.yaml': [
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata:',
        '  name: cm',
        'data:',
        '  get: {{ .Files.Get "config/app.conf" | quote }}',
        '  missing: {{ .Files.Get "../outside.txt" | quote }}',
        '  template: {{ .Files.Get "templates/cm.yaml" | quote }}',
        '  lines: {{ .Files.Lines "config/app.conf" | len | quote }}',
        '  glob: {{ range $path, $_ := .Files.Glob "config/*" }}{{ $path }};{{ end }}',
        '  asconfig: {{ (.Files.Glob "config/*").AsConfig | quote }}',
        '  assecrets: {{ (.Files.Glob "*.txt").AsSecrets | quote }}',
      ].join('\n'),
    });
    const [c] = findCharts(files);
    if (!c) throw new Error('no chart');
    const [variant] = chartVariants(files, c);
    if (!variant) throw new Error('no variant');
    const result = renderChart(files, variant);
    expect(result.problems).toEqual([]);
    expect(toPlain(getIn(result.objects[0]?.root, ['data']))).toEqual({
      get: 'port=80\n',
      missing: '',
      template: '',
      lines: '2',
      glob: 'config/app.conf;config/log.conf;',
      asconfig: 'app.conf: |\n  port=80\nlog.conf: level=info',
      assecrets: 'secret.txt: cHc=',
    });
  });
});

describe('YAML 1.1 values, as Helm reads them through go-yaml v2', () => {
  it('yes/on/y are booleans and a key named y or n is "true"/"false"', () => {
    const files = repo({ 'c/Chart.yaml': chart('c'), 'c/values.yaml': 'enabled: yes\nmode: on\ny: 1\nport: 0777\n', 'c/templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  all: {{ toJson .Values | quote }}\n' });
    const [c] = findCharts(files);
    if (!c) throw new Error('no chart');
    const [variant] = chartVariants(files, c);
    if (!variant) throw new Error('no variant');
    const result = renderChart(files, variant);
    expect(JSON.parse(String(toPlain(getIn(result.objects[0]?.root, ['data', 'all']))))).toEqual({ enabled: true, mode: true, true: 1, port: 511 });
  });
});
