import { describe, expect, it } from 'vitest';
import { loadFindingCatalogue } from '../../src/rules/catalogue.js';
import { findingIds } from '../../src/rules/finding-ids.js';

describe('finding catalogue', () => {
  it('describes exactly the finding ids the code emits', () => {
    const catalogue = loadFindingCatalogue();
    expect([...catalogue.keys()].sort()).toEqual([...findingIds].sort());
  });
});
