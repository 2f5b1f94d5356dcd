import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTerraform } from '../../src/terraform/read.js';
import { expectGolden } from '../helpers/golden.js';
import { describeRead, folderSource } from './describe.js';

const fixtures = join(import.meta.dirname, '..', '..', 'fixtures', 'terraform');
const folders = readdirSync(fixtures, { withFileTypes: true }).filter((entry) => entry.isDirectory() && entry.name !== 'edits').map((entry) => entry.name).sort();

describe('readTerraform on the fixtures', () => {
  it('has fixtures', () => expect(folders.length).toBeGreaterThan(5));
  for (const name of folders) {
    it(name, () => {
      const read = readTerraform(folderSource(join(fixtures, name)));
      expectGolden(join(fixtures, name, 'expected', 'read.txt'), describeRead(read));
      expect(read.problems.filter((problem) => problem.code === 'terraform-read-failed')).toEqual([]);
    });
  }
});
