/**
 * The schema of `rules/credential-apis.yaml` (zod). Only the build (which validates the rule files into
 * `dist/rules.json`) and the tests load it: pod2wi itself reads the validated data.
 */
import { z } from 'zod';
import type { CredentialCategory, IdentitySelection } from '../model/application.js';
import { codeLanguages } from './rules.js';

const categories = [
  'legacy-library',
  'imds-http',
  'imds-other',
  'nmi-endpoint',
  'app-service-msi',
  'managed-identity-credential',
  'modern',
  'wi-excluded',
  'hardcoded-token-path',
  'cli-identity-login',
  'bare-resource-scope',
] as const satisfies readonly CredentialCategory[];

const selections = ['client-id', 'resource-id', 'object-id', 'system-assigned/default'] as const satisfies readonly IdentitySelection[];

const category = z.enum(categories);
const selection = z.enum(selections);
const languages = z.array(z.enum(codeLanguages)).min(1);
const name = z.string().min(1).regex(/^\S+$/, 'no whitespace');

const apiRow = z.strictObject({
  languages,
  module: z.string().min(1),
  symbol: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an identifier'),
  kind: z.enum(['constructor', 'call', 'builder']),
  category,
  identity: z.boolean().optional(),
  selects: selection.optional(),
  positional: selection.optional(),
  assertion: z.boolean().optional(),
  note: z.string().min(1).optional(),
  source: z.string().min(1),
});

const selectorRow = z.strictObject({ languages, name, selects: selection, source: z.string().min(1) });

const optionRow = z.strictObject({ languages, name, category, source: z.string().min(1) });

const environmentRow = z.strictObject({
  name: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'an environment variable name'),
  on: z.enum(['read', 'set']),
  category,
  detail: z.string().min(1).optional(),
  when: z.array(z.string().min(1)).optional(),
  unless: z.array(z.string().min(1)).optional(),
  source: z.string().min(1),
});

const endpoints = z.strictObject({
  imdsHost: z.string().min(1),
  tokenPath: z.string().startsWith('/'),
  metadataPrefix: z.string().startsWith('/'),
  metadataHeader: z.string().min(1),
  nmiPort: z.string().regex(/^\d+$/),
  nmiPath: z.string().startsWith('/'),
  legacyExtensionPort: z.number().int().positive(),
  queryIdentity: z.array(z.strictObject({ name, selects: selection })).min(1),
  tokenFiles: z.array(z.strictObject({ path: z.string().startsWith('/'), detail: z.string().min(1) })).min(1),
  source: z.string().min(1),
});

const commandRow = z.union([
  z.strictObject({
    command: name,
    words: z.array(name),
    flags: z.array(name).min(1),
    api: z.string().min(1),
    category,
    identityOptions: z.array(z.strictObject({ name, selects: selection })).optional(),
    source: z.string().min(1),
  }),
  z.strictObject({
    command: name,
    options: z.array(name).min(1),
    value: name,
    api: z.string().min(1),
    category,
    source: z.string().min(1),
  }),
]);

const terraformRow = z.strictObject({ setting: name, category, source: z.string().min(1) });

/**
 * A call or constructor whose string arguments are token scopes (`new TokenRequestContext(new[] { "…" })`,
 * `credential.getToken("…")`): a literal scope that does not end in `/.default` is a bare resource, which IMDS
 * accepts and the workload-identity token exchange does not.
 */
const tokenScopeRow = z.strictObject({
  languages: z.array(z.enum(codeLanguages)).min(1),
  name,
  kind: z.enum(['constructor', 'call']),
  /** The module the file must import for the name to count (a namespace, package or module prefix). */
  module: z.string().min(1),
  source: z.string().min(1),
});

/**
 * A driver or framework that fetches tokens itself, named by a setting in a string: a connection string whose `key`
 * takes one of `values` (compared without case and spaces). `package` is the library that does it; from
 * `throughAzureIdentityFrom` on it asks Azure Identity (so Azure Identity's version decides), below it calls IMDS
 * itself (the legacy path). `credential` is what the setting amounts to once through Azure Identity.
 */
const driverRow = z.strictObject({
  id: name,
  languages: z.array(z.enum(codeLanguages)).min(1),
  /** The connection-string key (`Authentication`); absent when the value alone, as a whole string, names the mode (tedious's `authentication.type`). */
  key: z.string().min(1).optional(),
  values: z.array(z.string().min(1)).min(1),
  /**
   * The driver that fetches the token and its first version that asks Azure Identity. Absent for a framework setting
   * (Spring Cloud Azure's `managed-identity-enabled`) that always goes through the application's Azure Identity.
   */
  package: z.strictObject({ ecosystem: z.enum(['npm', 'pypi', 'nuget', 'maven', 'go', 'vcpkg']), name }).optional(),
  throughAzureIdentityFrom: z.string().min(1).optional(),
  credential: z.enum(['managed-identity-credential', 'modern']),
  /** Words the prefilter looks for (the values as they are usually written). */
  prefilter: z.array(z.string().min(1)).min(1),
  /**
   * Configuration files the application reads its connection strings from (`appsettings*.json`,
   * `application*.properties`): file names, `*` standing for any characters. Their lines are read as text.
   */
  configFiles: z.array(z.string().min(1)).optional(),
  source: z.string().min(1),
}).refine((row) => (row.package === undefined) === (row.throughAzureIdentityFrom === undefined), { message: 'package and throughAzureIdentityFrom go together' });

/**
 * An extension method whose overloads decide how it authenticates (.NET `AddAzureKeyVault(vault)`): the calls with
 * `legacyArguments` arguments (with `alsoWhenImported` imported, also those with `legacyWhenImported` arguments) are
 * uses of a legacy library; the overloads of the library's modern successor have other arguments.
 */
const extensionCallRow = z.strictObject({
  id: name,
  languages: z.array(z.enum(codeLanguages)).min(1),
  name,
  legacyArguments: z.array(z.number().int().min(0)).min(1),
  alsoWhenImported: z.strictObject({ module: z.string().min(1), arguments: z.array(z.number().int().min(0)).min(1) }).optional(),
  /** A type whose constructor with these arguments authenticates the same way (the overloads' options class). */
  constructorOf: z.strictObject({ type: name, arguments: z.array(z.number().int().min(0)).min(1) }).optional(),
  category,
  /** The package that defines these overloads: a call in an application without it is a namesake. */
  package: z.strictObject({ ecosystem: z.enum(['npm', 'pypi', 'nuget', 'maven', 'go', 'vcpkg']), name }),
  detail: z.string().min(1),
  source: z.string().min(1),
});

export const credentialRulesSchema = z.strictObject({
  apis: z.array(apiRow).min(1),
  selectors: z.array(selectorRow),
  options: z.array(optionRow),
  environment: z.array(environmentRow),
  endpoints,
  commands: z.array(commandRow),
  terraform: z.array(terraformRow),
  messageCalls: z.strictObject({ names: z.array(name).min(1), source: z.string().min(1) }),
  tokenScopes: z.array(tokenScopeRow),
  drivers: z.array(driverRow),
  extensionCalls: z.array(extensionCallRow).optional(),
});

/** The validated content of `rules/credential-apis.yaml`. */
export type CredentialRuleFile = z.output<typeof credentialRulesSchema>;
/** One library symbol: where it lives, what using it means, and how it selects an identity. */
export type ApiRule = z.output<typeof apiRow>;
/** An environment variable whose read (or setting) is a credential use. */
export type EnvironmentRule = z.output<typeof environmentRow>;
/** A shell command line that is a credential use (`az login --identity`). */
export type CommandRule = z.output<typeof commandRow>;
/** A Terraform provider or backend setting. */
export type TerraformRule = z.output<typeof terraformRow>;
/** An option that removes workload identity from a credential chain. */
export type OptionRule = z.output<typeof optionRow>;
/** A driver setting that fetches tokens itself (a SqlClient connection string's Authentication). */
export type DriverRule = z.output<typeof driverRow>;
/** An extension method legacy by its overload (see extensionCallRow). */
export type ExtensionCallRule = z.output<typeof extensionCallRow>;
/** A call whose literal string arguments are token scopes. */
export type TokenScopeRule = z.output<typeof tokenScopeRow>;
/** Fixed endpoint strings and token paths. */
export type EndpointRules = z.output<typeof endpoints>;

/** Validates rule data given in memory (tests use it for broken rows). */
export function parseCredentialRules(data: unknown): CredentialRuleFile {
  return credentialRulesSchema.parse(data);
}
