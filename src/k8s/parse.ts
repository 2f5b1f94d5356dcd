import { parseAllDocuments, type Node } from 'yaml';
import type { Location } from '../model/location.js';
import type { TextFile } from '../walk/repo.js';
import { sanitizeTemplate, type SanitizedTemplate } from './helm/template.js';
import { LineIndex } from './line-index.js';
import type { SourceDoc, TemplateContext } from './source-doc.js';

/** A document that did not parse, with where and whether it looked like a Kubernetes object. */
export interface ParseProblem {
  readonly at: Location;
  readonly message: string;
  readonly looksLikeManifest: boolean;
  /** Offsets of the failed document in the file, for a textual fallback. */
  readonly start: number;
  readonly end: number;
}

export interface ParsedFile {
  readonly docs: readonly SourceDoc[];
  readonly problems: readonly ParseProblem[];
}

const manifestHint = /^\s*["']?(apiVersion|kind)["']?\s*:/m;

/**
 * Parses every document of a YAML or JSON file (`---` and `...` separated, CRLF and BOM tolerated). A document
 * that fails becomes a problem and the others are kept. With `template`, the text is sanitized first and each
 * document resolves its placeholders through the context that function returns.
 */
export function parseManifestFile(
  file: TextFile,
  template: ((sanitized: SanitizedTemplate) => TemplateContext) | null = null,
): ParsedFile {
  const sanitized = template ? sanitizeTemplate(file.text) : null;
  const text = sanitized ? sanitized.text : file.text;
  const context = sanitized && template ? template(sanitized) : null;
  const index = new LineIndex(file.text);
  const docs: SourceDoc[] = [];
  const problems: ParseProblem[] = [];
  for (const doc of parseAllDocuments(text, { uniqueKeys: false, prettyErrors: false })) {
    const [start = 0, , end = text.length] = doc.range ?? [];
    const errors = doc.errors;
    if (errors.length > 0) {
      const first = errors[0];
      const offset = first?.pos[0] ?? start;
      const region = file.text.slice(start, end);
      problems.push({
        at: { file: file.path, ...index.position(Math.min(offset, Math.max(0, file.text.length - 1))) },
        message: (first?.message ?? 'invalid YAML').split('\n')[0] ?? 'invalid YAML',
        looksLikeManifest: manifestHint.test(region) || region.includes('aadpodidbinding'),
        start,
        end,
      });
      continue;
    }
    docs.push({ file: file.path, text, index, contents: (doc.contents as Node | null) ?? null, template: context });
  }
  return { docs, problems };
}
