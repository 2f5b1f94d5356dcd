/**
 * Kubernetes label selectors in their string form (`app=web,tier!=db,env in (dev,prod),!legacy`), as
 * k8s.io/apimachinery/pkg/labels.Parse reads them for kustomize's `labelSelector` / `annotationSelector`. A scanner,
 * not a regular expression: linear in the selector.
 */

type Requirement =
  | { readonly op: 'exists' | 'absent'; readonly key: string }
  | { readonly op: 'eq' | 'neq' | 'in' | 'notin'; readonly key: string; readonly values: readonly string[] }
  | { readonly op: 'gt' | 'lt'; readonly key: string; readonly value: number };

export type LabelSelector = readonly Requirement[];

export type SelectorResult = { readonly selector: LabelSelector } | { readonly error: string };

const special = new Set(['=', '!', '(', ')', ',', '<', '>', ' ', '\t', '\n']);

function tokenize(text: string): string[] | string {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (c === ' ' || c === '\t' || c === '\n') {
      i++;
      continue;
    }
    if (c === '=' && text[i + 1] === '=') {
      tokens.push('==');
      i += 2;
    } else if (c === '!' && text[i + 1] === '=') {
      tokens.push('!=');
      i += 2;
    } else if (special.has(c)) {
      tokens.push(c);
      i++;
    } else {
      let j = i;
      while (j < text.length && !special.has(text[j] ?? '')) j++;
      tokens.push(text.slice(i, j));
      i = j;
    }
  }
  return tokens;
}

/** Parses a selector; the empty string selects everything. */
export function parseLabelSelector(text: string): SelectorResult {
  const tokens = tokenize(text);
  if (typeof tokens === 'string') return { error: tokens };
  const out: Requirement[] = [];
  let i = 0;
  const isWord = (token: string | undefined): token is string => token !== undefined && !special.has(token) && token !== '==' && token !== '!=';
  while (i < tokens.length) {
    let token = tokens[i];
    if (token === '!') {
      const key = tokens[i + 1];
      if (!isWord(key)) return { error: `expected a key after ! in ${JSON.stringify(text)}` };
      out.push({ op: 'absent', key });
      i += 2;
    } else if (isWord(token)) {
      const key = token;
      const op = tokens[i + 1];
      if (op === undefined || op === ',') {
        out.push({ op: 'exists', key });
        i += 1;
      } else if (op === '=' || op === '==' || op === '!=') {
        const value = tokens[i + 2];
        if (value === undefined || value === ',') {
          out.push({ op: op === '!=' ? 'neq' : 'eq', key, values: [''] });
          i += 2;
        } else if (isWord(value)) {
          out.push({ op: op === '!=' ? 'neq' : 'eq', key, values: [value] });
          i += 3;
        } else return { error: `expected a value after ${op} in ${JSON.stringify(text)}` };
      } else if (op === 'in' || op === 'notin') {
        if (tokens[i + 2] !== '(') return { error: `expected ( after ${op} in ${JSON.stringify(text)}` };
        const values: string[] = [];
        i += 3;
        for (;;) {
          token = tokens[i];
          if (token === ')') {
            i++;
            break;
          }
          if (token === ',') {
            i++;
            continue;
          }
          if (!isWord(token)) return { error: `unterminated value list in ${JSON.stringify(text)}` };
          values.push(token);
          i++;
        }
        out.push({ op: op === 'in' ? 'in' : 'notin', key, values });
      } else if (op === '<' || op === '>') {
        const value = Number(tokens[i + 2]);
        if (!Number.isInteger(value)) return { error: `expected an integer after ${op} in ${JSON.stringify(text)}` };
        out.push({ op: op === '<' ? 'lt' : 'gt', key, value });
        i += 3;
      } else return { error: `unexpected ${JSON.stringify(op)} in ${JSON.stringify(text)}` };
    } else return { error: `unexpected ${JSON.stringify(token)} in ${JSON.stringify(text)}` };
    if (i < tokens.length) {
      if (tokens[i] !== ',') return { error: `expected , in ${JSON.stringify(text)}` };
      i++;
    }
  }
  return { selector: out };
}

export function matchesLabelSelector(selector: LabelSelector, labels: ReadonlyMap<string, string>): boolean {
  return selector.every((req) => {
    const value = labels.get(req.key);
    switch (req.op) {
      case 'exists':
        return value !== undefined;
      case 'absent':
        return value === undefined;
      case 'eq':
      case 'in':
        return value !== undefined && req.values.includes(value);
      case 'neq':
      case 'notin':
        return value === undefined || !req.values.includes(value);
      case 'gt':
      case 'lt': {
        if (value === undefined || !/^-?\d+$/.test(value)) return false;
        return req.op === 'gt' ? Number(value) > req.value : Number(value) < req.value;
      }
    }
  });
}
