import { compareStrings } from '../model/location.js';
import type { FileSource, RenderProblem } from '../k8s/files.js';
import { LineIndex } from '../k8s/line-index.js';
import type { Origin } from '../k8s/rendered.js';
import { parseHcl, type HclAttribute, type HclBlock, type HclBody, type HclExpr, type Span } from './hcl-syntax.js';

/** A parsed `.tf` (or `.tfvars`) file. */
export interface TfFile {
  readonly path: string;
  readonly text: string;
  readonly body: HclBody;
  readonly lines: LineIndex;
}

/** A `resource` or `data` block. */
export interface TfResource {
  readonly mode: 'resource' | 'data';
  readonly type: string;
  readonly name: string;
  readonly block: HclBlock;
  readonly file: TfFile;
}

/** A `module "name" { source = ... }` block. */
export interface TfModuleCall {
  readonly name: string;
  readonly block: HclBlock;
  readonly file: TfFile;
  /** The literal `source`, or null when it is not a literal string. */
  readonly source: string | null;
  /** The folder of a local source (`./modules/x`, `../identity`), root-relative; null for registry, git or absent. */
  readonly dir: string | null;
  /** Arguments other than the meta-arguments (source, version, count, for_each, providers, depends_on). */
  readonly inputs: readonly HclAttribute[];
}

/** A `variable` block. */
export interface TfVariable {
  readonly name: string;
  readonly block: HclBlock;
  readonly file: TfFile;
  readonly default: HclAttribute | null;
}

/** An attribute of a `locals` or `output` block, or of a tfvars file. */
export interface TfDefinition {
  readonly name: string;
  readonly attr: HclAttribute;
  readonly file: TfFile;
}

/** One Terraform module: the `.tf` files of one folder. */
export interface TfModule {
  /** Root-relative folder ('' for the repository root). */
  readonly dir: string;
  readonly files: readonly TfFile[];
  readonly locals: ReadonlyMap<string, TfDefinition>;
  readonly variables: ReadonlyMap<string, TfVariable>;
  readonly outputs: ReadonlyMap<string, TfDefinition>;
  readonly resources: readonly TfResource[];
  readonly calls: readonly TfModuleCall[];
  /** Values of `terraform.tfvars` and `*.auto.tfvars` (Terraform loads them in a root module). */
  readonly tfvars: ReadonlyMap<string, TfDefinition>;
}

const metaArguments = new Set(['source', 'version', 'count', 'for_each', 'providers', 'depends_on']);

/** The folder part of a root-relative path. */
export function dirOf(path: string): string {
  const at = path.lastIndexOf('/');
  return at < 0 ? '' : path.slice(0, at);
}

/** `dir` joined with a relative path, `.` and `..` resolved; null when it leaves the repository. */
export function joinPath(dir: string, relative: string): string | null {
  if (relative.startsWith('/') || /^[A-Za-z]:[\\/]/.test(relative)) return null;
  const parts = dir === '' ? [] : dir.split('/');
  for (const part of relative.replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return null;
      parts.pop();
      continue;
    }
    parts.push(part);
  }
  return parts.join('/');
}

/** The origin of a span of a Terraform file. */
export function originIn(file: TfFile, span: Span, verbatim = true, source: Origin['source'] = 'terraform'): Origin {
  const { line, column } = file.lines.position(span[0]);
  return { source, file: file.path, line, column, span: verbatim ? span : null };
}

/** Reads one file as HCL; a syntax error becomes a problem naming the file and line. */
export function parseTfFile(path: string, text: string, problems: RenderProblem[]): TfFile | null {
  const result = parseHcl(text);
  if (!result.ok) {
    problems.push({
      code: 'terraform-syntax',
      at: { source: 'terraform', file: path, line: result.error.line, column: result.error.column, span: null },
      message: `${path}:${result.error.line}: not valid HCL: ${result.error.message}`,
    });
    return null;
  }
  return { path, text, body: result.body, lines: new LineIndex(text) };
}

/** The literal string of an expression (a quoted string without interpolation), else null. */
export function literalString(expr: HclExpr | undefined): string | null {
  if (!expr || expr.kind !== 'template') return null;
  let out = '';
  for (const part of expr.parts) {
    if (part.kind !== 'text') return null;
    out += part.value;
  }
  return out;
}

export function attributeOf(body: HclBody, name: string): HclAttribute | null {
  for (const item of body.items) if (item.kind === 'attribute' && item.name === name) return item;
  return null;
}

export function blocksOf(body: HclBody, type: string): HclBlock[] {
  return body.items.filter((item): item is HclBlock => item.kind === 'block' && item.type === type);
}

/**
 * Every Terraform module of the repository: the `.tf` files grouped by folder (`.tf.json` files are not read).
 * Files that do not parse are left out, each with a problem.
 */
export function loadModules(files: FileSource, problems: RenderProblem[]): TfModule[] {
  const byDir = new Map<string, string[]>();
  for (const path of files.list('')) {
    if (!path.endsWith('.tf') && !path.endsWith('.tfvars')) continue;
    const dir = dirOf(path);
    const list = byDir.get(dir) ?? [];
    list.push(path);
    byDir.set(dir, list);
  }
  const modules: TfModule[] = [];
  for (const [dir, paths] of [...byDir].sort((a, b) => compareStrings(a[0], b[0]))) {
    if (!paths.some((path) => path.endsWith('.tf'))) continue;
    modules.push(loadModule(dir, paths.sort(compareStrings), files, problems));
  }
  return modules;
}

function loadModule(dir: string, paths: readonly string[], files: FileSource, problems: RenderProblem[]): TfModule {
  const parsed: TfFile[] = [];
  const tfvarsFiles: TfFile[] = [];
  for (const path of paths) {
    const name = path.slice(dir === '' ? 0 : dir.length + 1);
    const isTfvars = name === 'terraform.tfvars' || name.endsWith('.auto.tfvars');
    if (!path.endsWith('.tf') && !isTfvars) continue;
    const text = files.read(path);
    if (text === null) continue;
    const file = parseTfFile(path, text, problems);
    if (!file) continue;
    (isTfvars ? tfvarsFiles : parsed).push(file);
  }
  const locals = new Map<string, TfDefinition>();
  const variables = new Map<string, TfVariable>();
  const outputs = new Map<string, TfDefinition>();
  const resources: TfResource[] = [];
  const calls: TfModuleCall[] = [];
  for (const file of parsed) {
    for (const item of file.body.items) {
      if (item.kind !== 'block') continue;
      const [first, second] = item.labels;
      switch (item.type) {
        case 'locals':
          for (const attr of item.body.items) if (attr.kind === 'attribute') locals.set(attr.name, { name: attr.name, attr, file });
          break;
        case 'variable':
          if (first) variables.set(first.value, { name: first.value, block: item, file, default: attributeOf(item.body, 'default') });
          break;
        case 'output': {
          const value = attributeOf(item.body, 'value');
          if (first && value) outputs.set(first.value, { name: first.value, attr: value, file });
          break;
        }
        case 'resource':
        case 'data':
          if (first && second) resources.push({ mode: item.type, type: first.value, name: second.value, block: item, file });
          break;
        case 'module': {
          if (!first) break;
          const source = literalString(attributeOf(item.body, 'source')?.expr);
          const local = source !== null && (source.startsWith('./') || source.startsWith('../'));
          calls.push({
            name: first.value,
            block: item,
            file,
            source,
            dir: local && source !== null ? joinPath(dir, source) : null,
            inputs: item.body.items.filter((input): input is HclAttribute => input.kind === 'attribute' && !metaArguments.has(input.name)),
          });
          break;
        }
        default:
          break;
      }
    }
  }
  // terraform.tfvars first, then *.auto.tfvars in lexical order: later files win, as Terraform loads them.
  const tfvars = new Map<string, TfDefinition>();
  const ordered = [...tfvarsFiles].sort((a, b) => Number(!a.path.endsWith('/terraform.tfvars') && a.path !== 'terraform.tfvars') - Number(!b.path.endsWith('/terraform.tfvars') && b.path !== 'terraform.tfvars') || compareStrings(a.path, b.path));
  for (const file of ordered) {
    for (const item of file.body.items) if (item.kind === 'attribute') tfvars.set(item.name, { name: item.name, attr: item, file });
  }
  return { dir, files: parsed, locals, variables, outputs, resources, calls, tfvars };
}
