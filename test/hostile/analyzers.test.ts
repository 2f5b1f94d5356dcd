import { describe, expect, it } from 'vitest';
import { lexLines } from '../../src/check/source-text.js';
import { readInlineSuppressions } from '../../src/check/suppressions.js';
import { findCredentialUses, GrammarCache } from '../../src/code/index.js';
import { analyzeJavaScript } from '../../src/code/javascript.js';
import { loadCredentialRules } from '../../src/code/rules.js';
import { readApplications } from '../../src/deps/index.js';
import { maxLockfileDepth } from '../../src/deps/npm-lockfiles.js';
import { repoOf } from '../helpers/repo.js';

/**
 * The analyzers on hostile input: bounded recursion, one file's parser fault kept from the next, and time linear in
 * the file's size. Time is judged against the same stage on a benign input of the same size measured in the same test
 * (the better of two runs each), so a loaded machine slows both sides alike; a quadratic step is 100x or worse here.
 */

const megabyte = 1024 * 1024;

/** Milliseconds one run takes. */
async function time(run: () => unknown): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

/**
 * Linear means: the adversarial input takes within ten times the benign input of the same size, plus a second for
 * scheduling noise. Each side runs once; only when the budget is missed do both run again and the better times count
 * (a loaded machine may stall one run; a quadratic step is 100x or worse at this size, every time).
 */
async function expectLinear(benign: () => unknown, adversarial: () => unknown): Promise<void> {
  let benignTime = await time(benign);
  let adversarialTime = await time(adversarial);
  if (adversarialTime >= benignTime * 10 + 1000) {
    benignTime = Math.min(benignTime, await time(benign));
    adversarialTime = Math.min(adversarialTime, await time(adversarial));
  }
  expect(adversarialTime, `adversarial ${adversarialTime.toFixed(0)} ms against benign ${benignTime.toFixed(0)} ms`).toBeLessThan(benignTime * 10 + 1000);
}

const legacyPython = 'from msrestazure.azure_active_directory import MSIAuthentication\ncredentials = MSIAuthentication()\n';

describe('parser faults stay in their file', () => {
  it('a parse interrupted by a fault does not hand its text to the next file', async () => {
    const grammars = new GrammarCache();
    const loaded = await grammars.get('python');
    if (!('parser' in loaded)) throw new Error(loaded.error);
    // A fault in the middle of a parse (here an exception from the input callback) leaves tree-sitter ready to resume
    // that document; without a reset the next parse reads it instead of its own file.
    const other = `def f():\n${'    x = 1\n'.repeat(5000)}`;
    expect(() =>
      loaded.parser.parse((index) => {
        if (index > 20_000) throw new Error('fault');
        return other.slice(index, index + 1000);
      }),
    ).toThrow('fault');
    const { repo, sink } = repoOf({ 'app/requirements.txt': 'msrestazure==0.6.4\n', 'app/b.py': legacyPython });
    const uses = await findCredentialUses(repo, sink, { grammars });
    expect(uses.map((use) => `${use.file}:${use.line} ${use.category}`)).toEqual(['app/b.py:2 legacy-library']);
  });

  it('after a file indented 1,000 levels the next file keeps its verdict', async () => {
    let deep = 'from azure.identity import DefaultAzureCredential\n';
    for (let level = 0; level < 1000; level++) deep += `${' '.repeat(level)}while x:\n`;
    deep += `${' '.repeat(1000)}DefaultAzureCredential()\n`;
    const { repo, sink } = repoOf({ 'app/requirements.txt': 'azure-identity==1.15.0\n', 'app/a.py': deep, 'app/b.py': legacyPython });
    const uses = await findCredentialUses(repo, sink);
    expect(uses.filter((use) => use.file === 'app/b.py').map((use) => `${use.line} ${use.category}`)).toEqual(['2 legacy-library']);
  });
});

describe('recursion is bounded', () => {
  it(`an npm v1 lockfile nesting dependencies 4,000 deep is read to depth ${maxLockfileDepth} and reported`, () => {
    let inner = '{"version":"1.0.0"}';
    for (let i = 0; i < 4000; i++) inner = `{"version":"1.0.0","dependencies":{"p${i}":${inner}}}`;
    const { repo, sink } = repoOf({
      'app/package.json': '{"name":"app","dependencies":{"@azure/identity":"4.0.0"}}',
      'app/package-lock.json': `{"name":"app","lockfileVersion":1,"dependencies":{"@azure/identity":{"version":"4.0.0"},"root":${inner}}}`,
    });
    const apps = readApplications(repo, sink, { allDependencies: false });
    expect(apps.map((app) => app.dependencies.map((dependency) => `${dependency.name}@${dependency.version} ${dependency.resolution}`))).toEqual([['@azure/identity@4.0.0 locked']]);
    expect(sink.all.map((finding) => `${finding.ruleId} ${finding.file}: ${finding.message}`)).toEqual([
      `dependency-file-parse-error app/package-lock.json: package-lock.json does not parse: \`dependencies\` nest deeper than ${maxLockfileDepth} levels; the entries below that depth are not read`,
    ]);
  });

  const deep = 20_000;
  const nested = (open: string, close: string) => `${open.repeat(deep)}1${close.repeat(deep)}`;
  const cases: Record<string, Record<string, string>> = {
    go: { 'app/go.mod': 'module example.com/app\n', 'app/main.go': `package main\nimport "github.com/Azure/azure-sdk-for-go/sdk/azidentity"\nfunc main() {\n\tx := ${nested('(', ')')}\n\tazidentity.NewManagedIdentityCredential(nil)\n}\n` },
    java: { 'app/pom.xml': '<project><artifactId>app</artifactId></project>', 'app/A.java': `import com.azure.identity.*;\nclass A { void f() { int x = ${nested('(', ')')};\nnew ManagedIdentityCredentialBuilder().build(); } }\n` },
    csharp: { 'app/app.csproj': '<Project></Project>', 'app/A.cs': `using Azure.Identity;\nclass A { void F() { var x = ${nested('(', ')')};\nvar c = new ManagedIdentityCredential(); } }\n` },
    cpp: { 'app/vcpkg.json': '{"name":"app"}', 'app/a.cpp': `#include <azure/identity.hpp>\nint f() { int x = ${nested('(', ')')};\nAzure::Identity::ManagedIdentityCredential c; return 0; }\n` },
    python: { 'app/requirements.txt': 'azure-identity==1.15.0\n', 'app/a.py': `from azure.identity import ManagedIdentityCredential\nx = ${nested('(', ')')}\nc = ManagedIdentityCredential()\n` },
    concatenation: { 'app/requirements.txt': 'azure-identity==1.15.0\n', 'app/a.py': `from azure.identity import ManagedIdentityCredential\nx = ${'"a" + '.repeat(deep)}"b"\nc = ManagedIdentityCredential()\n` },
  };
  for (const [name, files] of Object.entries(cases)) {
    it(`${name}: a credential use after an expression nested ${deep} deep is still found`, async () => {
      const { repo, sink } = repoOf(files);
      const uses = await findCredentialUses(repo, sink);
      expect(uses.map((use) => use.category)).toEqual(['managed-identity-credential']);
      expect(sink.all.filter((finding) => finding.message.includes('could not analyse'))).toEqual([]);
    });
  }
});

describe('analysis is linear in the file size (1 MB inputs, and the 440 KB script of the report)', () => {
  const rules = loadCredentialRules();

  it('JavaScript: 40,000 declarations of one name (440 KB) cost what 40,000 names do', async () => {
    const call = "const { ManagedIdentityCredential } = require('@azure/identity');\nnew ManagedIdentityCredential(q);\n";
    const same = `${call}${'var q = 1;\n'.repeat(40_000)}`;
    let distinct = call;
    for (let i = 0; distinct.length < same.length; i++) distinct += `var q${i.toString(36)} = 1;\n`;
    analyzeJavaScript('warm.js', call, 'javascript', rules);
    let sites = 0;
    await expectLinear(
      () => analyzeJavaScript('b.js', distinct, 'javascript', rules),
      () => {
        sites = analyzeJavaScript('a.js', same, 'javascript', rules).facts.sites.length;
      },
    );
    expect(sites).toBe(1);
  });

  it('Python: 15,000 token URLs on one line cost what they cost one per line', async () => {
    const url = '"http://169.254.169.254/metadata/identity/oauth2/token", ';
    const count = Math.floor(megabyte / url.length);
    const head = 'import requests\n';
    const oneLine = `${head}urls = [${url.repeat(count)}]\n`;
    const perLine = `${head}urls = [\n${`    ${url}\n`.repeat(count)}]\n`;
    const grammars = new GrammarCache();
    const scan = (text: string) => {
      const { repo, sink } = repoOf({ 'app/requirements.txt': 'requests==2.31.0\n', 'app/a.py': text });
      return () => findCredentialUses(repo, sink, { grammars, rules });
    };
    await scan(head)();
    await expectLinear(scan(perLine), scan(oneLine));
  });

  it('dependency files: long runs of spaces, unclosed ${ and bare configuration words', async () => {
    const spaces = ' '.repeat(megabyte);
    const adversarial = repoOf({
      'py/requirements.txt': `azure-identity${spaces};\nrequests ${spaces}x\n`,
      'py/pyproject.toml': `[tool.poetry]\nname = "py"\n[tool.poetry.dependencies]\nazure-identity = ">=1.0${spaces}x"\n`,
      'jvm/build.gradle': `dependencies {\n  implementation${spaces}x\n  implementation "com.azure:azure-identity:1.11.0"\n}\n`,
      'pom/pom.xml': `<project><artifactId>p</artifactId><properties><v>${'${'.repeat(megabyte / 4)}</v></properties><dependencies><dependency><groupId>com.azure</groupId><artifactId>azure-identity</artifactId><version>\${v}</version></dependency></dependencies></project>`,
    });
    const lines = (line: string, size: number) => `${line}\n`.repeat(Math.ceil(size / (line.length + 1)));
    const benign = repoOf({
      'py/requirements.txt': lines('azure-identity==1.15.0 ; python_version >= "3.8"', megabyte),
      'py/pyproject.toml': `[tool.poetry]\nname = "py"\n[tool.poetry.dependencies]\nazure-identity = ">=1.0"\n${lines('# a comment line of the same kind of size', megabyte)}`,
      'jvm/build.gradle': `dependencies {\n${lines('  implementation "com.azure:azure-core:1.45.0"', megabyte / 8)}  implementation "com.azure:azure-identity:1.11.0"\n}\n`,
      'pom/pom.xml': `<project><artifactId>p</artifactId><properties><v>${'x'.repeat(megabyte / 2)}</v></properties><dependencies><dependency><groupId>com.azure</groupId><artifactId>azure-identity</artifactId><version>1.11.0</version></dependency></dependencies></project>`,
    });
    await expectLinear(
      () => readApplications(benign.repo, benign.sink, { allDependencies: false }),
      () => readApplications(adversarial.repo, adversarial.sink, { allDependencies: false }),
    );
  });

  it('suppression comments and Dockerfile ENV lines with 1 MB of whitespace or one word', async () => {
    const tabs = `# pod2wi-ignore aadpodidbinding-label reason=x${'\t'.repeat(megabyte)}y\n`;
    const benignComment = `# pod2wi-ignore aadpodidbinding-label reason=x ${'y'.repeat(megabyte)}\n`;
    const check = (text: string) => () => readInlineSuppressions('a.yaml', lexLines(text, 'yaml'), () => null);
    await expectLinear(check(benignComment), check(tabs));

    const grammars = new GrammarCache();
    const dockerfile = (env: string) => {
      const { repo, sink } = repoOf({ 'img/Dockerfile': `FROM alpine\nENV ${env}\nRUN az login --identity\n` });
      return () => findCredentialUses(repo, sink, { grammars });
    };
    await dockerfile('A=1')();
    await expectLinear(dockerfile(Array.from({ length: megabyte / 8 }, (_, i) => `A${i}=1`).join(' ')), dockerfile(`${'A'.repeat(megabyte)} x`));
  });
});
