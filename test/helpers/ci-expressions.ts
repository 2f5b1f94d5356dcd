/**
 * The part of the `${{ }}` expression languages of GitHub Actions and Azure Pipelines that pod2wi's CI files use:
 * literals ('text' with '' for a quote, numbers, true, false, null), context paths (`matrix.repository`,
 * `needs.list.outputs.matrix`), function calls, `!`, `==`, `!=`, `&&`, `||` and parentheses. Anything else is an
 * error, so a CI file that starts using more fails its test instead of being half-evaluated.
 */

type Token = { kind: 'string' | 'number' | 'name' | 'op'; text: string };
export type Functions = Readonly<Record<string, (...args: unknown[]) => unknown>>;
export type Context = Readonly<Record<string, unknown>>;

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const char = source[i] ?? '';
    if (/\s/.test(char)) {
      i++;
      continue;
    }
    if (char === "'") {
      let text = '';
      i++;
      for (;;) {
        if (i >= source.length) throw new Error(`unterminated string in ${source}`);
        if (source[i] === "'") {
          if (source[i + 1] === "'") {
            text += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += source[i];
        i++;
      }
      tokens.push({ kind: 'string', text });
      continue;
    }
    const two = source.slice(i, i + 2);
    if (['==', '!=', '&&', '||'].includes(two)) {
      tokens.push({ kind: 'op', text: two });
      i += 2;
      continue;
    }
    if ('()!,'.includes(char)) {
      tokens.push({ kind: 'op', text: char });
      i++;
      continue;
    }
    const number = /^\d+(\.\d+)?/.exec(source.slice(i));
    if (number) {
      tokens.push({ kind: 'number', text: number[0] });
      i += number[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*/.exec(source.slice(i));
    if (name) {
      tokens.push({ kind: 'name', text: name[0] });
      i += name[0].length;
      continue;
    }
    throw new Error(`unsupported expression syntax at "${source.slice(i)}" in ${source}`);
  }
  return tokens;
}

const truthy = (value: unknown): boolean => value !== undefined && value !== null && value !== false && value !== 0 && value !== '';

/** Evaluates one expression (without `${{ }}`). An unknown context or function is an error; a missing property is undefined. */
export function evaluate(source: string, context: Context, functions: Functions): unknown {
  const tokens = tokenize(source);
  let position = 0;
  const peek = () => tokens[position];
  const take = (text?: string): Token => {
    const token = tokens[position];
    if (!token || (text !== undefined && token.text !== text)) throw new Error(`expected ${text ?? 'a token'} in ${source}`);
    position++;
    return token;
  };
  const primary = (): unknown => {
    const token = take();
    if (token.kind === 'string') return token.text;
    if (token.kind === 'number') return Number(token.text);
    if (token.kind === 'op' && token.text === '(') {
      const value = or();
      take(')');
      return value;
    }
    if (token.kind === 'op' && token.text === '!') return !truthy(primary());
    if (token.kind !== 'name') throw new Error(`unexpected ${token.text} in ${source}`);
    if (token.text === 'true') return true;
    if (token.text === 'false') return false;
    if (token.text === 'null') return null;
    if (peek()?.text === '(') {
      take('(');
      const args: unknown[] = [];
      while (peek()?.text !== ')') {
        args.push(or());
        if (peek()?.text === ',') take(',');
      }
      take(')');
      const fn = functions[token.text];
      if (!fn) throw new Error(`unsupported function ${token.text}() in ${source}`);
      return fn(...args);
    }
    const [root = '', ...rest] = token.text.split('.');
    if (!(root in context)) throw new Error(`unknown context ${root} in ${source}`);
    let value: unknown = context[root];
    for (const key of rest) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    return value;
  };
  const comparison = (): unknown => {
    const left = primary();
    const op = peek();
    if (op?.text === '==' || op?.text === '!=') {
      take();
      const right = primary();
      const equal = typeof left === 'string' && typeof right === 'string' ? left.toLowerCase() === right.toLowerCase() : left === right;
      return op.text === '==' ? equal : !equal;
    }
    return left;
  };
  const and = (): unknown => {
    let value = comparison();
    while (peek()?.text === '&&') {
      take();
      const right = comparison();
      value = truthy(value) ? right : value;
    }
    return value;
  };
  const or = (): unknown => {
    let value = and();
    while (peek()?.text === '||') {
      take();
      const right = and();
      value = truthy(value) ? value : right;
    }
    return value;
  };
  const value = or();
  if (position !== tokens.length) throw new Error(`unexpected ${tokens[position]?.text ?? ''} in ${source}`);
  return value;
}

/**
 * Replaces every `${{ expression }}` in `text`. A text that is one expression gives its value as it is (an object for
 * `fromJSON`); inside a longer text each value must be a string, number or boolean. An undefined value is an error:
 * a reference to a matrix field or output that does not exist is a broken CI file.
 */
export function interpolate(text: string, context: Context, functions: Functions): unknown {
  const whole = /^\$\{\{(.*?)\}\}$/s.exec(text);
  if (whole && !whole[1]?.includes('}}')) {
    const value = evaluate(whole[1] ?? '', context, functions);
    if (value === undefined) throw new Error(`${text}: no such value`);
    return value;
  }
  return text.replace(/\$\{\{(.*?)\}\}/gs, (_, expression: string) => {
    const value = evaluate(expression, context, functions);
    if (value === undefined) throw new Error(`\${{${expression}}}: no such value`);
    if (value !== null && typeof value === 'object') throw new Error(`\${{${expression}}}: an object inside a text`);
    return String(value ?? '');
  });
}

/** `interpolate` through a whole YAML value (mappings, sequences, strings). */
export function interpolateDeep(value: unknown, context: Context, functions: Functions): unknown {
  if (typeof value === 'string') return interpolate(value, context, functions);
  if (Array.isArray(value)) return value.map((item) => interpolateDeep(item, context, functions));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [interpolate(key, context, functions) as string, interpolateDeep(item, context, functions)]));
  }
  return value;
}

/**
 * Azure Pipelines template expansion: `${{ each x in list }}:` entries of a sequence are replaced by their body once
 * per element, with `x` bound; every other `${{ }}` is interpolated. `${{ if }}` and `${{ else }}` are not used by
 * pod2wi's templates and are refused.
 */
export function expandAzureTemplate(value: unknown, context: Context, functions: Functions): unknown {
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
        const keys = Object.keys(item);
        const each = keys.length === 1 ? /^\$\{\{\s*each\s+(\w+)\s+in\s+(.+?)\s*\}\}$/.exec(keys[0] ?? '') : null;
        if (each) {
          const list = evaluate(each[2] ?? '', context, functions);
          if (!Array.isArray(list)) throw new Error(`${keys[0]}: not a list`);
          const body = (item as Record<string, unknown>)[keys[0] ?? ''];
          if (!Array.isArray(body)) throw new Error(`${keys[0]}: its body must be a sequence`);
          return list.flatMap((element: unknown) => expandAzureTemplate(body, { ...context, [each[1] ?? '']: element }, functions) as unknown[]);
        }
      }
      return [expandAzureTemplate(item, context, functions)];
    });
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (/^\$\{\{\s*(if|elseif|else|each)\b/.test(key)) throw new Error(`${key}: not supported in a mapping by this expander`);
      out[interpolate(key, context, functions) as string] = expandAzureTemplate(item, context, functions);
    }
    return out;
  }
  if (typeof value === 'string') return interpolate(value, context, functions);
  return value;
}

/** Functions of GitHub Actions expressions (status functions as for a run where the needed jobs ran). */
export const githubFunctions: Functions = {
  fromJSON: (text) => JSON.parse(String(text)) as unknown,
  toJSON: (value) => JSON.stringify(value),
  always: () => true,
  cancelled: () => false,
  success: () => true,
  failure: () => false,
};

/** Functions of Azure Pipelines template expressions. */
export const azureFunctions: Functions = {
  replace: (text, from, to) => String(text).split(String(from)).join(String(to)),
  convertToJson: (value) => JSON.stringify(value, null, 2),
  eq: (a, b) => (typeof a === 'string' && typeof b === 'string' ? a.toLowerCase() === b.toLowerCase() : a === b),
};
