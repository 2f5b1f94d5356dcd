import type { Origin, RNode, ScalarPart } from '../../k8s/rendered.js';
import { joinParts, unknownNode } from './collect.js';
import { markerClose, markerFill, markerOpen, type ScriptText } from './scripts.js';

/**
 * A Makefile as a shell script (www.gnu.org/software/make/manual/make.html, "Writing Recipes"): the recipe lines
 * (a tab first, after a rule line) kept in place, every other line blank, so lines and columns stay the file's own.
 * `@`, `-` and `+` prefixes are blanked, `$$` becomes `$`, and make variables (`$(NAME)`, `${NAME}`) become markers
 * for their values: the Makefile's own `NAME = value` (`:=`, `::=`, `?=` too) with make references inside resolved,
 * or unknown (a variable given on the command line or by the environment, `$(shell ...)`, an automatic variable).
 * Make runs each recipe line in its own shell; the reader parses them as one script, so a shell variable set on one
 * recipe line is (wrongly) seen by the next.
 */
export function makefileScript(file: string, text: string): ScriptText {
  const lines = text.split('\n');
  const variables = new Map<string, { value: string; origin: Origin; append: boolean; shell: boolean }>();
  const recipe: boolean[] = lines.map(() => false);
  let inRule = false;
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').replace(/\r$/, '');
    if (line.startsWith('\t') && inRule) {
      recipe[i] = true;
      // A continued recipe line goes on with the next line, whatever it starts with.
      while (/\\$/.test(lines[i] ?? '') && i + 1 < lines.length) recipe[++i] = true;
      continue;
    }
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const assignment = /^\s*(?:export\s+|override\s+)*([A-Za-z_][A-Za-z0-9_.-]*)\s*(::?=|:::=|\?=|\+=|!=|=)\s*(.*)$/.exec(line);
    if (assignment && !/^[^=]*:[^=]/.test(line.slice(0, line.indexOf(assignment[2] ?? '=')))) {
      const name = assignment[1] ?? '';
      let value = assignment[3] ?? '';
      const valueColumn = line.length - value.length;
      while (value.endsWith('\\') && i + 1 < lines.length) value = `${value.slice(0, -1)} ${(lines[++i] ?? '').trim()}`;
      const operator = assignment[2] ?? '=';
      // `?=` keeps an earlier value; the others set it (an append or a shell call is not a literal).
      if (operator === '?=' && variables.has(name)) continue;
      variables.set(name, { value: value.replace(/\s+#.*$/, '').trim(), origin: { source: 'script', file, line: i + 1, column: valueColumn + 1, span: null }, append: operator === '+=', shell: operator === '!=' });
      inRule = false;
      continue;
    }
    inRule = /^[^\t#=]*[^:=]:(?!=)/.test(line) || /^[^\t#=]*::(?!=)/.test(line);
  }

  const markers: RNode[] = [];
  const resolve = (name: string, expression: string, origin: Origin, depth: number): RNode => {
    const variable = variables.get(name);
    if (!variable) return unknownNode(expression, `make variable ${name} is not set in this Makefile: it is given on the command line or by the environment`, origin);
    if (variable.append || variable.shell) return unknownNode(expression, `make variable ${name} is ${variable.shell ? 'the output of a shell command' : 'appended to'} (line ${variable.origin.line})`, origin);
    if (depth > 16) return unknownNode(expression, 'make variables refer to each other too deeply', origin);
    const parts: ScalarPart[] = [];
    let cursor = 0;
    for (const match of variable.value.matchAll(/\$(?:\(([^()]*)\)|\{([^{}]*)\}|([A-Za-z@<^+*?%]))/g)) {
      const at = match.index ?? 0;
      if (at > cursor) parts.push({ text: variable.value.slice(cursor, at), origin: variable.origin });
      const inner = match[1] ?? match[2] ?? match[3] ?? '';
      const node = /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(inner) && inner.length > 0 ? resolve(inner, match[0], variable.origin, depth + 1) : unknownNode(match[0], 'a make function or automatic variable', variable.origin);
      parts.push(...(node.kind === 'scalar' ? [{ text: String(node.value ?? ''), origin: node.origin }] : node.kind === 'unknown' ? node.parts : []));
      cursor = at + match[0].length;
    }
    if (cursor < variable.value.length || parts.length === 0) parts.push({ text: variable.value.slice(cursor), origin: variable.origin });
    return joinParts(parts, variable.origin, `make variable ${name}`);
  };

  const shadow = lines.map((raw, index) => {
    if (!recipe[index]) return '';
    const line = raw.replace(/\r$/, '');
    // The tab, and on the first line of a recipe line any @ - + prefixes, become spaces, so columns stay.
    const continued = index > 0 && recipe[index - 1] === true && /\\\r?$/.test(lines[index - 1] ?? '');
    const prefix = (continued ? /^\t/ : /^\t[@+-]*(\s*[@+-]+)*/).exec(line)?.[0] ?? '';
    let out = ' '.repeat(prefix.length);
    let i = prefix.length;
    while (i < line.length) {
      const c = line[i] ?? '';
      if (c === '$' && line[i + 1] === '$') {
        out += '$';
        i += 2;
        continue;
      }
      if (c === '$' && (line[i + 1] === '(' || line[i + 1] === '{')) {
        const close = line.indexOf(line[i + 1] === '(' ? ')' : '}', i + 2);
        if (close > i) {
          const expression = line.slice(i, close + 1);
          const inner = line.slice(i + 2, close);
          const origin: Origin = { source: 'script', file, line: index + 1, column: i + 1, span: null };
          const node = /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(inner) ? resolve(inner, expression, origin, 0) : unknownNode(expression, 'a make function, known only when make runs', origin);
          const markerIndex = markers.push(node) - 1;
          const bare = `${markerOpen}${markerIndex}${markerClose}`;
          out += bare.length >= expression.length ? bare : `${markerOpen}${markerIndex}${markerFill.repeat(expression.length - bare.length)}${markerClose}`;
          i = close + 1;
          continue;
        }
      }
      if (c === '$' && /[@<^+*?%]/.test(line[i + 1] ?? '')) {
        const origin: Origin = { source: 'script', file, line: index + 1, column: i + 1, span: null };
        const markerIndex = markers.push(unknownNode(line.slice(i, i + 2), 'an automatic make variable', origin)) - 1;
        out += `${markerOpen}${markerIndex}${markerClose}`;
        i += 2;
        continue;
      }
      out += c;
      i++;
    }
    return out;
  });
  return { file, text: shadow.join('\n'), place: (row, column) => ({ line: row + 1, column: column + 1 }), markers, env: new Map(), source: 'az-cli' };
}

/** Whether a path is a Makefile. */
export function isMakefile(path: string): boolean {
  return /(^|\/)(GNUmakefile|makefile|Makefile)$/.test(path) || path.endsWith('.mk');
}
