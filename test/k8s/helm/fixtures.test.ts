import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { expectGolden } from '../../helpers/golden.js';
import { renderFixture } from './render-harness.js';

const root = new URL('../../../fixtures/render/helm/', import.meta.url).pathname;

describe('Helm chart fixtures render with origins (golden files)', () => {
  for (const name of readdirSync(root).sort()) {
    it(name, () => {
      expectGolden(join(root, name, 'expected', 'render.yaml'), renderFixture(join(root, name)));
    });
  }
});
