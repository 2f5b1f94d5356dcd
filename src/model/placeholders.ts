/**
 * Placeholders: text a deploy step replaces before the value reaches the cluster. A value holding one is "set at
 * deploy time", never a value pod2wi may use (a selector, a client ID, an image) and never an error in itself.
 *
 * The forms, each from a tool that substitutes it:
 * - `${VAR}`, `${VAR:-x}`, `$VAR`: shell, envsubst, Flux postBuild, Terraform templatefile;
 * - `$(VAR)`: Azure Pipelines macros, Kustomize vars;
 * - `#{VAR}#`: the Azure DevOps "Replace Tokens" task (its default token pattern);
 * - `__VAR__`: the same task's other common pattern, and many release scripts;
 * - `{{ … }}`: a template action left unrendered (Helm, Go templates, Jinja);
 * - `<name>`: a value to fill in by hand, as documentation writes it (`<subscription-id>`);
 * - `REPLACE_ME`, `CHANGE_ME`, `TODO`, `TBD`, `xxx…`: words that say so; a whole value in capitals with
 *   underscores (`CLIENT_ID`); the nil GUID.
 */
const forms: readonly { readonly kind: string; readonly pattern: RegExp }[] = [
  { kind: 'variable', pattern: /\$\{[A-Za-z_][\w.:\-=?+ ]*\}|\$[A-Z_][A-Z0-9_]{2,}\b/ },
  { kind: 'macro', pattern: /\$\([A-Za-z_][\w.]*\)/ },
  { kind: 'token', pattern: /#\{[A-Za-z_][\w.-]*\}#/ },
  { kind: 'token', pattern: /(?:^|[^A-Za-z0-9])__[A-Za-z][\w.-]*__(?:$|[^A-Za-z0-9])/ },
  { kind: 'template', pattern: /\{\{.*?\}\}/ },
  { kind: 'fill-in', pattern: /^<[^<>\s][^<>]*>$|<[a-z][a-z0-9 _-]*>/i },
  { kind: 'word', pattern: /^(?:replace[-_ ]?me|change[-_ ]?me|todo|tbd|tba|x{4,}|placeholder)$/i },
  // A whole value in capitals with underscores (CLIENT_ID, YOUR_CLIENT_ID) names what goes there.
  { kind: 'name', pattern: /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/ },
  // The nil GUID stands in for a client or subscription ID that is not known yet.
  { kind: 'nil', pattern: /^0{8}-0{4}-0{4}-0{4}-0{12}$/ },
];

/** The first placeholder in a value, as written; null when the value holds none. */
export function placeholderIn(text: string): string | null {
  for (const { pattern } of forms) {
    const match = pattern.exec(text);
    if (match) return match[0].replace(/^[^$#_{<\w]|[^}#_>\w)]$/g, '');
  }
  return null;
}

/** "set at deploy time", naming the placeholder when it is only part of the value; null when the value holds none. */
export function setAtDeployTime(value: string): string | null {
  const placeholder = placeholderIn(value);
  if (placeholder === null) return null;
  return placeholder === value ? 'set at deploy time' : `set at deploy time (${placeholder})`;
}
