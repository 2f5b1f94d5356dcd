import { get, isMap, isSeq, type Origin, type RMap, type RNode, type RScalar, type ScalarPart } from '../../k8s/rendered.js';
import { LineIndex } from '../../k8s/line-index.js';
import { joinParts, unknownNode } from './collect.js';
import { markerClose, markerFill, markerOpen, type ScriptText } from './scripts.js';

/**
 * The scripts of CI pipelines, each with the environment it runs in:
 * - GitHub Actions (docs.github.com/actions/writing-workflows/workflow-syntax-for-github-actions): `run:` of a step,
 *   its shell from `shell:` / `defaults.run.shell` / the runner (`pwsh` on Windows runners, else bash), `env:` of the
 *   workflow, job and step; `with.inlineScript` of the `azure/cli` and `azure/powershell` actions; composite actions.
 *   `${{ env.X }}` is resolved from those `env:` maps, other `${{ }}` expressions stay unknown.
 * - Azure Pipelines (learn.microsoft.com/azure/devops/pipelines/yaml-schema): `script:`, `bash:`, `pwsh:`,
 *   `powershell:` steps, and the inline scripts of the `AzureCLI`, `Bash`, `PowerShell` and `AzurePowerShell` tasks;
 *   `variables:` of the pipeline, stage and job (map or list form) resolve `$(name)` and `${{ variables.name }}`, and
 *   reach bash as `$NAME` (upper case, `.` as `_`); `env:` of the step.
 */

/** A script found in a pipeline, ready for the shell readers. */
export interface PipelineScript {
  readonly shell: 'bash' | 'powershell';
  readonly script: ScriptText;
}

type Resolve = (expression: string, match: RegExpExecArray, origin: Origin) => RNode | null;

interface Pattern {
  readonly regex: RegExp;
  readonly resolve: Resolve;
}

/** Where each offset of a YAML scalar's value is written in the file. */
function placer(text: string, lines: LineIndex, scalar: RScalar): ScriptText['place'] {
  const span = scalar.origin.span;
  const raw = span ? text.slice(span[0], span[1]) : '';
  if (span && /^[|>]/.test(raw)) {
    const headerLine = lines.line(span[0]);
    // The block's indentation: that of its first non-blank content line.
    let indent = 0;
    for (let line = headerLine + 1; line <= lines.lineCount; line++) {
      const start = lines.lineStart(line);
      const content = text.slice(start, text.indexOf('\n', start) < 0 ? text.length : text.indexOf('\n', start));
      if (content.trim() === '') continue;
      indent = content.length - content.trimStart().length;
      break;
    }
    return (row, column) => ({ line: headerLine + 1 + row, column: indent + column + 1 });
  }
  const quoted = /^["']/.test(raw) ? 1 : 0;
  return (row, column) => ({ line: scalar.origin.line + row, column: row === 0 ? scalar.origin.column + quoted + column : column + 1 });
}

/** Row and column (0-based) of an offset in a text. */
function rowColumn(text: string, offset: number): { row: number; column: number } {
  const before = text.slice(0, offset);
  const row = before.split('\n').length - 1;
  return { row, column: offset - (before.lastIndexOf('\n') + 1) };
}

/**
 * Replaces pipeline expressions in a script by markers the shell parsers keep inside words, each padded to the
 * expression's length where it fits (so columns stay right), and returns the script.
 */
function scriptOf(file: string, text: string, lines: LineIndex, scalar: RScalar, patterns: readonly Pattern[], env: ReadonlyMap<string, RNode>): ScriptText {
  const value = String(scalar.value ?? '');
  const place = placer(text, lines, scalar);
  const markers: RNode[] = [];
  const originAt = (offset: number): Origin => {
    const { row, column } = rowColumn(value, offset);
    const at = place(row, column);
    return { source: 'pipeline', file, line: at.line, column: at.column, span: null };
  };
  const found: { start: number; end: number; node: RNode }[] = [];
  for (const pattern of patterns) {
    const regex = new RegExp(pattern.regex.source, 'g');
    for (let match = regex.exec(value); match; match = regex.exec(value)) {
      const start = match.index;
      const end = start + match[0].length;
      if (found.some((other) => start < other.end && other.start < end)) continue;
      const origin = originAt(start);
      const node = pattern.resolve(match[0], match, origin);
      if (node) found.push({ start, end, node });
    }
  }
  found.sort((a, b) => a.start - b.start);
  let out = '';
  let cursor = 0;
  for (const item of found) {
    out += value.slice(cursor, item.start);
    const index = markers.push(item.node) - 1;
    const bare = `${markerOpen}${index}${markerClose}`;
    const length = item.end - item.start;
    out += bare.length >= length ? bare : `${markerOpen}${index}${markerFill.repeat(length - bare.length)}${markerClose}`;
    cursor = item.end;
  }
  out += value.slice(cursor);
  return { file, text: out, place, markers, env, source: 'pipeline' };
}

/** A value of an `env:` or `variables:` map, with its own pipeline expressions resolved by the same patterns. */
function valueNode(node: RNode, patterns: readonly Pattern[]): RNode {
  if (node.kind !== 'scalar' || typeof node.value !== 'string') return node;
  const value = node.value;
  const parts: ScalarPart[] = [];
  let cursor = 0;
  const matches: { start: number; end: number; node: RNode }[] = [];
  for (const pattern of patterns) {
    const regex = new RegExp(pattern.regex.source, 'g');
    for (let match = regex.exec(value); match; match = regex.exec(value)) {
      const start = match.index;
      const end = start + match[0].length;
      if (matches.some((other) => start < other.end && other.start < end)) continue;
      const resolved = pattern.resolve(match[0], match, node.origin);
      if (resolved) matches.push({ start, end, node: resolved });
    }
  }
  if (matches.length === 0) return node;
  matches.sort((a, b) => a.start - b.start);
  for (const match of matches) {
    if (match.start > cursor) parts.push({ text: value.slice(cursor, match.start), origin: node.origin });
    if (match.node.kind === 'scalar') parts.push({ text: String(match.node.value ?? ''), origin: match.node.origin });
    else if (match.node.kind === 'unknown') parts.push(...match.node.parts);
    cursor = match.end;
  }
  if (cursor < value.length) parts.push({ text: value.slice(cursor), origin: node.origin });
  return joinParts(parts, node.origin, 'pipeline expression');
}

function mapEntries(node: RNode | null): [string, RNode][] {
  return isMap(node) ? node.pairs.map((pair) => [pair.key, pair.value]) : [];
}

function text(node: RNode | null): string | null {
  return node?.kind === 'scalar' && node.value !== null ? String(node.value) : null;
}

function shellOf(name: string | null): 'bash' | 'powershell' | null {
  if (name === null) return null;
  const command = (name.trim().split(/\s+/)[0] ?? '').toLowerCase();
  if (command === 'pwsh' || command === 'powershell') return 'powershell';
  if (command === 'bash' || command === 'sh') return 'bash';
  return null;
}

/** Whether a YAML root is a GitHub Actions workflow or a composite action. */
export function isGitHubWorkflow(path: string, root: RNode | null): boolean {
  if (!isMap(root)) return false;
  if (/(^|\/)\.github\/workflows\/[^/]+\.ya?ml$/.test(path)) return true;
  if (isMap(get(root, 'jobs')) && get(root, 'on') !== null) return true;
  return text(get(get(root, 'runs'), 'using')) === 'composite';
}

/** The scripts of a GitHub Actions workflow or composite action. */
export function githubScripts(file: string, fileText: string, root: RMap): PipelineScript[] {
  const lines = new LineIndex(fileText);
  const out: PipelineScript[] = [];
  const workflowEnv = mapEntries(get(root, 'env'));
  const workflowShell = text(get(get(get(root, 'defaults'), 'run'), 'shell'));
  const jobs: { env: [string, RNode][]; shell: string | null; windows: boolean; steps: RNode | null }[] = [];
  for (const [, job] of mapEntries(get(root, 'jobs'))) {
    const runsOn = text(get(job, 'runs-on')) ?? '';
    jobs.push({ env: mapEntries(get(job, 'env')), shell: text(get(get(get(job, 'defaults'), 'run'), 'shell')), windows: /windows/i.test(runsOn), steps: get(job, 'steps') });
  }
  const composite = get(root, 'runs');
  if (isMap(composite)) jobs.push({ env: [], shell: null, windows: false, steps: get(composite, 'steps') });
  for (const job of jobs) {
    if (!isSeq(job.steps)) continue;
    for (const step of job.steps.items) {
      if (!isMap(step)) continue;
      const raw = new Map<string, RNode>([...workflowEnv, ...job.env, ...mapEntries(get(step, 'env'))]);
      const patterns = githubPatterns(raw);
      const env = new Map([...raw].map(([name, value]) => [name, valueNode(value, githubPatterns(new Map()))]));
      const run = get(step, 'run');
      const uses = (text(get(step, 'uses')) ?? '').toLowerCase();
      let shell: 'bash' | 'powershell' | null = null;
      let script: RNode | null = null;
      if (run) {
        script = run;
        const named = text(get(step, 'shell')) ?? job.shell ?? workflowShell;
        shell = named === null ? (job.windows ? 'powershell' : 'bash') : shellOf(named);
      } else if (uses.startsWith('azure/cli@')) {
        script = get(get(step, 'with'), 'inlineScript');
        shell = 'bash';
      } else if (uses.startsWith('azure/powershell@')) {
        script = get(get(step, 'with'), 'inlineScript');
        shell = 'powershell';
      }
      if (!shell || script?.kind !== 'scalar' || typeof script.value !== 'string') continue;
      out.push({ shell, script: scriptOf(file, fileText, lines, script, patterns, env) });
    }
  }
  return out;
}

function githubPatterns(env: ReadonlyMap<string, RNode>): Pattern[] {
  return [
    {
      regex: /\$\{\{\s*([\s\S]*?)\s*\}\}/,
      resolve: (expression, match, origin) => {
        const inner = match[1] ?? '';
        const name = /^env\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(inner)?.[1];
        const value = name ? env.get(name) : undefined;
        if (value && !(value.kind === 'scalar' && typeof value.value === 'string' && value.value.includes('${{'))) return value;
        return unknownNode(expression, 'a GitHub Actions expression, known only when the workflow runs', origin);
      },
    },
  ];
}

/** Whether a YAML root is an Azure Pipelines pipeline or template (steps, jobs or stages as lists). */
export function isAzurePipeline(root: RNode | null): root is RMap {
  if (!isMap(root) || isMap(get(root, 'jobs'))) return false;
  return isSeq(get(root, 'steps')) || isSeq(get(root, 'jobs')) || isSeq(get(root, 'stages')) || (get(root, 'trigger') !== null && get(root, 'pool') !== null);
}

/**
 * Variables of a `variables:` value: a map, or a list of `{name, value}`; `{group}` and `{template}` entries are kept
 * by name (a key starting with `group ` or `template `): their variables are not in the file.
 */
function variablesOf(node: RNode | null): [string, RNode][] {
  if (isMap(node)) return node.pairs.map((pair) => [pair.key, pair.value]);
  if (!isSeq(node)) return [];
  const out: [string, RNode][] = [];
  for (const item of node.items) {
    const name = text(get(item, 'name'));
    const value = get(item, 'value');
    if (name && value) out.push([name, value]);
    const group = text(get(item, 'group'));
    if (group && isMap(item)) out.push([`group ${group}`, item]);
    const template = text(get(item, 'template'));
    if (template && isMap(item)) out.push([`template ${template}`, item]);
  }
  return out;
}

/** The variable groups and templates in scope, for the reason a variable is unknown. */
function elsewhere(variables: ReadonlyMap<string, RNode>): string {
  const sources = [...variables.keys()].filter((key) => key.startsWith('group ') || key.startsWith('template ')).map((key) => `variable ${key}`);
  return sources.length > 0 ? `; ${sources.join(', ')} may set it` : '';
}

/** The scripts of an Azure Pipelines file, stages, jobs, deployment strategies and templates alike. */
export function azurePipelineScripts(file: string, fileText: string, root: RMap): PipelineScript[] {
  const lines = new LineIndex(fileText);
  const out: PipelineScript[] = [];
  const visit = (node: RNode, variables: ReadonlyMap<string, RNode>, depth: number): void => {
    if (depth > 32) return;
    if (isSeq(node)) {
      for (const item of node.items) visit(item, variables, depth + 1);
      return;
    }
    if (!isMap(node)) return;
    const own = variablesOf(get(node, 'variables'));
    const scope = own.length > 0 ? new Map([...variables, ...own]) : variables;
    const steps = get(node, 'steps');
    if (isSeq(steps)) for (const step of steps.items) if (isMap(step)) readStep(step, scope);
    for (const pair of node.pairs) if (pair.key !== 'steps' && pair.key !== 'variables') visit(pair.value, scope, depth + 1);
  };
  const readStep = (step: RMap, variables: ReadonlyMap<string, RNode>): void => {
    const patterns = azurePatterns(variables);
    const env = new Map<string, RNode>();
    for (const [name, value] of variables) if (!name.includes(' ')) env.set(name.toUpperCase().replace(/\./g, '_'), valueNode(value, azurePatterns(new Map())));
    for (const [name, value] of mapEntries(get(step, 'env'))) env.set(name, valueNode(value, patterns));
    let shell: 'bash' | 'powershell' | null = null;
    let script: RNode | null = null;
    for (const key of ['script', 'bash', 'pwsh', 'powershell'] as const) {
      const value = get(step, key);
      if (!value) continue;
      script = value;
      shell = key === 'pwsh' || key === 'powershell' ? 'powershell' : 'bash';
    }
    const task = (text(get(step, 'task')) ?? '').toLowerCase();
    const inputs = get(step, 'inputs');
    if (!script && task.startsWith('azurecli@')) {
      script = get(inputs, 'inlineScript');
      const type = (text(get(inputs, 'scriptType')) ?? 'bash').toLowerCase();
      shell = type === 'ps' || type === 'pscore' ? 'powershell' : type === 'bash' ? 'bash' : null;
    } else if (!script && task.startsWith('bash@')) {
      script = get(inputs, 'script');
      shell = 'bash';
    } else if (!script && task.startsWith('powershell@')) {
      script = get(inputs, 'script');
      shell = 'powershell';
    } else if (!script && task.startsWith('azurepowershell@')) {
      script = get(inputs, 'Inline');
      shell = 'powershell';
    }
    if (!shell || script?.kind !== 'scalar' || typeof script.value !== 'string') return;
    out.push({ shell, script: scriptOf(file, fileText, lines, script, patterns, env) });
  };
  visit(root, new Map(), 0);
  return out;
}

function azurePatterns(variables: ReadonlyMap<string, RNode>): Pattern[] {
  const lookup = (name: string, expression: string, origin: Origin): RNode => {
    const value = variables.get(name);
    if (value && !(value.kind === 'scalar' && typeof value.value === 'string' && /\$\(|\$\{\{|\$\[/.test(value.value))) return value;
    return unknownNode(expression, value ? `variable ${name} is itself computed` : `variable ${name} is not set in this file (the pipeline's settings, a variable group or a template${elsewhere(variables)})`, origin);
  };
  return [
    {
      regex: /\$\{\{\s*([\s\S]*?)\s*\}\}/,
      resolve: (expression, match, origin) => {
        const inner = match[1] ?? '';
        const name = /^variables(?:\.([A-Za-z0-9_.]+)|\[\s*'([^']+)'\s*\])$/.exec(inner);
        const variable = name?.[1] ?? name?.[2];
        if (variable) return lookup(variable, expression, origin);
        return unknownNode(expression, 'an Azure Pipelines template expression, known when the pipeline is compiled', origin);
      },
    },
    {
      regex: /\$\[\s*([\s\S]*?)\s*\]/,
      resolve: (expression, _match, origin) => unknownNode(expression, 'an Azure Pipelines runtime expression', origin),
    },
    {
      regex: /\$\(([A-Za-z0-9_.-]+)\)/,
      resolve: (expression, match, origin) => {
        const name = match[1] ?? '';
        // `$(pwd)` in a bash script is a command substitution unless a variable of that name may exist.
        if (!variables.has(name) && !name.includes('.') && elsewhere(variables) === '') return null;
        if (!variables.has(name) && !name.includes('.')) return lookup(name, expression, origin);
        if (!variables.has(name)) return unknownNode(expression, `a predefined or system variable (${name}), known when the pipeline runs`, origin);
        return lookup(name, expression, origin);
      },
    },
  ];
}
