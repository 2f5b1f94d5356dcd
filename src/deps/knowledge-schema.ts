/**
 * The schemas of `rules/sdk-floors.yaml`, `rules/identity-libraries.yaml` and `rules/azure-sdk-bom.yaml` (zod). Only
 * the build (which validates the rule files into `dist/rules.json`) and the tests load them.
 */
import { z } from 'zod';
import type { Ecosystem } from '../model/application.js';
import { isVersion } from './versions/index.js';

const ecosystems = ['npm', 'pypi', 'nuget', 'maven', 'go', 'vcpkg'] as const satisfies readonly Ecosystem[];
const ecosystemSchema = z.enum(ecosystems);
const text = z.string().min(1);
const versionText = z.union([z.string(), z.number()]).transform((value) => String(value));

const floorSchema = z
  .strictObject({
    ecosystem: ecosystemSchema,
    package: text,
    workloadIdentityCredential: versionText,
    managedIdentityTokenExchange: versionText.nullable(),
    tokenExchangeRegressions: z.array(versionText),
    source: text,
  })
  .superRefine((row, context) => {
    const check = (value: string, path: (string | number)[]): void => {
      if (!isVersion(row.ecosystem, value)) context.addIssue({ code: 'custom', path, message: `"${value}" is not a ${row.ecosystem} version` });
    };
    check(row.workloadIdentityCredential, ['workloadIdentityCredential']);
    if (row.managedIdentityTokenExchange !== null) check(row.managedIdentityTokenExchange, ['managedIdentityTokenExchange']);
    row.tokenExchangeRegressions.forEach((value, index) => check(value, ['tokenExchangeRegressions', index]));
  });

/** One Azure Identity library: its workload-identity floor and the version its ManagedIdentityCredential does the token exchange from. */
export type SdkFloor = z.output<typeof floorSchema>;

const librarySchema = z.strictObject({
  ecosystem: ecosystemSchema,
  package: text,
  kind: z.enum(['legacy', 'adal', 'msal', 'relevant', 'pod-identity-api']),
  note: text,
  source: text,
});

/** A non-Azure-Identity library that matters to the migration: legacy (IMDS only), ADAL, MSAL, or listed for information. */
export type IdentityLibrary = z.output<typeof librarySchema>;

const bomSchema = z
  .strictObject({ bom: versionText, azureIdentity: versionText, source: text })
  .superRefine((row, context) => {
    if (!isVersion('maven', row.bom)) context.addIssue({ code: 'custom', path: ['bom'], message: `"${row.bom}" is not a Maven version` });
    if (!isVersion('maven', row.azureIdentity)) context.addIssue({ code: 'custom', path: ['azureIdentity'], message: `"${row.azureIdentity}" is not a Maven version` });
  });

/** One row of the azure-sdk-bom table: a BOM version and the azure-identity version it manages. */
export type BomRow = z.output<typeof bomSchema>;

/** The row schemas of the three rule files, by file name (validated at load; exported for tests and `pod2wi rules`). */
export const dependencyRuleSchemas = {
  'sdk-floors.yaml': z.array(floorSchema),
  'identity-libraries.yaml': z.array(librarySchema),
  'azure-sdk-bom.yaml': z.array(bomSchema),
} as const;
