import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';

const schema = JSON.parse(readFileSync(new URL('../../schema/scan-report.schema.json', import.meta.url), 'utf8')) as object;
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

/** Validates a scan report (as JSON would carry it) against schema/scan-report.schema.json; returns the errors. */
export function validateScanReport(report: unknown): string[] {
  const data: unknown = JSON.parse(JSON.stringify(report));
  if (validate(data)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}`);
}

const checkSchema = JSON.parse(readFileSync(new URL('../../schema/check-report.schema.json', import.meta.url), 'utf8')) as object;
const validateCheck = new Ajv2020({ allErrors: true, strict: true, validateFormats: false }).compile(checkSchema);

/** Validates a check report (as JSON would carry it) against schema/check-report.schema.json; returns the errors. */
export function validateCheckReport(report: unknown): string[] {
  const data: unknown = JSON.parse(JSON.stringify(report));
  if (validateCheck(data)) return [];
  return (validateCheck.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}`);
}

const fleetSchema = JSON.parse(readFileSync(new URL('../../schema/fleet-report.schema.json', import.meta.url), 'utf8')) as object;
const validateFleet = new Ajv2020({ allErrors: true, strict: true }).compile(fleetSchema);

/** Validates a fleet report (as JSON would carry it) against schema/fleet-report.schema.json; returns the errors. */
export function validateFleetReport(report: unknown): string[] {
  const data: unknown = JSON.parse(JSON.stringify(report));
  if (validateFleet(data)) return [];
  return (validateFleet.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}`);
}
