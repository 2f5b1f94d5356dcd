// The code stage on a large tree: the whole installed node_modules copied under `packages/` (the walk skips
// node_modules) plus a generated corpus in every language pod2wi reads, one file in 40 of which uses credentials.
// Measures the text-only floor (walk + read every source file) beside prefilter + AST, and how many files reached a
// parser. BENCH_FULL=1 also parses every source file once, for comparison (slow: minutes).
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GrammarCache, scanSourceFiles } from '../dist/code/index.js';
import { languageOfPath, languageOfShebang, needsShebang } from '../dist/code/files.js';
import { FindingSink } from '../dist/model/findings-sink.js';
import { loadFindingCatalogue } from '../dist/rules/catalogue.js';
import { Repo } from '../dist/walk/repo.js';
import { walk } from '../dist/walk/walk.js';
import { cleanup, measure, report, tempRoot } from './util.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const maxFileSize = 5 * 1024 * 1024;
const filesPerLanguage = 1000;

/** Ordinary code of each language, with a credential use in every 40th file. */
const generators = {
  py: (i, hit) =>
    `import os\nimport json\n${hit ? 'from azure.identity import ManagedIdentityCredential\n' : ''}\n\ndef handler_${i}(event):\n    data = json.loads(event)\n    total = sum(item["price"] * item["qty"] for item in data["items"])\n    ${hit ? 'credential = ManagedIdentityCredential(client_id=os.environ["AZURE_CLIENT_ID"])\n    ' : ''}return {"id": ${i}, "total": total}\n`.repeat(8),
  cs: (i, hit) =>
    `${hit ? 'using Azure.Identity;\n' : ''}using System;\nnamespace Contoso.Generated;\npublic class Service${i}\n{\n    public int Add(int a, int b) => a + b;\n    public string Name { get; } = "service-${i}";\n${hit ? '    public object Credential() => new DefaultAzureCredential();\n' : ''}    public override string ToString() => $"{Name}:{Add(${i}, 1)}";\n}\n`.repeat(6),
  java: (i, hit) =>
    `package com.contoso.generated;\n${hit ? 'import com.azure.identity.ManagedIdentityCredentialBuilder;\n' : ''}import java.util.List;\npublic class Worker${i} {\n  int sum(List<Integer> values) { return values.stream().mapToInt(Integer::intValue).sum(); }\n${hit ? '  Object credential() { return new ManagedIdentityCredentialBuilder().clientId("x").build(); }\n' : ''}}\n`.repeat(6),
  go: (i, hit) =>
    `package generated\n\nimport (\n\t"fmt"\n${hit ? '\t"github.com/Azure/go-autorest/autorest/adal"\n' : ''})\n\nfunc Sum${i}(values []int) int {\n\ttotal := 0\n\tfor _, v := range values {\n\t\ttotal += v\n\t}\n\tfmt.Println(total)\n${hit ? '\t_, _ = adal.GetMSIVMEndpoint()\n' : ''}\treturn total\n}\n`.repeat(6).replace(/package generated\n/g, (match, offset) => (offset === 0 ? match : '')),
  cpp: (i, hit) =>
    `#include <vector>\n${hit ? '#include <azure/identity.hpp>\n' : ''}int sum_${i}(const std::vector<int>& values) {\n  int total = 0;\n  for (int v : values) total += v;\n${hit ? '  Azure::Identity::ManagedIdentityCredential credential;\n' : ''}  return total;\n}\n`.repeat(6),
  sh: (i, hit) => `#!/bin/sh\nset -eu\nfor f in /data/*.csv; do\n  wc -l "$f"\ndone\n${hit ? 'az login --identity\n' : ''}echo "batch ${i} done"\n`,
  ts: (i, hit) =>
    `${hit ? "import { DefaultAzureCredential } from '@azure/identity';\n" : ''}export interface Order${i} { id: number; lines: Array<{ sku: string; qty: number }> }\nexport function total${i}(order: Order${i}): number {\n  return order.lines.reduce((sum, line) => sum + line.qty, 0);\n}\n${hit ? 'export const credential = new DefaultAzureCredential();\n' : ''}`.repeat(8),
};

function buildTree() {
  const root = tempRoot('pod2wi-bench-code-');
  cpSync(join(here, '..', 'node_modules'), join(root, 'packages'), { recursive: true, dereference: true });
  for (const [extension, generate] of Object.entries(generators)) {
    for (let i = 0; i < filesPerLanguage; i++) {
      const dir = join(root, 'services', extension, `m${Math.floor(i / 50)}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `file${i}.${extension}`), generate(i, i % 40 === 0));
    }
  }
  return root;
}

function openRepo(root) {
  const walked = walk({ root, only: [], exclude: [], defaultExcludes: true });
  return { repo: new Repo(root, walked.files, walked.skipped, maxFileSize), sink: new FindingSink(loadFindingCatalogue()) };
}

/** The floor: walk, then read every file the code stage would read (same selection), no prefilter, no parse. */
function readEverySourceFile(root) {
  const { repo } = openRepo(root);
  let files = 0;
  let bytes = 0;
  for (const file of repo.files) {
    if (!languageOfPath(file.path) && !needsShebang(file.path)) continue;
    const text = repo.read(file.path, { cache: false })?.text;
    if (text === undefined) continue;
    if (!languageOfPath(file.path) && !languageOfShebang(text)) continue;
    files++;
    bytes += text.length;
  }
  return { files, bytes };
}

const root = buildTree();
try {
  const grammars = new GrammarCache();
  // Warm the grammars once so the timed runs measure scanning, not WASM compilation (a CLI run pays it once).
  const scan = (options) => {
    const { repo, sink } = openRepo(root);
    return scanSourceFiles(repo, sink, { grammars, ...options });
  };
  const warm = await scan({});
  const floor = readEverySourceFile(root);
  console.log(
    `tree: ${floor.files} source files, ${(floor.bytes / 1e6).toFixed(1)} MB of text; ` +
      `${warm.stats.candidateFiles} files (${(warm.stats.candidateBytes / 1e6).toFixed(1)} MB) passed the prefilter and were parsed; ` +
      `${warm.uses.length} credential uses found`,
  );
  const floorResult = await measure(() => readEverySourceFile(root));
  report('text-only floor (walk + read every source file)', floorResult);
  const scanResult = await measure(() => scan({}));
  // Target: the prefilter keeps AST work to the candidates (a few percent of the files), so the scan stays within a
  // few seconds of the floor; parsing every file of this tree takes 17-27 s on the project's 2-core machine.
  report('prefilter + AST (scanSourceFiles)', scanResult, floorResult.medianMs + 5000);
  if (warm.stats.candidateFiles > 0.05 * warm.stats.sourceFiles) {
    console.log(`FAIL prefilter let ${warm.stats.candidateFiles} of ${warm.stats.sourceFiles} files through (target ≤ 5 %)`);
    process.exitCode = 1;
  }
  if (process.env.BENCH_FULL === '1') {
    let parsedEverything = 0;
    const fullResult = await measure(async () => {
      const full = await scan({ prefilter: false });
      parsedEverything = full.stats.candidateFiles;
      if (full.uses.length !== warm.uses.length) throw new Error(`parsing every file found ${full.uses.length} uses, the prefilter ${warm.uses.length}`);
    }, 1);
    report(`for comparison: AST on every source file (${parsedEverything} files, same uses)`, fullResult);
  }
} finally {
  cleanup(root);
}
