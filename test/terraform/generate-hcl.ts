/**
 * Random HCL configurations for differential and property tests: every construct of the native syntax the
 * parser handles, written with varied spacing, comments, line endings and heredoc styles. Deterministic per seed.
 */

/** mulberry32: a small seeded generator. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const names = ['name', 'namespace', 'podLabels', 'aadpodidbinding', 'value', 'chart', 'set', 'labels', 'a', 'b_c', 'x-y', 'count'];
const texts = ['orders', 'a b', 'é ü', '${x}', '%{y}', 'quote " inside', 'back\\slash', 'tab\there', 'line\nbreak', '', 'podLabels.azure\\.workload'];

export function generateHcl(seed: number): string {
  const rand = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const chance = (p: number) => rand() < p;
  const eol = chance(0.15) ? '\r\n' : '\n';
  const space = () => (chance(0.8) ? ' ' : chance(0.5) ? '  ' : '\t');
  const quoted = (value: string) =>
    `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t').replace(/\$\{/g, '$${').replace(/%\{/g, '%%{')}"`;
  const traversal = (): string => {
    let out = pick(['var.x', 'local.labels', 'module.identity.name', 'each.value', 'kubernetes_namespace.ns.metadata', 'data.a.b']);
    const steps = Math.floor(rand() * 3);
    for (let i = 0; i < steps; i++) out += pick(['[0]', '.name', '["k"]', '.0', '[*].id', '.*.id']);
    return out;
  };
  const template = (depth: number): string => {
    let out = '"';
    const parts = 1 + Math.floor(rand() * 3);
    for (let i = 0; i < parts; i++) {
      const roll = rand();
      if (roll < 0.5) out += quoted(pick(texts)).slice(1, -1);
      else if (roll < 0.8) out += `\${${space()}${expression(depth + 1, false)}${space()}}`;
      else if (roll < 0.9) out += `%{ if ${traversal()} }yes%{ else }no%{ endif }`;
      else out += `%{ for k, v in ${traversal()} ~}\${k}=\${v} %{~ endfor }`;
    }
    return `${out}"`;
  };
  const heredoc = (indent: string): string => {
    const flush = chance(0.6);
    const marker = pick(['EOT', 'YAML', 'EOF']);
    const inner = flush ? `${indent}  ` : '';
    const lines = ['podLabels:', '  aadpodidbinding: ${var.binding}', '  app: "x"', '', 'replicas: $${not}', 'text: \\n'];
    const count = 1 + Math.floor(rand() * lines.length);
    const body = lines.slice(0, count).map((line) => (line === '' ? '' : `${inner}${chance(0.2) ? ' ' : ''}${line}`));
    return `<<${flush ? '-' : ''}${marker}${eol}${body.join(eol)}${eol}${flush ? indent : ''}${marker}`;
  };
  const object = (depth: number, indent: string): string => {
    const count = Math.floor(rand() * 4);
    if (count === 0) return '{}';
    const keys = () => (chance(0.7) ? pick(names) : chance(0.5) ? quoted(pick(['app.kubernetes.io/name', 'azure.workload.identity/use', 'a b'])) : `(${traversal()})`);
    if (chance(0.3)) return `{ ${Array.from({ length: count }, () => `${keys()} = ${expression(depth + 1, false, indent)}`).join(', ')} }`;
    const inner = `${indent}  `;
    const items = Array.from({ length: count }, () => {
      const value = expression(depth + 1, true, inner);
      const tail = value.startsWith('<<') ? '' : `${chance(0.2) ? ',' : ''}${chance(0.1) ? ' # note' : ''}`;
      return `${inner}${keys()}${space()}${chance(0.9) ? '=' : ':'}${space()}${value}${tail}`;
    });
    return `{${eol}${items.join(eol)}${eol}${indent}}`;
  };
  const expression = (depth: number, multiline: boolean, indent = ''): string => {
    const roll = depth > 3 ? rand() * 0.45 : rand();
    if (roll < 0.12) return pick(['0', '1', '42', '3.25', '1e3', '0.5', 'true', 'false', 'null', '-1', '!true']);
    if (roll < 0.3) return quoted(pick(texts));
    if (roll < 0.4) return traversal();
    if (roll < 0.45) return template(depth);
    if (roll < 0.55) return object(depth, indent);
    if (roll < 0.63) return `[${Array.from({ length: Math.floor(rand() * 3) }, () => expression(depth + 1, false, indent)).join(', ')}${chance(0.2) ? ',' : ''}]`;
    if (roll < 0.7) return `${pick(['yamlencode', 'merge', 'file', 'lookup', 'concat', 'provider::k::f'])}(${Array.from({ length: 1 + Math.floor(rand() * 2) }, () => expression(depth + 1, false, indent)).join(', ')})`;
    if (roll < 0.76) return `${traversal()} ${pick(['==', '!=', '&&', '||', '+', '-', '*', '/', '%', '<', '>=', '<=', '>'])} ${expression(depth + 1, false, indent)}`;
    if (roll < 0.82) return `${traversal()} ? ${expression(depth + 1, false, indent)} : ${expression(depth + 1, false, indent)}`;
    if (roll < 0.87) return chance(0.5) ? `[for ${pick(['x', 'k, v'])} in ${traversal()} : ${traversal()}${chance(0.3) ? ' if x != null' : ''}]` : `{ for k, v in ${traversal()} : k => v${chance(0.2) ? '...' : ''} }`;
    if (roll < 0.92) return `(${expression(depth + 1, false, indent)})`;
    if (multiline && roll < 0.97) return heredoc(indent);
    return '-var.n';
  };
  const body = (depth: number, indent: string): string[] => {
    const lines: string[] = [];
    const count = 1 + Math.floor(rand() * (depth === 0 ? 5 : 3));
    for (let i = 0; i < count; i++) {
      if (chance(0.15)) lines.push(`${indent}${pick(['# comment', '// comment', '/* block */'])}`);
      if (chance(0.1)) lines.push('');
      if (depth < 3 && chance(0.4)) {
        const type = pick(['resource', 'set', 'metadata', 'dynamic', 'locals', 'module']);
        const labels = type === 'resource' ? ` "helm_release" "r${i}"` : type === 'dynamic' ? ' "set"' : type === 'module' ? ` m${i}` : '';
        if (chance(0.15)) lines.push(`${indent}${type}${labels} {}`);
        else if (chance(0.1)) lines.push(`${indent}${type}${labels} { a = ${quoted(pick(texts))} }`);
        else lines.push(`${indent}${type}${labels} {`, ...body(depth + 1, `${indent}  `), `${indent}}`);
      } else {
        const value = expression(0, true, indent);
        lines.push(`${indent}${pick(names)}${i}${space()}=${space()}${value}${!value.startsWith('<<') && chance(0.1) ? ' # trailing' : ''}`);
      }
    }
    return lines;
  };
  return `${body(0, '').join(eol)}${chance(0.8) ? eol : ''}`;
}
