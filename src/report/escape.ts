/**
 * Quoting for the languages pod2wi generates (bash, HCL, Bicep) and one-line text for their comments and for
 * Markdown. Every value that came from a scanned repository goes through one of these before it is written.
 */

/** Characters that end or break a line somewhere: C0 controls, DEL, NEL, and the Unicode line and paragraph separators. */
const lineBreaking = /[\u0000-\u001f\u007f\u0085\u2028\u2029]/g;

/** Lone UTF-16 surrogates: not text in any of the target languages. */
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** A value as one line of text: control and line-separator characters shown as `\xNN` / `\uNNNN`, never raw. */
export function oneLine(value: string): string {
  return value
    .replace(loneSurrogate, '\ufffd')
    .replace(lineBreaking, (char) => {
      const code = char.charCodeAt(0);
      return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
    });
}

/**
 * Every string inside a value (objects, arrays) made {@link oneLine}: for renderers that interpolate many fields into
 * line-oriented output (Markdown), so no field can start a line of its own.
 */
export function oneLineDeep<T>(value: T): T {
  if (typeof value === 'string') return oneLine(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => oneLineDeep(item)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = oneLineDeep(item);
    return out as T;
  }
  return value;
}

/**
 * A word for bash: bare when it holds only characters bash never interprets, else single-quoted with each `'`
 * written `'\''`. Inside single quotes bash interprets nothing (no `$`, backquote, backslash or history expansion in
 * a script), so the value is one argument whatever it holds. The empty string is `''`; NUL, which no bash word
 * can hold, becomes U+FFFD.
 */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_./:=@%+-]+$/.test(value)) return value;
  // bash refuses a script holding NUL as a binary file: no word can carry one.
  return `'${value.replace(/\0/g, '\ufffd').replace(/'/g, `'\\''`)}'`;
}

/**
 * An HCL (Terraform) quoted string: `"` and `\` escaped, line breaks and other controls as `\n`, `\r`, `\t` or
 * `\uNNNN` (HCL has no `\b` or `\f`), and the template sequences `${` and `%{` doubled (`$${`, `%%{`), so nothing in
 * the value is interpolated or read as a directive.
 */
export function hclString(value: string): string {
  let out = '"';
  const text = value.replace(loneSurrogate, '\ufffd');
  for (let i = 0; i < text.length; i++) {
    const char = text[i] ?? '';
    const code = char.charCodeAt(0);
    const next = text[i + 1];
    if (char === '"') out += '\\"';
    else if (char === '\\') out += '\\\\';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else if ((char === '$' || char === '%') && next === '{') out += `${char}${char}`;
    else out += char;
  }
  return `${out}"`;
}

/**
 * A Bicep single-quoted string: `\`, `'` and `${` escaped (`\\`, `\'`, `\${`), line breaks as `\n`, `\r`, `\t`, other
 * controls as `\u{X}`, so the value stays one string on one line and is never interpolated.
 */
export function bicepString(value: string): string {
  let out = "'";
  const text = value.replace(loneSurrogate, '\ufffd');
  for (let i = 0; i < text.length; i++) {
    const char = text[i] ?? '';
    const code = char.charCodeAt(0);
    if (char === '\\') out += '\\\\';
    else if (char === "'") out += "\\'";
    else if (char === '$' && text[i + 1] === '{') out += '\\$';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f || code === 0x85 || code === 0x2028 || code === 0x2029) out += `\\u{${code.toString(16)}}`;
    else out += char;
  }
  return `${out}'`;
}
