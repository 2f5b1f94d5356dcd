import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fileSource, type FileSource } from '../../../src/k8s/files.js';
import { chartVariants, findCharts } from '../../../src/k8s/helm/chart-files.js';
import { renderChart, type ChartRender, type RenderLimits } from '../../../src/k8s/helm/render.js';

// CI replays one fixed seed, so its verdict depends on the change alone; local runs explore new cases each time.
const seed = process.env.TEMPLATE_PROPERTY_SEED ? Number(process.env.TEMPLATE_PROPERTY_SEED) : process.env.CI ? 20261204 : undefined;

function chartWith(templates: Readonly<Record<string, string>>, values = 'a: true\nlist: [1, 2]\nname: x\n'): FileSource {
  const texts = new Map<string, string>([
    ['c/Chart.yaml', 'apiVersion: v2\nname: c\nversion: 1.0.0\n'],
    ['c/values.yaml', values],
    ...Object.entries(templates).map(([name, text]) => [`c/templates/${name}`, text] as [string, string]),
  ]);
  return fileSource([...texts.keys()], (path) => texts.get(path) ?? null);
}

function render(files: FileSource, limits: RenderLimits = {}): ChartRender {
  const [chart] = findCharts(files);
  if (!chart) throw new Error('no chart');
  const [instance] = chartVariants(files, chart);
  if (!instance) throw new Error('no instance');
  return renderChart(files, instance, limits);
}

function codes(result: ChartRender): string[] {
  return result.problems.map((problem) => problem.code);
}

describe('hostile templates end with a problem, never a crash or a hang', () => {
  it('3,000 nested parentheses with $variables in an if', () => {
    const result = render(chartWith({ 't.yaml': `{{ $a := .Values.a }}{{ if ${'(and $a '.repeat(3000)}$a${')'.repeat(3000)} }}kind: X{{ end }}` }));
    expect(codes(result)).toContain('limit-exceeded');
    expect(result.problems[0]?.at).toMatchObject({ file: 'c/templates/t.yaml', line: 1 });
    expect(result.problems[0]?.message).toMatch(/nested deeper than 200 levels/);
  });

  it('3,000 nested ifs', () => {
    const result = render(chartWith({ 't.yaml': `${'{{ if true }}'.repeat(3000)}x${'{{ end }}'.repeat(3000)}` }));
    expect(codes(result)).toEqual(['limit-exceeded']);
  });

  it('a define that includes itself, and two that call each other', () => {
    const result = render(
      chartWith({
        'self.yaml': '{{ define "self" }}{{ include "self" . }}{{ end }}{{ include "self" . }}',
        'mutual.yaml': '{{ define "a" }}{{ include "b" . }}{{ end }}{{ define "b" }}{{ template "a" . }}{{ end }}{{ include "a" . }}',
        'tpl.yaml': '{{ define "t" }}{{ tpl "{{ include \\"t\\" . }}" . }}{{ end }}{{ include "t" . }}',
        'ok.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: still-here\n',
      }),
    );
    expect(result.problems.filter((p) => p.code === 'limit-exceeded').map((p) => p.at.file).sort()).toEqual(['c/templates/mutual.yaml', 'c/templates/self.yaml', 'c/templates/tpl.yaml']);
    expect(result.problems.every((p) => /templates call each other more than 100 levels deep/.test(p.message))).toBe(true);
    // The other templates go on.
    expect(result.objects.map((o) => o.name && 'value' in o.name ? o.name.value : null)).toEqual(['still-here']);
  });

  it('loops and values that keep growing stop within the step budget', () => {
    const result = render(
      chartWith({
        'range.yaml': '{{ range until 1000 }}{{ range until 1000 }}{{ range until 1000 }}x{{ end }}{{ end }}{{ end }}',
        'until.yaml': '{{ range until 100000000 }}x{{ end }}',
        'repeat.yaml': '{{ repeat 1000000000 "abc" }}',
        'grow.yaml': '{{ $l := list }}{{ range until 100000 }}{{ $l = append $l . }}{{ end }}{{ len $l }}',
      }),
      { maxSteps: 200_000 },
    );
    expect(result.problems.map((p) => `${p.at.file} ${p.code}`).sort()).toEqual([
      'c/templates/grow.yaml limit-exceeded',
      'c/templates/range.yaml limit-exceeded',
      'c/templates/repeat.yaml limit-exceeded',
      'c/templates/until.yaml limit-exceeded',
    ]);
  });

  it('a map that holds itself, and one nested 5,000 deep', () => {
    const result = render(
      chartWith({
        'cycle.yaml': '{{ $d := dict }}{{ $_ := set $d "me" $d }}{{ $d }}',
        'deep.yaml': '{{ $d := dict }}{{ range until 5000 }}{{ $d = dict "a" $d }}{{ end }}x: {{ toYaml $d }}',
      }),
    );
    expect(result.problems.map((p) => `${p.at.file} ${p.code}`).sort()).toEqual(['c/templates/cycle.yaml limit-exceeded', 'c/templates/deep.yaml limit-exceeded']);
  });

  it('a regular expression that backtracks exponentially elsewhere runs in linear time', () => {
    const result = render(chartWith({ 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: r\ndata:\n  m: {{ regexMatch "^(a+)+$" (printf "%sb" (repeat 20000 "a")) | quote }}\n' }));
    expect(result.problems).toEqual([]);
    expect(result.objects[0]?.root).toBeDefined();
  });

  it('garbage: unclosed actions, bad characters, NUL, unbalanced parentheses', () => {
    for (const text of ['{{ {{ }}', '{{ .a', '{{ "\u0000 }}', "{{ 'ab' }}", '{{ (((( }}', '{{ end }}', '{{ else }}', '{{ define "x" }}', '{{ $x }}', '{{ break }}']) {
      const result = render(chartWith({ 't.yaml': text }));
      expect(codes(result), text).toEqual(['template-parse-error']);
    }
  });

  it('generated hostile templates: no exception escapes, every render bounded', () => {
    const fragment = fc.oneof(
      fc.constantFrom('{{', '}}', '{{-', '-}}', '(', ')', '|', '$x', ':=', '=', '.Values.a', '.Values.list', 'include "self" .', 'include "other" .', 'template "self" .', 'tpl "{{ include \\"self\\" . }}" .', 'if', 'else', 'end', 'range', 'with', 'define', '"s"', '`r`', "'c'", '1e309', '0x', 'nil', 'dict', 'set', 'toYaml', 'fail "no"', 'required "r" .Values.none', '\n', ' ', 'kind: X\n', '---\n', '\u0000', '\uE000', '#'),
      fc.string({ maxLength: 5 }),
    );
    const template = fc.oneof(
      fc.array(fragment, { maxLength: 40 }).map((parts) => parts.join(' ')),
      fc.nat(400).map((n) => `{{ $x := 1 }}{{ if ${'('.repeat(n)}$x${')'.repeat(n)} }}y{{ end }}`),
      fc.nat(400).map((n) => `${'{{ with .Values }}'.repeat(n)}z${'{{ end }}'.repeat(n)}`),
      fc.constant('{{ define "self" }}{{ include "self" . }}{{ end }}{{ include "self" . }}'),
      fc.constant('{{ define "other" }}{{ include "self" . }}{{ end }}{{ define "self" }}{{ include "other" . }}{{ end }}{{ template "self" . }}'),
    );
    const baselineStart = performance.now();
    render(chartWith({ 'ok.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.name }}\n' }));
    const baseline = Math.max(performance.now() - baselineStart, 5);
    fc.assert(
      fc.property(fc.array(template, { minLength: 1, maxLength: 3 }), (texts) => {
        const start = performance.now();
        const result = render(chartWith(Object.fromEntries(texts.map((text, i) => [`t${i}.yaml`, text]))), { maxSteps: 100_000 });
        const elapsed = performance.now() - start;
        expect(Array.isArray(result.objects)).toBe(true);
        expect(result.problems.every((p) => p.code !== 'read-error')).toBe(true);
        // Generous: bounded by the step budget, far from a hang on a loaded machine.
        expect(elapsed).toBeLessThan(Math.max(3000, baseline * 200));
      }),
      { numRuns: 150, ...(seed !== undefined ? { seed } : {}) },
    );
  });
});
