import { describe, expect, it } from 'vitest';
import { evaluate, truthiness, type Evaluator } from '../../src/k8s/helm/expression.js';

const values: Record<string, unknown> = {
  'Values.name': 'orders',
  'Values.empty': '',
  'Values.flag': true,
  'Values.off': false,
  'Values.identity.clientId': '6f1d2c3b',
  'Values.podLabels': { team: 'x' },
  'Chart.Name': 'orders-chart',
};

const evaluator: Evaluator<string> = {
  ref(path) {
    const key = path.join('.');
    if (path[0] === 'Release') return null;
    const value = values[key];
    if (value === undefined) return { value: '', at: null };
    return typeof value === 'object' ? null : { value: String(value), at: key };
  },
  truthy(path) {
    const value = values[path.join('.')];
    if (path[0] === 'Release') return null;
    return value !== undefined && value !== '' && value !== false;
  },
  include(name) {
    return name === 'x.name' ? { value: 'orders-x', at: null } : null;
  },
};

describe('evaluate', () => {
  it.each([
    ['.Values.name', 'orders'],
    ['.Values.name | quote', 'orders'],
    ['.Values.empty | default "fallback"', 'fallback'],
    ['default "fallback" .Values.missing', 'fallback'],
    ['required "set identity" .Values.identity.clientId', '6f1d2c3b'],
    ['.Chart.Name | trunc 6 | trimSuffix "-"', 'orders'],
    ['include "x.name" .', 'orders-x'],
    ['printf "%s-%s" .Values.name "api"', 'orders-api'],
    ['.Values.name | upper', 'ORDERS'],
    ['"literal"', 'literal'],
  ])('%s → %s', (expression, expected) => {
    expect(evaluate(expression, evaluator, null)?.value).toBe(expected);
  });

  it('remembers where a value came from', () => {
    expect(evaluate('.Values.identity.clientId | quote', evaluator, null)).toEqual({ value: '6f1d2c3b', at: 'Values.identity.clientId' });
  });

  it.each(['.Release.Name', '$fullname', 'include "unknown" .', '(include "x.name" .)', 'tpl .Values.name .', '.Values.podLabels'])(
    'leaves %s unresolved',
    (expression) => {
      expect(evaluate(expression, evaluator, null)).toBeNull();
    },
  );

  it('resolves `.` through a with block', () => {
    expect(evaluate('.clientId', evaluator, '.Values.identity')?.value).toBe('6f1d2c3b');
  });
});

describe('truthiness', () => {
  it.each([
    ['.Values.flag', true],
    ['.Values.off', false],
    ['.Values.missing', false],
    ['not .Values.off', true],
    ['and .Values.flag (not .Values.off)', true],
    ['or .Values.off .Values.missing', false],
    ['eq .Values.name "orders"', true],
    ['ne .Values.name "orders"', false],
    ['.Values.podLabels', true],
    ['empty .Values.empty', true],
  ])('%s is %s', (expression, expected) => {
    expect(truthiness(expression, evaluator, null)).toBe(expected);
  });

  it.each(['.Release.IsInstall', 'and .Values.flag .Release.IsUpgrade', 'semverCompare ">=1.21" .Capabilities.KubeVersion.Version'])('%s is unknown', (expression) => {
    expect(truthiness(expression, evaluator, null)).toBeNull();
  });

  it('is false as soon as one operand of and is known false, even with unknowns', () => {
    expect(truthiness('and .Release.IsInstall .Values.off', evaluator, null)).toBe(false);
  });
});
