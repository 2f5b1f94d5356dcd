import type { SourceLanguage } from '../model/application.js';

const byExtension: ReadonlyMap<string, SourceLanguage> = new Map([
  ['.js', 'javascript'],
  ['.mjs', 'javascript'],
  ['.cjs', 'javascript'],
  ['.jsx', 'javascript'],
  ['.ts', 'typescript'],
  ['.tsx', 'typescript'],
  ['.mts', 'typescript'],
  ['.cts', 'typescript'],
  ['.py', 'python'],
  ['.pyw', 'python'],
  ['.cs', 'csharp'],
  ['.java', 'java'],
  ['.go', 'go'],
  ['.cpp', 'cpp'],
  ['.cc', 'cpp'],
  ['.cxx', 'cpp'],
  ['.c++', 'cpp'],
  ['.hpp', 'cpp'],
  ['.hh', 'cpp'],
  ['.hxx', 'cpp'],
  ['.h', 'cpp'],
  ['.ipp', 'cpp'],
  ['.sh', 'shell'],
  ['.bash', 'shell'],
  ['.zsh', 'shell'],
  ['.ksh', 'shell'],
  ['.dockerfile', 'dockerfile'],
  ['.tf', 'terraform'],
  ['.yaml', 'yaml'],
  ['.yml', 'yaml'],
]);

/** Declaration files describe types only: nothing in them runs. */
const skipped = /\.d\.(ts|mts|cts)$/;

/**
 * The language pod2wi reads a file as, from its name: extensions, `Dockerfile`/`Containerfile` (also `Dockerfile.prod`,
 * `prod.Dockerfile`). Files without an extension are decided by their shebang ({@link languageOfShebang}); null means
 * the file is not read by the code stage.
 */
export function languageOfPath(path: string): SourceLanguage | null {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const lower = name.toLowerCase();
  if (/^(dockerfile|containerfile)([.-].*)?$/.test(lower) || lower.endsWith('.dockerfile') || lower.endsWith('.containerfile')) return 'dockerfile';
  if (skipped.test(lower)) return null;
  const dot = lower.lastIndexOf('.');
  if (dot <= 0) return null;
  return byExtension.get(lower.slice(dot)) ?? null;
}

/** Whether a file's name leaves its language to its first line (`entrypoint`, `run`, `docker-entrypoint`). */
export function needsShebang(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return !name.includes('.');
}

/** An extension-less file named like a container entrypoint is read as shell even without a shebang. */
export function isEntrypointName(path: string): boolean {
  return /entrypoint/i.test(path.slice(path.lastIndexOf('/') + 1));
}

/** `#!/bin/sh`, `#!/usr/bin/env bash`, `#!/usr/bin/env python3` → the language; null for anything else. */
export function languageOfShebang(text: string): SourceLanguage | null {
  const match = /^#!\s*(\S+)(?:\s+(?:-\S+\s+)*(\S+))?/.exec(text);
  if (!match) return null;
  const program = (match[1]?.endsWith('/env') ? match[2] : match[1]) ?? '';
  const base = program.slice(program.lastIndexOf('/') + 1);
  if (/^(sh|bash|dash|ash|ksh|zsh)$/.test(base)) return 'shell';
  if (/^python[0-9.]*$/.test(base)) return 'python';
  if (/^node$/.test(base)) return 'javascript';
  return null;
}

const testPatterns: readonly RegExp[] = [
  /(^|\/)(test|tests|__tests__|__test__|spec|specs|testing|testdata|e2e|integration-tests?|unittests?)\//i,
  /(^|\/)src\/test\//,
  /\.(test|spec)\.[cm]?[jt]sx?$/,
  /(^|\/)test_[^/]*\.py$/,
  /(^|\/)[^/]*_test\.(py|go)$/,
  /(^|\/)conftest\.py$/,
  /(^|\/)[^/]*Tests?\.(cs|java)$/,
  /(^|\/)[^/]*(IT|Spec)\.java$/,
  /(^|\/)[^/]*\.Tests?\/[^/]*/,
  /(^|\/)[^/]*_(test|unittest)\.(cc|cpp|cxx)$/,
];

/** A test file, by path or name (`test/`, `__tests__/`, `*.test.ts`, `test_*.py`, `*_test.go`, `*Tests.cs`...). */
export function isTestFile(path: string): boolean {
  return testPatterns.some((pattern) => pattern.test(path));
}
