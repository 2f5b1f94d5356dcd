import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { readApplications } from '../../src/deps/index.js';
import { sortFindings } from '../../src/model/finding.js';
import { expectGolden } from '../helpers/golden.js';
import { copyFixture, openRepo } from '../helpers/repo.js';

const fixtures = fileURLToPath(new URL('../../fixtures/deps/', import.meta.url));

/**
 * One test per folder in fixtures/deps: `repo/` is scanned (copied to a temporary folder first, so this repository's
 * git and .gitignore play no part) and the applications plus the dependency findings must equal `expected.json`.
 * `options.json`, when present, holds the reader options (`{ "allDependencies": true }`).
 */
describe('dependency fixtures', () => {
  for (const name of readdirSync(fixtures).sort()) {
    const folder = join(fixtures, name);
    if (!existsSync(join(folder, 'repo'))) continue;
    it(name, () => {
      const root = copyFixture(join(folder, 'repo'));
      const { repo, sink } = openRepo(root);
      const optionsFile = join(folder, 'options.json');
      const options = existsSync(optionsFile) ? (JSON.parse(readFileSync(optionsFile, 'utf8')) as { allDependencies?: boolean }) : {};
      const applications = readApplications(repo, sink, { allDependencies: options.allDependencies === true });
      const actual = `${JSON.stringify({ applications, findings: sortFindings(sink.all) }, null, 2)}\n`;
      expectGolden(join(folder, 'expected.json'), actual);
    });
  }
});
