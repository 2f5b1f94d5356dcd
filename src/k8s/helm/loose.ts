import type { RenderProblem } from '../files.js';
import { LineIndex } from '../line-index.js';
import type { Origin, RenderedObject, RenderUnit, Unknown } from '../rendered.js';
import { objectsOfDocument } from '../rendered-objects.js';
import { readTree } from '../yaml-tree.js';
import { fileTemplateSource } from './gotemplate/engine.js';
import { ExecError, Executor, FailError, LimitError, type ExecProblem } from './gotemplate/exec.js';
import { builtinFunctions } from './gotemplate/functions/builtin.js';
import { sprigFunctions } from './gotemplate/functions/sprig.js';
import { parse, ParseError } from './gotemplate/parse.js';
import { UnknownTable } from './gotemplate/values.js';
import { renderedText } from './output-map.js';
import { fixedClock } from './render.js';

/**
 * A Go-templated manifest outside any chart (a file some program fills in before applying it: `{{ .Name }}`). Its data
 * is not in the repository, so every reference is unknown: the objects are read with their literal fields, and each
 * templated field shows its expression. `range` over unknown data runs zero times.
 */
export function renderLooseTemplate(file: string, text: string, unit: RenderUnit): { objects: RenderedObject[]; problems: RenderProblem[] } {
  const problems: RenderProblem[] = [];
  const fileOrigin: Origin = { source: 'manifest', file, line: 1, column: 1, span: null };
  let parsed;
  try {
    parsed = parse(text, file, { maxNesting: 200 });
  } catch (error) {
    if (error instanceof ParseError) {
      problems.push({ code: 'template-parse-error', at: { ...fileOrigin, line: error.line }, message: `${file}: ${error.message}` });
      return { objects: [], problems };
    }
    throw error;
  }
  const source = fileTemplateSource(file, file, text, 'manifest');
  const defines = new Map(parsed.defines.map((tree) => [tree.name, { tree, source }]));
  const unknowns = new UnknownTable();
  const data: Unknown = { expression: '', reason: 'the template is filled in by a program outside the repository', origin: fileOrigin };
  const executor = new Executor({
    missingKey: 'zero',
    functions: new Map(sprigFunctions(fixedClock)),
    builtins: builtinFunctions(),
    lookup: (name) => defines.get(name) ?? null,
    unknowns,
    report: (problem: ExecProblem) => problems.push(problem),
    budget: { steps: 0, maxSteps: 1_000_000 },
  });
  let output;
  try {
    output = executor.run({ tree: parsed.main, source }, { k: 'unknown', u: data });
  } catch (error) {
    if (error instanceof ExecError || error instanceof FailError || error instanceof LimitError) {
      problems.push({ code: 'template-error', at: error.at, message: `${file}: ${error.message}` });
      return { objects: [], problems };
    }
    throw error;
  }
  const index = new LineIndex(text);
  const rendered = renderedText(output, unknowns, (path) => (path === file ? index : null), fileOrigin);
  const tree = readTree(file, rendered.text, { source: 'manifest', map: rendered.map });
  for (const problem of tree.problems) problems.push({ code: 'rendered-yaml-invalid', at: problem.at, message: `${file} does not read as YAML once its template actions are filled in: ${problem.message}` });
  const objects: RenderedObject[] = [];
  for (const document of tree.documents) objects.push(...objectsOfDocument(document, unit, [], objects.length));
  return { objects, problems };
}
