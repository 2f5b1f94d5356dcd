import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { languageOf } from '../../src/check/source-text.js';
import { copyFixture } from '../helpers/repo.js';
import { check } from './helpers.js';

/**
 * `--changed-since` reads only the changed files (and the files holding what their findings depend on), so it must
 * report exactly what a full check reports for those files. Checked on every fixture repository (`repo/`,
 * `positive/`, `negative/` folders under fixtures/), once per file the gate reads, with that file as the change.
 */
const fixtures = fileURLToPath(new URL('../../fixtures/', import.meta.url));

function repositories(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (!statSync(path).isDirectory()) continue;
    if (name === 'repo' || name === 'positive' || name === 'negative') found.push(path);
    else found.push(...repositories(path));
  }
  return found;
}

function filesOf(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...filesOf(path));
    else found.push(path);
  }
  return found;
}

/** Repositories holding a file the gate reads (the others are refused as having nothing to check). */
const checked = repositories(fixtures).filter((dir) => filesOf(dir).some((path) => languageOf(relative(dir, path).split('\\').join('/')) !== null));

describe('check --changed-since reads less and reports the same', () => {
  it('has fixture repositories to compare on', () => expect(checked.length).toBeGreaterThan(50));
  for (const source of checked) {
    it(relative(fixtures, source), () => {
      const dir = copyFixture(source);
      const full = check(dir).result;
      const files = filesOf(dir).map((path) => relative(dir, path).split('\\').join('/')).filter((path) => languageOf(path) !== null);
      for (const file of files) {
        const scoped = check(dir, { changedSince: 'base', listChanged: () => new Set([file]) }).result;
        const expected = full.findings.filter((finding) => finding.file === file);
        expect({ file, findings: scoped.findings }).toEqual({ file, findings: expected });
        expect(scoped.summary.files).toBe(full.summary.files);
        expect(scoped.summary.read).toBe(full.summary.read);
      }
      // All of them at once: the same as the full check.
      const all = check(dir, { changedSince: 'base', listChanged: () => new Set(files) }).result;
      expect(all.findings).toEqual(full.findings.filter((finding) => files.includes(finding.file)));
    });
  }
});

/** The fixture repositories whose manifests hold what other files' findings depend on (the words git grep looks for). */
const crossReferencing = checked.filter((dir) => filesOf(dir).some((path) => /\.(ya?ml|json)$/i.test(path) && /ServiceAccount|toolkit\.fluxcd\.io|argoproj\.io/.test(readFileSync(path, 'utf8'))));

describe('check --changed-since in a git work tree, where git grep says which manifests to read', () => {
  it('has such fixtures', () => expect(crossReferencing.length).toBeGreaterThan(5));
  for (const source of crossReferencing.slice(0, 12)) {
    it(relative(fixtures, source), () => {
      const dir = copyFixture(source);
      const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir, stdio: 'ignore' });
      git('init', '-q');
      git('add', '-A');
      git('commit', '-q', '--no-gpg-sign', '-m', 'fixture');
      const full = check(dir).result;
      const files = filesOf(dir).map((path) => relative(dir, path).split('\\').join('/')).filter((path) => !path.startsWith('.git/') && languageOf(path) !== null);
      for (const file of files) {
        const scoped = check(dir, { changedSince: 'base', listChanged: () => new Set([file]) }).result;
        expect({ file, findings: scoped.findings }).toEqual({ file, findings: full.findings.filter((finding) => finding.file === file) });
      }
    });
  }
});
