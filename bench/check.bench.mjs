// Gate throughput on the scan benchmark's repository (2,000 manifest files with a Deployment, AzureIdentity and
// binding each, 100 Helm charts, 100 Kustomize overlays, 20,000 unrelated files), plus 200 infrastructure files
// (Bicep, Terraform, scripts) the text detectors read: every finding is reported, fingerprinted and sorted.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCheck } from '../dist/check/gate.js';
import { cleanup, measure, report, tempRoot } from './util.mjs';

const root = tempRoot();
const write = (path, text) => {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
};
const guid = (i) => `${String(i).padStart(8, '0')}-0000-4000-8000-000000000000`;
const deployment = (name, ns) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels:
        app: ${name}
        aadpodidbinding: ${name}
    spec:
      serviceAccountName: ${name}
      containers:
      - name: ${name}
        image: contoso/${name}:1
`;
const identity = (name, ns, i) => `---
apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentity
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  resourceID: /subscriptions/${guid(1)}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}
  clientID: ${guid(i)}
---
apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentityBinding
metadata:
  name: ${name}-binding
  namespace: ${ns}
spec:
  azureIdentity: ${name}
  selector: ${name}
`;
for (let i = 0; i < 2000; i++) write(`apps/team-${i % 40}/app-${i}.yaml`, deployment(`app-${i}`, `team-${i % 40}`) + identity(`app-${i}`, `team-${i % 40}`, i));
for (let c = 0; c < 100; c++) {
  const dir = `charts/chart-${c}`;
  write(`${dir}/Chart.yaml`, `apiVersion: v2\nname: chart-${c}\nversion: 1.0.0\n`);
  write(`${dir}/values.yaml`, `podIdentity:\n  enabled: true\n  selector: chart-${c}\nidentity:\n  clientId: ${guid(10000 + c)}\n`);
  write(`${dir}/templates/_helpers.tpl`, `{{- define "c.labels" -}}\napp: chart-${c}\n{{- end }}\n`);
  for (let t = 0; t < 5; t++) {
    write(`${dir}/templates/deploy-${t}.yaml`, `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: chart-${c}-${t}\nspec:\n  template:\n    metadata:\n      labels:\n        {{- include "c.labels" . | nindent 8 }}\n        {{- if .Values.podIdentity.enabled }}\n        aadpodidbinding: {{ .Values.podIdentity.selector }}\n        {{- end }}\n    spec:\n      containers:\n        - name: app\n          image: contoso/app:{{ .Chart.Version }}\n`);
  }
}
for (let k = 0; k < 100; k++) {
  write(`kustomize/base-${k}/kustomization.yaml`, 'resources:\n  - deployment.yaml\n');
  write(`kustomize/base-${k}/deployment.yaml`, deployment(`kz-${k}`, 'placeholder'));
  write(`kustomize/overlays/prod-${k}/kustomization.yaml`, `namespace: prod\nresources:\n  - ../../base-${k}\n`);
}
for (let f = 0; f < 20000; f++) write(`src/module-${f % 200}/file-${f}.txt`, `line ${f}\n`);

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
