import { escapeRegExp } from '../model/text.js';
import type { CredentialUse, IdentitySelection, SourceLanguage } from '../model/application.js';
import { compareStrings } from '../model/location.js';
import type { ApiSite, FileFacts, Position } from './facts.js';
import { hole, joinSegments, overlapsOwn } from './facts.js';
import type { CredentialRules, DriverRule } from './rules.js';

/** Where a use is reported and whether its file is a test. */
export interface FileContext {
  readonly file: string;
  readonly test: boolean;
}

const precedence: readonly IdentitySelection[] = ['resource-id', 'object-id', 'client-id', 'system-assigned/default'];

/** Turns what a language module saw in one file into credential uses (one shared rule set for every language). */
export function classify(facts: FileFacts, context: FileContext, rules: CredentialRules): CredentialUse[] {
  const uses: CredentialUse[] = [];
  const add = (at: Position, use: Omit<CredentialUse, 'file' | 'line' | 'column' | 'language' | 'test'>): void => {
    uses.push({ file: context.file, line: at.line, column: at.column, language: facts.language, test: context.test, ...use });
  };
  const readsTokenFile = facts.environment.some((access) => access.name === 'AZURE_FEDERATED_TOKEN_FILE');

  for (const site of facts.sites) {
    const parts: string[] = [];
    const selection = selectionOf(site, facts.language, rules);
    if (selection) parts.push(selection);
    else {
      const preferred = selectorsOf(site, facts.language, rules);
      if (preferred) parts.push(`managed identity selected by ${preferred}`);
    }
    parts.push(`from ${site.module}`);
    if (site.rule.note) parts.push(site.rule.note);
    if (site.port === 'legacy-literal' || (site.port === 'option' && facts.numbers.has(rules.endpoints.legacyExtensionPort))) {
      parts.push(
        `port ${rules.endpoints.legacyExtensionPort}: the old MSI VM extension on localhost, which the proxy (169.254.169.254:80 only) does not intercept`,
      );
    }
    if (site.rule.assertion) {
      parts.push(readsTokenFile ? 'this file reads AZURE_FEDERATED_TOKEN_FILE' : 'no read of AZURE_FEDERATED_TOKEN_FILE in this file: check the assertion source');
    }
    add(site.at, {
      api: site.rule.symbol,
      category: site.rule.category,
      detail: parts.join('; '),
      ...(selection ? { selection } : {}),
    });
  }

  for (const option of facts.options) {
    if (option.value === 'false') continue;
    add(option.at, {
      api: option.rule.name,
      category: option.rule.category,
      detail:
        option.value === 'true'
          ? 'DefaultAzureCredential skips WorkloadIdentityCredential'
          : 'set from a value pod2wi cannot read: DefaultAzureCredential may skip WorkloadIdentityCredential',
    });
  }

  for (const access of facts.environment) {
    const rule = rules.environment.get(access.name);
    if (!rule) continue;
    if (rule.on === 'read' && access.kind === 'read') {
      add(access.at, { api: access.name, category: rule.category, detail: rule.detail ?? `reads ${access.name}` });
    } else if (rule.on === 'set' && access.kind === 'set' && access.value !== null) {
      const value = access.value.trim().toLowerCase();
      if (rule.when && !rule.when.some((allowed) => allowed.toLowerCase() === value)) continue;
      if (rule.unless?.some((allowed) => allowed.toLowerCase() === value)) continue;
      add(access.at, { api: access.name, category: rule.category, detail: `set to ${access.value}` });
    }
  }

  uses.push(...endpointUses(facts, context, rules));
  uses.push(...driverUses(facts, context, rules));
  for (const use of facts.direct) {
    add(use.at, { api: use.api, category: use.category, detail: use.detail, ...(use.selection ? { selection: use.selection } : {}), ...(use.requires ? { requires: use.requires } : {}) });
  }
  return dedupe(uses);
}

function selectorsOf(site: ApiSite, language: SourceLanguage, rules: CredentialRules): IdentitySelection | null {
  const table = rules.selectors.get(language);
  if (!table) return null;
  const found = new Set<IdentitySelection>();
  for (const name of site.selectors) {
    const selects = table.get(name);
    if (selects) found.add(selects);
  }
  for (const selection of precedence) if (found.has(selection)) return selection;
  return null;
}

/**
 * How a managed-identity API picks its identity: fixed by the symbol, named in the arguments (resource ID and
 * object ID win over client ID, since those are what the proxy cannot honour), a plain first argument (a client ID
 * where the API says so), nothing (system-assigned, or AZURE_CLIENT_ID for the SDKs that read it), or unknown.
 */
export function selectionOf(site: ApiSite, language: SourceLanguage, rules: CredentialRules): IdentitySelection | null {
  if (!site.rule.identity) return null;
  if (site.rule.selects) return site.rule.selects;
  const named = selectorsOf(site, language, rules);
  if (named) return named;
  switch (site.firstArgument) {
    case 'none':
    case 'object':
      return 'system-assigned/default';
    case 'string':
      return site.rule.positional ?? 'unknown';
    case 'unknown':
      return 'unknown';
  }
}

/**
 * Raw endpoint uses from the strings of a file: the IMDS token endpoint (host and path both established in the file,
 * through literals, constants or concatenation), other IMDS paths, the NMI endpoint and hard-coded token files.
 * Strings passed to log, print and error calls are messages, not requests.
 */
/**
 * Driver settings in the file's strings: a connection string (`Server=…;Authentication=Active Directory Managed
 * Identity;…`, or a JDBC URL's `;key=value` part) whose key and value a `drivers` row names. Keys and values compare
 * without case and spaces, as the drivers read them.
 */
export function driverUses(facts: FileFacts, context: FileContext, rules: CredentialRules): CredentialUse[] {
  const rows = rules.file.drivers.filter((row) => row.languages.some((language) => language === facts.language));
  if (rows.length === 0) return [];
  // A configuration line keeps its JSON punctuation around the string (`"Db": "Server=…;Authentication=…",`).
  const squash = (text: string) => text.replace(/[\s"',]/g, '').toLowerCase();
  const uses: CredentialUse[] = [];
  for (const expression of facts.strings) {
    if (expression.message) continue;
    const { text } = joinSegments(expression.segments);
    // A mode written as a whole string (`authentication: { type: 'azure-active-directory-msi-vm' }`).
    const whole = squash(text);
    const named = rows.find((candidate) => candidate.key === undefined && candidate.values.some((known) => squash(known) === whole));
    if (named) uses.push(driverUse(named, text.trim(), expression.at, facts.language, context));
    if (!text.includes('=')) continue;
    for (const part of text.split(';')) {
      const equals = part.indexOf('=');
      if (equals < 0) continue;
      const key = squash(part.slice(0, equals));
      const value = squash(part.slice(equals + 1));
      const row = rows.find((candidate) => candidate.key !== undefined && squash(candidate.key) === key && candidate.values.some((known) => squash(known) === value));
      if (row) uses.push(driverUse(row, part.trim(), expression.at, facts.language, context));
    }
  }
  return uses;
}

function driverUse(row: DriverRule, setting: string, at: Position, language: SourceLanguage, context: FileContext): CredentialUse {
  const base = { file: context.file, line: at.line, column: at.column, language, category: row.credential, test: context.test };
  if (!row.package || !row.throughAzureIdentityFrom) {
    // A framework setting: the framework builds the credential with the application's own Azure Identity.
    return { ...base, api: setting, detail: `${row.id}: the framework builds this credential with the application's Azure Identity` };
  }
  return {
    ...base,
    api: `${row.package.name} ${setting}`,
    detail: `${row.package.name} fetches the token itself: through Azure Identity from ${row.throughAzureIdentityFrom}, from IMDS directly before`,
    via: { ecosystem: row.package.ecosystem, package: row.package.name, throughAzureIdentityFrom: row.throughAzureIdentityFrom },
  };
}

export function endpointUses(facts: FileFacts, context: FileContext, rules: CredentialRules): CredentialUse[] {
  const { endpoints } = rules;
  const host = endpoints.imdsHost.toLowerCase();
  const tokenPath = endpoints.tokenPath.slice(1).toLowerCase();
  const nmiPort = `:${endpoints.nmiPort}`;
  const nmiPath = endpoints.nmiPath.toLowerCase();
  const prefix = endpoints.metadataPrefix.toLowerCase();
  const requests = facts.strings.filter((expression) => !expression.message).map((expression) => ({ expression, ...joinSegments(expression.segments) }));
  const lowered = requests.map((request) => request.text.toLowerCase());
  const fileHasHost = lowered.some((text) => text.includes(host));
  const fileHasNmiPort = lowered.some((text) => text.includes(nmiPort));
  const header =
    [...facts.keys].some((key) => key.toLowerCase() === endpoints.metadataHeader.toLowerCase()) ||
    lowered.some((text) => new RegExp(`^${escapeRegExp(endpoints.metadataHeader.toLowerCase())}(\\s*[:=]\\s*["']?true["']?)?$`).test(text.trim()));

  // The strings of each line, for the query keys written beside a token URL: a lookup per line, so a file with every
  // string on one line (minified code) costs the same per URL as any other.
  const byLine = new Map<number, Set<string>>();
  requests.forEach((request, index) => {
    const line = request.expression.at.line;
    const texts = byLine.get(line) ?? new Set<string>();
    texts.add(lowered[index] ?? '');
    byLine.set(line, texts);
  });
  const nearbyTexts = (line: number): ReadonlySet<string>[] => {
    const found: ReadonlySet<string>[] = [];
    for (let next = line; next <= line + nearbyLines; next++) {
      const texts = byLine.get(next);
      if (texts) found.push(texts);
    }
    return found;
  };

  const uses: CredentialUse[] = [];
  const add = (at: Position, api: string, category: CredentialUse['category'], detail: string, selection?: IdentitySelection): void => {
    uses.push({
      file: context.file,
      line: at.line,
      column: at.column,
      language: facts.language,
      api,
      category,
      detail,
      test: context.test,
      ...(selection ? { selection } : {}),
    });
  };

  requests.forEach((request, index) => {
    const text = lowered[index] ?? '';
    const at = request.expression.at;
    const tokenAt = text.indexOf(tokenPath);
    if (tokenAt >= 0 && overlapsOwn(request.own, tokenAt, tokenAt + tokenPath.length) && fileHasHost) {
      const selection = querySelection(text, rules) ?? keySelection(nearbyTexts(at.line), rules) ?? 'system-assigned/default';
      const parts: string[] = [selection, `url ${display(request.text)}`];
      parts.push(header ? 'Metadata header set' : 'no Metadata header in this file (the proxy does not require one)');
      if (selection === 'resource-id' || selection === 'object-id') parts.push('the proxy ignores this selection and uses AZURE_CLIENT_ID');
      add(at, `${endpoints.imdsHost}${endpoints.tokenPath}`, 'imds-http', parts.join('; '), selection);
      return;
    }
    const hostAt = text.indexOf(host);
    if (hostAt >= 0 && tokenAt < 0) {
      const after = text.slice(hostAt + host.length).replace(/^:80(?=\/)/, '');
      const other = new RegExp(`^${escapeRegExp(prefix)}([a-z][a-z0-9_-]*)`).exec(after);
      const end = hostAt + host.length + (other?.[0].length ?? 0);
      if (other && other[1] !== 'identity' && overlapsOwn(request.own, hostAt, end)) {
        add(at, `${endpoints.imdsHost}${prefix}${other[1] ?? ''}`, 'imds-other', `url ${display(request.text)}; not a token request: the proxy passes it through to the real IMDS`);
        return;
      }
    }
    const pathAt = text.indexOf(nmiPath);
    const portAt = text.indexOf(nmiPort);
    const nmiByPath = pathAt >= 0 && overlapsOwn(request.own, pathAt, pathAt + nmiPath.length) && (fileHasNmiPort || portAt >= 0);
    const nmiByPort = portAt >= 0 && pathAt >= 0 && overlapsOwn(request.own, portAt, portAt + nmiPort.length);
    if (nmiByPath || nmiByPort) {
      add(at, `127.0.0.1${nmiPort}${endpoints.nmiPath}`, 'nmi-endpoint', `url ${display(request.text)}; the aad-pod-identity NMI endpoint, which the proxy does not emulate`);
      return;
    }
    for (const tokenFile of endpoints.tokenFiles) {
      const fileAt = text.indexOf(tokenFile.path.toLowerCase());
      if (fileAt >= 0 && overlapsOwn(request.own, fileAt, fileAt + tokenFile.path.length)) {
        add(at, tokenFile.path, 'hardcoded-token-path', tokenFile.detail);
        return;
      }
    }
  });
  return uses;
}

function querySelection(text: string, rules: CredentialRules): IdentitySelection | null {
  const found = new Set<IdentitySelection>();
  for (const query of rules.endpoints.queryIdentity) if (new RegExp(`[?&]${escapeRegExp(query.name)}=`).test(text)) found.add(query.selects);
  for (const selection of precedence) if (found.has(selection)) return selection;
  return null;
}

/** How far below a token URL a query parameter written as its own string (a `params` key) still counts. */
const nearbyLines = 6;

/** A query parameter name written as its own string (a `params` dictionary key) beside the request. */
function keySelection(lines: readonly ReadonlySet<string>[], rules: CredentialRules): IdentitySelection | null {
  const found = new Set<IdentitySelection>();
  for (const query of rules.endpoints.queryIdentity) if (lines.some((texts) => texts.has(query.name))) found.add(query.selects);
  for (const selection of precedence) if (found.has(selection)) return selection;
  return null;
}

function display(text: string): string {
  const shown = text.replaceAll(hole, '…').replace(/\s+/g, ' ');
  return shown.length > 160 ? `${shown.slice(0, 159)}…` : shown;
}

function dedupe(uses: readonly CredentialUse[]): CredentialUse[] {
  const seen = new Set<string>();
  const result: CredentialUse[] = [];
  for (const use of uses) {
    const key = `${use.line}:${use.column}:${use.api}:${use.category}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push(use);
  }
  return result;
}

/** Deterministic order: file, line, column, api (then category, for two rules at one spot). */
export function compareUses(a: CredentialUse, b: CredentialUse): number {
  return (
    compareStrings(a.file, b.file) ||
    a.line - b.line ||
    a.column - b.column ||
    compareStrings(a.api, b.api) ||
    compareStrings(a.category, b.category)
  );
}
