import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { chartVariants, findCharts, readValuesLayer } from '../../../src/k8s/helm/chart-files.js';
import { renderChart } from '../../../src/k8s/helm/render.js';
import { toPlain } from '../../../src/k8s/rendered.js';
import { fixtureFiles } from './render-harness.js';

/**
 * The snapshot idea of charts that keep Helm-rendered output in the repository (helm-unittest `__snapshot__` files,
 * as the Application Gateway ingress controller's chart does): each fixture holds a chart and the output
 * `helm template` prints for it (`helm-template-output.yaml`, with its `# Source:` lines), and the in-process render
 * must give the same objects from the same templates.
 */
const root = new URL('../../../fixtures/render/helm-snapshot/', import.meta.url).pathname;

interface Expected {
  readonly source: string;
  readonly data: unknown;
}

function expectedDocuments(text: string): Expected[] {
  const chunks = text.split(/^---\n/m).filter((chunk) => /^# Source: /m.test(chunk));
  return chunks.map((chunk) => {
    const source = /^# Source: (.+)$/m.exec(chunk)?.[1] ?? '';
    const [doc] = parseAllDocuments(chunk);
    return { source, data: doc && !Array.isArray(doc) ? doc.toJS() : null };
  });
}

describe('in-process renders match the output helm template prints', () => {
  for (const name of readdirSync(root).sort()) {
    it(name, () => {
      const dir = join(root, name);
      const files = fixtureFiles(dir);
      const chart = findCharts(files).find((c) => c.renderable);
      if (!chart) throw new Error(`${name}: no chart`);
      const [defaults] = chartVariants(files, chart);
      if (!defaults) throw new Error('no variant');
      const { layer } = readValuesLayer(files, `${chart.dir}/values-test.yaml`, 'chart-values');
      const at = { source: 'release-values' as const, file: 'helm-template-output.yaml', line: 1, column: 1, span: null };
      const render = renderChart(files, { ...defaults, values: layer ? [layer] : [], releaseName: { value: 'gw', origin: at }, namespace: { value: 'networking', origin: at } });
      expect(render.problems.filter((p) => !p.code.startsWith('assumed'))).toEqual([]);
      const expected = expectedDocuments(readFileSync(join(dir, 'helm-template-output.yaml'), 'utf8'));
      const actual = render.objects.map((object) => ({ source: `${chart.name}/${object.at.file.slice(chart.dir.length + 1)}`, data: toPlain(object.root) }));
      const bySource = (a: Expected, b: Expected) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0);
      expect(actual.sort(bySource)).toEqual(expected.sort(bySource));
    });
  }
});
