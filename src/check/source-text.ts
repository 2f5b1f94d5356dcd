/** The languages the gate reads as text, each with its own comment syntax. */
export type Language = 'yaml' | 'json' | 'hcl' | 'bicep' | 'shell' | 'powershell' | 'batch';

/**
 * One physical line of a file with its comments blanked: `code` has the same length and columns as `text`, with
 * every comment character replaced by a space; `comment` is the comment text on the line (null when there is none).
 */
export interface SourceLine {
  /** 1-based. */
  readonly number: number;
  readonly text: string;
  readonly code: string;
  readonly comment: string | null;
  /** 1-based column where the comment starts (its opener), 0 when there is none. */
  readonly commentColumn: number;
}

const byExtension: ReadonlyArray<readonly [RegExp, Language]> = [
  [/\.(ya?ml|tpl|tmpl|gotmpl)$/i, 'yaml'],
  [/\.(json|jsonc)$/i, 'json'],
  [/\.(tf|tfvars|hcl)$/i, 'hcl'],
  [/\.(bicep|bicepparam)$/i, 'bicep'],
  [/(\.(sh|bash|zsh|ksh)|(^|\/)(Makefile|makefile|GNUmakefile|Dockerfile|Containerfile)|\.mk|\.dockerfile)$/, 'shell'],
  [/\.(ps1|psm1)$/i, 'powershell'],
  [/\.(cmd|bat)$/i, 'batch'],
];

/** The language of a root-relative path, or null for files the gate does not read (source code, docs, images). */
export function languageOf(path: string): Language | null {
  for (const [pattern, language] of byExtension) if (pattern.test(path)) return language;
  return null;
}

interface Syntax {
  /** Line comment openers. `#` in YAML, shell and PowerShell needs line start or whitespace before it. */
  readonly line: readonly string[];
  readonly hashNeedsSpace: boolean;
  /** Block comments: a sticky opener and a global closer. */
  readonly blocks: ReadonlyArray<readonly [RegExp, RegExp]>;
  readonly quotes: readonly string[];
  /** YAML opens a quoted scalar only at the start of a token. */
  readonly quoteAtTokenStart: boolean;
  /** Bicep `'''` strings span lines. */
  readonly multilineQuote: string | null;
}

/** Fresh per call: the sticky and global regular expressions carry `lastIndex`. */
function syntaxOf(language: Language): Syntax {
  const syntaxes: Record<Language, Syntax> = {
  yaml: { line: ['#'], hashNeedsSpace: true, blocks: [[/\{\{-?\s*\/\*/y, /\*\/\s*-?\}\}/g]], quotes: ['"', "'"], quoteAtTokenStart: true, multilineQuote: null },
  json: { line: ['//'], hashNeedsSpace: false, blocks: [[/\/\*/y, /\*\//g]], quotes: ['"'], quoteAtTokenStart: false, multilineQuote: null },
  hcl: { line: ['#', '//'], hashNeedsSpace: false, blocks: [[/\/\*/y, /\*\//g]], quotes: ['"'], quoteAtTokenStart: false, multilineQuote: null },
  bicep: { line: ['//'], hashNeedsSpace: false, blocks: [[/\/\*/y, /\*\//g]], quotes: ["'"], quoteAtTokenStart: false, multilineQuote: "'''" },
  shell: { line: ['#'], hashNeedsSpace: true, blocks: [], quotes: ['"', "'"], quoteAtTokenStart: false, multilineQuote: null },
  powershell: { line: ['#'], hashNeedsSpace: true, blocks: [[/<#/y, /#>/g]], quotes: ['"', "'"], quoteAtTokenStart: false, multilineQuote: null },
  batch: { line: [], hashNeedsSpace: false, blocks: [], quotes: ['"'], quoteAtTokenStart: false, multilineQuote: null },
  };
  return syntaxes[language];
}

/**
 * Splits a file into lines and blanks its comments, knowing each language's strings well enough not to take a `#`
 * or `//` inside a string for a comment. Quoted strings end at the line's end (a multi-line quoted scalar is rare in
 * manifests, and an apostrophe in a YAML block scalar must not swallow the rest of the file); block comments,
 * Helm template comments (`{{/*` … `*&#47;}}`) and Bicep `'''` strings span lines.
 */
export function lexLines(text: string, language: Language): SourceLine[] {
  const syntax = syntaxOf(language);
  // Lines without any character that can open a comment or a string are code as they are (most manifest lines).
  const special = /[#"'\/{<`]/;
  const raw = text.split('\n');
  const lines: SourceLine[] = [];
  let block: RegExp | null = null;
  let multiline = false;
  for (let index = 0; index < raw.length; index++) {
    const line = (raw[index] ?? '').replace(/\r$/, '');
    if (language === 'batch') {
      const comment = /^\s*(@?rem(\s|$)|::)/i.exec(line);
      lines.push(comment ? commentLine(index + 1, line, comment[0].length - comment[0].trimStart().length) : { number: index + 1, text: line, code: line, comment: null, commentColumn: 0 });
      continue;
    }
    if (!block && !multiline && !special.test(line)) {
      lines.push({ number: index + 1, text: line, code: line, comment: null, commentColumn: 0 });
      continue;
    }
    const code = line.split('');
    let comment = '';
    let commentColumn = 0;
    let quote: string | null = null;
    const blank = (from: number, to: number) => {
      if (commentColumn === 0) commentColumn = from + 1;
      comment += line.slice(from, to);
      for (let i = from; i < to; i++) code[i] = ' ';
    };
    let i = 0;
    while (i < line.length) {
      if (block) {
        block.lastIndex = i;
        const match = block.exec(line);
        const end = match ? match.index + match[0].length : line.length;
        blank(i, end);
        i = end;
        if (match) block = null;
        continue;
      }
      if (multiline && syntax.multilineQuote) {
        const end = line.indexOf(syntax.multilineQuote, i);
        if (end < 0) i = line.length;
        else {
          i = end + syntax.multilineQuote.length;
          multiline = false;
        }
        continue;
      }
      const char = line[i] ?? '';
      if (quote) {
        if (char === '\\' && quote === '"') i += 2;
        else if (char === quote && quote === "'" && language === 'yaml' && line[i + 1] === "'") i += 2;
        else {
          if (char === quote) quote = null;
          i++;
        }
        continue;
      }
      if (syntax.multilineQuote && line.startsWith(syntax.multilineQuote, i)) {
        multiline = true;
        i += syntax.multilineQuote.length;
        continue;
      }
      const opener = (char === '{' || char === '/' || char === '<') && syntax.blocks.find(([open]) => {
        open.lastIndex = i;
        return open.test(line);
      });
      if (opener) {
        const [open, close] = opener;
        open.lastIndex = i;
        const match = open.exec(line);
        const start = i;
        i += match?.[0].length ?? 1;
        blank(start, i);
        block = close;
        continue;
      }
      const lineComment = syntax.line.find((marker) => line.startsWith(marker, i));
      if (lineComment) {
        const before = i === 0 ? ' ' : (line[i - 1] ?? ' ');
        if (!(lineComment === '#' && syntax.hashNeedsSpace && !/\s/.test(before))) {
          blank(i, line.length);
          break;
        }
      }
      if (syntax.quotes.includes(char)) {
        const previous = line.slice(0, i).trimEnd();
        const last = previous[previous.length - 1];
        if (!syntax.quoteAtTokenStart || last === undefined || '[{,:-?'.includes(last) || /\s/.test(line[i - 1] ?? ' ')) quote = char;
      }
      i++;
    }
    lines.push({ number: index + 1, text: line, code: code.join(''), comment: commentColumn > 0 ? comment : null, commentColumn });
  }
  return lines;
}

function commentLine(number: number, text: string, indent: number): SourceLine {
  return { number, text, code: ' '.repeat(text.length), comment: text.slice(indent), commentColumn: indent + 1 };
}

/** The flagged line as the fingerprint sees it: comments dropped, spacing collapsed. */
export function normalizeLine(line: SourceLine | undefined): string {
  return (line?.code ?? '').trim().replace(/\s+/g, ' ');
}
