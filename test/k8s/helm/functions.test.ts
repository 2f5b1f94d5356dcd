import { describe, expect, it } from 'vitest';
import { semverSatisfies } from '../../../src/k8s/helm/gotemplate/functions/sprig.js';
import { runHelm } from './helm-runner.js';

/** [template, expected output, values.yaml?]: each row from the function's documentation. */
type Row = readonly [string, string, string?];

function table(rows: readonly Row[]): void {
  for (const [template, expected, values] of rows) {
    it(template, () => {
      const run = runHelm(template, values ?? '');
      expect(run.error).toBeNull();
      expect(run.output).toBe(expected);
    });
  }
}

// https://masterminds.github.io/sprig/strings.html
describe('Sprig string functions', () => {
  table([
    ['{{ trim "   hello    " }}', 'hello'],
    ['{{ trimAll "$" "$5.00" }}', '5.00'],
    ['{{ trimSuffix "-" "hello-" }}', 'hello'],
    ['{{ trimPrefix "-" "-hello" }}', 'hello'],
    ['{{ upper "hello" }}', 'HELLO'],
    ['{{ lower "HELLO" }}', 'hello'],
    ['{{ title "hello world" }}', 'Hello World'],
    ['{{ untitle "Hello World" }}', 'hello world'],
    ['{{ repeat 3 "hello" }}', 'hellohellohello'],
    ['{{ substr 0 5 "hello world" }}', 'hello'],
    ['{{ nospace "hello w o r l d" }}', 'helloworld'],
    ['{{ trunc 5 "hello world" }}', 'hello'],
    ['{{ trunc -5 "hello world" }}', 'world'],
    ['{{ abbrev 5 "hello world" }}', 'he...'],
    ['{{ initials "First Try" }}', 'FT'],
    ['{{ contains "cat" "catch" }}', 'true'],
    ['{{ hasPrefix "cat" "catch" }}', 'true'],
    ['{{ hasSuffix "cat" "catch" }}', 'false'],
    ['{{ quote "hello" }} {{ squote "hello" }}', '"hello" \'hello\''],
    ['{{ quote "a\\"b" }}', '"a\\"b"'],
    ['{{ .Values.missing | quote }}', ''],
    ['{{ cat "hello" "beautiful" "world" }}', 'hello beautiful world'],
    ['{{ indent 4 "a\\nb" }}', '    a\n    b'],
    ['{{ nindent 4 "a\\nb" }}', '\n    a\n    b'],
    ['{{ "I Am Henry VIII" | replace " " "-" }}', 'I-Am-Henry-VIII'],
    ['{{ len .Values.fish | plural "one anchovy" "many anchovies" }}', 'many anchovies', 'fish: [a, b]'],
    ['{{ snakecase "FirstName" }} {{ camelcase "http_server" }} {{ kebabcase "FirstName" }}', 'first_name HttpServer first-name'],
    ['{{ swapcase "This Is A.Test" }}', 'tHIS iS a.tEST'],
    ['{{ list "hello" "world" | join "_" }}', 'hello_world'],
    ['{{ splitList "$" "foo$bar$baz" }}', '[foo bar baz]'],
    ['{{ $a := split "$" "foo$bar$baz" }}{{ $a._0 }} {{ $a._2 }}', 'foo baz'],
    ['{{ splitn "$" 2 "foo$bar$baz" }}', 'map[_0:foo _1:bar$baz]'],
    ['{{ list 3 1 2 | toStrings | sortAlpha }} {{ typeOf (toStrings (list 1)) }}', '[1 2 3] []string'],
    ['{{ toString 12 }}{{ toString .Values.x }}', '12true', 'x: true'],
    ['{{ printf "%s-%d" "a" 3 }}', 'a-3'],
    ['{{ b64enc "hello" }} {{ b64dec "aGVsbG8=" }} {{ b32enc "hello" }}', 'aGVsbG8= hello NBSWY3DP'],
    ['{{ sha256sum "Hello world!" }}', 'c0535e4be2b79ffd93291305436bf889314e4a3faec05ecffcbb7df31ad9e51a'],
    ['{{ sha1sum "Hello world!" }}', 'd3486ae9136e7856bc42212385ea797094475802'],
    ['{{ adler32sum "Wikipedia" }}', '300286872'],
    ['{{ regexMatch "^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\\\\.[A-Za-z]{2,}$" "test@acme.com" }}', 'true'],
    ['{{ regexFindAll "[2,4,6,8]" "123456789" -1 }}', '[2 4 6 8]'],
    ['{{ regexFindAll "[2,4,6,8]" "123456789" 2 }}', '[2 4]'],
    ['{{ regexFind "[a-zA-Z][1-9]" "abcd1234" }}', 'd1'],
    ['{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }}', '-W-xxW-'],
    ['{{ regexReplaceAllLiteral "a(x*)b" "-ab-axxb-" "${1}" }}', '-${1}-${1}-'],
    ['{{ regexSplit "z+" "pizza" -1 }}', '[pi a]'],
    ['{{ regexReplaceAll "[^a-z0-9-]" ("My_App.v2" | lower) "-" }}', 'my-app-v2'],
    ['{{ regexMatch "(?i)^ABC$" "abc" }} {{ regexMatch "^\\\\d+$" "12a" }}', 'true false'],
  ]);
});

// https://masterminds.github.io/sprig/defaults.html, conversion.html, math.html, integer_slice.html
describe('Sprig defaults, conversions and numbers', () => {
  table([
    ['{{ default "foo" .Values.bar }}', 'foo'],
    ['{{ default "foo" .Values.bar }}', 'foo', 'bar: ""'],
    ['{{ default "foo" .Values.bar }}', 'foo', 'bar: 0'],
    ['{{ default "foo" .Values.bar }}', 'foo', 'bar: false'],
    ['{{ default "foo" .Values.bar }}', 'foo', 'bar: []'],
    ['{{ default "foo" .Values.bar }}', 'baz', 'bar: baz'],
    ['{{ empty .Values.bar }} {{ empty .Values.baz }}', 'true false', 'bar: {}\nbaz: 1'],
    ['{{ coalesce 0 1 2 }} {{ coalesce .Values.a .Values.b "Matt" }}', '1 Matt'],
    ['{{ ternary "foo" "bar" true }} {{ false | ternary "foo" "bar" }}', 'foo bar'],
    ['{{ atoi "42" }} {{ int "42" }} {{ int64 "42" }} {{ float64 "1.5" }} {{ int "0x10" }} {{ int "1.0" }}', '42 42 42 1.5 16 1'],
    ['{{ add 1 2 3 }} {{ add1 3 }} {{ sub 3 2 }} {{ div 6 4 }} {{ mod 7 3 }} {{ mul 2 3 4 }}', '6 4 1 1 1 24'],
    ['{{ max 1 2 31 }} {{ min 1 2 31 }} {{ typeOf (add 1 2) }}', '31 1 int64'],
    ['{{ floor 123.9999 }} {{ ceil 123.001 }} {{ round 123.555555 3 }}', '123 124 123.556'],
    ['{{ addf 1.5 2 2 }} {{ subf 7.5 2 3 }} {{ mulf 1.5 2 2 }}', '5.5 2.5 6'],
    ['{{ until 5 }} {{ untilStep 3 6 2 }}', '[0 1 2 3 4] [3 5]'],
    ['{{ seq 5 }}|{{ seq -3 }}|{{ seq 0 2 }}|{{ seq 2 -2 }}|{{ seq 0 2 10 }}|{{ seq 0 -2 -5 }}', '1 2 3 4 5|1 0 -1 -2 -3|0 1 2|2 1 0 -1 -2|0 2 4 6 8 10|0 -2 -4'],
    ['{{ kindOf "hello" }} {{ kindIs "int" 123 }} {{ typeOf 1.5 }} {{ typeIs "int" 1 }} {{ kindOf .Values.m }}', 'string true float64 true map', 'm: {a: 1}'],
    ['{{ deepEqual (list 1 2 3) (list 1 2 3) }} {{ deepEqual (list 1 2) (list 1 3) }}', 'true false'],
    // Helm reads values through JSON: numbers are float64 (helm/helm#1707).
    ['{{ .Values.count }} {{ .Values.count | int }} {{ typeOf .Values.count }}', '1e+06 1000000 float64', 'count: 1000000'],
  ]);
});

// https://masterminds.github.io/sprig/lists.html, dicts.html
describe('Sprig lists and dictionaries', () => {
  table([
    ['{{ list 1 2 3 4 5 | first }} {{ list 1 2 3 4 5 | last }} {{ list 1 2 3 4 5 | rest }} {{ list 1 2 3 4 5 | initial }}', '1 5 [2 3 4 5] [1 2 3 4]'],
    ['{{ append (list 1 2 3) 4 }} {{ prepend (list 1 2 3) 0 }} {{ concat (list 1 2 3) (list 4 5) (list 6) }}', '[1 2 3 4] [0 1 2 3] [1 2 3 4 5 6]'],
    ['{{ reverse (list 1 2 3) }} {{ list 1 1 1 2 | uniq }} {{ without (list 1 2 3 4 5) 1 3 5 }}', '[3 2 1] [1 2] [2 4]'],
    ['{{ has 4 (list 1 2 3 4) }} {{ compact (list 1 "a" "foo" "") }} {{ slice (list 1 2 3 4 5) 1 3 }}', 'true [1 a foo] [2 3]'],
    ['{{ $d := dict "name1" "value1" "name2" "value2" "name3" "value 3" }}{{ pick $d "name1" "name2" }} {{ omit $d "name1" "name3" }}', 'map[name1:value1 name2:value2] map[name2:value2]'],
    ['{{ $d := dict "b" 2 "a" 1 }}{{ keys $d }} {{ values $d }} {{ get $d "a" }}{{ get $d "zz" }} {{ hasKey $d "b" }}', '[a b] [1 2] 1 true'],
    ['{{ $d := dict "a" 1 }}{{ $_ := set $d "b" 2 }}{{ $_ := unset $d "a" }}{{ $d }}', 'map[b:2]'],
    ['{{ pluck "name1" (dict "name1" "a") (dict "name1" "b") (dict "x" 1) }}', '[a b]'],
    ['{{ dig "user" "role" "humanName" "guest" .Values }}|{{ dig "user" "name" "x" .Values }}', 'guest|Ada', 'user:\n  name: Ada\n'],
    [
      '{{ $dst := dict "default" "default" "overwrite" "me" "key" true }}{{ $src := dict "overwrite" "overwritten" "key" false }}{{ mergeOverwrite $dst $src }}',
      'map[default:default key:false overwrite:overwritten]',
    ],
    ['{{ $dst := dict "a" 1 "m" (dict "x" 1) }}{{ merge $dst (dict "a" 2 "b" 3 "m" (dict "x" 2 "y" 2)) }}', 'map[a:1 b:3 m:map[x:1 y:2]]'],
    ['{{ $a := dict "x" (dict "y" 1) }}{{ $b := deepCopy $a }}{{ $_ := set $b.x "y" 2 }}{{ $a.x.y }} {{ $b.x.y }}', '1 2'],
  ]);
});

// https://masterminds.github.io/sprig/semver.html (Masterminds/semver v3 constraints)
describe('semver and semverCompare', () => {
  table([
    ['{{ $v := semver "1.2.3-alpha.1+123" }}{{ $v.Major }}.{{ $v.Minor }}.{{ $v.Patch }} {{ $v.Prerelease }} {{ $v.Metadata }}', '1.2.3 alpha.1 123'],
    ['{{ semverCompare "1.2.3" "1.2.3" }} {{ semverCompare "^1.2.0" "1.2.3" }}', 'true true'],
  ]);
  it.each([
    ['~1.2.3', '1.2.9', true],
    ['~1.2.3', '1.3.0', false],
    ['^1.2.3', '1.9.0', true],
    ['^1.2.3', '2.0.0', false],
    ['^0.2.3', '0.3.0', false],
    ['1.2 - 1.4.5', '1.4.5', true],
    ['1.2 - 1.4.5', '1.4.6', false],
    ['1.2.x', '1.2.9', true],
    ['1.2.x', '1.3.0', false],
    ['>= 1.2, < 3.0.0 || >= 4.2.3', '2.5.0', true],
    ['>= 1.2, < 3.0.0 || >= 4.2.3', '3.5.0', false],
    ['!=1.2.3', '1.2.3', false],
    ['>=1.19-0', 'v1.31.0', true],
    ['>=1.19-0', '1.18.4', false],
    ['<1.20', '1.19.0-beta.1', false],
    ['*', '4.0.0', true],
  ])('semverCompare %s %s', (constraint, version, expected) => {
    expect(semverSatisfies(constraint, version)).toBe(expected);
  });
});

// Helm's own functions: https://helm.sh/docs/chart_template_guide/function_list/ and named_templates/
describe('Helm functions', () => {
  it('include renders a named template and pipes its text', () => {
    const run = runHelm('labels:\n{{ include "x.labels" . | indent 2 }}', 'app: shop', { '_h.tpl': '{{- define "x.labels" -}}\napp: {{ .Values.app }}\ntier: web\n{{- end }}' });
    expect(run.output).toBe('labels:\n  app: shop\n  tier: web');
  });

  it('tpl renders a values string as a template, with its own defines', () => {
    const run = runHelm('{{ tpl .Values.template . }}|{{ tpl "{{ define \\"t\\" }}T{{ end }}{{ include \\"t\\" . }}" . }}', 'name: shop\ntemplate: "{{ .Values.name }}-svc"');
    expect(run.output).toBe('shop-svc|T');
  });

  it('required gives an unknown and a problem when the value is missing or empty (Helm would stop)', () => {
    const run = runHelm('a: {{ required "A valid foo is required!" .Values.foo }}', 'foo: ""');
    expect(run.error).toBeNull();
    expect(run.output).toBe('a: <?required "A valid foo is required!" .Values.foo?>');
    expect(run.problems.map((p) => [p.code, p.message])).toEqual([['required-value', expect.stringContaining('A valid foo is required!')]]);
    expect(runHelm('{{ required "x" .Values.foo }}', 'foo: bar').output).toBe('bar');
  });

  it('fail stops the template with its message', () => {
    expect(runHelm('{{ fail "unsupported mode" }}').error).toBe('FailError: unsupported mode');
  });

  it('toYaml writes what sigs.k8s.io/yaml writes: sorted keys, 2 spaces, sequences under keys not indented, quoting', () => {
    const values = [
      'x:',
      '  b: [1, "two", true]',
      '  a: {yes: "yes", num: "123", empty: "", colon: "a: b", lines: "line1\\nline2", lead: " lead", big: 1000000, half: 1.5, nothing: null, em: {}, el: [], hash: "#x", dash: "- x", date: "2024-01-01", word: "true", tab: "a\\tb"}',
      '  z: [[1, 2], {a: 1, b: [x]}]',
    ].join('\n');
    expect(runHelm('{{ toYaml .Values.x }}', values).output).toBe(
      [
        'a:',
        '  big: 1000000',
        "  colon: 'a: b'",
        "  dash: '- x'",
        '  date: "2024-01-01"',
        '  el: []',
        '  em: {}',
        '  empty: ""',
        '  half: 1.5',
        "  hash: '#x'",
        "  lead: ' lead'",
        '  lines: |-',
        '    line1',
        '    line2',
        '  nothing: null',
        '  num: "123"',
        '  tab: "a\\tb"',
        '  "true": "yes"',
        '  word: "true"',
        'b:',
        '- 1',
        '- two',
        '- true',
        'z:',
        '- - 1',
        '  - 2',
        '- a: 1',
        '  b:',
        '  - x',
      ].join('\n'),
    );
  });

  it('toYaml folds long strings at 80 columns as go-yaml does', () => {
    const run = runHelm('{{ toYaml .Values.long }}', 'long:\n  description: "This is a rather long description of the service that keeps going on and on past eighty columns"');
    expect(run.output).toBe('description: This is a rather long description of the service that keeps going on\n  and on past eighty columns');
  });

  it('toYaml | nindent under a key, as charts write labels', () => {
    expect(runHelm('labels:{{ toYaml .Values.l | nindent 2 }}', 'l: {b: "2", a: x}').output).toBe('labels:\n  a: x\n  b: "2"');
  });

  it('fromYaml, fromYamlArray, fromJson, toJson, toPrettyJson, toRawJson', () => {
    expect(runHelm('{{ (fromYaml "a: 1\\nb: [x]").b }} {{ fromYamlArray "- 1\\n- two" }} {{ (fromJson "{\\"a\\": 2}").a }}').output).toBe('[x] [1 two] 2');
    expect(runHelm('{{ (fromYaml "a: [").Error | contains "yaml" }}').output).toBe('true');
    expect(runHelm('{{ dict "b" 1 "a" "<x>" | toJson }}').output).toBe('{"a":"\\u003cx\\u003e","b":1}');
    expect(runHelm('{{ dict "a" "<x>" | toRawJson }}').output).toBe('{"a":"<x>"}');
    expect(runHelm('{{ dict "a" (list 1) | toPrettyJson }}').output).toBe('{\n  "a": [\n    1\n  ]\n}');
  });

  it('lookup returns an empty map and says so', () => {
    const run = runHelm('{{ lookup "v1" "Secret" "ns" "name" }}|{{ (lookup "v1" "Secret" "ns" "name").data }}');
    expect(run.output).toBe('map[]|');
    expect(run.problems.map((p) => p.code)).toContain('assumed-environment');
  });

  it('the clock is fixed and reported; random and generated values are unknown', () => {
    const run = runHelm('{{ now | date "2006-01-02" }} {{ uuidv4 }} {{ (genCA "ca" 365).Cert }} {{ randAlphaNum 8 | b64enc }}');
    expect(run.output).toBe('2025-01-01 <?uuidv4?> <?(genCA "ca" 365).Cert?> <?randAlphaNum 8 | b64enc?>');
    expect(run.problems.map((p) => p.code)).toEqual(['assumed-environment']);
  });

  it('an unsupported function gives an unknown and a problem naming it and its line', () => {
    const run = runHelm('a\nb: {{ frobnicate .Values.x }}');
    expect(run.output).toBe('a\nb: <?frobnicate .Values.x?>');
    expect(run.problems).toEqual([expect.objectContaining({ code: 'unsupported-function', at: expect.objectContaining({ line: 2 }), message: expect.stringContaining('"frobnicate"') })]);
  });

  it('comparisons with the unknown release name are assumed and reported', () => {
    const run = runHelm('{{ if contains "shop" .Release.Name }}in{{ else }}out{{ end }} {{ printf "%s-x" .Release.Name | trunc 63 }} {{ eq .Release.Name "a" }}');
    expect(run.output).toBe('out <?.Release.Name?>-x false');
    expect(run.problems.map((p) => p.code)).toEqual(['assumed-unknown', 'assumed-unknown']);
  });

  it('Helm errors where Go does: int against float64, a field of a missing map, a float where a string is wanted', () => {
    expect(runHelm('{{ if eq .Values.replicas 1 }}x{{ end }}', 'replicas: 1').error).toMatch(/incompatible types for comparison/);
    expect(runHelm('{{ .Values.missing.field }}').error).toMatch(/nil pointer evaluating interface \{\}\.field/);
    expect(runHelm('{{ (.Values.missing).field }}').output).toBe('');
    expect(runHelm('{{ nindent 2 .Values.port }}', 'port: 80').error).toMatch(/wrong type for value; expected string; got float64/);
  });
});
