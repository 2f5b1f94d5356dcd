import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { captureIo as captureCliIo, type CapturedIo } from '../../helpers/io.js';
import { join } from 'node:path';
import type { FixApplier, FixPhase, FixResult } from '../../../src/pr/applier.js';

/** A Deployment with its ServiceAccount, AzureIdentity and binding, in `deploy/<namespace>/<name>.yaml`. */
export function workloadManifest(name: string, namespace: string, clientId: string, group = `rg-${namespace}`): string {
  return `apiVersion: v1
kind: ServiceAccount
metadata:
  name: ${name}
  namespace: ${namespace}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
        aadpodidbinding: ${name}
    spec:
      serviceAccountName: ${name}
      containers:
        - name: ${name}
          image: contoso.azurecr.io/${name}:1.0.0
---
apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentity
metadata:
  name: ${name}-identity
  namespace: ${namespace}
spec:
  type: 0
  resourceID: /subscriptions/3e0b7c55-1d7a-4f0e-9a51-2f6c0d8b9a11/resourceGroups/${group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-${name}
  clientID: ${clientId}
---
apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentityBinding
metadata:
  name: ${name}-binding
  namespace: ${namespace}
spec:
  azureIdentity: ${name}-identity
  selector: ${name}
`;
}

/** An application whose @azure/identity predates workload identity (legacy path: the proxy). */
export function legacyApp(name: string): Record<string, string> {
  return {
    [`apps/${name}/package.json`]: `{ "name": "${name}", "version": "1.0.0", "dependencies": { "@azure/identity": "1.2.0" } }\n`,
    [`apps/${name}/src/auth.js`]: "const { ManagedIdentityCredential } = require('@azure/identity');\n\nmodule.exports = { credential: new ManagedIdentityCredential() };\n",
  };
}

/** An application on a current @azure/identity (latest path). */
export function latestApp(name: string): Record<string, string> {
  return {
    [`apps/${name}/package.json`]: `{ "name": "${name}", "version": "1.0.0", "dependencies": { "@azure/identity": "4.2.1" } }\n`,
    [`apps/${name}/src/index.ts`]: "import { DefaultAzureCredential } from '@azure/identity';\n\nexport const credential = new DefaultAzureCredential();\n",
  };
}

/**
 * The repository most tests use: orders-api (legacy, namespace shop) and catalog (latest, namespace web), and
 * mystery (namespace web, no application: its path is unknown, so every phase leaves it alone).
 */
export function shopFiles(): Record<string, string> {
  return {
    'README.md': '# contoso shop\n',
    ...legacyApp('orders-api'),
    ...latestApp('catalog'),
    'deploy/shop/orders-api.yaml': workloadManifest('orders-api', 'shop', '6f1d2c3b-0a9e-4b8c-9d7e-1f2a3b4c5d6e'),
    'deploy/web/catalog.yaml': workloadManifest('catalog', 'web', '11111111-1111-4111-8111-111111111111'),
    'deploy/web/mystery.yaml': workloadManifest('mystery', 'web', '22222222-2222-4222-8222-222222222222'),
  };
}

/** A record of each call the fake fix applier received. */
export interface FakeApplier extends FixApplier {
  readonly calls: { root: string; phase: FixPhase; workloads: readonly string[] | undefined }[];
}

/**
 * A deterministic stand-in for `pod2wi fix`: for `Kind/<namespace>/<name>` it edits `[deploy/]<namespace>/<name>.yaml`
 * under the root with a plain text edit. Parallel adds the use label under aadpodidbinding; cutover removes
 * aadpodidbinding; finalize changes nothing. A workload whose file is missing is skipped, with the reason.
 */
export function fakeApplier(): FakeApplier {
  const calls: FakeApplier['calls'] = [];
  return {
    calls,
    async apply(input): Promise<FixResult> {
      calls.push({ root: input.root, phase: input.phase, workloads: input.workloads });
      const changedFiles: string[] = [];
      const skipped: { workload: string; reason: string }[] = [];
      for (const id of input.workloads ?? []) {
        const [, namespace, name] = id.split('/');
        // The root is the repository, or its deploy/ folder when that is what was scanned.
        const file = [`deploy/${namespace ?? ''}/${name ?? ''}.yaml`, `${namespace ?? ''}/${name ?? ''}.yaml`].find((candidate) => existsSync(join(input.root, candidate)));
        if (file === undefined) {
          skipped.push({ workload: id, reason: `no manifest for ${id}` });
          continue;
        }
        const path = join(input.root, file);
        const before = readFileSync(path, 'utf8');
        let after = before;
        if (input.phase === 'parallel' && !before.includes('azure.workload.identity/use')) {
          after = before.replace(/^(\s*)aadpodidbinding: .*$/m, (line, indent: string) => `${line}\n${indent}azure.workload.identity/use: "true"`);
        } else if (input.phase === 'cutover') {
          after = before.replace(/^\s*aadpodidbinding: .*\n/m, '');
        }
        if (after !== before) {
          writeFileSync(path, after);
          changedFiles.push(file);
        }
      }
      return { changedFiles, deletedFiles: [], skipped };
    },
  };
}

/** The CLI's Io with this environment and a 120-column stdout (see test/helpers/io.ts). */
export function captureIo(cwd: string, env: Readonly<Record<string, string>>): CapturedIo {
  return captureCliIo(cwd, { env, columns: 120 });
}
