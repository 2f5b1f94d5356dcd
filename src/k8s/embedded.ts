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

/** The file's text with only its embedded manifests kept (see the module comment), or null when it holds none. */
export function embeddedManifests(path: string, text: string): string | null {
  const lines = text.split('\n');
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
