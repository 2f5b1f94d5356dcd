/**
 * Manifests that live outside YAML files: the body of a here-document (`kubectl apply -f - <<EOF … EOF`) in a shell
 * script or in a Markdown runbook's code block, and a Markdown code block that is a manifest (```yaml with apiVersion
 * and kind). Runbooks of reference architectures keep AzureIdentity, AzureIdentityBinding and SecretProviderClass
 * objects only there.
 *
 * The result is the file's text with everything but those bodies blanked out (each character a space, line breaks
 * kept) and a `---` written over the line that opens each body: the same length and the same offsets, so every node
 * read from it has the line, column and span it has in the real file, and edits splice into the real file unchanged.
 */

const markdownFile = /\.(md|markdown)$/i;
const shellFile = /\.(sh|bash|zsh|ksh)$/i;
const fence = /^(\s*)(`{3,}|~{3,})\s*([\w+-]*)/;
const heredoc = /<<(-?)\s*(['"]?)([A-Za-z_][\w-]*)\2/;
const manifestLines = { apiVersion: /^\s*apiVersion:\s*\S/m, kind: /^\s*kind:\s*\S/m };

/** Whether a path is a runbook or script whose manifests are embedded (Markdown, shell). */
export function isEmbeddingFile(path: string): boolean {
  return markdownFile.test(path) || shellFile.test(path);
}

/** Whether a file may hold embedded manifests (a cheap test before {@link embeddedManifests}). */
export function mayEmbedManifests(path: string, text: string): boolean {
  if (!isEmbeddingFile(path)) return false;
  return text.includes('apiVersion') && text.includes('kind:') && (text.includes('<<') || text.includes('```') || text.includes('~~~'));
}

interface Region {
  /** Line index of the line that opens the body (the fence or the here-document's command). */
  readonly opener: number;
  /** Lines of the body: [first, end). */
  readonly first: number;
  readonly end: number;
}

/** The embedded manifest bodies of a file's lines. */
function regionsOf(path: string, lines: readonly string[]): Region[] {
  const regions: Region[] = [];
  const isManifest = (first: number, end: number) => {
    const body = lines.slice(first, end).join('\n');
    return manifestLines.apiVersion.test(body) && manifestLines.kind.test(body);
  };
  const heredocs = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const match = heredoc.exec(lines[i] ?? '');
      if (!match) continue;
      const word = match[3] ?? '';
      let end = i + 1;
      while (end < to && (lines[end] ?? '').replace(/\r$/, '').trim() !== word) end++;
      if (end < to && isManifest(i + 1, end)) regions.push({ opener: i, first: i + 1, end });
      i = end;
    }
  };
  if (markdownFile.test(path)) {
    for (let i = 0; i < lines.length; i++) {
      const open = fence.exec(lines[i] ?? '');
      if (!open) continue;
      const marker = open[2] ?? '```';
      const language = (open[3] ?? '').toLowerCase();
      let end = i + 1;
      while (end < lines.length && !(lines[end] ?? '').trimStart().startsWith(marker)) end++;
      if (language === 'yaml' || language === 'yml') {
        if (isManifest(i + 1, end)) regions.push({ opener: i, first: i + 1, end });
      } else {
        heredocs(i + 1, end);
      }
      i = end;
    }
  } else {
    heredocs(0, lines.length);
  }
  return regions;
}

/** The file's text with only its embedded manifests kept (see the module comment), or null when it holds none. */
export function embeddedManifests(path: string, text: string): string | null {
  const lines = text.split('\n');
  const regions = regionsOf(path, lines);
  if (regions.length === 0) return null;
  const keep = new Array<'blank' | 'keep' | 'separator'>(lines.length).fill('blank');
  for (const region of regions) {
    keep[region.opener] = 'separator';
    for (let line = region.first; line < region.end; line++) keep[line] = 'keep';
  }
  return lines
    .map((line, index) => {
      const how = keep[index];
      // A separator indented with its code block (a list item's) separates documents once the block is dedented.
      if (how === 'keep') return line.trim() === '---' ? `---${' '.repeat(line.replace(/\r$/, '').length - 3)}${line.endsWith('\r') ? '\r' : ''}` : line;
      const blank = line.replace(/[^\r]/g, ' ');
      return how === 'separator' && blank.length >= 3 ? `---${blank.slice(3)}` : blank;
    })
    .join('\n');
}

/** The cluster a kubectl command addresses: `--context NAME` or `--context=NAME`. */
const contextFlag = /(?:^|\s)--context(?:=|\s+)(["']?)([^\s"']+)\1/;

/** Where a runbook or script applies manifests to a named cluster (`kubectl … --context NAME`). */
export interface ClusterApplies {
  /** Embedded bodies, by 1-based line range [first, end), applied by a command naming a context. */
  readonly bodies: readonly { readonly first: number; readonly end: number; readonly context: string }[];
  /** Manifest files applied with a context (`kubectl apply -f ./workload/x.yaml --context NAME`), paths as written. */
  readonly files: readonly { readonly path: string; readonly context: string; readonly line: number }[];
}

/**
 * The `kubectl --context` of the commands in a runbook or script that apply manifests: a here-document's command
 * applies its body to that cluster, and `kubectl apply|create|replace -f FILE --context NAME` applies a file. Reference
 * architectures with one cluster per region keep one runbook block per cluster this way.
 */
export function clusterApplies(path: string, text: string): ClusterApplies {
  if (!isEmbeddingFile(path) || !text.includes('--context')) return { bodies: [], files: [] };
  const lines = text.split('\n');
  const bodies = regionsOf(path, lines).flatMap((region) => {
    const context = contextFlag.exec(lines[region.opener] ?? '')?.[2];
    return context ? [{ first: region.first + 1, end: region.end + 1, context }] : [];
  });
  const files: { path: string; context: string; line: number }[] = [];
  lines.forEach((line, index) => {
    const context = contextFlag.exec(line)?.[2];
    if (!context || !/\bkubectl\b/.test(line)) return;
    const words = line.trim().split(/\s+/).map((word) => word.replace(/^["']|["']$/g, ''));
    const kubectl = words.indexOf('kubectl');
    if (kubectl < 0 || !['apply', 'create', 'replace'].includes(words[kubectl + 1] ?? '')) return;
    for (let at = kubectl + 2; at < words.length; at++) {
      const word = words[at] ?? '';
      const value = word === '-f' || word === '--filename' ? words[at + 1] : word.startsWith('--filename=') ? word.slice('--filename='.length) : word.startsWith('-f=') ? word.slice(3) : null;
      if (value && value !== '-' && /\.(ya?ml|json)$/i.test(value) && !value.includes('$')) files.push({ path: value, context, line: index + 1 });
    }
  });
  return { bodies, files };
}
