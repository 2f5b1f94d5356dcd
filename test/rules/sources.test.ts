import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * Every fact in rules/ cites a primary source a user can open: a URL (documentation with its section, release notes,
 * a registry page at a version, a source file at a tag), or `owner/repo:path@ref` (an upstream file at a tag or
 * commit). A rule about pod2wi's own behaviour cites the section of pod2wi's README that describes it. Internal notes
 * (DOMAIN sections, UNVERIFIED marks) are never a source.
 */
const rules = fileURLToPath(new URL('../../rules/', import.meta.url));
const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');

const url = /^https?:\/\/[^\s/]+\.[^\s/]+\/?\S*$/;
const upstreamFile = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+:[^@\s]+@[^\s@]+$/;

interface Cited {
  readonly file: string;
  readonly path: string;
  readonly source: string;
  /** The object holding the source (a chart row may say that no source states a version). */
  readonly holder: Record<string, unknown>;
}

function collect(file: string, node: unknown, path: string, out: Cited[]): void {
  if (Array.isArray(node)) {
    node.forEach((item, index) => collect(file, item, `${path}[${index}]`, out));
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const holder = node as Record<string, unknown>;
  for (const [key, value] of Object.entries(holder)) {
    if (key === 'source' && typeof value === 'string') out.push({ file, path: `${path}.source`, source: value, holder });
    else if (key === 'sources' && Array.isArray(value)) value.forEach((item, index) => typeof item === 'string' && out.push({ file, path: `${path}.sources[${index}]`, source: item, holder }));
    else collect(file, value, `${path}.${key}`, out);
  }
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? yamlFiles(join(dir, entry.name)) : entry.name.endsWith('.yaml') ? [join(dir, entry.name)] : []);
}

/** `a; b (c; d); e` → `a`, `b (c; d)`, `e`: the citations of a source, split outside parentheses. */
function citations(source: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < source.length; i++) {
    const char = source[i];
    if (char === '(' || char === '[') depth++;
    else if ((char === ')' || char === ']') && depth > 0) depth--;
    else if (char === ';' && depth === 0) {
      parts.push(source.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(source.slice(start).trim());
  return parts.filter((part) => part !== '');
}

const citable = (token: string) => url.test(token) || upstreamFile.test(token);

/**
 * Why a source is not one a user can open; null when it is. It starts with a citation (a URL, an upstream file at a
 * version, or a section of pod2wi's README), and every further `;`-separated part names one too.
 */
export function sourceProblem(source: string): string | null {
  if (/DOMAIN|UNVERIFIED|AKS-docs/.test(source)) return 'cites an internal note';
  for (const [index, part] of citations(source).entries()) {
    const own = /^pod2wi README\.md "([^"]+)"/.exec(part);
    if (own) {
      if (!readme.includes(own[1] ?? '\u0000')) return `pod2wi's README has no section "${own[1] ?? ''}"`;
      continue;
    }
    const tokens = part.split(/[\s,()]+/).filter((token) => token !== '');
    if (index === 0 ? !citable(tokens[0] ?? '') : !tokens.some(citable)) return `"${part}" names neither a URL nor owner/repo:path@ref`;
  }
  return null;
}

describe('sources in rules/', () => {
  const cited: Cited[] = [];
  for (const file of yamlFiles(rules)) collect(file.slice(rules.length), parse(readFileSync(file, 'utf8')), '', cited);

  it('are many (every rule file is read)', () => {
    expect(new Set(cited.map((entry) => entry.file)).size).toBeGreaterThanOrEqual(10);
    expect(cited.length).toBeGreaterThan(150);
  });

  it('are each a URL or a named upstream file at a version', () => {
    const problems = cited.flatMap((entry) => {
      // A chart row without a first version decides nothing (the image tag does); its `source` says why.
      if (entry.path.includes('.charts[') && entry.holder.workloadIdentityVersion === null) return [];
      const problem = sourceProblem(entry.source);
      return problem ? [`${entry.file}${entry.path}: ${problem}`] : [];
    });
    expect(problems).toEqual([]);
  });

  it('rejects internal notes and bare names', () => {
    expect(sourceProblem('DOMAIN 4.2')).not.toBeNull();
    expect(sourceProblem('https://example.org/a (marked UNVERIFIED)')).not.toBeNull();
    expect(sourceProblem('aad-pod-identity CRD model')).not.toBeNull();
    expect(sourceProblem('Azure/aad-pod-identity:pkg/mic/mic.go')).not.toBeNull();
    expect(sourceProblem('pod2wi README.md "No such section anywhere"')).not.toBeNull();
    expect(sourceProblem('Azure/aad-pod-identity:pkg/mic/mic.go@v1.8.17 (pod.Labels); https://learn.microsoft.com/azure/aks/x#y')).toBeNull();
  });
});
