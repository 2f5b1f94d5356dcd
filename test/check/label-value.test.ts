import { expect, it } from 'vitest';
import { labelValueIn } from '../../src/check/detect-text.js';
/** The label's value as check messages quote it: whole, never cut inside a template expression. */
it('reads the label value whole, template expressions included', () => {
  expect(labelValueIn('    aadpodidbinding: {{ .Values.identity.name }}')).toBe('{{ .Values.identity.name }}');
  expect(labelValueIn('aadpodidbinding={{.Values.identity.name}}-x, foo')).toBe('{{.Values.identity.name}}-x');
  expect(labelValueIn('  aadpodidbinding: "a b"')).toBe('a b');
  expect(labelValueIn('aadpodidbinding: foo}')).toBe('foo');
  expect(labelValueIn('kubectl label pod x aadpodidbinding=${var.id} --overwrite')).toBe('${var.id}');
  expect(labelValueIn('aadpodidbinding: {{ .Values.a')).toBe('{{ .Values.a');
  expect(labelValueIn('aadpodidbinding:')).toBe(undefined);
});
