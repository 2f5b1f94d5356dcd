import type { Node, Parser } from 'web-tree-sitter';
import { displayText, type Origin, type RNode, type ScalarPart } from '../../k8s/rendered.js';
import { firstError, walkTree, withTree } from '../../code/tree-sitter.js';
import { interpretAz, type AzContext } from './az.js';
import { AddonCollector, brief, joinParts, partsOf } from './collect.js';
import type { AddonSource } from './types.js';

/**
 * Shell and PowerShell scripts, parsed with tree-sitter, read for `az` commands: each argument evaluated to text with
 * its origin, variables resolved when the script assigns them literally before the command (bash `X=value`,
 * `export X=value`; PowerShell `$X = 'value'`, `$env:X = ...`, a param's literal default), or from the environment
 * the script runs in (a pipeline step's `env:`, an Azure pipeline's `variables:`); everything else stays unknown with
 * the variable's expression (`$RESOURCE_ID`) and why.
 */

/** Marks a pipeline expression replaced in a script: `\uE010` index, optional `\uE012` fillers, `\uE011`. */
export const markerOpen = '\uE010';
export const markerClose = '\uE011';
export const markerFill = '\uE012';
const markerPattern = /\uE010(\d+)\uE012*\uE011/g;

/** A script as the shell sees it, with the way back to the file it is written in. */
export interface ScriptText {
  readonly file: string;
  /** The script text, pipeline expressions replaced by markers. */
  readonly text: string;
  /** The file's line and column (1-based) of a 0-based row and column of `text`. */
  readonly place: (row: number, column: number) => { readonly line: number; readonly column: number };
  /** The value each marker stands for. */
  readonly markers: readonly RNode[];
  /** Variables set outside the script (a step's `env:`, pipeline variables), by name. */
  readonly env: ReadonlyMap<string, RNode>;
  readonly source: Extract<AddonSource, 'az-cli' | 'pipeline'>;
}

/** A script file read on its own: its own lines, no markers, no outside variables. */
export function plainScript(file: string, text: string): ScriptText {
  return { file, text, place: (row, column) => ({ line: row + 1, column: column + 1 }), markers: [], env: new Map(), source: 'az-cli' };
}

/** Variables are followed through this many assignments. */
const maxVariableDepth = 16;

const azWord = /\baz(\.cmd|\.exe)?\b/i;
const addonWord = /\b(pod-identity|enable-oidc-issuer|enable-workload-identity|disable-workload-identity|managedClusters)\b/i;

/** Quick test (a prefilter, never the verdict): could the text hold a command this module reads? Linear in the text. */
export function looksLikeAddonScript(text: string): boolean {
  return azWord.test(text) && addonWord.test(text);
}

function originAt(script: ScriptText, node: Node): Origin {
  const { line, column } = script.place(node.startPosition.row, node.startPosition.column);
  return { source: 'script', file: script.file, line, column, span: null };
}

/** A script's text for a message: markers shown as the pipeline expressions or values they stand for. */
function shownText(text: string, script: ScriptText): string {
  return text.replace(markerPattern, (whole, index: string) => displayText(script.markers[Number(index)]) ?? whole);
}

/** Literal text of a script with markers put back as the parts they stand for. */
function textParts(text: string, origin: Origin, script: ScriptText): ScalarPart[] {
  const parts: ScalarPart[] = [];
  let cursor = 0;
  for (const match of text.matchAll(markerPattern)) {
    const at = match.index ?? 0;
    if (at > cursor) parts.push({ text: text.slice(cursor, at), origin });
    const value = script.markers[Number(match[1])];
    parts.push(...((value && partsOf(value)) ?? [{ unknown: { expression: match[0], reason: 'a pipeline expression', origin } }]));
    cursor = at + match[0].length;
  }
  if (cursor < text.length || parts.length === 0) parts.push({ text: text.slice(cursor), origin });
  return parts;
}

/** Reads a bash script (or a Makefile recipe, a pipeline step) for `az` commands. */
export function readBashScript(script: ScriptText, parser: Parser, collector: AddonCollector, context: AzContext): void {
  withTree(parser, script.text, (tree) => {
    const error = firstError(tree.rootNode);
    if (error) collector.problem('addon-script-parse-error', originAt(script, error), `${script.file}: the shell script has a syntax error here; the commands around it are still read`);
    const reader = new BashReader(script, tree.rootNode);
    for (const command of reader.commands) reader.read(command, collector, context);
  });
}

interface Assignment {
  readonly start: number;
  readonly node: Node;
  readonly value: Node | null;
}

const bashTypes = new Set(['variable_assignment', 'command']);
const wrappers = new Set(['sudo', 'time', 'exec', 'nohup', 'command', 'eval']);

class BashReader {
  readonly commands: Node[] = [];
  readonly #script: ScriptText;
  readonly #assignments = new Map<string, Assignment[]>();

  constructor(script: ScriptText, root: Node) {
    this.#script = script;
    walkTree(root, null, (node) => {
      if (node.type === 'heredoc_body' || node.type === 'comment') return false;
      if (node.type === 'variable_assignment') {
        const name = node.childForFieldName('name')?.text;
        if (name) {
          const list = this.#assignments.get(name) ?? [];
          list.push({ start: node.startIndex, node, value: node.childForFieldName('value') });
          this.#assignments.set(name, list);
        }
      } else if (node.type === 'command') {
        this.commands.push(node);
      }
      return null;
    }, new Set([...bashTypes, 'heredoc_body', 'comment']));
  }

  read(command: Node, collector: AddonCollector, context: AzContext): void {
    const nameNode = command.childForFieldName('name');
    let words = command.childrenForFieldName('argument').filter((child): child is Node => child !== null && child.type !== 'file_redirect' && child.type !== 'heredoc_redirect' && child.type !== 'herestring_redirect');
    let name = nameNode ? this.#literal(nameNode.namedChild(0) ?? nameNode, command.startIndex) : null;
    // `sudo az ...`, `time az ...`: the command is the first word that is not the wrapper or its options.
    while (name !== null && wrappers.has(basename(name))) {
      const index = words.findIndex((word) => !word.text.startsWith('-'));
      const next = words[index];
      if (!next) return;
      name = this.#literal(next, command.startIndex);
      words = words.slice(index + 1);
    }
    if (name === null || !/^az(\.cmd|\.exe)?$/.test(basename(name))) return;
    const args = words.map((word) => joinParts(this.#parts(word, command.startIndex, 0), originAt(this.#script, word), 'shell word'));
    interpretAz({ args, at: originAt(this.#script, command), text: shownText(command.text, this.#script), source: this.#script.source }, collector, context);
  }

  #literal(node: Node, at: number): string | null {
    const value = joinParts(this.#parts(node, at, 0), originAt(this.#script, node), 'shell word');
    return value.kind === 'scalar' ? String(value.value) : null;
  }

  /** The pieces of a shell word: literal text, variables resolved as of offset `at`, unknowns. */
  #parts(node: Node, at: number, depth: number): ScalarPart[] {
    const origin = originAt(this.#script, node);
    switch (node.type) {
      case 'word':
      case 'number':
        return textParts(node.text.replace(/\\(.)/g, '$1'), origin, this.#script);
      case 'raw_string':
        return textParts(node.text.slice(1, -1), origin, this.#script);
      case 'ansi_c_string':
        return textParts(node.text.slice(2, -1), origin, this.#script);
      case 'string': {
        const parts: ScalarPart[] = [];
        // Text between the children is literal too (tree-sitter leaves some of it outside string_content nodes).
        let cursor = node.startIndex + 1;
        const end = node.endIndex - 1;
        for (let i = 0; i < node.namedChildCount; i++) {
          const child = node.namedChild(i);
          if (!child) continue;
          if (child.startIndex > cursor) parts.push(...textParts(unescapeDouble(this.#slice(cursor, child.startIndex)), origin, this.#script));
          if (child.type === 'string_content') parts.push(...textParts(unescapeDouble(child.text), originAt(this.#script, child), this.#script));
          else parts.push(...this.#parts(child, at, depth));
          cursor = child.endIndex;
        }
        if (end > cursor) parts.push(...textParts(unescapeDouble(this.#slice(cursor, end)), origin, this.#script));
        return parts;
      }
      case 'concatenation': {
        const parts: ScalarPart[] = [];
        for (let i = 0; i < node.childCount; i++) {
          const child = node.child(i);
          if (child) parts.push(...this.#parts(child, at, depth));
        }
        return parts;
      }
      case 'simple_expansion':
      case 'expansion':
        return this.#variable(node, at, depth);
      case 'command_substitution':
        return [{ unknown: { expression: brief(node.text, 120), reason: 'the output of a command, known only when the script runs', origin } }];
      default:
        return [{ unknown: { expression: brief(node.text, 120), reason: `a shell ${node.type.replace(/_/g, ' ')}, not read`, origin } }];
    }
  }

  #slice(start: number, end: number): string {
    return this.#script.text.slice(start, end);
  }

  #variable(node: Node, at: number, depth: number): ScalarPart[] {
    const origin = originAt(this.#script, node);
    const expression = node.text;
    const name = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(expression)?.[1] ?? null;
    const unknown = (reason: string): ScalarPart[] => [{ unknown: { expression, reason, origin } }];
    if (!name) {
      const inner = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-=?+])/.exec(expression);
      return unknown(inner ? `${inner[1]} with a default or check (${expression}); pod2wi does not guess which applies` : 'a shell expansion pod2wi does not compute');
    }
    if (depth >= maxVariableDepth) return unknown(`variables refer to each other more than ${maxVariableDepth} times`);
    const assignment = [...(this.#assignments.get(name) ?? [])].reverse().find((candidate) => candidate.start < at);
    if (assignment) {
      const value = assignment.value;
      const line = this.#script.place(assignment.node.startPosition.row, 0).line;
      if (!value) return [{ text: '', origin }];
      if (value.type === 'command_substitution' || containsType(value, 'command_substitution')) {
        return unknown(`${name} is set at line ${line} from a command (${brief(value.text, 60)}), known only when the script runs`);
      }
      return viaVariable(this.#parts(value, assignment.start, depth + 1), expression, `${name} is set at line ${line} to ${brief(value.text, 60)}`, origin);
    }
    const outside = this.#script.env.get(name);
    if (outside) return partsOf(outside) ?? unknown(`${name} is not text`);
    return unknown(`${name} is not set in this script: it comes from the environment or a caller`);
  }
}

/**
 * A variable's value as parts; when nothing of it is known (`NS=$2`), the variable itself is the unknown, with where
 * it is set and why its value is not known.
 */
function viaVariable(parts: ScalarPart[], expression: string, setAt: string, origin: Origin): ScalarPart[] {
  if (parts.some((part) => 'text' in part && part.text !== '')) return parts;
  const reasons = parts.flatMap((part) => ('unknown' in part ? [`${part.unknown.expression}: ${part.unknown.reason}`] : []));
  if (reasons.length === 0) return parts;
  return [{ unknown: { expression, reason: `${setAt} (${reasons.join('; ')})`, origin } }];
}

function containsType(node: Node, type: string): boolean {
  return node.descendantsOfType(type).length > 0;
}

function basename(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

function unescapeDouble(text: string): string {
  return text.replace(/\\([$`"\\\n])/g, (_, char: string) => (char === '\n' ? '' : char));
}

/** Reads a PowerShell script (or a pipeline's pwsh step) for `az` commands. */
export function readPowerShellScript(script: ScriptText, parser: Parser, collector: AddonCollector, context: AzContext): void {
  withTree(parser, script.text, (tree) => {
    const error = firstError(tree.rootNode);
    if (error) collector.problem('addon-script-parse-error', originAt(script, error), `${script.file}: the PowerShell script has a syntax error here; the commands around it are still read`);
    const reader = new PowerShellReader(script, tree.rootNode);
    for (const command of reader.commands) reader.read(command, collector, context);
  });
}

const powerShellTypes = new Set(['assignment_expression', 'script_parameter', 'command', 'comment']);

class PowerShellReader {
  readonly commands: Node[] = [];
  readonly #script: ScriptText;
  /** Assignments by lower-case name (`$x`, `$env:x`): PowerShell names are case-insensitive. */
  readonly #assignments = new Map<string, Assignment[]>();
  readonly #parameters = new Map<string, { readonly node: Node; readonly value: Node | null }[]>();

  constructor(script: ScriptText, root: Node) {
    this.#script = script;
    walkTree(root, null, (node) => {
      if (node.type === 'comment') return false;
      if (node.type === 'assignment_expression') {
        const left = node.namedChild(0);
        const variable = left ? single(left, 'variable') : null;
        const operator = node.namedChildren.find((child) => child?.type === 'assignement_operator' || child?.type === 'assignment_operator');
        const value = node.namedChildren[node.namedChildCount - 1] ?? null;
        if (variable && operator?.text === '=') {
          const key = variableKey(variable.text);
          const list = this.#assignments.get(key) ?? [];
          list.push({ start: node.startIndex, node, value });
          this.#assignments.set(key, list);
        }
      } else if (node.type === 'script_parameter') {
        const variable = node.namedChildren.find((child) => child?.type === 'variable');
        const fallback = node.namedChildren.find((child) => child?.type === 'script_parameter_default');
        if (variable) {
          const key = variableKey(variable.text);
          const list = this.#parameters.get(key) ?? [];
          list.push({ node, value: fallback?.namedChild(0) ?? null });
          this.#parameters.set(key, list);
        }
      } else if (node.type === 'command') {
        this.commands.push(node);
      }
      return null;
    }, powerShellTypes);
  }

  read(command: Node, collector: AddonCollector, context: AzContext): void {
    const nameNode = command.namedChildren.find((child) => child?.type === 'command_name' || child?.type === 'command_name_expr');
    const name = nameNode ? (nameNode.type === 'command_name' ? nameNode.text : (nameNode.namedChild(0)?.text ?? '')) : '';
    if (!/^(.*[\\/])?az(\.cmd|\.exe)?$/i.test(name.replace(/^['"]|['"]$/g, ''))) return;
    const elements = command.namedChildren.find((child) => child?.type === 'command_elements');
    if (!elements) return;
    // Elements not separated by whitespace form one argument (`rg-$name`).
    const groups: Node[][] = [];
    let current: Node[] = [];
    for (let i = 0; i < elements.childCount; i++) {
      const child = elements.child(i);
      if (!child) continue;
      if (child.type === 'command_argument_sep') {
        if (current.length > 0) groups.push(current);
        current = [];
        continue;
      }
      current.push(child);
    }
    if (current.length > 0) groups.push(current);
    const args = groups.map((group) => {
      const parts = group.flatMap((node) => this.#parts(node, command.startIndex, 0));
      const firstNode = group[0];
      return joinParts(parts, firstNode ? originAt(this.#script, firstNode) : originAt(this.#script, command), 'PowerShell argument');
    });
    interpretAz({ args, at: originAt(this.#script, command), text: shownText(command.text, this.#script), source: this.#script.source }, collector, context);
  }

  #parts(node: Node, at: number, depth: number): ScalarPart[] {
    const origin = originAt(this.#script, node);
    switch (node.type) {
      case 'generic_token':
      case 'command_parameter':
        return textParts(node.text.replace(/`(.)/g, '$1'), origin, this.#script);
      case 'variable':
        return this.#variable(node, at, depth);
      case 'string_literal':
      {
        const inner = node.namedChild(0);
        return inner ? this.#parts(inner, at, depth) : [{ text: '', origin }];
      }
      case 'verbatim_string_characters':
        return textParts(node.text.slice(1, -1).replace(/''/g, "'"), origin, this.#script);
      case 'verbatim_here_string_characters':
        return textParts(hereBody(node.text), origin, this.#script);
      case 'expandable_string_literal':
      case 'expandable_here_string_literal': {
        const here = node.type === 'expandable_here_string_literal';
        const open = here ? node.text.indexOf('\n') + 1 : 1;
        const close = here ? node.text.lastIndexOf('\n') : node.text.length - 1;
        const start = node.startIndex + open;
        const end = node.startIndex + Math.max(open, close);
        const parts: ScalarPart[] = [];
        let cursor = start;
        for (let i = 0; i < node.namedChildCount; i++) {
          const child = node.namedChild(i);
          if (!child || child.startIndex < start || child.endIndex > end) continue;
          if (child.startIndex > cursor) parts.push(...textParts(unescapePowerShell(this.#script.text.slice(cursor, child.startIndex)), origin, this.#script));
          parts.push(...this.#parts(child, at, depth));
          cursor = child.endIndex;
        }
        if (end > cursor) parts.push(...textParts(unescapePowerShell(this.#script.text.slice(cursor, end)), origin, this.#script));
        return parts;
      }
      case 'sub_expression': {
        // `$(...)`: a single variable or string inside is read; anything else runs code.
        const inner = leaf(node.namedChild(0));
        if (inner && (inner.type === 'variable' || inner.type === 'string_literal')) return this.#parts(inner, at, depth);
        return [{ unknown: { expression: brief(node.text, 120), reason: 'a PowerShell sub-expression, known only when the script runs', origin } }];
      }
      default: {
        const inner = leaf(node);
        if (inner && inner !== node) return this.#parts(inner, at, depth);
        const reason = node.type === 'member_access' ? 'a property of an object, known only when the script runs' : `a PowerShell ${node.type.replace(/_/g, ' ')}, not read`;
        return [{ unknown: { expression: brief(node.text, 120), reason, origin } }];
      }
    }
  }

  #variable(node: Node, at: number, depth: number): ScalarPart[] {
    const origin = originAt(this.#script, node);
    const expression = node.text;
    const unknown = (reason: string): ScalarPart[] => [{ unknown: { expression, reason, origin } }];
    const key = variableKey(expression);
    const shown = expression.replace(/^\$\{?|\}$/g, '');
    if (depth >= maxVariableDepth) return unknown(`variables refer to each other more than ${maxVariableDepth} times`);
    const assignment = [...(this.#assignments.get(key) ?? [])].reverse().find((candidate) => candidate.start < at);
    if (assignment) {
      const line = this.#script.place(assignment.node.startPosition.row, 0).line;
      const value = assignment.value ? leaf(assignment.value) : null;
      if (!value || !isStringy(value)) return unknown(`$${shown} is set at line ${line} by ${brief(assignment.value?.text ?? '', 60)}, known only when the script runs`);
      return viaVariable(this.#parts(value, assignment.start, depth + 1), expression, `$${shown} is set at line ${line} to ${brief(value.text, 60)}`, origin);
    }
    if (key.startsWith('env:')) {
      const name = key.slice(4);
      for (const [variable, value] of this.#script.env) if (variable.toLowerCase() === name) return partsOf(value) ?? unknown(`${variable} is not text`);
      return unknown(`$${shown} is not set in this script: it comes from the environment`);
    }
    const parameter = this.#parameters.get(key)?.find((candidate) => candidate.node.startIndex < at);
    if (parameter) {
      const value = parameter.value ? leaf(parameter.value) : null;
      if (value && value.type === 'string_literal') {
        const parts = this.#parts(value, parameter.node.startIndex, depth + 1);
        return parts.map((part) => ('text' in part ? { ...part, origin: { ...part.origin, via: `the default of parameter $${shown} (a caller may pass another value)` } } : part));
      }
      return unknown(`$${shown} is a parameter of the script or function, given by its caller`);
    }
    for (const [variable, value] of this.#script.env) if (`env:${variable.toLowerCase()}` === key || variable.toLowerCase() === key) return partsOf(value) ?? unknown(`${variable} is not text`);
    return unknown(`$${shown} is not set in this script`);
  }
}

/** `$Name`, `${Name}`, `$env:NAME` → `name`, `env:name`. */
function variableKey(text: string): string {
  return text.replace(/^\$\{?/, '').replace(/\}$/, '').replace(/^(global|script|local|private):/i, '').toLowerCase();
}

/** A node's only descendant of a type through single-child wrappers (PowerShell expressions nest deeply). */
function single(node: Node, type: string): Node | null {
  const inner = leaf(node);
  return inner?.type === type ? inner : null;
}

/** Descends through nodes with one named child (pipeline → ... → unary_expression → variable). */
function leaf(node: Node | null): Node | null {
  let current = node;
  for (let i = 0; current && i < 64; i++) {
    if (current.namedChildCount !== 1 || stops.has(current.type)) return current;
    current = current.namedChild(0);
  }
  return current;
}

const stops = new Set(['string_literal', 'variable', 'sub_expression', 'member_access', 'command', 'expandable_string_literal', 'expandable_here_string_literal']);

function isStringy(node: Node): boolean {
  return node.type === 'string_literal' || node.type === 'variable' || node.type === 'generic_token';
}

function hereBody(text: string): string {
  const open = text.indexOf('\n') + 1;
  const close = text.lastIndexOf('\n');
  return text.slice(open, Math.max(open, close));
}

function unescapePowerShell(text: string): string {
  return text.replace(/""/g, '"').replace(/`(.)/g, (_, char: string) => ({ n: '\n', r: '\r', t: '\t', '0': '\0' })[char] ?? char);
}
