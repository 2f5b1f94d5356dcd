import { describe, expect, it } from 'vitest';
import { isTestFile, languageOfPath, languageOfShebang, needsShebang } from '../../src/code/files.js';

describe('which files the code stage reads', () => {
  it('knows languages by extension and name', () => {
    const cases: Array<[string, string | null]> = [
      ['src/a.ts', 'typescript'],
      ['src/a.tsx', 'typescript'],
      ['src/a.mts', 'typescript'],
      ['src/a.cts', 'typescript'],
      ['src/a.d.ts', null],
      ['src/a.js', 'javascript'],
      ['src/a.mjs', 'javascript'],
      ['src/a.cjs', 'javascript'],
      ['src/a.jsx', 'javascript'],
      ['app/a.py', 'python'],
      ['App/A.cs', 'csharp'],
      ['A.java', 'java'],
      ['main.go', 'go'],
      ['x.cpp', 'cpp'],
      ['x.hpp', 'cpp'],
      ['x.h', 'cpp'],
      ['run.sh', 'shell'],
      ['Dockerfile', 'dockerfile'],
      ['docker/Dockerfile.prod', 'dockerfile'],
      ['worker.dockerfile', 'dockerfile'],
      ['Containerfile', 'dockerfile'],
      ['main.tf', 'terraform'],
      ['pipeline.yml', 'yaml'],
      ['README.md', null],
    ];
    for (const [path, language] of cases) expect(languageOfPath(path), path).toBe(language);
  });

  it('reads the shebang of files without an extension', () => {
    expect(needsShebang('docker/entrypoint')).toBe(true);
    expect(needsShebang('docker/entrypoint.sh')).toBe(false);
    expect(languageOfShebang('#!/bin/sh\n')).toBe('shell');
    expect(languageOfShebang('#!/usr/bin/env bash\n')).toBe('shell');
    expect(languageOfShebang('#!/usr/bin/env -S python3 -u\n')).toBe('python');
    expect(languageOfShebang('#!/usr/bin/node\n')).toBe('javascript');
    expect(languageOfShebang('echo hi\n')).toBe(null);
  });

  it('flags test files by path and name', () => {
    for (const path of [
      'test/a.js',
      'tests/test_x.py',
      'src/__tests__/a.ts',
      'spec/a.rb',
      'src/a.test.ts',
      'src/a.spec.js',
      'app/test_auth.py',
      'pkg/x_test.go',
      'Api.Tests/AuthTests.cs',
      'AuthTests.cs',
      'src/test/java/com/x/A.java',
      'lib/auth_test.cpp',
    ]) {
      expect(isTestFile(path), path).toBe(true);
    }
    for (const path of ['src/auth.ts', 'app/contest.py', 'pkg/latest.go', 'Api/Attestation.cs', 'src/main/java/Testimony.java']) {
      expect(isTestFile(path), path).toBe(false);
    }
  });
});
