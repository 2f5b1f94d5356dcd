import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dependencyFindingIds } from '../../src/deps/finding-ids.js';
import { readApplications } from '../../src/deps/index.js';
import { writeChanges, type FileChange } from '../../src/fix/edit.js';
import { tempDir, repoOf } from '../helpers/repo.js';

/**
 * Properties over hostile structure: the lockfile readers on generated lockfiles of any shape (deep, cyclic, wrong
 * types) never throw and report only their own findings; the fix writer is all or nothing whatever fails on the way.
 */

// CI replays one fixed seed; local runs explore new cases each time.
const seed = process.env.HOSTILE_PROPERTY_SEED ? Number(process.env.HOSTILE_PROPERTY_SEED) : process.env.CI ? 20260214 : undefined;
const runs = (numRuns: number) => ({ numRuns, ...(seed === undefined ? {} : { seed }) });

const packageName = fc.constantFrom('@azure/identity', '@azure/msal-node', 'ms-rest-azure', 'adal-node', 'left-pad', 'a', '', '__proto__', 'constructor', 'x/../../y');
const version = fc.oneof(fc.constantFrom('4.3.0', '1.0.0', '0.0.0-beta', 'latest', '', '^1', 'file:../x', 'git+https://h/x.git'), fc.string({ maxLength: 6 }), fc.integer(), fc.constant(null));

/** A v1 `dependencies` tree: nested to any depth, with `requires` naming anything (cycles included). */
const v1Tree = fc.letrec((tie) => ({
  tree: fc.dictionary(packageName, tie('entry'), { maxKeys: 3 }),
  entry: fc.record(
    {
      version,
      requires: fc.oneof(fc.dictionary(packageName, version, { maxKeys: 3 }), fc.jsonValue({ maxDepth: 2 })),
      dependencies: fc.oneof({ depthSize: 'small' }, tie('tree'), fc.jsonValue({ maxDepth: 2 })),
    },
    { requiredKeys: [] },
  ),
})).tree;

const lockfile = fc.oneof(
  fc.record({ lockfileVersion: fc.constant(1), name: fc.constant('app'), dependencies: v1Tree }).map((value) => ({ file: 'package-lock.json', text: JSON.stringify(value) })),
  fc
    .record({
      lockfileVersion: fc.constantFrom(2, 3),
      packages: fc.dictionary(
        fc.oneof(fc.constant(''), packageName.map((name) => `node_modules/${name}`), packageName.map((name) => `node_modules/a/node_modules/${name}`), fc.string({ maxLength: 8 })),
        fc.record({ version, name: fc.option(packageName), link: fc.boolean(), dependencies: fc.dictionary(packageName, version, { maxKeys: 3 }) }, { requiredKeys: [] }),
        { maxKeys: 6 },
      ),
    })
    .map((value) => ({ file: 'package-lock.json', text: JSON.stringify(value) })),
  fc.array(fc.tuple(packageName, version, fc.array(fc.tuple(packageName, version), { maxLength: 3 })), { maxLength: 5 }).map((entries) => ({
    file: 'yarn.lock',
    text: entries.map(([name, v, deps]) => `"${name}@${String(v)}":\n  version "${String(v)}"\n${deps.length ? `  dependencies:\n${deps.map(([d, dv]) => `    "${d}" "${String(dv)}"`).join('\n')}\n` : ''}`).join('\n'),
  })),
  fc.record({ lockfileVersion: fc.constantFrom('5.4', '6.0', '9.0', 7), importers: fc.jsonValue({ maxDepth: 3 }), packages: fc.jsonValue({ maxDepth: 3 }), snapshots: fc.jsonValue({ maxDepth: 3 }) }, { requiredKeys: [] }).map((value) => ({ file: 'pnpm-lock.yaml', text: JSON.stringify(value) })),
);

describe('lockfile readers on lockfiles of any shape', () => {
  const ours = new Set<string>(dependencyFindingIds);
  it('never throw, and report only dependency findings at a real line', () => {
    fc.assert(
      fc.property(lockfile, fc.boolean(), ({ file, text }, all) => {
        const { repo, sink } = repoOf({ 'app/package.json': '{"name":"app","dependencies":{"@azure/identity":"^4.0.0","ms-rest-azure":"2.6.0"}}', [`app/${file}`]: text });
        const apps = readApplications(repo, sink, { allDependencies: all });
        expect(apps.map((app) => app.path)).toEqual(['app']);
        for (const finding of sink.all) {
          expect(ours.has(finding.ruleId), finding.ruleId).toBe(true);
          expect(finding.line).toBeGreaterThanOrEqual(1);
        }
        for (const dependency of apps.flatMap((app) => app.dependencies)) expect(dependency.line).toBeGreaterThanOrEqual(1);
      }),
      runs(60),
    );
  });
});

/** Every regular file under a folder with its bytes, and every link with its target: the state a run may change. */
function snapshot(root: string): Record<string, string> {
  const state: Record<string, string> = {};
  const visit = (dir: string, prefix: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const rel = `${prefix}${name}`;
      const stat = statSync(path, { throwIfNoEntry: false });
      if (stat?.isDirectory()) visit(path, `${rel}/`);
      else state[rel] = stat ? `${(stat.mode & 0o777).toString(8)}:${readFileSync(path).toString('base64')}` : 'dangling';
    }
  };
  visit(root, '');
  return state;
}

const fileName = fc.constantFrom('a.yaml', 'b.yaml', 'sub/c.yaml', '..data/d.yaml', '...yaml', 'e\r.yaml', `${'l'.repeat(250)}.yaml`, `${'m'.repeat(256)}.yaml`);
const obstacle = fc.constantFrom('none', 'dangling-link', 'link', 'folder', 'changed', 'read-only');

describe('the fix writer is all or nothing', () => {
  it('after any mix of edits, creations, deletions, obstacles and a failing write, every file is as before or as planned', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ file: fileName, action: fc.constantFrom('edit' as const, 'create' as const, 'delete' as const), obstacle, bom: fc.boolean(), after: fc.string({ maxLength: 20 }) }), { maxLength: 5, selector: (item) => item.file }),
        fc.option(fc.nat(5)),
        (specs, failAt) => {
          const root = tempDir();
          mkdirSync(join(root, 'sub'));
          mkdirSync(join(root, '..data'));
          const changes: FileChange[] = [];
          let blocked = false;
          for (const spec of specs) {
            const target = join(root, ...spec.file.split('/'));
            const before = `${spec.file}: before\n`;
            const stored = `${spec.bom ? '\ufeff' : ''}${before}`;
            const long = Buffer.byteLength(spec.file.split('/').pop() ?? '') > 255;
            if (long) {
              // No file system holds such a name: only a creation can ask for it, and the writer refuses it.
              if (spec.action !== 'create') continue;
              blocked = true;
            } else if (spec.action !== 'create') writeFileSync(target, stored);
            if (!long && spec.obstacle === 'dangling-link' && spec.action === 'create') {
              symlinkSync('nowhere.yaml', target);
              blocked = true;
            } else if (!long && spec.obstacle === 'link' && spec.action !== 'create') {
              rmSync(target);
              writeFileSync(join(root, `real-${changes.length}`), stored);
              symlinkSync(join(root, `real-${changes.length}`), target);
              blocked = true;
            } else if (!long && spec.obstacle === 'folder' && spec.action === 'create') {
              mkdirSync(target);
              blocked = true;
            } else if (!long && spec.obstacle === 'changed' && spec.action !== 'create') {
              writeFileSync(target, 'someone else edited this\n');
              blocked = true;
            } else if (!long && spec.obstacle === 'read-only' && spec.action !== 'create') {
              chmodSync(target, 0o444);
            }
            changes.push({
              file: spec.file,
              action: spec.action,
              before: spec.action === 'create' ? '' : before,
              after: spec.action === 'delete' ? '' : spec.after,
              bom: spec.action !== 'create' && spec.bom,
              edits: [],
            });
          }
          const initial = snapshot(root);
          let writes = 0;
          const refused = writeChanges(root, changes, {
            beforeWrite: () => {
              if (failAt !== null && writes++ === failAt) throw new Error('disk full');
            },
          });
          const failed = failAt !== null && failAt < changes.length && !blocked;
          expect(refused.length > 0).toBe(blocked || failed);
          if (refused.length > 0) {
            expect(snapshot(root)).toEqual(initial);
            return;
          }
          for (const change of changes) {
            const target = join(root, ...change.file.split('/'));
            if (change.action === 'delete') expect(existsSync(target)).toBe(false);
            else expect(readFileSync(target, 'utf8')).toBe(`${change.bom ? '\ufeff' : ''}${change.after}`);
          }
        },
      ),
      runs(120),
    );
  });
});
