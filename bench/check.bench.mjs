// Gate throughput on the scan benchmark's repository (2,000 manifest files with a Deployment, AzureIdentity and
// binding each, 100 Helm charts, 100 Kustomize overlays, 20,000 unrelated files), plus 200 infrastructure files
// (Bicep, Terraform, scripts) the text detectors read: every finding is reported, fingerprinted and sorted.
import { runCheck } from '../dist/check/gate.js';
import { cleanup, generateRepository, measure, report, writeUnder } from './util.mjs';

const root = generateRepository();
const write = (path, text) => writeUnder(root, path, text);

for (let i = 0; i < 50; i++) {
  write(`infra/aks-${i}.bicep`, `resource aks 'Microsoft.ContainerService/managedClusters@2024-02-01' = {\n  name: 'aks-${i}'\n  properties: {\n    podIdentityProfile: {\n      enabled: ${i % 2 === 0}\n    }\n  }\n}\n`);
  write(`terraform/env-${i}/main.tf`, `resource "azurerm_kubernetes_cluster" "aks" {\n  name = "aks-${i}"\n  workload_identity_enabled = true\n}\n`);
  write(`scripts/setup-${i}.sh`, `#!/usr/bin/env bash\naz aks update -g rg -n aks-${i} --enable-oidc-issuer --enable-workload-identity\n`);
  write(`pipelines/deploy-${i}.yml`, `steps:\n  - script: az aks get-credentials -g rg -n aks-${i}\n`);
}

const options = { paths: [root], cwd: root, exclude: [], defaultExcludes: true, maxFileSize: 5 * 1024 * 1024, namespace: null, config: null, failOn: 'error', suppressions: true, baseline: null, writeBaseline: null, changedSince: null, now: new Date(), outputs: [] };
const { result } = runCheck(options);
console.log(`     ${result.summary.files} files walked, ${result.summary.read} read, ${result.findings.length} findings`);
report('check of 22,700 files (2,000 manifests, 100 charts, 100 overlays, 200 infrastructure files)', await measure(() => runCheck(options), 3), 9000);
cleanup(root);
