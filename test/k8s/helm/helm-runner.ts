import { fileTemplateSource } from '../../../src/k8s/helm/gotemplate/engine.js';
import { ExecError, Executor, FailError, LimitError, type ExecProblem, type Template } from '../../../src/k8s/helm/gotemplate/exec.js';
import { builtinFunctions } from '../../../src/k8s/helm/gotemplate/functions/builtin.js';
import { helmFunctions } from '../../../src/k8s/helm/gotemplate/functions/helm.js';
import { sprigFunctions } from '../../../src/k8s/helm/gotemplate/functions/sprig.js';
import { parse } from '../../../src/k8s/helm/gotemplate/parse.js';
import { ropeTemplateSource } from '../../../src/k8s/helm/gotemplate/engine.js';
import { Rope, UnknownTable, type Value } from '../../../src/k8s/helm/gotemplate/values.js';
import { fixedClock } from '../../../src/k8s/helm/render.js';
import { valueOfNode } from '../../../src/k8s/helm/values.js';
import { isMap } from '../../../src/k8s/rendered.js';
import { readTree } from '../../../src/k8s/yaml-tree.js';

export interface HelmRun {
  /** The output with "<no value>" removed, as Helm does; unknowns shown as `<?expression?>`. */
  readonly output: string;
  readonly problems: readonly ExecProblem[];
  readonly error: string | null;
}

/** Runs one template text as Helm runs a chart template: Sprig and Helm functions, missingkey=zero, `.Values`. */
export function runHelm(text: string, valuesYaml = '', extra: Readonly<Record<string, string>> = {}): HelmRun {
  const problems: ExecProblem[] = [];
  const unknowns = new UnknownTable();
  const tree = readTree('values.yaml', valuesYaml, { source: 'chart-values', paths: true, version: '1.1' });
  const node = tree.documents[0]?.node ?? null;
  const values: Value = isMap(node) ? valueOfNode(node, (origin) => (origin.span ? valuesYaml.slice(origin.span[0], origin.span[1]) : null), unknowns) : { k: 'map', entries: new Map(), t: 'map[string]interface {}' };
  const defines = new Map<string, Template>();
  const mains: Template[] = [];
  for (const [name, body] of [['main.yaml', text], ...Object.entries(extra)] as const) {
    const parsed = parse(body, name);
    const source = fileTemplateSource(name, name, body);
    for (const define of parsed.defines) defines.set(define.name, { tree: define, source });
    mains.push({ tree: parsed.main, source });
  }
  const overlays: ReadonlyMap<string, Template>[] = [];
  const lookup = (name: string) => {
    for (const overlay of [...overlays].reverse()) {
      const found = overlay.get(name);
      if (found) return found;
    }
    return defines.get(name) ?? null;
  };
  const functions = new Map([
    ...sprigFunctions(fixedClock),
    ...helmFunctions({
      lookup,
      missingReason: () => null,
      parseTpl: (rope: Rope, at) => {
        const parsed = parse(rope.text, 'tpl');
        const source = ropeTemplateSource('tpl', rope, at);
        return { main: { tree: parsed.main, source }, defines: new Map(parsed.defines.map((d) => [d.name, { tree: d, source }])) };
      },
      withDefines: (extraDefines, body) => {
        overlays.push(extraDefines);
        try {
          return body();
        } finally {
          overlays.pop();
        }
      },
    }),
  ]);
  const executor = new Executor({
    missingKey: 'zero',
    functions,
    builtins: builtinFunctions(),
    lookup,
    unknowns,
    report: (problem) => problems.push(problem),
    budget: { steps: 0, maxSteps: 1_000_000 },
  });
  const data: Value = {
    k: 'map',
    t: 'map[string]interface {}',
    entries: new Map([
      ['Values', { value: values }],
      ['Release', { value: { k: 'map', t: 'map[string]interface {}', entries: new Map([['Name', { value: { k: 'string', s: unknowns.rope({ expression: '.Release.Name', reason: 'install time', origin: { source: 'generated', file: '', line: 1, column: 1, span: null } }) } }]]) } }],
    ]),
  };
  const main = mains[0];
  if (!main) throw new Error('no template');
  try {
    const out = executor.run(main, data).rope().text.replaceAll('<no value>', '');
    return { output: out.replace(/\uE000(\d+)\uE001/g, (_m, n: string) => `<?${unknowns.get(Number(n))?.expression ?? '?'}?>`), problems, error: null };
  } catch (error) {
    if (error instanceof ExecError || error instanceof FailError || error instanceof LimitError) return { output: '', problems, error: `${error.constructor.name}: ${error.message}` };
    throw error;
  }
}
