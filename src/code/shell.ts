import type { Node, Parser } from 'web-tree-sitter';
import type { IdentitySelection, SourceLanguage } from '../model/application.js';
import type { FileFacts, Position } from './facts.js';
import { FactsBuilder } from './facts.js';
import type { CommandRule, CredentialRules } from './rules.js';
import type { StringCandidate, StringDialect, StringPart } from './strings.js';
import { evaluateString, literalValue, recordStrings } from './strings.js';
import { namedChildren, positionOf, walkTree, withTree } from './tree-sitter.js';

const dialect: StringDialect<Node> = {
  parts(node) {
    switch (node.type) {
      case 'word':
      case 'number':
        return [{ literal: node.text }];
      case 'raw_string':
        return [{ literal: node.text.slice(1, -1) }];
      case 'ansi_c_string':
        return [{ literal: node.text.slice(2, -1) }];
      case 'string': {
        const parts: Array<StringPart<Node>> = [];
        for (const child of namedChildren(node)) {
          if (child.type === 'string_content') parts.push({ literal: child.text });
          else if (child.type === 'simple_expansion' || child.type === 'expansion') parts.push({ operand: child });
          else parts.push({ hole: true });
        }
        return parts;
      }
      case 'concatenation':
        return namedChildren(node).map((operand) => ({ operand }));
      default:
        return null;
    }
  },
  name(node) {
    if (node.type !== 'simple_expansion' && node.type !== 'expansion') return null;
    return namedChildren(node).find((child) => child.type === 'variable_name')?.text ?? null;
  },
  position: positionOf,
};

const shells = new Set(['sh', 'bash', 'dash', 'ash', 'ksh', 'zsh']);
const messageCommands = new Set(['echo', 'printf', 'logger']);

/** The node types the walk stops at (everything else only passes its context on). */
const visited = new Set([
  'comment', 'heredoc_body', 'variable_assignment', 'simple_expansion', 'expansion', 'command', 'number', 'word',
  'raw_string', 'ansi_c_string', 'string', 'concatenation',
]);

interface Context {
  readonly message: boolean;
}

/** Nested `sh -c '...'` scripts are read this deep. */
const maxNesting = 2;

/**
 * Shell scripts through the tree-sitter bash grammar: commands and their arguments (comments and heredoc bodies are
 * not commands), variable assignments as constants, `$VAR` reads, `export VAR=value` settings, and `sh -c '...'`
 * scripts parsed in turn. `language` is `dockerfile` when the script comes from RUN/CMD/ENTRYPOINT instructions.
 */
export function analyzeShell(root: Node, parser: Parser, rules: CredentialRules, language: SourceLanguage = 'shell', depth = 0): FileFacts {
  const facts = new FactsBuilder(language);
  const constants = new Map<string, Node>();
  const strings: Array<StringCandidate<Node>> = [];
  const commands: Node[] = [];

  walkTree<Context>(root, { message: false }, (node, context) => {
    switch (node.type) {
      case 'comment':
      case 'heredoc_body':
        return false;
      case 'variable_assignment': {
        const name = node.childForFieldName('name')?.text;
        const value = node.childForFieldName('value');
        if (name && value) {
          if (!constants.has(name)) constants.set(name, value);
          const rule = rules.environment.get(name);
          if (rule?.on === 'set') facts.environment.push({ at: positionOf(node), name, kind: 'set', value: literalValue(value, dialect) });
        }
        return context;
      }
      case 'simple_expansion':
      case 'expansion': {
        const name = dialect.name(node);
        if (name && rules.environment.get(name)?.on === 'read') facts.environment.push({ at: positionOf(node), name, kind: 'read', value: null });
        return context;
      }
      case 'command': {
        commands.push(node);
        const name = commandName(node);
        return { message: context.message || (name !== null && messageCommands.has(name)) };
      }
      case 'number': {
        const value = Number(node.text);
        if (Number.isSafeInteger(value)) facts.numbers.add(value);
        break;
      }
      default:
        break;
    }
    if (dialect.parts(node) && node.parent?.type !== 'concatenation' && node.parent?.type !== 'command_name') {
      strings.push({ node, message: context.message });
      return context;
    }
    return context;
  }, visited);

  for (const command of commands) readCommand(command, constants, rules, facts);
  for (const command of commands) {
    const script = nestedScript(command);
    if (!script || depth >= maxNesting) continue;
    const text = literalValue(script, dialect);
    if (text === null) continue;
    const nested = withTree(parser, text, (tree) => analyzeShell(tree.rootNode, parser, rules, language, depth + 1));
    if (nested) mergeAt(facts, nested, positionOf(script));
  }
  recordStrings(strings, dialect, constants, facts);
  return facts.build();
}

function commandName(command: Node): string | null {
  const name = command.childForFieldName('name');
  const text = name ? literalValue(name.namedChild(0) ?? name, dialect) : null;
  return text === null ? null : text.slice(text.lastIndexOf('/') + 1);
}

function argumentsOf(command: Node): Node[] {
  return command.childrenForFieldName('argument').filter((child): child is Node => child !== null);
}

/** `sh -c 'script'`: the script argument. */
function nestedScript(command: Node): Node | null {
  const name = commandName(command);
  if (name === null || !shells.has(name)) return null;
  const args = argumentsOf(command);
  const flag = args.findIndex((arg) => /^-[a-z]*c[a-z]*$/.test(arg.text));
  return flag >= 0 ? (args[flag + 1] ?? null) : null;
}

/** Uses found in a nested script are reported at the script argument. */
function mergeAt(facts: FactsBuilder, nested: FileFacts, at: Position): void {
  for (const site of nested.sites) facts.sites.push({ ...site, at });
  for (const expression of nested.strings) facts.strings.push({ ...expression, at });
  for (const access of nested.environment) facts.environment.push({ ...access, at });
  for (const option of nested.options) facts.options.push({ ...option, at });
  for (const use of nested.direct) facts.direct.push({ ...use, at });
  for (const key of nested.keys) facts.keys.add(key);
  for (const number of nested.numbers) facts.numbers.add(number);
}

function readCommand(command: Node, constants: ReadonlyMap<string, Node>, rules: CredentialRules, facts: FactsBuilder): void {
  const name = commandName(command);
  if (name === null) return;
  const args = argumentsOf(command).map((arg) => (evaluateString(arg, dialect, constants) ?? []).map((segment) => segment.text).join(''));
  for (const rule of rules.commands) {
    if (rule.command !== name) continue;
    const use = matchCommand(rule, args);
    if (use) facts.direct.push({ at: positionOf(command), api: rule.api, category: rule.category, ...use });
  }
}

/** Whether the arguments make this command line the rule's use; with the identity it selects when the rule says. */
export function matchCommand(rule: CommandRule, args: readonly string[]): { detail: string; selection?: IdentitySelection } | null {
  if ('flags' in rule) {
    const positional = args.filter((arg) => !arg.startsWith('-'));
    if (!rule.words.every((word, index) => positional[index] === word)) return null;
    if (!args.some((arg) => rule.flags.some((flag) => arg === flag || arg.startsWith(`${flag}=`)))) return null;
    let selection: IdentitySelection = 'system-assigned/default';
    for (const option of rule.identityOptions ?? []) {
      const index = args.findIndex((arg) => arg === option.name || arg.startsWith(`${option.name}=`));
      if (index < 0) continue;
      const value = args[index]?.includes('=') ? (args[index]?.split('=').slice(1).join('=') ?? '') : (args[index + 1] ?? '');
      selection = value.startsWith('/subscriptions/') ? 'resource-id' : option.selects;
    }
    const proxyNote =
      selection === 'resource-id' || selection === 'object-id' ? '; the proxy ignores this selection and uses AZURE_CLIENT_ID' : '';
    return {
      detail: `${selection}; gets tokens from IMDS${proxyNote}; with workload identity use a federated token login instead`,
      selection,
    };
  }
  const index = args.findIndex((arg) => rule.options.includes(arg) && args[args.indexOf(arg) + 1] === rule.value);
  const inline = args.some((arg) => rule.options.some((option) => arg === `${option}=${rule.value}`));
  if (index < 0 && !inline) return null;
  return { detail: `${rule.value} login gets tokens from IMDS; with workload identity use the workload identity login mode` };
}

/**
 * A Dockerfile: RUN, CMD and ENTRYPOINT in shell form are shell scripts (read with the bash grammar, lines kept in
 * place so positions are the Dockerfile's own); exec form (`["sh", "-c", "..."]`) is read as its words; ENV and ARG
 * settings count as environment settings. Comment lines are dropped as Docker drops them.
 */
export function analyzeDockerfile(text: string, parser: Parser, rules: CredentialRules): FileFacts {
  const { instructions, lines, escape } = dockerInstructions(text);
  const shadow: string[] = lines.map(() => '');
  const execForms: Array<{ line: number; column: number; words: string[] }> = [];
  const facts = new FactsBuilder('dockerfile');
  for (const instruction of instructions) {
    const { keyword, start, offset, first, body } = instruction;
    if (keyword === 'RUN' || keyword === 'CMD' || keyword === 'ENTRYPOINT') {
      const exec = parseExecForm(instructionArguments(instruction, '\n'));
      if (exec) {
        execForms.push({ line: start + 1, column: offset + 1, words: exec });
        continue;
      }
      body.forEach((part, at) => {
        const content = at === 0 ? ' '.repeat(offset) + first.slice(offset) : part.text;
        // Keep continuation alive across dropped comment lines; use the shell's own backslash.
        const shellText = escape === '`' ? content.replace(/`\s*$/, '\\') : content;
        shadow[part.line] = part.text === '' && at > 0 && at < body.length - 1 ? '\\' : shellText;
      });
    } else if (keyword === 'ENV' || keyword === 'ARG') {
      readSettings(instructionArguments(instruction, ' ').replaceAll(escape, ' '), start + 1, offset + 1, rules, facts);
    }
  }
  const shell = withTree(parser, shadow.join('\n'), (tree) => analyzeShell(tree.rootNode, parser, rules, 'dockerfile'));
  if (shell) mergeAll(facts, shell);
  for (const exec of execForms) {
    const [program, ...args] = exec.words;
    const base = program?.slice(program.lastIndexOf('/') + 1) ?? '';
    const flag = args.findIndex((arg) => /^-[a-z]*c[a-z]*$/.test(arg));
    const script = shells.has(base) && flag >= 0 ? (args[flag + 1] ?? '') : exec.words.map(quote).join(' ');
    const nested = withTree(parser, script, (tree) => analyzeShell(tree.rootNode, parser, rules, 'dockerfile'));
    if (nested) mergeAt(facts, nested, { line: exec.line, column: exec.column });
  }
  return facts.build();
}

/** One Dockerfile instruction with its continuation lines (comment lines among them blanked, as Docker drops them). */
export interface DockerInstruction {
  /** The instruction, upper-cased (`RUN`, `CMD`). */
  readonly keyword: string;
  /** 0-based line of its first line. */
  readonly start: number;
  /** Column (0-based) where its arguments begin on the first line. */
  readonly offset: number;
  readonly first: string;
  /** Every physical line of it, the first included, with its 0-based line number. */
  readonly body: readonly { readonly line: number; readonly text: string }[];
}

/** The instructions of a Dockerfile, its lines and its escape character (`# escape=` directive, else backslash). */
export function dockerInstructions(text: string): { instructions: DockerInstruction[]; lines: string[]; escape: '\\' | '`' } {
  const lines = text.split(/\r?\n/);
  const escape = /^#\s*escape\s*=\s*`/im.test(lines.slice(0, 5).join('\n')) ? '`' : '\\';
  const instructions: DockerInstruction[] = [];
  let index = 0;
  while (index < lines.length) {
    const first = lines[index] ?? '';
    const start = index;
    // Collect one instruction with its continuation lines.
    const body: Array<{ line: number; text: string }> = [{ line: index, text: first }];
    let continued = first.trimEnd().endsWith(escape) && !/^\s*#/.test(first);
    index++;
    while (continued && index < lines.length) {
      const next = lines[index] ?? '';
      body.push({ line: index, text: /^\s*#/.test(next) ? '' : next });
      continued = /^\s*#/.test(next) || next.trim() === '' || next.trimEnd().endsWith(escape);
      index++;
    }
    const match = /^(\s*)([A-Za-z]+)(\s+)/.exec(first);
    if (!match || /^\s*#/.test(first)) continue;
    const offset = (match[1]?.length ?? 0) + (match[2]?.length ?? 0) + (match[3]?.length ?? 0);
    instructions.push({ keyword: (match[2] ?? '').toUpperCase(), start, offset, first, body });
  }
  return { instructions, lines, escape };
}

/** An instruction's arguments: the first line after its keyword and its continuation lines, joined by `separator`. */
export function instructionArguments(instruction: DockerInstruction, separator: string): string {
  return [instruction.first.slice(instruction.offset), ...instruction.body.slice(1).map((part) => part.text)].join(separator);
}

function mergeAll(facts: FactsBuilder, other: FileFacts): void {
  facts.sites.push(...other.sites);
  facts.strings.push(...other.strings);
  facts.environment.push(...other.environment);
  facts.options.push(...other.options);
  facts.direct.push(...other.direct);
  for (const key of other.keys) facts.keys.add(key);
  for (const number of other.numbers) facts.numbers.add(number);
}

export function parseExecForm(text: string): string[] | null {
  const trimmed = text.trim();
  if (!trimmed.startsWith('[')) return null;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    return Array.isArray(parsed) && parsed.every((word) => typeof word === 'string') ? parsed.map(String) : null;
  } catch {
    return null;
  }
}

function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** `ENV A=1 B="two"`, `ENV A 1`, `ARG A=1`: the settings of environment variables pod2wi has rules for. */
function readSettings(text: string, line: number, column: number, rules: CredentialRules, facts: FactsBuilder): void {
  const trimmed = text.trim();
  const pairs: Array<[string, string]> = [];
  if (/^[A-Za-z_][A-Za-z0-9_]*\s+[^=\s]/.test(trimmed) && !/^[A-Za-z_][A-Za-z0-9_]*=/.test(trimmed)) {
    const [name, ...value] = trimmed.split(/\s+/);
    if (name) pairs.push([name, value.join(' ')]);
  } else {
    for (const match of trimmed.matchAll(/(?<![A-Za-z0-9_])([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g)) {
      const raw = match[2] ?? '';
      pairs.push([match[1] ?? '', /^["']/.test(raw) ? raw.slice(1, -1) : raw]);
    }
  }
  for (const [name, value] of pairs) {
    if (rules.environment.get(name)?.on !== 'set') continue;
    facts.environment.push({ at: { line, column }, name, kind: 'set', value: value.includes('$') ? null : value });
  }
}
