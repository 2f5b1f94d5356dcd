import type { SourceLanguage } from '../model/application.js';
import type { ApiRule, CredentialRules } from './rules.js';
import { apiRulesFor } from './rules.js';

/**
 * What the names of one file stand for, as far as imports say: a local name bound to a full path (`MIC` →
 * `azure.identity.ManagedIdentityCredential`, `ai` → `azure.identity`), wildcard imports whose members are visible
 * unqualified, and names the file declares itself (which hide any import of the same name).
 */
export class NameScope {
  readonly #bindings = new Map<string, readonly string[]>();
  readonly #wildcards: Array<readonly string[]> = [];
  readonly #declared = new Set<string>();

  bind(local: string, path: readonly string[]): void {
    this.#bindings.set(local, path);
  }

  /** `from m import *`, `using Azure.Identity;`, `import com.azure.identity.*;`, `using namespace Azure::Identity;`. */
  addWildcard(path: readonly string[]): void {
    if (!this.#wildcards.some((known) => known.join('\u0001') === path.join('\u0001'))) this.#wildcards.push(path);
  }

  /** Whether a module (`A.B`) is imported whole. */
  imports(path: readonly string[]): boolean {
    return this.#wildcards.some((known) => known.join('\u0001') === path.join('\u0001'));
  }

  /** A class, function or variable the file defines itself: it is not the library's symbol. */
  declare(name: string): void {
    this.#declared.add(name);
  }

  isDeclared(name: string): boolean {
    return this.#declared.has(name);
  }

  binding(name: string): readonly string[] | undefined {
    return this.#bindings.get(name);
  }

  /**
   * The full paths a written name may stand for. `absolute`: a qualified name whose head is not bound may be a fully
   * qualified name already (`Azure.Identity.X`, `com.azure.identity.X`, `Azure::Identity::X`).
   */
  candidates(path: readonly string[], absolute: boolean): Array<readonly string[]> {
    const [head, ...rest] = path;
    if (head === undefined) return [];
    const bound = this.#bindings.get(head);
    if (bound) return [[...bound, ...rest]];
    if (this.#declared.has(head)) return [];
    const result: Array<readonly string[]> = this.#wildcards.map((wildcard) => [...wildcard, ...path]);
    if (absolute && path.length > 1) result.push(path);
    return result;
  }
}

/** The API rule a written name resolves to, with the module it resolved through; null when it is not a library name. */
export function resolveApi(
  rules: CredentialRules,
  language: SourceLanguage,
  scope: NameScope,
  path: readonly string[],
  options: { readonly separator: string; readonly submodules: boolean; readonly absolute: boolean },
): { rule: ApiRule; module: string } | null {
  const known = rules.apis.get(language);
  for (const full of scope.candidates(path, options.absolute)) {
    const name = full[full.length - 1];
    if (name === undefined || full.length < 2 || !known?.has(name)) continue;
    const module = full.slice(0, -1).join(options.separator);
    const rows = apiRulesFor(rules, language, module, name, options.submodules ? options.separator : null);
    const rule = rows[0];
    if (rule) return { rule, module };
  }
  return null;
}
