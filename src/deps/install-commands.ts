/**
 * Versions pinned outside dependency manifests: package installs in a folder's Dockerfiles and scripts
 * (`RUN pip install azure-identity==1.5.0`, `npm install @azure/identity@1.2.0`, `dotnet add package Azure.Identity
 * --version 1.4.0`, `go get github.com/Azure/azure-sdk-for-go/sdk/azidentity@v1.1.0`). An image built that way runs
 * that version whatever a manifest beside it says, so the command is a declaration like any other.
 *
 * Command lines are read as a shell splits them (continuation lines joined, `&&`, `||`, `;` and `|` separate
 * commands, quotes removed); nothing is run. Options that take a value are skipped with their value.
 */
import type { Ecosystem } from '../model/application.js';
import { normalizePypiName } from './versions/pep440.js';
import { readText } from './files.js';
import type { AppFolder, FoundDependency, ReadContext } from './types.js';

/** Files whose commands install packages into what the folder deploys. */
const commandFile = /^(Dockerfile|Containerfile)([.-].*)?$|\.(dockerfile|containerfile|sh|bash)$/i;

/** Options of each installer that take a value (skipped with it). */
const pipOptionsWithValue = new Set(['-r', '--requirement', '-c', '--constraint', '-e', '--editable', '-i', '--index-url', '--extra-index-url', '-f', '--find-links', '-t', '--target', '--prefix', '--root', '--trusted-host', '--platform', '--python-version', '--implementation', '--abi', '--progress-bar', '--cache-dir', '--src', '--log', '--timeout', '--retries']);
const npmOptionsWithValue = new Set(['--registry', '--prefix', '-C', '--cwd', '--tag', '--workspace', '-w', '--cache']);

/** The installs written in the folder's Dockerfiles and shell scripts. */
export function installCommandDependencies(folder: AppFolder, context: ReadContext): FoundDependency[] {
  const found: FoundDependency[] = [];
  for (const name of folder.files) {
    if (!commandFile.test(name)) continue;
    const path = folder.path === '.' ? name : `${folder.path}/${name}`;
    const file = readText(context, path);
    if (!file) continue;
    for (const command of commandsOf(file.text)) found.push(...installsOf(command.words, path));
  }
  return found;
}

interface Word {
  readonly text: string;
  readonly line: number;
}

interface Command {
  readonly words: readonly Word[];
}

/** Shell commands of a script or Dockerfile, each word with its line (Dockerfile instructions stripped). */
function commandsOf(text: string): Command[] {
  const lines = text.split(/\r?\n/);
  const commands: Command[] = [];
  for (let index = 0; index < lines.length; index++) {
    // A logical line joins continuation lines; `starts` maps its offsets back to physical lines.
    const starts: { offset: number; line: number }[] = [{ offset: 0, line: index + 1 }];
    let logical = lines[index] ?? '';
    while (/\\\s*$/.test(logical) && index + 1 < lines.length) {
      logical = logical.replace(/\\\s*$/, ' ');
      starts.push({ offset: logical.length, line: index + 2 });
      logical += lines[++index] ?? '';
    }
    if (logical.length > 20_000) continue;
    const lineAt = (offset: number) => {
      let line = starts[0]?.line ?? 1;
      for (const start of starts) if (start.offset <= offset) line = start.line;
      return line;
    };
    const instruction = /^\s*RUN\s+/i.exec(logical);
    const from = instruction ? instruction[0].length : 0;
    for (const segment of splitCommands(logical, from)) {
      const words = shellWords(segment.text, segment.offset).map((word) => ({ text: word.text, line: lineAt(word.offset) }));
      const comment = words.findIndex((word) => word.text.startsWith('#'));
      const kept = comment >= 0 ? words.slice(0, comment) : words;
      if (kept.length > 0) commands.push({ words: kept });
    }
  }
  return commands;
}

function splitCommands(text: string, from: number): { text: string; offset: number }[] {
  const parts: { text: string; offset: number }[] = [];
  let start = from;
  let quote: string | null = null;
  for (let i = from; i < text.length; i++) {
    const char = text[i] ?? '';
    if (quote) {
      if (char === quote) quote = null;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === ';' || char === '|' || (char === '&' && text[i + 1] === '&')) {
      parts.push({ text: text.slice(start, i), offset: start });
      if (char === '&' || (char === '|' && text[i + 1] === '|')) i++;
      start = i + 1;
    }
  }
  parts.push({ text: text.slice(start), offset: start });
  return parts;
}

function shellWords(text: string, base: number): { text: string; offset: number }[] {
  const words: { text: string; offset: number }[] = [];
  let current: string | null = null;
  let begin = 0;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const char = text[i] ?? '';
    if (quote) {
      if (char === quote) quote = null;
      else current = (current ?? '') + char;
    } else if (char === '"' || char === "'") {
      quote = char;
      if (current === null) {
        current = '';
        begin = i;
      }
    } else if (/\s/.test(char)) {
      if (current !== null) words.push({ text: current, offset: base + begin });
      current = null;
    } else {
      if (current === null) {
        current = '';
        begin = i;
      }
      current += char;
    }
  }
  if (current !== null) words.push({ text: current, offset: base + begin });
  return words;
}

/** The packages one command installs, with their versions. */
function installsOf(written: readonly Word[], file: string): FoundDependency[] {
  let start = 0;
  while (written[start]?.text === 'sudo' || /^[A-Z_][A-Z0-9_]*=/.test(written[start]?.text ?? '')) start++;
  const rest = written.slice(start).map((word) => word.text);
  const lineOf = new Map<string, number>();
  for (const word of written) if (!lineOf.has(word.text)) lineOf.set(word.text, word.line);
  const [tool, verb, ...args] = rest;
  const first = written[start]?.line ?? 1;
  const dependency = (ecosystem: Ecosystem, name: string, version: string | null, declared: string | null, word: string): FoundDependency => ({
    ecosystem,
    name,
    version,
    declared,
    resolution: version === null ? 'unresolved' : 'exact',
    skip: version === null ? 'unpinned' : null,
    file,
    line: lineOf.get(word) ?? first,
    direct: true,
  });
  const operands = (list: readonly string[], withValue: ReadonlySet<string>) => {
    const result: string[] = [];
    for (let i = 0; i < list.length; i++) {
      const word = list[i] ?? '';
      if (word.startsWith('-')) {
        if (withValue.has(word)) i++;
        continue;
      }
      result.push(word);
    }
    return result;
  };

  // pip install / pip3 install / python -m pip install
  const pipArgs = (tool === 'pip' || tool === 'pip3') && verb === 'install' ? args
    : /^python[0-9.]*$/.test(tool ?? '') && verb === '-m' && args[0] === 'pip' && args[1] === 'install' ? args.slice(2) : null;
  if (pipArgs) {
    return operands(pipArgs, pipOptionsWithValue).flatMap((operand) => {
      const match = /^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(==|>=|~=)?\s*([0-9][^,;\s]*)?$/.exec(operand);
      if (!match?.[1]) return [];
      const exact = match[3] === '==' ? match[4] ?? null : null;
      return [dependency('pypi', normalizePypiName(match[1]), exact, match[3] ? `${match[3]}${match[4] ?? ''}` : null, operand)];
    });
  }
  // npm install|i|add, yarn add, pnpm add|install
  const npmArgs = (tool === 'npm' && (verb === 'install' || verb === 'i' || verb === 'add')) || ((tool === 'yarn' || tool === 'pnpm') && (verb === 'add' || verb === 'install')) ? args : null;
  if (npmArgs) {
    return operands(npmArgs, npmOptionsWithValue).flatMap((operand) => {
      const match = /^(@[a-z0-9][\w.-]*\/[a-z0-9][\w.-]*|[a-z0-9][\w.-]*)(?:@(.+))?$/i.exec(operand);
      if (!match?.[1]) return [];
      const spec = match[2] ?? null;
      const exact = spec && /^v?\d+\.\d+\.\d+(-[\w.]+)?$/.test(spec) ? spec.replace(/^v/, '') : null;
      return [dependency('npm', match[1], exact, spec, operand)];
    });
  }
  // dotnet add [PROJECT] package NAME [--version|-v VERSION]
  if (tool === 'dotnet' && verb === 'add') {
    const at = args.indexOf('package');
    const name = at >= 0 ? args[at + 1] : undefined;
    if (!name || name.startsWith('-')) return [];
    const tail = args.slice(at + 2);
    const flag = tail.findIndex((word) => word === '--version' || word === '-v');
    const version = flag >= 0 ? (tail[flag + 1] ?? null) : null;
    return [dependency('nuget', name, version && /^\d+(\.\d+){1,3}(-[\w.]+)?$/.test(version) ? version : null, version, name)];
  }
  // go get MODULE@VERSION, go install MODULE@VERSION
  if (tool === 'go' && (verb === 'get' || verb === 'install')) {
    return operands(args, new Set()).flatMap((operand) => {
      const match = /^([a-z0-9.-]+\.[a-z]{2,}\/[^@\s]+)@(v\d+\.\d+\.\d+[^\s]*)$/.exec(operand);
      return match?.[1] && match[2] ? [dependency('go', match[1], match[2], match[2], operand)] : [];
    });
  }
  return [];
}
