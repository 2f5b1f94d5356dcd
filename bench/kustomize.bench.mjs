// Kustomize rendered in process: a repository of 100 overlays over 10 shared bases (each overlay: namespace, prefix,
// labels, a strategic-merge patch file and an inline JSON 6902 patch), a 16-level diamond whose branches include the
// same base (kustomize refuses the duplicates; every kustomization must be built once), and the same diamond with
// renaming branches (2^16 objects, cut at the object limit).
import { fileSource } from '../dist/k8s/files.js';
import { buildKustomization, findKustomizations, kustomizeRoots, KustomizeMemo } from '../dist/k8s/kustomize/index.js';
import { measure, report } from './util.mjs';

function source(files) {
  return fileSource(Object.keys(files), (path) => files[path] ?? null);
}

function overlays() {
  const files = {};
  for (let b = 0; b < 10; b++) {
    files[`bases/app${b}/kustomization.yaml`] = 'resources:\n  - deployment.yaml\n  - identity.yaml\n  - service-account.yaml\nlabels:\n  - pairs: {app.kubernetes.io/part-of: shop}\n    includeSelectors: true\n';
    files[`bases/app${b}/deployment.yaml`] = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app${b}\nspec:\n  selector:\n    matchLabels: {app: app${b}}\n  template:\n    metadata:\n      labels: {app: app${b}, aadpodidbinding: app${b}}\n    spec:\n      serviceAccountName: app${b}\n      containers:\n        - name: app\n          image: contoso/app${b}:1\n          env: [{name: A, value: "1"}, {name: B, value: "2"}]\n`;
    files[`bases/app${b}/identity.yaml`] = `apiVersion: aadpodidentity.k8s.io/v1\nkind: AzureIdentity\nmetadata:\n  name: app${b}\nspec:\n  type: 0\n  clientID: 00000000-0000-0000-0000-000000000000\n`;
    files[`bases/app${b}/service-account.yaml`] = `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app${b}\n`;
  }
  for (let o = 0; o < 100; o++) {
    const b = o % 10;
    files[`overlays/o${o}/kustomization.yaml`] = `namespace: team${o}\nnamePrefix: o${o}-\nresources:\n  - ../../bases/app${b}\nlabels:\n  - pairs: {env: o${o}}\n    includeTemplates: true\npatches:\n  - path: identity.yaml\n  - target: {kind: Deployment}\n    patch: |-\n      - op: add\n        path: /spec/template/metadata/labels/team\n        value: t${o}\n`;
    files[`overlays/o${o}/identity.yaml`] = `apiVersion: aadpodidentity.k8s.io/v1\nkind: AzureIdentity\nmetadata:\n  name: app${b}\nspec:\n  clientID: ${String(o).padStart(8, '0')}-1111-2222-3333-444444444444\n`;
  }
  return source(files);
}

function diamond(depth, rename) {
  const files = { 'level0/kustomization.yaml': 'resources: [deployment.yaml]\n', 'level0/deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n' };
  for (let i = 1; i <= depth; i++) {
    files[`level${i}/kustomization.yaml`] = 'resources: [a, b]\n';
    files[`level${i}/a/kustomization.yaml`] = `${rename ? 'namePrefix: a-\n' : ''}resources: [../../level${i - 1}]\n`;
    files[`level${i}/b/kustomization.yaml`] = `${rename ? 'namePrefix: b-\n' : ''}resources: [../../level${i - 1}]\n`;
  }
  return source(files);
}

const repo = overlays();
let objects = 0;
report(
  '100 overlays over 10 bases (findKustomizations, roots, every build)',
  await measure(() => {
    const memo = new KustomizeMemo();
    const roots = kustomizeRoots(repo, findKustomizations(repo), memo);
    objects = roots.map((root) => buildKustomization(repo, root, {}, memo)).reduce((n, b) => n + b.objects.length, 0);
  }, 5),
  2000,
);
console.log(`     ${objects} objects rendered`);

const plain = diamond(16, false);
report('16-level diamond, duplicate branches (49 kustomizations, 1 object)', await measure(() => buildKustomization(plain, 'level16/kustomization.yaml'), 5), 500);

const renamed = diamond(16, true);
let count = 0;
report(
  '16-level diamond, renaming branches (2^16 objects, limit 10,000 per kustomization)',
  await measure(() => {
    count = buildKustomization(renamed, 'level16/kustomization.yaml').objects.length;
  }, 1),
  10000,
);
console.log(`     ${count} objects rendered`);
