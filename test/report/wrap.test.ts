import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultWidth, minimumWidth, resolveWidth, visibleLength, wrap, wrapWithLocation } from '../../src/report/wrap.js';

const tokens = (text: string) => text.split(/\s+/).filter((token) => token !== '');

describe('wrap', () => {
  it('breaks at spaces and keeps every token whole', () => {
    expect(wrap('alpha beta gamma delta', 11)).toEqual(['alpha beta', 'gamma delta']);
    expect(wrap('aadpodidbinding={{ .Values.identity.name }} on the pod template', 30, '  ', '    ')).toEqual([
      '  aadpodidbinding={{',
      '    .Values.identity.name }}',
      '    on the pod template',
    ]);
  });

  it('puts a token wider than the line on a line of its own, uncut', () => {
    const path = 'teams/payments/services/invoice-reconciliation/deploy/kubernetes/deployment.yaml:12';
    expect(wrap(`see ${path} now`, 40, '', '  ')).toEqual(['see', `  ${path}`, '  now']);
  });

  it('keeps spaces inside a line and starts a new line at a newline', () => {
    expect(wrap('client id X  identity Y', 80)).toEqual(['client id X  identity Y']);
    expect(wrap('one\ntwo three', 80, '> ', '  ')).toEqual(['> one', '  two three']);
  });

  it('does not count colour sequences', () => {
    const red = '\u001b[31mred\u001b[39m';
    expect(visibleLength(red)).toBe(3);
    expect(wrap(`${red} ${red} ${red}`, 7)).toEqual([`${red} ${red}`, red]);
  });

  it('right-aligns a location that fits, and gives one that does not a line of its own', () => {
    expect(wrapWithLocation('short', 'a.yaml:1', 20)).toEqual(['short       a.yaml:1']);
    expect(wrapWithLocation('a longer text here', 'a.yaml:1', 20)).toEqual(['a longer text here', '            a.yaml:1']);
    expect(wrapWithLocation('text', 'a/very/long/path/that/is/wider.yaml:1', 20, '', '  ')).toEqual(['text', '  a/very/long/path/that/is/wider.yaml:1']);
  });

  it('keeps every token, in order, and no line wider than the width unless it holds one token (property)', () => {
    const word = fc.stringMatching(/^[a-z0-9:/{}.=-]{1,30}$/);
    fc.assert(
      fc.property(fc.array(word, { maxLength: 40 }), fc.integer({ min: 10, max: 140 }), fc.integer({ min: 0, max: 8 }), (words, width, indent) => {
        const text = words.join(' ');
        const lines = wrap(text, width, ' '.repeat(indent), ' '.repeat(indent + 2));
        expect(tokens(lines.join('\n'))).toEqual(words);
        for (const line of lines) {
          if (visibleLength(line) > width) expect(tokens(line)).toHaveLength(1);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('ends with the whole location, on the last line or its own (property)', () => {
    const word = fc.stringMatching(/^[a-z]{1,12}$/);
    const location = fc.stringMatching(/^[a-z/]{1,60}\.yaml:[1-9][0-9]{0,3}$/);
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 30 }), location, fc.integer({ min: 20, max: 140 }), (words, where, width) => {
        const lines = wrapWithLocation(words.join(' '), where, width, '    ', '    ');
        const last = lines[lines.length - 1] ?? '';
        expect(last.endsWith(where)).toBe(true);
        expect(tokens(lines.join(' '))).toEqual([...words, where]);
        for (const line of lines) {
          if (visibleLength(line) > width) expect(tokens(line)).toHaveLength(1);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('resolveWidth', () => {
  it('takes --width, then COLUMNS, then the terminal, else 80', () => {
    expect(resolveWidth({ flag: '100', env: { COLUMNS: '90' }, stream: { isTTY: true, columns: 200 } })).toBe(100);
    expect(resolveWidth({ env: { COLUMNS: '90' }, stream: { isTTY: true, columns: 200 } })).toBe(90);
    expect(resolveWidth({ env: {}, stream: { isTTY: true, columns: 200 } })).toBe(200);
    expect(resolveWidth({ env: {}, stream: { isTTY: false, columns: 200 } })).toBe(defaultWidth);
    expect(resolveWidth({ env: { COLUMNS: 'wide' }, stream: {} })).toBe(defaultWidth);
    expect(resolveWidth({ flag: '10' })).toBe(minimumWidth);
    expect(resolveWidth({ flag: 'wide' })).toBeNull();
  });
});
