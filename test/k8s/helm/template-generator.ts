import fc from 'fast-check';

/**
 * Random Go templates over the core language, as a tree first (so fast-check can shrink it), printed with scope
 * rules applied: variables are used only where declared, break/continue only inside range, a define calls only
 * defines generated before it (no recursion). Data always has the keys the templates name.
 */

export type Expr =
  | { readonly t: 'field'; readonly path: string; readonly root: boolean }
  | { readonly t: 'dot' }
  | { readonly t: 'dollar' }
  | { readonly t: 'lit'; readonly text: string }
  | { readonly t: 'var'; readonly pick: number }
  | { readonly t: 'call'; readonly fn: string; readonly args: readonly Expr[] }
  | { readonly t: 'paren'; readonly e: Expr; readonly field: string | null }
  | { readonly t: 'pipe'; readonly e: Expr; readonly fn: string; readonly args: readonly Expr[] };

export type GNode =
  | { readonly t: 'text'; readonly s: string }
  | { readonly t: 'comment'; readonly trimL: boolean; readonly trimR: boolean }
  | { readonly t: 'out'; readonly e: Expr; readonly trimL: boolean; readonly trimR: boolean; readonly pad: string }
  | { readonly t: 'decl'; readonly name: number; readonly e: Expr; readonly assign: boolean }
  | { readonly t: 'if'; readonly cond: Expr; readonly then: readonly GNode[]; readonly elifs: readonly (readonly [Expr, readonly GNode[]])[]; readonly otherwise: readonly GNode[] | null; readonly trim: boolean }
  | { readonly t: 'with'; readonly e: Expr; readonly declare: boolean; readonly then: readonly GNode[]; readonly elseWith: readonly [Expr, readonly GNode[]] | null; readonly otherwise: readonly GNode[] | null }
  | { readonly t: 'range'; readonly over: Expr; readonly vars: 0 | 1 | 2; readonly assign: boolean; readonly body: readonly GNode[]; readonly otherwise: readonly GNode[] | null; readonly trim: boolean }
  | { readonly t: 'jump'; readonly kind: 'break' | 'continue'; readonly cond: Expr }
  | { readonly t: 'template'; readonly pick: number; readonly arg: Expr | null }
  | { readonly t: 'block'; readonly name: number; readonly arg: Expr; readonly body: readonly GNode[] };

export interface GTemplate {
  readonly defines: readonly (readonly GNode[])[];
  readonly body: readonly GNode[];
}

const fieldPaths = ['s', 'n', 'b', 'l', 'm', 'm.a', 'm.b', 'e', 'z', 'el', 'em', 'nul', 'nest.a', 'nest.a.b', 'f', 'i'];
const literals = ['"x"', '"a b"', '`raw`', '""', '1', '0', '2', '-1', '2.5', '1.0', '0x10', "'a'", 'true', 'false', '1e3', '1_000'];
const printfFormats = ['"%v"', '"%d"', '"%s-%v"', '"%q"', '"%5.1f|%x"', '"%t %v"', '"[%3d]"', '"%v %v %v"'];

const textPieces = ['a', ' ', '\n', 'x y', '  \n  ', '-', ': ', '\t', 'é', '}'];

export function expr(depth: number): fc.Arbitrary<Expr> {
  const leaf: fc.Arbitrary<Expr> = fc.oneof(
    { weight: 5, arbitrary: fc.record({ t: fc.constant('field' as const), path: fc.constantFrom(...fieldPaths), root: fc.boolean() }) },
    { weight: 1, arbitrary: fc.constant<Expr>({ t: 'dot' }) },
    { weight: 1, arbitrary: fc.constant<Expr>({ t: 'dollar' }) },
    { weight: 3, arbitrary: fc.record({ t: fc.constant('lit' as const), text: fc.constantFrom(...literals) }) },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('var' as const), pick: fc.nat(5) }) },
  );
  if (depth <= 0) return leaf;
  const sub = expr(depth - 1);
  // Comparisons of operands of one type, so most of them run (Go refuses int against float64).
  const typedPools: readonly (readonly string[])[] = [
    ['$.s', '$.e', '"x"', '"a b"', '`raw`', '(print $.n)', '(printf "%v" $.b)', '$.nest.a.b'],
    ['$.n', '$.f', '$.z', '2.5', '1.0', '1e3', '$.i'],
    ['1', '0', '-1', '0x10', '(len $.l)', '(len $.s)', "'a'"],
    ['$.b', 'true', 'false', '(not $.b)', '(eq $.s "x")'],
  ];
  const typedCompare: fc.Arbitrary<Expr> = fc
    .tuple(fc.constantFrom('eq', 'ne', 'lt', 'le', 'gt', 'ge'), fc.nat(typedPools.length - 1), fc.nat(20), fc.nat(20), fc.nat(20), fc.boolean())
    .map(([fn, poolIndex, a, b, c, three]) => {
      const pool = typedPools[fn === 'eq' || fn === 'ne' ? poolIndex : poolIndex % 3] ?? [];
      const pick = (n: number): Expr => ({ t: 'lit', text: pool[n % pool.length] ?? '1' });
      return { t: 'call', fn, args: fn === 'eq' && three ? [pick(a), pick(b), pick(c)] : [pick(a), pick(b)] };
    });
  const call = (fn: string, arity: number) => fc.record({ t: fc.constant('call' as const), fn: fc.constant(fn), args: fc.array(sub, { minLength: arity, maxLength: arity }) });
  return fc.oneof(
    { weight: 6, arbitrary: leaf },
    { weight: 4, arbitrary: typedCompare },
    { weight: 1, arbitrary: fc.oneof(call('eq', 2), call('eq', 3), call('ne', 2), call('lt', 2), call('le', 2), call('gt', 2), call('ge', 2)) },
    { weight: 2, arbitrary: fc.oneof(call('and', 2), call('or', 2), call('or', 3), call('not', 1)) },
    { weight: 2, arbitrary: fc.oneof(call('len', 1), call('index', 2), call('slice', 2), call('print', 2), call('println', 1), call('html', 1), call('js', 1), call('urlquery', 1)) },
    {
      weight: 2,
      arbitrary: fc.record({
        t: fc.constant('call' as const),
        fn: fc.constant('printf'),
        args: fc.tuple(fc.constantFrom(...printfFormats), fc.array(sub, { minLength: 0, maxLength: 3 })).map(([format, rest]) => [{ t: 'lit', text: format } as Expr, ...rest]),
      }),
    },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('paren' as const), e: sub, field: fc.constantFrom(null, null, 'a', 's') }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('pipe' as const), e: sub, fn: fc.constantFrom('print', 'printf', 'len', 'html', 'not', 'eq'), args: fc.array(sub, { maxLength: 1 }) }) },
  );
}

export function nodes(depth: number): fc.Arbitrary<readonly GNode[]> {
  return fc.array(node(depth), { minLength: 0, maxLength: 4 });
}

function node(depth: number): fc.Arbitrary<GNode> {
  const e = expr(2);
  const simple: fc.Arbitrary<GNode> = fc.oneof(
    { weight: 4, arbitrary: fc.record({ t: fc.constant('text' as const), s: fc.array(fc.constantFrom(...textPieces), { minLength: 1, maxLength: 3 }).map((parts) => parts.join('')) }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('comment' as const), trimL: fc.boolean(), trimR: fc.boolean() }) },
    { weight: 5, arbitrary: fc.record({ t: fc.constant('out' as const), e, trimL: fc.boolean(), trimR: fc.boolean(), pad: fc.constantFrom(' ', '', '  ') }) },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('decl' as const), name: fc.nat(3), e, assign: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('jump' as const), kind: fc.constantFrom('break' as const, 'continue' as const), cond: e }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('template' as const), pick: fc.nat(3), arg: fc.option(e, { nil: null }) }) },
  );
  if (depth <= 0) return simple;
  const body = nodes(depth - 1);
  return fc.oneof(
    { weight: 5, arbitrary: simple },
    {
      weight: 2,
      arbitrary: fc.record({
        t: fc.constant('if' as const),
        cond: e,
        then: body,
        elifs: fc.array(fc.tuple(e, body), { maxLength: 2 }),
        otherwise: fc.option(body, { nil: null }),
        trim: fc.boolean(),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        t: fc.constant('with' as const),
        e,
        declare: fc.boolean(),
        then: body,
        elseWith: fc.option(fc.tuple(e, body), { nil: null }),
        otherwise: fc.option(body, { nil: null }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        t: fc.constant('range' as const),
        over: fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom<Expr>({ t: 'field', path: 'l', root: true }, { t: 'field', path: 'm', root: true }, { t: 'field', path: 'el', root: true }, { t: 'field', path: 'em', root: true }, { t: 'field', path: 'nest', root: true }, { t: 'lit', text: '3' }, { t: 'lit', text: '0' }) },
          { weight: 1, arbitrary: e },
        ),
        vars: fc.constantFrom(0 as const, 1 as const, 2 as const),
        assign: fc.boolean(),
        body,
        otherwise: fc.option(body, { nil: null }),
        trim: fc.boolean(),
      }),
    },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('block' as const), name: fc.nat(2), arg: e, body }) },
  );
}

export const templates: fc.Arbitrary<GTemplate> = fc.record({
  defines: fc.array(nodes(1), { maxLength: 3 }),
  body: nodes(3),
});

const scalar = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom('a', 'B', 'x y', '<&>', 'é', ''),
  fc.integer({ min: -1000, max: 1000 }),
  fc.constantFrom(0, 1, 2.5, 1e6, 1e-7, 123456.75, -0.5),
  fc.boolean(),
  fc.constant(null),
);

/** Data with every key the generated templates name. */
export const data = fc.record({
  s: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('hello', 'a-b', '', 'é', '%d')),
  n: fc.oneof(fc.integer({ min: -100, max: 100 }), fc.constantFrom(0, 2.5, 1e6, 1000000, 0.001)),
  b: fc.boolean(),
  l: fc.array(scalar, { maxLength: 4 }),
  m: fc.record({ a: scalar, b: scalar, c: scalar }, { requiredKeys: ['a', 'b'] }),
  e: fc.constant(''),
  z: fc.constant(0),
  el: fc.constant([]),
  em: fc.constant({}),
  nul: fc.constant(null),
  nest: fc.record({ a: fc.record({ b: scalar }) }),
  f: fc.constantFrom(1.5, -2.25, 1e21, 0),
  i: fc.integer({ min: 0, max: 5 }),
});

interface Scope {
  readonly vars: string[];
  readonly inRange: boolean;
  readonly defines: number;
  /** Block names used so far (a name defined twice with a body is a parse error in Go: rare on purpose). */
  readonly blocks: Set<string>;
}

function printExpr(e: Expr, scope: Scope): string {
  switch (e.t) {
    case 'field':
      return `${e.root ? '$' : ''}.${e.path}`;
    case 'dot':
      return '.';
    case 'dollar':
      return '$';
    case 'lit':
      return e.text;
    case 'var': {
      const vars = scope.vars;
      return vars.length === 0 ? '$' : (vars[e.pick % vars.length] ?? '$');
    }
    case 'call':
      return `${e.fn}${e.args.map((arg) => ` ${printArg(arg, scope)}`).join('')}`;
    case 'paren':
      return `(${printExpr(e.e, scope)})${e.field ? `.${e.field}` : ''}`;
    case 'pipe':
      return `${printExpr(e.e, scope)} | ${e.fn}${e.args.map((arg) => ` ${printArg(arg, scope)}`).join('')}`;
  }
}

function printArg(e: Expr, scope: Scope): string {
  return e.t === 'call' || e.t === 'pipe' ? `(${printExpr(e, scope)})` : printExpr(e, scope);
}

function open(trim: boolean): string {
  return trim ? '{{- ' : '{{ ';
}

function printNodes(list: readonly GNode[], scope: Scope): string {
  let out = '';
  for (const n of list) out += printNode(n, scope);
  return out;
}

function printNode(n: GNode, scope: Scope): string {
  switch (n.t) {
    case 'text':
      return n.s;
    case 'comment':
      return `{{${n.trimL ? '- ' : ''}/* c */${n.trimR ? ' -' : ''}}}`;
    case 'out':
      return `{{${n.trimL ? '- ' : n.pad}${printExpr(n.e, scope)}${n.trimR ? ' -' : n.pad}}}`;
    case 'decl': {
      const name = `$v${n.name}`;
      if (n.assign && scope.vars.includes(name)) return `{{ ${name} = ${printExpr(n.e, scope)} }}`;
      const text = `{{ ${name} := ${printExpr(n.e, scope)} }}`;
      scope.vars.push(name);
      return text;
    }
    case 'if': {
      const mark = scope.vars.length;
      let out = `${open(n.trim)}if ${printExpr(n.cond, scope)} }}${printNodes(n.then, scope)}`;
      for (const [cond, body] of n.elifs) out += `{{ else if ${printExpr(cond, scope)} }}${printNodes(body, scope)}`;
      if (n.otherwise) out += `{{ else }}${printNodes(n.otherwise, scope)}`;
      out += `${open(n.trim)}end }}`;
      scope.vars.length = mark;
      return out;
    }
    case 'with': {
      const mark = scope.vars.length;
      let head = printExpr(n.e, scope);
      if (n.declare) {
        head = `$w := ${head}`;
        scope.vars.push('$w');
      }
      let out = `{{ with ${head} }}${printNodes(n.then, scope)}`;
      if (n.elseWith) out += `{{ else with ${printExpr(n.elseWith[0], scope)} }}${printNodes(n.elseWith[1], scope)}`;
      if (n.otherwise) out += `{{ else }}${printNodes(n.otherwise, scope)}`;
      out += '{{ end }}';
      scope.vars.length = mark;
      return out;
    }
    case 'range': {
      const mark = scope.vars.length;
      const over = printExpr(n.over, scope);
      let head = over;
      const canAssign = n.assign && scope.vars.length >= n.vars && n.vars > 0;
      if (n.vars === 1) head = canAssign ? `${scope.vars[0]} = ${over}` : `$r := ${over}`;
      const overInt = n.over.t === 'lit' && /^\d+$/.test(n.over.text);
      if (n.vars === 2 && !overInt) head = canAssign ? `${scope.vars[0]}, ${scope.vars[1]} = ${over}` : `$k, $r := ${over}`;
      if (n.vars === 2 && overInt) head = `$r := ${over}`;
      if (!canAssign && n.vars >= 1) scope.vars.push('$r');
      if (!canAssign && n.vars === 2 && !overInt) scope.vars.push('$k');
      const body = printNodes(n.body, { ...scope, vars: scope.vars, inRange: true });
      let out = `${open(n.trim)}range ${head} }}${body}`;
      if (n.otherwise) out += `{{ else }}${printNodes(n.otherwise, { ...scope, vars: scope.vars, inRange: false })}`;
      out += `${open(n.trim)}end }}`;
      scope.vars.length = mark;
      return out;
    }
    case 'jump':
      return scope.inRange ? `{{ if ${printExpr(n.cond, scope)} }}{{ ${n.kind} }}{{ end }}` : '';
    case 'template': {
      if (scope.defines === 0) return '';
      const name = `d${n.pick % scope.defines}`;
      return n.arg ? `{{ template "${name}" ${printExpr(n.arg, scope)} }}` : `{{ template "${name}" }}`;
    }
    case 'block': {
      let name = `b${n.name}`;
      if (scope.blocks.has(name)) name = `b${n.name}_${scope.blocks.size}`;
      scope.blocks.add(name);
      const body = printNodes(n.body, { vars: ['$'], inRange: false, defines: scope.defines, blocks: scope.blocks });
      return `{{ block "${name}" ${printExpr(n.arg, scope)} }}${body}{{ end }}`;
    }
  }
}

/** The template text. */
export function printTemplate(template: GTemplate): string {
  let out = '';
  const blocks = new Set<string>();
  template.defines.forEach((body, index) => {
    out += `{{ define "d${index}" }}${printNodes(body, { vars: [], inRange: false, defines: index, blocks })}{{ end }}`;
  });
  out += printNodes(template.body, { vars: [], inRange: false, defines: template.defines.length, blocks });
  return out;
}
