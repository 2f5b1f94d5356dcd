// Shared helpers for benchmarks: timing, peak RSS, and a temporary folder.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempRoot(prefix = 'pod2wi-bench-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function cleanup(dir) {
  rmSync(dir, { recursive: true, force: true });
}

/** Runs fn `runs` times; returns the median wall time in ms and the peak RSS in MB seen during the runs. */
export async function measure(fn, runs = 3) {
  const times = [];
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  try {
    for (let i = 0; i < runs; i++) {
      globalThis.gc?.();
      const start = performance.now();
      await fn();
      times.push(performance.now() - start);
      peak = Math.max(peak, process.memoryUsage().rss);
    }
  } finally {
    clearInterval(timer);
  }
  times.sort((a, b) => a - b);
  return { medianMs: Math.round(times[Math.floor(times.length / 2)]), peakRssMb: Math.round(peak / 1024 / 1024) };
}

/** Prints one result line and fails the process when a target is missed. */
export function report(name, result, targetMs) {
  const ok = targetMs === undefined || result.medianMs <= targetMs;
  console.log(`${ok ? 'ok  ' : 'SLOW'} ${name}: ${result.medianMs} ms median, ${result.peakRssMb} MB peak RSS${targetMs ? ` (target ≤ ${targetMs} ms)` : ''}`);
  if (!ok) process.exitCode = 1;
}

/** Writes `text` at `path` under `root`, creating folders. */
export function writeUnder(root, path, text) {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
}

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

/**
 * A GitOps-sized repository in a temporary folder: 2,000 plain manifest files (a Deployment, an AzureIdentity and a
 * binding each), 100 Helm charts of 5 templates, 100 Kustomize bases with an overlay, and 20,000 unrelated files.
 */
export function generateRepository() {
  const root = tempRoot();
  const write = (path, text) => writeUnder(root, path, text);
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
  return root;
}
