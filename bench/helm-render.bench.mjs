// In-process Helm rendering: the `helm create`-shaped fixture chart (fixtures/render/helm/scaffold), rendered alone
// and with a render cache shared across renders (as a scan shares it), and a generated chart of 200 templates with
// helpers, toYaml | nindent, ranges and conditions.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileSource } from '../dist/k8s/files.js';
import { chartVariants, findCharts } from '../dist/k8s/helm/chart-files.js';
import { createRenderCache, renderChart } from '../dist/k8s/helm/render.js';
import { measure, report } from './util.mjs';

function folderSource(root) {
  const walk = (dir) => readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : [relative(root, join(dir, name))]));
  const texts = new Map(walk(root).map((path) => [path, readFileSync(join(root, path), 'utf8')]));
  return fileSource([...texts.keys()], (path) => texts.get(path) ?? null);
}

const scaffold = folderSource(new URL('../fixtures/render/helm/scaffold', import.meta.url).pathname);
const scaffoldCharts = findCharts(scaffold);
const scaffoldInstance = chartVariants(scaffold, scaffoldCharts.find((c) => c.renderable))[0];
for (let i = 0; i < 20; i++) renderChart(scaffold, scaffoldInstance, { charts: scaffoldCharts });
report('helm create-shaped chart, 50 renders without a cache', await measure(() => {
  for (let i = 0; i < 50; i++) renderChart(scaffold, scaffoldInstance, { charts: scaffoldCharts });
}, 5), 3000);
const cache = createRenderCache();
report('helm create-shaped chart, 50 renders sharing a render cache', await measure(() => {
  for (let i = 0; i < 50; i++) renderChart(scaffold, scaffoldInstance, { charts: scaffoldCharts, cache });
}, 5), 1500);

const texts = new Map();
texts.set('big/Chart.yaml', 'apiVersion: v2\nname: big\nversion: 1.0.0\nappVersion: "1.0"\n');
const values = ['global:\n  team: platform\nservices:'];
for (let i = 0; i < 200; i++) values.push(`  svc${i}:\n    enabled: ${i % 5 !== 0}\n    replicas: ${i % 4 + 1}\n    labels:\n      tier: t${i % 3}\n      aadpodidbinding: id-${i}\n    ports: [${8000 + i}, ${9000 + i}]`);
texts.set('big/values.yaml', `${values.join('\n')}\n`);
texts.set('big/templates/_helpers.tpl', '{{- define "big.name" -}}{{ printf "%s-%s" .root.Release.Name .name | trunc 63 | trimSuffix "-" }}{{- end -}}\n{{- define "big.labels" -}}\napp.kubernetes.io/name: {{ .name }}\nteam: {{ .root.Values.global.team }}\n{{- end -}}\n');
for (let i = 0; i < 200; i++) {
  texts.set(`big/templates/svc${i}.yaml`, `{{- $svc := .Values.services.svc${i} }}
{{- if $svc.enabled }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "big.name" (dict "root" $ "name" "svc${i}") }}
  labels:
    {{- include "big.labels" (dict "root" $ "name" "svc${i}") | nindent 4 }}
spec:
  replicas: {{ $svc.replicas }}
  template:
    metadata:
      labels:
        {{- toYaml $svc.labels | nindent 8 }}
    spec:
      containers:
        - name: main
          ports:
            {{- range $i, $p := $svc.ports }}
            - containerPort: {{ $p }}
              name: p{{ $i }}
            {{- end }}
{{- end }}
`);
}
const big = fileSource([...texts.keys()], (path) => texts.get(path) ?? null);
const bigCharts = findCharts(big);
const bigInstance = chartVariants(big, bigCharts[0])[0];
const rendered = renderChart(big, bigInstance, { charts: bigCharts });
console.log(`     200-template chart: ${rendered.objects.length} objects, ${rendered.problems.length} problems`);
report('generated chart of 200 templates, one render', await measure(() => renderChart(big, bigInstance, { charts: bigCharts }), 5), 2000);
