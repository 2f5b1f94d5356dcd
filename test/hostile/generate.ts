/**
 * The hostile corpus of issue 14, generated (nothing large is committed): one small repository per case, each with
 * the command line that attacked pod2wi and what pod2wi must answer now, exit code and message. `writeHostileCorpus`
 * writes it under a folder (the tests use a temporary one) and returns the runs.
 *
 * A case whose code lives in the manifest reader, the Helm template interpreter or the Kustomize renderer carries
 * `todo`: it is generated and described here, and its test is registered as a todo until that code is done.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** What a repository can hold that a string cannot say: a FIFO, a symbolic link, a name that is not UTF-8. */
export type Entry =
  | string
  | Uint8Array
  | { readonly fifo: true }
  | { readonly symlink: string }
  | { readonly bytesName: readonly number[]; readonly content: string };

/** Text that must (or must not) appear. */
export type Matcher = string | RegExp;

export interface Expectation {
  readonly exit: number;
  readonly stdout?: readonly Matcher[];
  readonly stderr?: readonly Matcher[];
  readonly notStdout?: readonly Matcher[];
  /** Files after the run, relative to the case folder: exact text, `null` for absent, or matchers on the text. */
  readonly files?: Readonly<Record<string, string | null | { readonly has?: readonly Matcher[]; readonly hasNot?: readonly Matcher[] }>>;
  /** Scripts the run wrote that must pass `bash -n`. */
  readonly bash?: readonly string[];
  /** Upper bound on the run's wall time, generous: a hang or a quadratic step is minutes. */
  readonly seconds?: number;
}

export interface HostileCase {
  /** Folder name, kebab-case. */
  readonly name: string;
  /** The defect of issue 14 it reproduces, as the issue words it. */
  readonly issue: string;
  /** The repository, under `<case>/repo/`. */
  readonly files: Readonly<Record<string, Entry>>;
  /**
   * `git init` the repository, commit its files, set these `git config` values (`{case}` is the case folder) and then
   * write `changed` over the committed files: a work tree whose own configuration names programs to run.
   */
  readonly git?: { readonly config: Readonly<Record<string, string>>; readonly changed: Readonly<Record<string, string>> };
  /** The command line, run from the case folder; `{case}` is the case folder's absolute path. */
  readonly argv: readonly string[];
  readonly expect: Expectation;
  /** Why the case is not asserted yet (its code is elsewhere); the test is a todo. */
  readonly todo?: string;
}

/** A materialised case: where it lives and how to run it. */
export interface HostileRun extends HostileCase {
  readonly folder: string;
  readonly args: readonly string[];
}

// ---------------------------------------------------------------------------------------------------------------

const subscription = '3e0b7c55-1d7a-4f0e-9a51-2f6c0d8b9a11';
const clientId = '6f1d2c3b-0a9e-4b8c-9d7e-1f2a3b4c5d6e';

/** A Deployment on aad-pod-identity with its AzureIdentity and binding, YAML-quoted where a name needs it. */
/** The Deployment alone (a single-object file: a new ServiceAccount goes into a file of its own beside it). */
function deploymentOnly(options: Parameters<typeof podIdentityApp>[0] = {}): string {
  return `${podIdentityApp(options).split('---\n')[0] ?? ''}`;
}

/** The AzureIdentity and its binding, without the Deployment. */
function identityOnly(options: Parameters<typeof podIdentityApp>[0] = {}): string {
  return podIdentityApp(options).split('---\n').slice(1).join('---\n');
}

function podIdentityApp(options: { namespace?: string; name?: string; serviceAccount?: string | null; resourceGroup?: string; identityName?: string; eol?: string } = {}): string {
  const namespace = JSON.stringify(options.namespace ?? 'shop');
  const name = options.name ?? 'api';
  const group = options.resourceGroup ?? 'rg-shop';
  const identity = options.identityName ?? 'id-api';
  const account = options.serviceAccount === undefined ? '' : options.serviceAccount === null ? '' : `      serviceAccountName: ${JSON.stringify(options.serviceAccount)}\n`;
  const text = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}, aadpodidbinding: ${name}}
    spec:
${account}      containers: [{name: ${name}, image: contoso/${name}:1}]
---
apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentity
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  type: 0
  resourceID: ${JSON.stringify(`/subscriptions/${subscription}/resourceGroups/${group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${identity}`)}
  clientID: ${clientId}
---
apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentityBinding
metadata: {name: ${name}-binding, namespace: ${namespace}}
spec: {azureIdentity: ${name}, selector: ${name}}
`;
  return options.eol ? text.replace(/\n/g, options.eol) : text;
}

/** An application the workload links to (the repository's only one), on a current SDK. */
const nodeApp = { 'apps/api/package.json': '{ "name": "api", "version": "1.0.0", "dependencies": { "@azure/identity": "4.3.0" } }\n' };

const megabyte = 1024 * 1024;

function billionLaughs(): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 9; i++) {
    const previous = String.fromCharCode(96 + i);
    const current = String.fromCharCode(97 + i);
    lines.push(`${current}: &${current} [${Array.from({ length: 9 }, () => `*${previous}`).join(',')}]`);
  }
  return `${lines.join('\n')}\n`;
}

function nestedNpmV1(depth: number): string {
  let inner = '{"version":"1.0.0"}';
  for (let i = 0; i < depth; i++) inner = `{"version":"1.0.0","dependencies":{"p${i}":${inner}}}`;
  return `{"name":"api","lockfileVersion":1,"dependencies":{"@azure/identity":{"version":"4.3.0"},"nested":${inner}}}`;
}

function minifiedBundle(size: number): string {
  let text = 'var e=require("@azure/identity");';
  for (let i = 0; text.length < size; i++) {
    text += `function f${i}(a,b){var c="s${i}"+a;if(b>${i})return new e.ManagedIdentityCredential({clientId:c});return[a,b,{m:"http://169.254.169.254/metadata/identity/oauth2/token"}]}`;
  }
  return text;
}

function deepPython(levels: number): string {
  let text = 'from azure.identity import DefaultAzureCredential\n';
  for (let level = 0; level < levels; level++) text += `${' '.repeat(level)}while x:\n`;
  return `${text}${' '.repeat(levels)}DefaultAzureCredential()\n`;
}

function helmDeepCondition(): Record<string, string> {
  return {
    'chart/Chart.yaml': 'apiVersion: v2\nname: api\nversion: 1.0.0\n',
    'chart/values.yaml': 'enabled: true\n',
    'chart/templates/deployment.yaml': `{{- $x := .Values.enabled }}\n{{- if ${'('.repeat(3000)}$x${')'.repeat(3000)} }}\n${podIdentityApp().split('---')[0] ?? ''}{{- end }}\n`,
  };
}

function kustomizeDiamond(levels: number): Record<string, string> {
  const files: Record<string, string> = { [`k/l${levels}/deploy.yaml`]: podIdentityApp() };
  files[`k/l${levels}/kustomization.yaml`] = 'resources: [deploy.yaml]\n';
  for (let level = levels - 1; level >= 0; level--) {
    files[`k/l${level}/a/kustomization.yaml`] = `resources: [../../l${level + 1}]\n`;
    files[`k/l${level}/b/kustomization.yaml`] = `resources: [../../l${level + 1}]\n`;
    files[`k/l${level}/kustomization.yaml`] = 'resources: [a, b]\n';
  }
  return files;
}

function manyPods(count: number): string {
  const pod = (i: number) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p${i}, namespace: shop}\nspec:\n  containers: [{name: c, image: contoso/api:1}]\n`;
  return Array.from({ length: count }, (_, i) => pod(i)).join('---\n');
}


/** Every case of issue 14, in the order the issue lists them. */
export function hostileCases(): HostileCase[] {
  const longName = `${'l'.repeat(240)}.yaml`;
  const longAccount = `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}`;
  return [
    // Injection.
    {
      name: 'plan-namespace-newline',
      issue: 'plan writes names and namespaces raw into the # comment lines of federated-credentials.sh',
      files: { 'deploy/app.yaml': podIdentityApp({ namespace: 'shop\ntouch pwned\n#' }), ...nodeApp },
      argv: ['plan', 'repo', '-d', 'out'],
      expect: {
        exit: 0,
        stdout: ['0 federated credentials'],
        bash: ['out/federated-credentials.sh'],
        files: {
          'out/federated-credentials.sh': { hasNot: [/^touch pwned/m] },
          'out/plan.json': { has: ['"ruleId": "name-not-valid"', 'namespace \\"shop\\\\ntouch pwned\\\\n#\\" is not a valid Kubernetes namespace'] },
          'out/plan.md': { hasNot: [/^touch pwned/m] },
        },
      },
    },
    {
      name: 'plan-terraform-interpolation',
      issue: 'the Terraform output carries the same raw lines and unescaped ${...}',
      files: {
        'deploy/app.yaml': podIdentityApp({ resourceGroup: 'rg-${file("passwd")}' }),
        '.pod2wi.yaml': 'issuer: "https://oidc.example.com/${file(\\"/etc/passwd\\")}/%{if true}x%{endif}"\n',
        ...nodeApp,
      },
      argv: ['plan', 'repo', '-d', 'out'],
      expect: {
        exit: 0,
        bash: ['out/federated-credentials.sh'],
        files: {
          'out/federated-credentials.tf': { has: ['default     = "https://oidc.example.com/$${file(\\"/etc/passwd\\")}/%%{if true}x%%{endif}"'], hasNot: [/[^$]\$\{file/] },
          'out/plan.json': { has: ['"ruleId": "name-not-valid"', 'is not a valid Azure resource group name; no ServiceAccount or federated credential is planned'] },
        },
      },
    },
    {
      name: 'plan-issuer-command-substitution',
      issue: 'every generated script and config must quote and escape every value',
      files: { 'deploy/app.yaml': podIdentityApp(), ...nodeApp },
      argv: ['plan', 'repo', '-d', 'out', '--issuer', 'https://oidc.example.com/$(touch${IFS}pwned)`touch${IFS}pwned`'],
      expect: {
        exit: 0,
        stdout: ['1 federated credential'],
        bash: ['out/federated-credentials.sh'],
        files: {
          'out/federated-credentials.sh': { has: ["AKS_OIDC_ISSUER='https://oidc.example.com/$(touch${IFS}pwned)`touch${IFS}pwned`'; fi"] },
          'out/plan.md': { has: ["export AKS_OIDC_ISSUER='https://oidc.example.com/$(touch${IFS}pwned)`touch${IFS}pwned`'"] },
          'out/federated-credentials.tf': { has: ['default     = "https://oidc.example.com/$(touch$${IFS}pwned)`touch$${IFS}pwned`"'] },
        },
      },
    },

    // Half-applied fixes.
    {
      name: 'fix-long-file-name',
      issue: 'a 245-character file name makes the temporary name too long',
      files: { [`deploy/${longName}`]: podIdentityApp({ serviceAccount: 'api' }), 'deploy/sa.yaml': 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: api, namespace: shop}\n', ...nodeApp },
      argv: ['fix', 'repo', '--write'],
      expect: { exit: 0, stdout: [/2 files written/], files: { [`repo/deploy/${longName}`]: { has: ['azure.workload.identity/use: "true"'] }, 'repo/deploy/sa.yaml': { has: [`azure.workload.identity/client-id: ${clientId}`] } } },
    },
    {
      name: 'fix-new-file-name-too-long',
      issue: 'fix --write writes some files of a workload and then fails on another: all-or-nothing per run',
      files: { 'deploy/app.yaml': deploymentOnly({ serviceAccount: longAccount }), 'deploy/identity.yaml': identityOnly(), ...nodeApp },
      argv: ['fix', 'repo', '--write'],
      expect: {
        exit: 1,
        stdout: [/not written {2}deploy\/a{60}\.b{60}\.c{60}\.d{60}-serviceaccount\.yaml: deploy\/a{60}.*is longer than 255 bytes/, /nothing written: 2 files held back/],
        notStdout: ['written,'],
        files: { 'repo/deploy/app.yaml': deploymentOnly({ serviceAccount: longAccount }) },
      },
    },
    {
      name: 'fix-dangling-symlink',
      issue: 'a new ServiceAccount file refused because a dangling symlink has its name; the summary counts refused files as written',
      files: { 'deploy/app.yaml': deploymentOnly({ serviceAccount: 'api-sa' }), 'deploy/identity.yaml': identityOnly(), 'deploy/api-sa-serviceaccount.yaml': { symlink: 'gone.yaml' }, ...nodeApp },
      argv: ['fix', 'repo', '--write'],
      expect: {
        exit: 1,
        stdout: ['not written  deploy/api-sa-serviceaccount.yaml: deploy/api-sa-serviceaccount.yaml: is a symbolic link (dangling); pod2wi does not write through links', /nothing written: 2 files held back/],
        notStdout: [/files? written/],
        files: { 'repo/deploy/app.yaml': deploymentOnly({ serviceAccount: 'api-sa' }) },
      },
    },
    {
      name: 'fix-invalid-utf8',
      issue: 'invalid UTF-8 bytes anywhere in an edited file are replaced with U+FFFD',
      files: { 'deploy/app.yaml': Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9]), Buffer.from('\n'), Buffer.from(podIdentityApp())]), ...nodeApp },
      argv: ['fix', 'repo', '--write'],
      expect: {
        exit: 0,
        stdout: ['fix-withdrawn', 'deploy/app.yaml holds bytes that are not UTF-8 (line 1); pod2wi edits only files it can write back byte for byte', 'nothing was changed for it', 'no change'],
        files: { 'repo/deploy/app.yaml': { has: ['# caf\ufffd'] } },
      },
    },

    // Crashes.
    {
      name: 'helm-variables-deep-parentheses',
      issue: '$variables and 3,000 nested parentheses in a Helm if',
      files: helmDeepCondition(),
      argv: ['scan', 'repo'],
      expect: { exit: 0 },
    },
    {
      name: 'kustomize-diamond-16',
      issue: 'a Kustomize diamond (each level includes two folders that include the level below) at 16 levels',
      files: kustomizeDiamond(16),
      argv: ['scan', 'repo'],
      expect: { exit: 0, seconds: 30 },
    },
    {
      name: 'npm-v1-lockfile-4000-deep',
      issue: 'an npm v1 lockfile with 4,000 nested dependencies',
      files: { 'deploy/app.yaml': podIdentityApp(), 'apps/api/package.json': '{ "name": "api", "dependencies": { "@azure/identity": "4.3.0" } }\n', 'apps/api/package-lock.json': nestedNpmV1(4000) },
      argv: ['scan', 'repo', '-f', 'json'],
      expect: { exit: 0, stdout: ['"ruleId": "dependency-file-parse-error"', 'package-lock.json does not parse: `dependencies` nest deeper than 256 levels; the entries below that depth are not read'] },
    },
    {
      name: 'config-alias-bomb',
      issue: 'a .pod2wi.yaml that is an alias bomb',
      files: { 'deploy/app.yaml': podIdentityApp(), '.pod2wi.yaml': billionLaughs() },
      argv: ['scan', 'repo'],
      expect: { exit: 2, stderr: ['pod2wi: .pod2wi.yaml: YAML aliases expand beyond 100 nodes; not a usable configuration file'], seconds: 20 },
    },
    {
      name: 'output-missing-parent',
      issue: 'unwritable output paths (-o /nonexistent/d/x)',
      files: { 'deploy/app.yaml': podIdentityApp() },
      argv: ['scan', 'repo', '-o', '/nonexistent/d/x'],
      expect: { exit: 2, stderr: ['pod2wi: --output /nonexistent/d/x: the folder /nonexistent/d does not exist'] },
    },
    {
      name: 'check-format-proc',
      issue: 'unwritable output paths (--format sarif=/proc/x)',
      files: { 'deploy/app.yaml': podIdentityApp() },
      argv: ['check', 'repo', '--format', 'sarif=/proc/x'],
      expect: { exit: 2, stderr: ['pod2wi: --format sarif=/proc/x: /proc is on the proc kernel filesystem'] },
    },
    {
      name: 'scan-format-folder',
      issue: 'unwritable output paths (-f json=<a folder>)',
      files: { 'deploy/app.yaml': podIdentityApp(), 'out/keep': '' },
      argv: ['scan', 'repo', '-f', 'json=repo/out'],
      expect: { exit: 2, stderr: ['pod2wi: --format json=repo/out: is a folder; give a file name'] },
    },
    {
      name: 'check-write-baseline-folder',
      issue: 'unwritable output paths (--write-baseline <a folder>)',
      files: { 'deploy/app.yaml': podIdentityApp(), 'out/keep': '' },
      argv: ['check', 'repo', '--write-baseline', 'repo/out'],
      expect: { exit: 2, stderr: ['pod2wi: --write-baseline repo/out: is a folder; give a file name'] },
    },
    {
      name: 'plan-out-dir-file',
      issue: 'unwritable output paths (plan -d <a file>)',
      files: { 'deploy/app.yaml': podIdentityApp(), 'notes.txt': 'x\n' },
      argv: ['plan', 'repo', '-d', 'repo/notes.txt'],
      expect: { exit: 2, stderr: ['pod2wi: --out-dir repo/notes.txt: exists and is not a folder'] },
    },

    // Hangs and memory.
    {
      name: 'javascript-40000-vars',
      issue: 'JavaScript analysis is quadratic in repeated names (40,000 var q = 1; in 440 KB: 59 s)',
      files: { 'deploy/app.yaml': podIdentityApp(), ...nodeApp, 'apps/api/index.js': `const { ManagedIdentityCredential } = require('@azure/identity');\n${'var q = 1;\n'.repeat(40_000)}new ManagedIdentityCredential(q);\n` },
      argv: ['scan', 'repo', '-f', 'json'],
      expect: { exit: 0, stdout: ['"category": "managed-identity-credential"', '"line": 40002'], seconds: 30 },
    },
    {
      name: 'javascript-bundle-4.8MB',
      issue: 'a 4.8 MB bundle under the default cap passes 60 s and 1 GB',
      files: { 'deploy/app.yaml': podIdentityApp(), ...nodeApp, 'apps/api/bundle.js': minifiedBundle(4.8e6) },
      argv: ['scan', 'repo', '-f', 'json'],
      expect: { exit: 0, stdout: ['"ruleId": "source-skipped"', '4800'], seconds: 30 },
    },
    {
      name: 'manifest-35000-pods',
      issue: '35,000 Pods in one 4.7 MB file take 49 s and 880 MB',
      files: { 'deploy/pods.yaml': manyPods(35_000) },
      argv: ['scan', 'repo', '-f', 'json'],
      expect: { exit: 0, seconds: 30 },
    },
    {
      name: 'kustomize-diamond-10',
      issue: 'a 10-level Kustomize diamond yields 1,024 workloads, 3.4 GB and 265 MB of output',
      files: kustomizeDiamond(10),
      argv: ['scan', 'repo', '-f', 'json'],
      expect: { exit: 0, seconds: 30 },
    },
    {
      name: 'config-dev-zero',
      issue: '--config /dev/zero grows to 8 GB',
      files: { 'deploy/app.yaml': podIdentityApp() },
      argv: ['scan', 'repo', '--config', '/dev/zero'],
      expect: { exit: 2, stderr: ['pod2wi: --config /dev/zero: a device, not a regular file'], seconds: 20 },
    },
    {
      name: 'baseline-dev-zero',
      issue: '--baseline /dev/zero grows to 8 GB',
      files: { 'deploy/app.yaml': podIdentityApp() },
      argv: ['check', 'repo', '--baseline', '/dev/zero'],
      expect: { exit: 2, stderr: ['pod2wi: --baseline /dev/zero: a device, not a regular file'], seconds: 20 },
    },
    {
      name: 'app-proc',
      issue: '--app /proc grows to 8 GB',
      files: { 'deploy/app.yaml': podIdentityApp() },
      argv: ['scan', 'repo', '--app', '/proc'],
      expect: { exit: 2, stderr: ['pod2wi: --app /proc: on the proc kernel filesystem, not an application checkout'], seconds: 20 },
    },
    {
      name: 'plan-out-dir-proc',
      issue: 'plan -d /proc/nope never returns',
      files: { 'deploy/app.yaml': podIdentityApp() },
      argv: ['plan', 'repo', '-d', '/proc/nope'],
      expect: { exit: 2, stderr: ['pod2wi: --out-dir /proc/nope: /proc is on the proc kernel filesystem'], seconds: 20 },
    },
    {
      name: 'config-fifo',
      issue: 'a FIFO named .pod2wi.yaml blocks the scan',
      files: { 'deploy/app.yaml': podIdentityApp(), '.pod2wi.yaml': { fifo: true } },
      argv: ['scan', 'repo'],
      expect: { exit: 2, stderr: ['pod2wi: .pod2wi.yaml: cannot read the configuration file: a FIFO, not a regular file'], seconds: 20 },
    },
    {
      name: 'manifest-fifo-and-device-link',
      issue: 'only regular files are read (no FIFOs, devices, /proc)',
      // The walk lists no FIFO (git and fdir both leave them out); a link to one inside the root is listed, and refused.
      files: { 'deploy/app.yaml': podIdentityApp(), 'deploy/fifo.yaml': { fifo: true }, 'deploy/pipe.yaml': { symlink: 'fifo.yaml' }, 'deploy/zero.yaml': { symlink: '/dev/zero' }, 'deploy/self.yaml': { symlink: '/proc/self/environ' } },
      argv: ['scan', 'repo', '-f', 'json'],
      expect: {
        exit: 0,
        stdout: ['"message": "skipped: not a regular file (a FIFO, socket or device)",\n      "file": "deploy/pipe.yaml"', '"message": "skipped: a symlink that resolves outside the scanned root",\n      "file": "deploy/zero.yaml"', '"message": "skipped: a symlink that resolves outside the scanned root",\n      "file": "deploy/self.yaml"'],
        seconds: 20,
      },
    },
    {
      name: 'max-file-size-50MB',
      issue: 'peak RSS under 600 MB for every command and format, including --max-file-size 50MB cases',
      files: {
        'deploy/app.yaml': podIdentityApp(),
        ...nodeApp,
        'apps/api/bundle.js': minifiedBundle(12 * megabyte),
        'apps/api/vendor.min.js': minifiedBundle(2 * megabyte),
        'apps/api/generated.js': `const { DefaultAzureCredential } = require('@azure/identity');\n${'var q = 1;\n'.repeat(5 * megabyte / 11)}`,
        'data/big.yaml': `# data\n${'- just a list item of no interest\n'.repeat(20 * megabyte / 34)}`,
      },
      argv: ['scan', 'repo', '--max-file-size', '50MB', '-f', 'json'],
      expect: { exit: 0, stdout: ['"message": "minified or bundled code (2097', '"message": "12582', 'characters, over the 4194304-character limit for parsing one source file; credential uses in this file are not reported"'], seconds: 60 },
    },

    // Silent wrong results.
    {
      name: 'file-name-not-utf8-scan',
      issue: 'a file name that is not UTF-8 is dropped',
      files: { 'deploy/app.yaml': podIdentityApp(), 'deploy/raw': { bytesName: [0x62, 0x61, 0x64, 0xff, 0x2e, 0x79, 0x61, 0x6d, 0x6c], content: podIdentityApp({ name: 'hidden' }) } },
      argv: ['scan', 'repo', '-f', 'json'],
      expect: { exit: 0, stdout: ['"ruleId": "file-name-not-utf8"', '"file": "deploy/bad\\\\xff.yaml"'] },
    },
    {
      name: 'file-name-not-utf8-check',
      issue: 'a file name that is not UTF-8 is dropped and check passes',
      files: { 'deploy/ok.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n', 'deploy/raw': { bytesName: [0x62, 0x61, 0x64, 0xff, 0x2e, 0x79, 0x61, 0x6d, 0x6c], content: podIdentityApp() } },
      argv: ['check', 'repo'],
      expect: { exit: 1, stdout: [/error {3}file-name-not-utf8\n {4}deploy\/bad\\xff\.yaml: the name is not UTF-8 \(bytes shown as \\xNN\); pod2wi\s+could not read it\s+deploy\/bad\\xff\.yaml:1:1\n/, /pod2wi check failed: 1 error/] },
    },
    {
      name: 'kustomize-self-include',
      issue: 'a kustomization that includes itself, or two that include each other, gives "nothing found"',
      files: { 'k/a/kustomization.yaml': 'resources: [deploy.yaml, ../b, .]\n', 'k/a/deploy.yaml': podIdentityApp(), 'k/b/kustomization.yaml': 'resources: [../a]\n' },
      argv: ['scan', 'repo', '-f', 'json'],
      expect: { exit: 0, stdout: ['"id": "Deployment/shop/api"'] },
    },
    {
      name: 'helm-values-unparsable',
      issue: 'an unparsable values.yaml is treated as empty',
      files: { 'chart/Chart.yaml': 'apiVersion: v2\nname: api\nversion: 1.0.0\n', 'chart/values.yaml': 'binding: [unclosed\n', 'chart/templates/deployment.yaml': podIdentityApp().split('---')[0] ?? '' },
      argv: ['scan', 'repo', '-f', 'json'],
      expect: { exit: 0, stdout: ['values.yaml'] },
    },
    {
      name: 'python-deep-indent-next-file',
      issue: 'a Python file indented 1,000 levels breaks the Python parser for every later file of the run',
      files: {
        'deploy/app.yaml': podIdentityApp(),
        'apps/api/requirements.txt': 'azure-identity==1.15.0\nmsrestazure==0.6.4\n',
        'apps/api/a_deep.py': deepPython(1000),
        'apps/api/b_legacy.py': 'from msrestazure.azure_active_directory import MSIAuthentication\ncredentials = MSIAuthentication()\n',
      },
      argv: ['scan', 'repo', '-f', 'json'],
      expect: { exit: 0, stdout: ['"path": "legacy"', '"file": "apps/api/b_legacy.py"'] },
    },
    {
      name: 'yaml-alias-labels',
      issue: 'labels written through a YAML alias or merge key are not followed',
      files: { 'deploy/app.yaml': podIdentityApp().replace('labels: {app: api, aadpodidbinding: api}', 'labels:\n        <<: *common').replace('metadata:\n  name: api\n', 'metadata:\n  name: api\n  labels: &common {app: api, aadpodidbinding: api}\n') },
      argv: ['scan', 'repo', '-f', 'json'],
      expect: { exit: 0, stdout: ['"selector": "api"'] },
    },
    {
      name: 'dotdot-names-inside-root',
      issue: 'a folder named ..data or a file named ...yaml is refused as outside the root',
      files: { '..data/app.yaml': podIdentityApp({ serviceAccount: 'api' }), '...yaml': 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: api, namespace: shop}\n', ...nodeApp },
      argv: ['fix', 'repo', '--write'],
      expect: { exit: 0, stdout: [/2 files written/], files: { 'repo/..data/app.yaml': { has: ['azure.workload.identity/use: "true"'] }, 'repo/...yaml': { has: [`azure.workload.identity/client-id: ${clientId}`] } } },
    },
    {
      name: 'cr-only-line-endings',
      issue: 'a file with CR-only line endings is ignored',
      files: { 'deploy/app.yaml': podIdentityApp({ eol: '\r', serviceAccount: 'api' }), 'deploy/sa.yaml': 'apiVersion: v1\rkind: ServiceAccount\rmetadata: {name: api, namespace: shop}\r', ...nodeApp },
      argv: ['fix', 'repo', '--write'],
      expect: { exit: 0, stdout: [/2 files written/], files: { 'repo/deploy/app.yaml': { has: ['\r      labels: {app: api, aadpodidbinding: api, azure.workload.identity/use: "true"}\r'], hasNot: ['\n'] }, 'repo/deploy/sa.yaml': `apiVersion: v1\rkind: ServiceAccount\rmetadata: {name: api, namespace: shop, annotations: {azure.workload.identity/client-id: ${clientId}}}\r` } },
    },

    // Must hold.
    {
      name: 'deep-dependency-files',
      issue: 'recursion is bounded everywhere (JSON, XML, YAML, TOML, lockfiles)',
      files: {
        'deploy/app.yaml': podIdentityApp(),
        'apps/js/package.json': '{ "name": "js", "dependencies": { "@azure/identity": "4.3.0" } }\n',
        'apps/js/package-lock.json': `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
        'apps/pn/package.json': '{ "name": "pn", "dependencies": { "@azure/identity": "4.3.0" } }\n',
        'apps/pn/pnpm-lock.yaml': `lockfileVersion: 5.4\npackages: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`,
        'apps/cs/app.csproj': `<Project>${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}</Project>`,
        'apps/py/pyproject.toml': `[project]\nname = "py"\ndependencies = ["azure-identity==1.15.0"]\nx = ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`,
      },
      argv: ['scan', 'repo', '-f', 'json'],
      expect: { exit: 0, stdout: ['package-lock.json does not parse', 'pnpm-lock.yaml does not parse', 'app.csproj does not parse', 'pyproject.toml does not parse'], seconds: 40 },
    },
    {
      name: 'deep-source-nesting',
      issue: 'recursion is bounded everywhere (ASTs)',
      files: {
        'deploy/app.yaml': podIdentityApp(),
        'apps/api/go.mod': 'module example.com/api\n',
        'apps/api/main.go': `package main\nimport "github.com/Azure/azure-sdk-for-go/sdk/azidentity"\nfunc main() {\n\tx := ${'('.repeat(50_000)}1${')'.repeat(50_000)}\n\tazidentity.NewManagedIdentityCredential(nil)\n}\n`,
        'apps/api/index.js': `const { DefaultAzureCredential } = require('@azure/identity');\nx = ${'('.repeat(50_000)}1${')'.repeat(50_000)};\n`,
      },
      argv: ['scan', 'repo', '-f', 'json'],
      expect: { exit: 0, stdout: ['"file": "apps/api/main.go"', '"category": "managed-identity-credential"', 'could not analyse this file: nested too deeply to analyse'], seconds: 40 },
    },
    {
      name: 'no-code-from-the-repository',
      issue: 'no code from the scanned repository runs',
      files: {
        'deploy/app.yaml': podIdentityApp(),
        'apps/api/package.json': '{ "name": "api", "scripts": { "preinstall": "touch ../../../PWNED", "install": "touch ../../../PWNED" }, "dependencies": { "@azure/identity": "4.3.0" } }\n',
        'apps/py/setup.py': 'open("../../../PWNED", "w").write("x")\nfrom setuptools import setup\nsetup(name="py", install_requires=["azure-identity==1.15.0"])\n',
        'apps/py/Makefile': 'all:\n\ttouch ../../../PWNED\n',
        '.gitattributes': '*.yaml filter=pwn diff=pwn\n',
      },
      git: {
        config: { 'core.fsmonitor': 'touch {case}/PWNED; true', 'filter.pwn.clean': 'touch {case}/PWNED; cat', 'filter.pwn.process': 'touch {case}/PWNED', 'diff.pwn.command': 'touch {case}/PWNED', 'diff.external': 'touch {case}/PWNED' },
        changed: { 'deploy/app.yaml': `${podIdentityApp()}# changed after the commit\n` },
      },
      argv: ['check', 'repo', '--changed-since', 'HEAD'],
      expect: { exit: 1, files: { PWNED: null } },
    },
  ];
}

/** Writes one entry; FIFOs, links and raw names need the file system, not a string. */
function writeEntry(root: string, path: string, entry: Entry): void {
  const target = join(root, ...path.split('/'));
  mkdirSync(dirname(target), { recursive: true });
  if (typeof entry === 'string' || entry instanceof Uint8Array) writeFileSync(target, entry);
  else if ('fifo' in entry) execFileSync('mkfifo', [target]);
  else if ('symlink' in entry) symlinkSync(entry.symlink, target);
  else writeFileSync(Buffer.concat([Buffer.from(`${dirname(target)}/`), Buffer.from(entry.bytesName)]), entry.content);
}

/** Writes every case under `folder` and returns the runs (arguments with `{case}` filled in). */
export function writeHostileCorpus(folder: string, cases: readonly HostileCase[] = hostileCases()): HostileRun[] {
  return cases.map((hostile) => {
    const caseFolder = join(folder, hostile.name);
    const repo = join(caseFolder, 'repo');
    mkdirSync(repo, { recursive: true });
    for (const [path, entry] of Object.entries(hostile.files)) writeEntry(repo, path, entry);
    if (hostile.git) {
      const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { stdio: 'ignore' });
      git('init', '-q');
      git('add', '-A');
      git('-c', 'user.name=t', '-c', 'user.email=t@t.invalid', 'commit', '-q', '-m', 'hostile');
      for (const [key, value] of Object.entries(hostile.git.config)) git('config', key, value.replaceAll('{case}', caseFolder));
      for (const [path, content] of Object.entries(hostile.git.changed)) writeFileSync(join(repo, ...path.split('/')), content);
    }
    return { ...hostile, folder: caseFolder, args: hostile.argv.map((arg) => arg.replaceAll('{case}', caseFolder)) };
  });
}
