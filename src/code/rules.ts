import type { IdentitySelection, SourceLanguage } from '../model/application.js';
import { loadRuleFile } from '../rules/load.js';
import type { DirectUse, Position } from './facts.js';
import type { CredentialRuleFile, ApiRule, EnvironmentRule, CommandRule, TerraformRule, OptionRule, DriverRule, ExtensionCallRule, TokenScopeRule, EndpointRules } from './rules-schema.js';

/** Languages whose source the code stage reads through a syntax tree (the rows of `apis` name these). */
export const codeLanguages = ['javascript', 'typescript', 'python', 'csharp', 'java', 'go', 'cpp'] as const satisfies readonly SourceLanguage[];
/** A language read through a syntax tree with library-name resolution. */
export type CodeLanguage = (typeof codeLanguages)[number];

export type { CredentialRuleFile, ApiRule, EnvironmentRule, CommandRule, TerraformRule, OptionRule, DriverRule, ExtensionCallRule, TokenScopeRule, EndpointRules };

/**
 * The credential rules, indexed for the language modules. Built once per scan from the rule file; read-only after.
 */
export interface CredentialRules {
  readonly file: CredentialRuleFile;
  /** Per language: symbol → the API rows of that name (several modules may export one name). */
  readonly apis: ReadonlyMap<SourceLanguage, ReadonlyMap<string, readonly ApiRule[]>>;
  /** Per language: selector name → the selection it means. */
  readonly selectors: ReadonlyMap<SourceLanguage, ReadonlyMap<string, IdentitySelection>>;
  /** Per language: option name → rule. */
  readonly options: ReadonlyMap<SourceLanguage, ReadonlyMap<string, OptionRule>>;
  readonly environment: ReadonlyMap<string, EnvironmentRule>;
  readonly endpoints: EndpointRules;
  readonly commands: readonly CommandRule[];
  readonly terraform: ReadonlyMap<string, TerraformRule>;
  readonly messageCalls: ReadonlySet<string>;
  /** Per language: call or type name → the token-scope rule of that name. */
  readonly tokenScopes: ReadonlyMap<SourceLanguage, ReadonlyMap<string, TokenScopeRule>>;
}

/**
 * A literal token scope that is a bare resource (`https://management.azure.com`, `api://app-id`): on the
 * workload-identity path a client-credential request needs `<resource>/.default`. Null when the text is fine or not
 * a URL-shaped scope at all.
 */
export function bareResourceScope(text: string): string | null {
  const value = text.trim();
  if (!/^(https?|api):\/\/[^\s]+$/i.test(value)) return null;
  if (/\/\.default$/.test(value)) return null;
  return `${value.replace(/\/+$/, '')}/.default`;
}

/** The use a literal token scope makes when it is a bare resource (see {@link bareResourceScope}); null otherwise. */
export function bareScopeUse(at: Position, api: string, text: string): DirectUse | null {
  const fixed = bareResourceScope(text);
  return fixed ? { at, api, category: 'bare-resource-scope', detail: `scope "${text}" is a bare resource: use "${fixed}"` } : null;
}

/**
 * A token scope passed as a variable named like a resource or an audience (`audience`, `resourceId`): its value is
 * only known at run time, and its name says it is a resource, which IMDS accepts and the workload-identity exchange
 * refuses unless it ends in `/.default`. A variable named like a scope (`scope`, `scopes`) says nothing: null.
 */
export function runtimeScopeUse(at: Position, api: string, name: string): DirectUse | null {
  const last = name.replace(/^.*[.]/, '');
  if (!/(audience|resource)/i.test(last) || /scope/i.test(last)) return null;
  return { at, api, category: 'runtime-resource-scope', detail: `scope is ${name}, known only at run time, and named like a resource` };
}

/** Reads and indexes `rules/credential-apis.yaml` (throws ConfigError naming the row and field when it is wrong). */
export function loadCredentialRules(): CredentialRules {
  return indexCredentialRules(loadRuleFile<CredentialRuleFile>('credential-apis.yaml'));
}

/** Indexes validated rule data by language and name for the language modules. */
export function indexCredentialRules(file: CredentialRuleFile): CredentialRules {
  const apis = new Map<SourceLanguage, Map<string, ApiRule[]>>();
  const selectors = new Map<SourceLanguage, Map<string, IdentitySelection>>();
  const options = new Map<SourceLanguage, Map<string, OptionRule>>();
  for (const language of codeLanguages) {
    apis.set(language, new Map());
    selectors.set(language, new Map());
    options.set(language, new Map());
  }
  for (const row of file.apis) {
    for (const language of row.languages) {
      const bySymbol = apis.get(language);
      if (!bySymbol) continue;
      bySymbol.set(row.symbol, [...(bySymbol.get(row.symbol) ?? []), row]);
    }
  }
  for (const row of file.selectors) for (const language of row.languages) selectors.get(language)?.set(row.name, row.selects);
  for (const row of file.options) for (const language of row.languages) options.get(language)?.set(row.name, row);
  const tokenScopes = new Map<SourceLanguage, Map<string, TokenScopeRule>>();
  for (const row of file.tokenScopes) {
    for (const language of row.languages) {
      const byName = tokenScopes.get(language) ?? new Map<string, TokenScopeRule>();
      byName.set(row.name, row);
      tokenScopes.set(language, byName);
    }
  }
  return {
    tokenScopes,
    file,
    apis,
    selectors,
    options,
    environment: new Map(file.environment.map((row) => [row.name, row])),
    endpoints: file.endpoints,
    commands: file.commands,
    terraform: new Map(file.terraform.map((row) => [row.setting, row])),
    messageCalls: new Set(file.messageCalls.names),
  };
}

/**
 * The API rows a resolved (module, symbol) pair matches in a language. With a separator a module also matches its
 * sub-modules (`azure.identity.aio` is `azure.identity`); without one only the exact name does (C# namespaces).
 */
export function apiRulesFor(
  rules: CredentialRules,
  language: SourceLanguage,
  module: string,
  symbol: string,
  separator: string | null,
): ApiRule[] {
  const rows = rules.apis.get(language)?.get(symbol) ?? [];
  return rows.filter((row) => module === row.module || (separator !== null && module.startsWith(row.module + separator)));
}

/** Every module named by an API row of the language (import resolution only considers these). */
export function modulesOf(rules: CredentialRules, language: SourceLanguage): Set<string> {
  const modules = new Set<string>();
  for (const rows of rules.apis.get(language)?.values() ?? []) for (const row of rows) modules.add(row.module);
  return modules;
}
