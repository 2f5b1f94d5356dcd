import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { composeEdits } from '../../src/fix/compose.js';
import { applyEdits, type Edit } from '../../src/fix/edit.js';

// CI replays one fixed seed; local runs explore new cases.
const seed = process.env.CI ? 20261204 : undefined;

describe('composeEdits', () => {
  it('gives, as edits of the original, the text that successive rounds of edits give', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 30 }).chain((original) => fc.tuple(fc.constant(original), fc.array(fc.nat(), { minLength: 1, maxLength: 3 }))),
        fc.infiniteStream(fc.tuple(fc.nat(), fc.nat(3), fc.string({ maxLength: 4 }))),
        ([original, rounds], stream) => {
          let current = original;
          let composed: Edit[] = [];
          const source = stream[Symbol.iterator]();
          for (const _ of rounds) {
            const next: Edit[] = [];
            let floor = 0;
            const cuts = [0, 1, 2].map(() => source.next().value as [number, number, string]).map(([at, length, text]) => [current.length === 0 ? 0 : at % (current.length + 1), length, text] as const).sort((a, b) => a[0] - b[0]);
            for (const [at, length, text] of cuts) {
              const start = Math.max(at, floor);
              if (start > current.length) break;
              const end = Math.min(current.length, start + length);
              next.push({ file: 'f', start, end, expect: current.slice(start, end), text, why: `w${next.length}` });
              floor = end + 1;
            }
            const after = applyEdits(current, next);
            composed = composeEdits(original, current, composed, next);
            expect(applyEdits(original, composed)).toBe(after);
            current = after;
          }
        },
      ),
      { numRuns: 2000, ...(seed === undefined ? {} : { seed }) },
    );
  });

  it('keeps why each edit was made, and merges an edit into the text an earlier one wrote', () => {
    const original = 'a: 1\n';
    const first: Edit[] = [{ file: 'f', start: 5, end: 5, expect: '', text: 'labels:\n  x: 1\n', why: 'add labels' }];
    const current = applyEdits(original, first);
    const second: Edit[] = [{ file: 'f', start: current.length, end: current.length, expect: '', text: '  y: 2\n', why: 'add y' }];
    const composed = composeEdits(original, current, first, second);
    expect(composed).toEqual([{ file: 'f', start: 5, end: 5, expect: '', text: 'labels:\n  x: 1\n  y: 2\n', why: 'add labels; add y' }]);
  });
});
