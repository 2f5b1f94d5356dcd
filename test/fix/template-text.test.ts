import { describe, expect, it } from 'vitest';
import { decodePlaceholders, describeCondition, lexActions, partsToTemplate, sanitizeTemplate } from '../../src/fix/template-text.js';

describe('lexActions', () => {
  it('finds actions, skipping braces inside strings and comments', () => {
    const text = 'a: {{ "}}" }}\nb: {{/* }} */}}\nc: {{- .Values.x -}}\n';
    expect(lexActions(text).map((action) => [action.inner, action.kind, action.line])).toEqual([
      ['"}}"', 'output', 1],
      ['/* }} */', 'comment', 2],
      ['.Values.x', 'output', 3],
    ]);
  });

  it('classifies control actions', () => {
    const kinds = lexActions('{{ if .a }}{{ else if .b }}{{ end }}{{ range .c }}{{ end }}{{ $x := 1 }}{{ define "n" }}{{ end }}')
      .map((action) => `${action.kind}${action.keyword ? `:${action.keyword}` : ''}`);
    expect(kinds).toEqual(['open:if', 'else', 'end', 'open:range', 'end', 'assign', 'open:define', 'end']);
  });
});

describe('sanitizeTemplate', () => {
  const template = [
    '{{- $name := include "x.name" . }}',
    'metadata:',
    '  name: {{ $name }}-sa',
    '  labels:',
    '    {{- include "x.labels" . | nindent 4 }}',
    '    {{- if .Values.podIdentity.enabled }}',
    '    aadpodidbinding: {{ .Values.podIdentity.binding | quote }}',
    '    {{- else }}',
    '    azure.workload.identity/use: "true"',
    '    {{- end }}',
    '{{- define "x.unused" }}',
    'ignored: true',
    '{{- end }}',
    '',
  ].join('\n');

  it('keeps length and line structure, blanking control lines and define bodies', () => {
    const sanitized = sanitizeTemplate(template);
    expect(sanitized.text.length).toBe(template.length);
    expect(sanitized.text.split('\n').map((line) => line.trim())).toEqual([
      '', 'metadata:', expect.stringMatching(/^name: §0~*§-sa$/), 'labels:', '', '',
      expect.stringMatching(/^aadpodidbinding: §1~*§$/), '', 'azure.workload.identity/use: "true"', '', '', '', '', '',
    ]);
  });

  it('maps placeholders back to their expressions', () => {
    const sanitized = sanitizeTemplate(template);
    const line = sanitized.text.split('\n')[2] ?? '';
    const parts = decodePlaceholders(line.trim().slice('name: '.length), sanitized.expressions);
    expect(parts).toEqual([{ expression: '$name' }, { literal: '-sa' }]);
    expect(partsToTemplate(parts)).toBe('{{ $name }}-sa');
  });

  it('records conditions per line, including else branches', () => {
    const sanitized = sanitizeTemplate(template);
    expect(sanitized.conditions[6]?.map(describeCondition)).toEqual(['.Values.podIdentity.enabled']);
    expect(sanitized.conditions[8]?.map(describeCondition)).toEqual(['not (.Values.podIdentity.enabled)']);
    expect(sanitized.conditions[1]).toEqual([]);
  });

  it('records injections with their target indent and the define bodies', () => {
    const sanitized = sanitizeTemplate(template);
    expect(sanitized.injections).toEqual([{ line: 5, indent: 4, expression: 'include "x.labels" . | nindent 4', dot: null }]);
    expect(sanitized.defines.map((define) => [define.name, define.line])).toEqual([['x.unused', 11]]);
  });

  it('knows what `.` means inside a with block', () => {
    const sanitized = sanitizeTemplate('{{- with .Values.podLabels }}\n{{- toYaml . | nindent 8 }}\n{{- end }}\n');
    expect(sanitized.injections[0]?.dot).toBe('.Values.podLabels');
  });
});
