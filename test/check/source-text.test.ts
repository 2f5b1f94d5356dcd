import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { languageOf, lexLines, type Language } from '../../src/check/source-text.js';

const code = (text: string, language: Language) => lexLines(text, language).map((line) => line.code.trimEnd());
const comments = (text: string, language: Language) => lexLines(text, language).map((line) => line.comment);

describe('languageOf', () => {
  it.each([
    ['deploy/app.yaml', 'yaml'], ['chart/templates/_helpers.tpl', 'yaml'], ['x.yaml.gotmpl', 'yaml'], ['arm/aks.json', 'json'],
    ['main.tf', 'hcl'], ['prod.tfvars', 'hcl'], ['aks.bicep', 'bicep'], ['setup.sh', 'shell'], ['Dockerfile', 'shell'],
    ['build/Makefile', 'shell'], ['setup.ps1', 'powershell'], ['setup.cmd', 'batch'],
  ])('%s is %s', (path, language) => expect(languageOf(path)).toBe(language));

  it.each(['src/app.ts', 'README.md', 'image.png', 'go.mod'])('%s is not read', (path) => expect(languageOf(path)).toBeNull());
});

describe('lexLines', () => {
  it('blanks YAML comments, not # inside quotes or words', () => {
    expect(code('a: 1 # c\nb: "x # y" # z\nc: it#s\n# whole\nd: \'q # r\'', 'yaml')).toEqual(['a: 1', 'b: "x # y"', 'c: it#s', '', "d: 'q # r'"]);
    expect(comments('a: 1 # c\nb: 2', 'yaml')).toEqual(['# c', null]);
  });

  it('does not open a YAML quote inside a plain scalar (an apostrophe in prose)', () => {
    expect(code("note: don't panic # comment\nnext: 1 # c", 'yaml')).toEqual(["note: don't panic", 'next: 1']);
  });

  it('blanks Helm template comments across lines', () => {
    expect(code('a: 1\n{{- /* aadpodidbinding\nstill comment */}}\nb: 2 {{/* c */}}', 'yaml')).toEqual(['a: 1', '', '', 'b: 2']);
  });

  it('blanks // and /* */ outside strings in JSON, HCL and Bicep', () => {
    expect(code('{"url": "https://x", // c\n/* a\nb */ "k": 1}', 'json')).toEqual(['{"url": "https://x",', '', '     "k": 1}']);
    expect(code('a = "#x" # c\nb = 1 // d', 'hcl')).toEqual(['a = "#x"', 'b = 1']);
    expect(code("x: 'a // b' // c\ny: '''\n// in a string\n'''", 'bicep')).toEqual(["x: 'a // b'", "y: '''", '// in a string', "'''"]);
  });

  it('knows shell, PowerShell and batch comments', () => {
    expect(code('echo a#b # c\n  # d\necho "# e"', 'shell')).toEqual(['echo a#b', '', 'echo "# e"']);
    expect(code('az x # c\n<# block\n#>\nWrite-Host "#"', 'powershell')).toEqual(['az x', '', '', 'Write-Host "#"']);
    expect(code('REM c\n:: d\necho x', 'batch')).toEqual(['', '', 'echo x']);
  });

  it('keeps columns: code has the length of the line, with CRLF removed', () => {
    const lines = lexLines('key: value # comment\r\nnext: 1\r\n', 'yaml');
    expect(lines[0]?.code).toHaveLength('key: value # comment'.length);
    expect(lines[0]?.commentColumn).toBe(12);
    expect(lines.map((line) => line.text)).toEqual(['key: value # comment', 'next: 1', '']);
  });

  it('never changes a character outside comments (property)', () => {
    const languages: Language[] = ['yaml', 'json', 'hcl', 'bicep', 'shell', 'powershell', 'batch'];
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.constantFrom(...languages), (text, language) => {
        const lines = lexLines(text, language);
        expect(lines).toHaveLength(text.split('\n').length);
        for (const line of lines) {
          expect(line.code).toHaveLength(line.text.length);
          for (let i = 0; i < line.text.length; i++) {
            if (line.code[i] !== line.text[i]) expect(line.code[i]).toBe(' ');
          }
        }
      }),
      { numRuns: 300, ...(process.env.CI ? { seed: 20261128 } : {}) },
    );
  });
});
