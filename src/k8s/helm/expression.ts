/**
 * A small reader for the Go-template pipelines Helm charts use in values positions:
 * `.Values.a.b | default "x" | quote`, `default "x" .Values.a`, `include "chart.name" .`, `.Chart.Name`.
 * Anything else (variables, arithmetic, parentheses) is left unresolved rather than guessed.
 */
export type Token =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly value: string }
  | { readonly kind: 'ref'; readonly path: readonly string[]; readonly root: '.' | '$' }
  | { readonly kind: 'variable'; readonly name: string }
  | { readonly kind: 'word'; readonly value: string }
  | { readonly kind: 'pipe' }
  | { readonly kind: 'paren'; readonly open: boolean };

export function tokenize(expression: string): Token[] | null {
  const tokens: Token[] = [];
  let i = 0;
  const s = expression;
  while (i < s.length) {
    const c = s[i] ?? '';
    if (/\s/.test(c)) {
      i++;
    } else if (c === '|') {
      tokens.push({ kind: 'pipe' });
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ kind: 'paren', open: c === '(' });
      i++;
    } else if (c === '"') {
      let j = i + 1;
      let value = '';
      while (j < s.length && s[j] !== '"') {
        if (s[j] === '\\' && j + 1 < s.length) {
          const escaped = s[j + 1] ?? '';
          value += escaped === 'n' ? '\n' : escaped === 't' ? '\t' : escaped;
          j += 2;
        } else {
          value += s[j];
          j++;
        }
      }
      if (j >= s.length) return null;
      tokens.push({ kind: 'string', value });
      i = j + 1;
    } else if (c === '`') {
      const close = s.indexOf('`', i + 1);
      if (close < 0) return null;
      tokens.push({ kind: 'string', value: s.slice(i + 1, close) });
      i = close + 1;
    } else {
      const word = /^[^\s|()]+/.exec(s.slice(i))?.[0] ?? c;
      i += word.length;
      if (/^-?\d+(\.\d+)?$/.test(word)) tokens.push({ kind: 'number', value: word });
      else if (word === '.') tokens.push({ kind: 'ref', path: [], root: '.' });
      else if (word.startsWith('$.')) tokens.push({ kind: 'ref', path: splitPath(word.slice(2)), root: '$' });
      else if (word === '$') tokens.push({ kind: 'ref', path: [], root: '$' });
      else if (word.startsWith('.')) tokens.push({ kind: 'ref', path: splitPath(word.slice(1)), root: '.' });
      else if (word.startsWith('$')) tokens.push({ kind: 'variable', name: word });
      else tokens.push({ kind: 'word', value: word });
    }
  }
  return tokens;
}

function splitPath(path: string): string[] {
  return path.split('.').filter((part) => part.length > 0);
}

/** Splits tokens into pipeline commands at `|`. */
export function commands(tokens: readonly Token[]): Token[][] {
  const result: Token[][] = [[]];
  for (const token of tokens) {
    if (token.kind === 'pipe') result.push([]);
    else result[result.length - 1]?.push(token);
  }
  return result;
}

/** A value as the evaluator carries it: text plus where it was written (when it came from a file). */
export interface Evaluated<L> {
  readonly value: string;
  readonly at: L | null;
}

export interface Evaluator<L> {
  /** `.Values.x`, `.Chart.Name`, `.Release.Namespace`... relative to the template root; null when unknown. */
  ref(path: readonly string[]): Evaluated<L> | null;
  /** Go-template truthiness of a reference (false, 0, "", nil and empty collections are false); null when unknown. */
  truthy(path: readonly string[]): boolean | null;
  /** `include "name" .` / `template "name" .`: the text a named template renders to, when it is simple. */
  include(name: string): Evaluated<L> | null;
}

/**
 * Evaluates a pipeline to text. `dot` is what `.` means where the expression sits (a `with` block rebinds it):
 * a path such as `.Values.identity` or null for the template root.
 */
export function evaluate<L>(expression: string, evaluator: Evaluator<L>, dot: string | null): Evaluated<L> | null {
  const tokens = tokenize(expression);
  if (!tokens || tokens.some((token) => token.kind === 'paren' || token.kind === 'variable')) return null;
  const pipeline = commands(tokens);
  let current: Evaluated<L> | null | undefined;
  for (let k = 0; k < pipeline.length; k++) {
    const command = pipeline[k] ?? [];
    const args = command.slice(1);
    const head = command[0];
    if (!head) return null;
    if (head.kind !== 'word') {
      if (command.length !== 1 || k > 0) return null;
      current = operand(head, evaluator, dot);
      if (!current) return null;
      continue;
    }
    const values = args.map((arg) => operand(arg, evaluator, dot));
    if (k > 0) values.push(current ?? null);
    current = apply(head.value, values, args, evaluator);
    if (current === undefined || current === null) return null;
  }
  return current ?? null;
}

function operand<L>(token: Token, evaluator: Evaluator<L>, dot: string | null): Evaluated<L> | null {
  switch (token.kind) {
    case 'string':
    case 'number':
      return { value: token.value, at: null };
    case 'ref': {
      const base = token.root === '.' && dot ? splitPath(dot.replace(/^\$?\./, '')) : [];
      return evaluator.ref([...base, ...token.path]);
    }
    default:
      return null;
  }
}

/** The functions whose effect on a string is known. `values` holds evaluated args (piped value last). */
function apply<L>(
  name: string,
  values: readonly (Evaluated<L> | null)[],
  args: readonly Token[],
  evaluator: Evaluator<L>,
): Evaluated<L> | null | undefined {
  const last = values[values.length - 1] ?? null;
  const literal = (i: number): string | null => {
    const token = args[i];
    return token && (token.kind === 'string' || token.kind === 'number') ? token.value : null;
  };
  switch (name) {
    case 'include':
    case 'template': {
      const defineName = literal(0);
      return defineName === null ? null : evaluator.include(defineName);
    }
    case 'default': {
      const fallback = values[0] ?? null;
      if (values.length < 2) return fallback;
      return last && last.value !== '' ? last : fallback;
    }
    case 'required':
      return values.length >= 2 ? last : null;
    case 'quote':
    case 'squote':
    case 'toString':
    case 'toYaml':
    case 'toJson':
      return last;
    case 'trim':
      return last && { ...last, value: last.value.trim() };
    case 'lower':
      return last && { ...last, value: last.value.toLowerCase() };
    case 'upper':
      return last && { ...last, value: last.value.toUpperCase() };
    case 'trunc': {
      const n = Number(literal(0));
      return last && Number.isInteger(n) ? { ...last, value: n >= 0 ? last.value.slice(0, n) : last.value.slice(n) } : null;
    }
    case 'trimSuffix': {
      const suffix = literal(0);
      return last && suffix !== null ? { ...last, value: last.value.endsWith(suffix) ? last.value.slice(0, -suffix.length || undefined) : last.value } : null;
    }
    case 'trimPrefix': {
      const prefix = literal(0);
      return last && prefix !== null ? { ...last, value: last.value.startsWith(prefix) ? last.value.slice(prefix.length) : last.value } : null;
    }
    case 'replace': {
      const from = literal(0);
      const to = literal(1);
      return last && from !== null && to !== null ? { ...last, value: last.value.split(from).join(to) } : null;
    }
    case 'printf': {
      const format = literal(0);
      if (format === null) return null;
      const rest = values.slice(1);
      let i = 0;
      let ok = true;
      const out = format.replace(/%[sdv]/g, () => {
        const value = rest[i++];
        if (!value) ok = false;
        return value?.value ?? '';
      });
      return ok && i === rest.length ? { value: out, at: rest.find((v) => v?.at)?.at ?? null } : null;
    }
    default:
      return undefined;
  }
}

/**
 * Whether a condition (`.Values.a`, `not .Values.a`, `and .Values.a (not .Values.b)`, `eq .Values.t "x"`) holds,
 * or null when pod2wi cannot tell. Only references and literals are understood; anything else is unknown.
 */
export function truthiness<L>(expression: string, evaluator: Evaluator<L>, dot: string | null): boolean | null {
  const tokens = tokenize(expression);
  if (!tokens) return null;
  let position = 0;
  const term = (): { truth: boolean | null; value: string | null } => {
    const token = tokens[position++];
    if (!token) return { truth: null, value: null };
    if (token.kind === 'paren') {
      if (!token.open) return { truth: null, value: null };
      const result = call();
      const close = tokens[position++];
      return close?.kind === 'paren' && !close.open ? result : { truth: null, value: null };
    }
    if (token.kind === 'string' || token.kind === 'number') {
      return { truth: token.kind === 'number' ? Number(token.value) !== 0 : token.value !== '', value: token.value };
    }
    if (token.kind === 'ref') {
      const base = token.root === '.' && dot ? splitPath(dot.replace(/^\$?\./, '')) : [];
      const path = [...base, ...token.path];
      return { truth: evaluator.truthy(path), value: evaluator.ref(path)?.value ?? null };
    }
    if (token.kind === 'word' && (token.value === 'true' || token.value === 'false')) {
      return { truth: token.value === 'true', value: token.value };
    }
    position--;
    return call();
  };
  const call = (): { truth: boolean | null; value: string | null } => {
    const head = tokens[position];
    if (head?.kind !== 'word') return term();
    position++;
    const args: { truth: boolean | null; value: string | null }[] = [];
    const closes = (token: Token | undefined) => token?.kind === 'pipe' || (token?.kind === 'paren' && !token.open);
    while (position < tokens.length && !closes(tokens[position])) args.push(term());
    const truths = args.map((arg) => arg.truth);
    switch (head.value) {
      case 'not':
        return { truth: truths.length === 1 && truths[0] !== null ? !truths[0] : null, value: null };
      case 'and':
        return { truth: truths.includes(false) ? false : truths.includes(null) || truths.length === 0 ? null : true, value: null };
      case 'or':
        return { truth: truths.includes(true) ? true : truths.includes(null) || truths.length === 0 ? null : false, value: null };
      case 'empty':
        return { truth: truths.length === 1 && truths[0] !== null ? !truths[0] : null, value: null };
      case 'eq':
      case 'ne': {
        const [a, b] = args;
        if (args.length !== 2 || a?.value === null || b?.value === null || !a || !b) return { truth: null, value: null };
        const equal = a.value === b.value;
        return { truth: head.value === 'eq' ? equal : !equal, value: null };
      }
      default:
        return { truth: null, value: null };
    }
  };
  const first = tokens[0];
  const result = first?.kind === 'word' && first.value !== 'true' && first.value !== 'false' ? call() : term();
  return position === tokens.length ? result.truth : null;
}
