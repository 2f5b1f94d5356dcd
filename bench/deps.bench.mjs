// Dependency stage on a generated monorepo of 1,000 applications across the six ecosystems, each with its lockfile
// where the ecosystem has one, plus one application with large npm and pnpm lockfiles. Imports the built code.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readApplications } from '../dist/deps/index.js';
import { FindingSink } from '../dist/model/findings-sink.js';
import { loadFindingCatalogue } from '../dist/rules/catalogue.js';
import { Repo } from '../dist/walk/repo.js';
import { walk } from '../dist/walk/walk.js';
import { cleanup, measure, report, tempRoot } from './util.mjs';

function write(root, path, content) {
  const target = join(root, path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
}

function npmApp(root, folder, i, extra = 40) {
  const dependencies = { '@azure/identity': '^3.1.0', express: '^4.18.2' };
  const packages = {
    '': { name: `svc-${i}`, version: '1.0.0', dependencies },
    'node_modules/@azure/identity': { version: '3.4.2', resolved: 'https://registry.npmjs.org/@azure/identity/-/identity-3.4.2.tgz', dependencies: { tslib: '^2.2.0' } },
    'node_modules/express': { version: '4.18.2', dependencies: Object.fromEntries(Array.from({ length: extra }, (_, k) => [`dep-${k}`, '^1.0.0'])) },
    'node_modules/tslib': { version: '2.6.2' },
  };
  for (let k = 0; k < extra; k++) packages[`node_modules/dep-${k}`] = { version: '1.0.0', resolved: `https://registry.npmjs.org/dep-${k}/-/dep-${k}-1.0.0.tgz`, dependencies: k % 10 === 0 ? { '@azure/identity': '^2.0.0' } : {} };
  for (let k = 0; k < extra; k += 10) packages[`node_modules/dep-${k}/node_modules/@azure/identity`] = { version: '2.1.0' };
  write(root, `${folder}/package.json`, { name: `svc-${i}`, version: '1.0.0', dependencies });
  write(root, `${folder}/package-lock.json`, { name: `svc-${i}`, lockfileVersion: 3, requires: true, packages });
}

function generate(root) {
  let i = 0;
  const next = () => i++;
  for (let n = 0; n < 250; n++) npmApp(root, `npm/svc-${n}`, next());
  for (let n = 0; n < 150; n++) {
    const id = next();
    write(root, `py/poetry-${n}/pyproject.toml`, `[tool.poetry]\nname = "poetry-${id}"\n\n[tool.poetry.dependencies]\npython = "^3.11"\nazure-identity = "^1.12.0"\nrequests = "^2.31"\n`);
    const lock = ['azure-identity', 'azure-core', 'msal', 'msal-extensions', 'requests', 'urllib3', 'idna', 'certifi', 'charset-normalizer', 'cryptography', 'cffi', 'pycparser']
      .map((name, k) => `[[package]]\nname = "${name}"\nversion = "1.${15 + k}.0"\ndescription = "x"\noptional = false\npython-versions = ">=3.8"\nfiles = []\n\n[package.dependencies]\nsix = "*"\n`)
      .join('\n');
    write(root, `py/poetry-${n}/poetry.lock`, lock);
  }
  for (let n = 0; n < 100; n++) {
    next();
    write(root, `py/req-${n}/requirements.txt`, 'azure-identity==1.6.1 \\\n    --hash=sha256:00\nmsrestazure==0.6.4\nrequests>=2.31 ; python_version >= "3.8"\n' + Array.from({ length: 30 }, (_, k) => `lib${k}==1.${k}.0`).join('\n') + '\n');
  }
  write(root, 'dotnet/Directory.Packages.props', '<Project>\n  <PropertyGroup><ManagePackageVersionsCentrally>true</ManagePackageVersionsCentrally></PropertyGroup>\n  <ItemGroup>\n    <PackageVersion Include="Azure.Identity" Version="1.12.0" />\n    <PackageVersion Include="Azure.Security.KeyVault.Secrets" Version="4.6.0" />\n  </ItemGroup>\n</Project>\n');
  for (let n = 0; n < 200; n++) {
    next();
    write(root, `dotnet/Svc${n}/Svc${n}.csproj`, '<Project Sdk="Microsoft.NET.Sdk">\n  <PropertyGroup><TargetFramework>net8.0</TargetFramework></PropertyGroup>\n  <ItemGroup>\n    <PackageReference Include="Azure.Identity" />\n    <PackageReference Include="Azure.Security.KeyVault.Secrets" />\n  </ItemGroup>\n</Project>\n');
    write(root, `dotnet/Svc${n}/packages.lock.json`, { version: 2, dependencies: { 'net8.0': Object.fromEntries([['Azure.Identity', { type: 'CentralTransitive', requested: '[1.12.0, )', resolved: '1.12.0' }], ...Array.from({ length: 25 }, (_, k) => [`Lib${k}`, { type: 'Transitive', resolved: `1.${k}.0` }])]) } });
  }
  next(); // the parent pom's folder is an application too
  write(root, 'java/pom.xml', '<project><modelVersion>4.0.0</modelVersion><groupId>com.contoso</groupId><artifactId>parent</artifactId><version>1</version><packaging>pom</packaging><properties><azure.identity.version>1.11.4</azure.identity.version></properties></project>\n');
  for (let n = 0; n < 100; n++) {
    next();
    write(root, `java/m${n}/pom.xml`, `<project>\n  <modelVersion>4.0.0</modelVersion>\n  <parent><groupId>com.contoso</groupId><artifactId>parent</artifactId><version>1</version></parent>\n  <artifactId>m${n}</artifactId>\n  <dependencies>\n    <dependency><groupId>com.azure</groupId><artifactId>azure-identity</artifactId><version>\${azure.identity.version}</version></dependency>\n    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>2.0.9</version></dependency>\n  </dependencies>\n</project>\n`);
  }
  write(root, 'gradle/gradle/libs.versions.toml', '[versions]\nazure-identity = "1.10.0"\n\n[libraries]\nazure-identity = { module = "com.azure:azure-identity", version.ref = "azure-identity" }\n');
  for (let n = 0; n < 49; n++) {
    next();
    write(root, `gradle/g${n}/build.gradle.kts`, 'dependencies {\n    implementation(libs.azure.identity)\n    implementation("com.squareup.okhttp3:okhttp:4.12.0")\n}\n');
    write(root, `gradle/g${n}/gradle.lockfile`, 'com.azure:azure-identity:1.10.0=runtimeClasspath\ncom.squareup.okhttp3:okhttp:4.12.0=runtimeClasspath\nempty=\n');
  }
  for (let n = 0; n < 100; n++) {
    next();
    write(root, `go/s${n}/go.mod`, `module example.com/s${n}\n\ngo 1.22\n\nrequire (\n\tgithub.com/Azure/azure-sdk-for-go/sdk/azidentity v1.5.1\n\tgithub.com/Azure/azure-sdk-for-go/sdk/azcore v1.9.0\n)\n\nrequire github.com/Azure/go-autorest/autorest/adal v0.9.23 // indirect\n`);
  }
  for (let n = 0; n < 50; n++) {
    next();
    write(root, `cpp/c${n}/vcpkg.json`, { name: `c${n}`, 'builtin-baseline': '3426db05b996481ca31e95fff3734cf23e0f51bc', dependencies: ['azure-identity-cpp'], overrides: [{ name: 'azure-identity-cpp', version: '1.6.0' }] });
  }
  return i;
}

function generateLarge(root) {
  npmApp(root, 'big-npm', 0, 2000);
  const lines = ["lockfileVersion: '9.0'", '', 'importers:', '', '  .:', '    dependencies:', "      '@azure/identity':", '        specifier: ^4.0.0', '        version: 4.2.0', '', 'packages:', ''];
  lines.push("  '@azure/identity@4.2.0':", '    resolution: {integrity: sha512-AA==}', '');
  for (let k = 0; k < 2000; k++) lines.push(`  dep-${k}@1.0.0:`, '    resolution: {integrity: sha512-AA==}', '');
  lines.push('snapshots:', '', "  '@azure/identity@4.2.0':", '    dependencies:', ...Array.from({ length: 2000 }, (_, k) => `      dep-${k}: 1.0.0`), '');
  for (let k = 0; k < 2000; k++) lines.push(`  dep-${k}@1.0.0: {}`, '');
  write(root, 'big-pnpm/package.json', { name: 'big-pnpm', dependencies: { '@azure/identity': '^4.0.0' } });
  write(root, 'big-pnpm/pnpm-lock.yaml', lines.join('\n'));
}

function run(root, files) {
  const repo = new Repo(root, files.files, files.skipped, 5 * 1024 * 1024);
  const sink = new FindingSink(loadFindingCatalogue());
  return readApplications(repo, sink, { allDependencies: false });
}

const root = tempRoot();
try {
  const count = generate(root);
  const walked = walk({ root, only: [], exclude: [], defaultExcludes: true });
  let applications = [];
  const result = await measure(() => {
    applications = run(root, walked);
  }, 3);
  if (applications.length !== count) throw new Error(`expected ${count} applications, found ${applications.length}`);
  report(`deps: ${count} applications (${walked.files.length} files), read + resolve`, result, 2500);
  const withWalk = await measure(() => run(root, walk({ root, only: [], exclude: [], defaultExcludes: true })), 3);
  report(`deps: ${count} applications including the walk`, withWalk, 3000);
} finally {
  cleanup(root);
}

const large = tempRoot();
try {
  generateLarge(large);
  const walked = walk({ root: large, only: [], exclude: [], defaultExcludes: true });
  const result = await measure(() => run(large, walked), 3);
  report('deps: package-lock v3 and pnpm-lock v9 with 2,000 packages each', result, 1500);
} finally {
  cleanup(large);
}
