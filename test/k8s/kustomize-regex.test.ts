import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchesLabelSelector, parseLabelSelector } from '../../src/k8s/kustomize/label-selector.js';
import { compileRegex } from '../../src/k8s/kustomize/regex.js';

const seed = process.env.KUSTOMIZE_PROPERTY_SEED ? Number(process.env.KUSTOMIZE_PROPERTY_SEED) : process.env.CI ? 20261204 : undefined;

function test(pattern: string, text: string): boolean {
  const compiled = compileRegex(pattern);
  if ('error' in compiled) throw new Error(compiled.error);
  return compiled.regex.test(text);
}

describe('linear regular expressions (RE2 subset)', () => {
  const atom = fc.constantFrom('a', 'b', '.', '[ab]', '[^a]', '\\d', 'c', '[a-c]');
  const pattern: fc.Arbitrary<string> = fc.letrec((tie) => ({
    p: fc.oneof(
      { maxDepth: 3 },
      atom,
      fc.tuple(tie('p'), tie('p')).map(([x, y]) => `${x as string}${y as string}`),
      fc.tuple(tie('p'), tie('p')).map(([x, y]) => `(${x as string}|${y as string})`),
      fc.tuple(tie('p'), fc.constantFrom('*', '+', '?', '{2}', '{1,3}', '{0,}')).map(([x, q]) => `(?:${x as string})${q}`),
    ),
  })).p;
  const anchored = fc.tuple(fc.boolean(), pattern, fc.boolean()).map(([start, p, end]) => `${start ? '^' : ''}${p}${end ? '$' : ''}`);

  it('agrees with JavaScript regular expressions on the shared syntax', () => {
    fc.assert(
      fc.property(anchored, fc.stringMatching(/^[abc12]{0,8}$/), (p, text) => {
        expect(test(p, text)).toBe(new RegExp(p).test(text));
      }),
      { numRuns: 2000, ...(seed === undefined ? {} : { seed }) },
    );
  });

  it('runs patterns that backtrack exponentially in linear time', () => {
    const text = `${'a'.repeat(20_000)}!`;
    expect(test('^(a*)*b$', text)).toBe(false);
    expect(test('(a|aa)+$', text)).toBe(false);
    expect(test('^(?:a+)+a!$', text)).toBe(true);
  });

  it('refuses what it does not support, with a reason', () => {
    for (const p of ['(?=a)', 'a\\1', '\\bword', '(', 'a{2000}', '*a']) expect(compileRegex(p)).toHaveProperty('error');
    expect(test('(?i)Deploy', 'deployment')).toBe(true);
    expect(test('^(?:.*-worker)$', 'shop-queue-worker')).toBe(true);
  });
});

describe('label selectors', () => {
  const labels = new Map([
    ['app', 'web'],
    ['tier', 'frontend'],
    ['version', '3'],
  ]);
  it.each([
    ['', true],
    ['app=web', true],
    ['app==web,tier=frontend', true],
    ['app!=web', false],
    ['missing!=x', true],
    ['app in (api, web)', true],
    ['app notin (web)', false],
    ['tier', true],
    ['!tier', false],
    ['!missing', true],
    ['version>2', true],
    ['version<2', false],
  ])('%j selects: %s', (selector, expected) => {
    const parsed = parseLabelSelector(selector);
    if ('error' in parsed) throw new Error(parsed.error);
    expect(matchesLabelSelector(parsed.selector, labels)).toBe(expected);
  });

  it('reports selectors that do not parse', () => {
    for (const selector of ['app=', 'in (a)', 'app in a', 'a,,b', '=x']) {
      const parsed = parseLabelSelector(selector);
      if (selector === 'app=') expect(parsed).toHaveProperty('selector');
      else expect(parsed, selector).toHaveProperty('error');
    }
  });
});
