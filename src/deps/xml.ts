/**
 * XML through fast-xml-parser, with the line of each element. The parser gives no positions, so the raw text (with
 * comments, CDATA and processing instructions blanked) is scanned for start tags: the n-th element in document order
 * is the n-th start tag. `XMLValidator` reports malformed documents with their line, which the parser alone accepts.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { TextFile } from '../walk/repo.js';
import { asRecord, reportParseError } from './files.js';
import type { ReadContext } from './types.js';
import { cached } from './types.js';

/** One element: its name, attributes, child elements, direct text, and the line of its start tag. */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  readonly text: string;
  readonly line: number;
}

const parser = (): XMLParser =>
  new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
    commentPropName: '#comment',
    cdataPropName: '#cdata',
  });

/** Replaces every character but newlines in comments, CDATA sections and processing instructions with spaces. */
function blankNonElements(text: string): string {
  return text.replace(/<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>/g, (match) => match.replace(/[^\n]/g, ' '));
}

function startTagLines(text: string): number[] {
  const blanked = blankNonElements(text);
  const lines: number[] = [];
  let line = 1;
  let last = 0;
  for (const match of blanked.matchAll(/<([A-Za-z_][\w.:-]*)/g)) {
    for (let i = last; i < match.index; i++) if (blanked.charCodeAt(i) === 10) line++;
    last = match.index;
    lines.push(line);
  }
  return lines;
}

type Ordered = Record<string, unknown>;

function convert(nodes: unknown, lines: readonly number[], counter: { next: number }): XmlElement[] {
  const result: XmlElement[] = [];
  if (!Array.isArray(nodes)) return result;
  for (const node of nodes as Ordered[]) {
    const name = Object.keys(node).find((key) => key !== ':@');
    if (name === undefined || name === '#text' || name === '#comment' || name === '#cdata') continue;
    const line = lines[counter.next] ?? 1;
    counter.next++;
    const attributes: Record<string, string> = {};
    for (const [key, value] of Object.entries(asRecord(node[':@']) ?? {})) attributes[key] = String(value);
    const body = node[name];
    const texts = Array.isArray(body) ? (body as Ordered[]).flatMap((child) => ('#text' in child ? [String(child['#text'])] : '#cdata' in child ? [String(asRecord((child['#cdata'] as Ordered[] | undefined)?.[0])?.['#text'] ?? '')] : [])) : [];
    result.push({ name, attributes, children: convert(body, lines, counter), text: texts.join('').trim(), line });
  }
  return result;
}

/** Parses an XML file into its root element (cached per scan); a malformed file is reported and gives null. */
export function readXml(context: ReadContext, file: TextFile, what: string): XmlElement | null {
  return cached(context, `xml:${file.path}`, () => {
    const valid = XMLValidator.validate(file.text);
    if (valid !== true) {
      reportParseError(context, file.path, valid.err.line, valid.err.col, what, valid.err.msg);
      return null;
    }
    let nodes: unknown;
    try {
      nodes = parser().parse(file.text);
    } catch (error) {
      reportParseError(context, file.path, 1, 1, what, (error as Error).message);
      return null;
    }
    const roots = convert(nodes, startTagLines(file.text), { next: 0 });
    const root = roots[0];
    if (!root) reportParseError(context, file.path, 1, 1, what, 'no root element');
    return root ?? null;
  });
}

/** Child elements with this name (case-insensitive, as MSBuild and most hand-written XML tools treat them). */
export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  const wanted = name.toLowerCase();
  return element.children.filter((child) => child.name.toLowerCase() === wanted);
}

export function childNamed(element: XmlElement, name: string): XmlElement | undefined {
  return childrenNamed(element, name)[0];
}

/** An attribute by case-insensitive name. */
export function attribute(element: XmlElement, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(element.attributes)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}
