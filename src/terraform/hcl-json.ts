import type { HclBody, HclExpr, HclTemplatePart } from './hcl-syntax.js';

/**
 * The JSON form of a parsed HCL file, as `hcl2json` (the converter HashiCorp's CDK ships) writes it: literals as
 * JSON values, blocks as nested objects keyed by type and labels holding lists of bodies, and every other
 * expression as `${<its source text>}`; template text re-escaped (`$${`, `%%{`), directives re-written
 * (`%{if cond}`). Used to check this parser against HashiCorp's, and to show a file's plain data.
 */
export function hclJsonOf(body: HclBody, text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const item of body.items) {
    if (item.kind === 'attribute') {
      out[item.name] = exprJson(item.expr, text);
      continue;
    }
    const content = hclJsonOf(item.body, text);
    if (item.labels.length === 0) {
      const list = Array.isArray(out[item.type]) ? (out[item.type] as unknown[]) : [];
      list.push(content);
      out[item.type] = list;
      continue;
    }
    let holder = (isRecord(out[item.type]) ? out[item.type] : {}) as Record<string, unknown>;
    out[item.type] = holder;
    item.labels.forEach((label, index) => {
      if (index === item.labels.length - 1) {
        const list = Array.isArray(holder[label.value]) ? (holder[label.value] as unknown[]) : [];
        list.push(content);
        holder[label.value] = list;
        return;
      }
      const next = (isRecord(holder[label.value]) ? holder[label.value] : {}) as Record<string, unknown>;
      holder[label.value] = next;
      holder = next;
    });
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function source(expr: HclExpr, text: string): string {
  return text.slice(expr.span[0], expr.span[1]);
}

function wrap(expr: HclExpr, text: string): string {
  return `\${${source(expr, text)}}`;
}

function escapeText(value: string): string {
  return value.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

/** One expression as hcl2json writes it. */
export function exprJson(expr: HclExpr, text: string): unknown {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'unary':
      if (expr.operand.kind === 'literal') {
        const value = expr.operand.value;
        if (expr.op === '-' && typeof value === 'number') return value === 0 ? 0 : -value;
        if (expr.op === '!' && typeof value === 'boolean') return !value;
      }
      return wrap(expr, text);
    case 'template': {
      const only = expr.parts[0];
      if (expr.parts.length === 1 && only?.kind === 'interp' && !expr.heredoc) return exprJson(only.expr, text);
      return templateJson(expr.parts, text);
    }
    case 'tuple':
      return expr.items.map((item) => exprJson(item, text));
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const item of expr.items) out[keyJson(item.key, item.bare, text)] = exprJson(item.value, text);
      return out;
    }
    default:
      return wrap(expr, text);
  }
}

function keyJson(key: HclExpr, bare: boolean, text: string): string {
  if (bare || isTraversal(key)) return source(key, text);
  return stringPart(key, text);
}

function isTraversal(expr: HclExpr): boolean {
  if (expr.kind === 'variable') return true;
  if (expr.kind === 'getattr') return isTraversal(expr.target);
  if (expr.kind === 'index') return expr.key.kind === 'literal' && isTraversal(expr.target);
  return false;
}

function stringPart(expr: HclExpr, text: string): string {
  if (expr.kind === 'template') return templateJson(expr.parts, text);
  if (expr.kind === 'literal') return String(expr.value);
  if (expr.kind === 'conditional') {
    const otherwise = stringPart(expr.else, text);
    return `%{if ${source(expr.cond, text)}}${stringPart(expr.then, text)}${otherwise ? `%{else}${otherwise}` : ''}%{endif}`;
  }
  return wrap(expr, text);
}

function templateJson(parts: readonly HclTemplatePart[], text: string): string {
  return parts
    .map((part) => {
      switch (part.kind) {
        case 'text':
          return escapeText(part.value);
        case 'interp':
          return stringPart(part.expr, text);
        case 'if': {
          const otherwise = part.else ? templateJson(part.else, text) : '';
          return `%{if ${source(part.cond, text)}}${templateJson(part.then, text)}${otherwise ? `%{else}${otherwise}` : ''}%{endif}`;
        }
        case 'for':
          return `%{for ${part.keyVar ? `${part.keyVar}, ` : ''}${part.valueVar} in ${source(part.collection, text)}}${templateJson(part.body, text)}%{endfor}`;
      }
    })
    .join('');
}
