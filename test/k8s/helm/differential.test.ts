import { parse as goParse } from '@evertdespiegeleer/go-template';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonToValue, renderText } from '../../../src/k8s/helm/gotemplate/engine.js';
import { data, printTemplate, templates } from './template-generator.js';

// CI replays one fixed seed, so its verdict depends on the change alone; local runs explore new cases each time.
const seed = process.env.TEMPLATE_PROPERTY_SEED ? Number(process.env.TEMPLATE_PROPERTY_SEED) : process.env.CI ? 20261204 : undefined;
const numRuns = Number(process.env.TEMPLATE_PROPERTY_RUNS ?? 400);

type Outcome = { readonly ok: true; readonly output: string } | { readonly ok: false; readonly error: string };

/** Go's own text/template (compiled to WebAssembly), run with missingkey=error. */
async function runGo(text: string, input: unknown): Promise<Outcome> {
  try {
    return { ok: true, output: await goParse(text, input) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error) };
  }
}

function runOurs(text: string, input: unknown): Outcome {
  const result = renderText(text, jsonToValue(input), { missingKey: 'error' });
  return result.ok ? { ok: true, output: result.output } : { ok: false, error: `${result.stage}: ${result.message}` };
}

function agree(go: Outcome, ours: Outcome): boolean {
  return go.ok ? ours.ok && ours.output === go.output : !ours.ok;
}

describe("the template interpreter agrees with Go's text/template", () => {
  it('on generated templates and data (byte-identical output, or both fail)', async () => {
    let failures = 0;
    let outputs = 0;
    await fc.assert(
      fc.asyncProperty(templates, data, async (template, input) => {
        const text = printTemplate(template);
        const go = await runGo(text, input);
        const ours = runOurs(text, input);
        if (go.ok) outputs++;
        else failures++;
        if (!agree(go, ours)) {
          throw new Error(`disagree on\n${text}\ndata ${JSON.stringify(input)}\ngo:   ${JSON.stringify(go)}\nours: ${JSON.stringify(ours)}`);
        }
      }),
      { numRuns, ...(seed !== undefined ? { seed } : {}) },
    );
    // Many generated templates must run to the end, or the comparison says little (about half do).
    expect(outputs / (outputs + failures)).toBeGreaterThan(0.3);
  });
});

/** Hand-written templates for the tricky corners: trim markers, numbers, printing, scoping, comparisons, errors. */
const cases = JSON.parse(readFileSync(new URL('./differential-cases.json', import.meta.url), 'utf8')) as [string, unknown][];

describe("tricky text/template semantics agree with Go's engine", () => {
  it.each(cases)('%j', async (text, input) => {
    const go = await runGo(text, input);
    const ours = runOurs(text, input);
    expect(ours.ok, `go: ${JSON.stringify(go)}, ours: ${JSON.stringify(ours)}`).toBe(go.ok);
    if (go.ok && ours.ok) expect(ours.output).toBe(go.output);
  });
});
