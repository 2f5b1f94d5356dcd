import type { FileSource } from '../../k8s/files.js';
import { readTree } from '../../k8s/yaml-tree.js';
import type { Origin, RNode } from '../../k8s/rendered.js';
import { GrammarCache, type GrammarName } from '../../code/tree-sitter.js';
import type { Parser } from 'web-tree-sitter';
import { isArmTemplate, parseJson, readArmTemplate } from './arm.js';
import { readBicepFiles } from './bicep.js';
import type { AzContext } from './az.js';
import { AddonCollector, isolate, isolateAsync } from './collect.js';
import { readProfileDocuments } from './documents.js';
import { isMakefile, makefileScript } from './makefile.js';
import { azurePipelineScripts, githubScripts, isAzurePipeline, isGitHubWorkflow, type PipelineScript } from './pipelines.js';
import { looksLikeAddonScript, plainScript, readBashScript, readPowerShellScript, type ScriptText } from './scripts.js';
import type { AddonRead } from './types.js';

export { addonAsObjects, addonExceptionAsObject } from './objects.js';
export { readManagedClusterBody, readClusterProperties, readProfile } from './profile.js';
export { effectiveSelector } from './types.js';
export type { AddonAction, AddonException, AddonIdentity, AddonProblemCode, AddonRead, AddonSource, ClusterSetting } from './types.js';

/** What the add-on readers can be given beyond the files: shared grammars (tests, a scan that parses code too). */
export interface ReadAddonOptions {
  readonly grammars?: GrammarCache;
  /** Files larger than this (characters) are not read. Default 4 MB. */
  readonly maxFileSize?: number;
}

const profileHint = /podIdentityProfile/i;
const clusterHint = /managedClusters|podIdentityProfile/i;
const shellFile = /\.(sh|bash|zsh|ksh)$/;
const powerShellFile = /\.(ps1|psm1)$/i;
const yamlFile = /\.ya?ml$/i;
const shebang = /^#!\s*\S*\b(ba|k|z|da)?sh\b/;

/**
 * Reads where the AKS pod-identity add-on is declared: ARM templates and Bicep files (`podIdentityProfile` of managed
 * clusters, `oidcIssuerProfile`, `securityProfile.workloadIdentity`), `az aks pod-identity ...` and `az aks
 * update|create` commands in shell and PowerShell scripts, Makefiles and CI pipelines (GitHub Actions, Azure
 * Pipelines), and other YAML/JSON documents that carry a `podIdentityProfile`. Each file is read on its own: a file
 * that fails becomes a problem with its file and line, and the others are still read. Files are read only through
 * `files`.
 */
export async function readAddon(files: FileSource, options: ReadAddonOptions = {}): Promise<AddonRead> {
  const collector = new AddonCollector();
  const grammars = options.grammars ?? new GrammarCache();
  const maxSize = options.maxFileSize ?? 4 * 1024 * 1024;
  const paths = files.list('');
  const failed = new Set<string>();
  const read = (path: string): string | null => {
    if (failed.has(path)) return null;
    try {
      const text = files.read(path);
      return text !== null && text.length <= maxSize ? text : null;
    } catch (error) {
      failed.add(path);
      collector.problem('addon-reader-failed', { source: 'manifest', file: path, line: 1, column: 1, span: null }, `could not read ${path}: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
  };
  const reading: FileSource = { read, has: (path) => files.has(path), list: (dir) => files.list(dir) };

  isolate(collector, '', 'bicep', () => readBicepFiles(paths.filter((path) => path.endsWith('.bicep') && read(path) !== null), reading, collector));

  const linked = new Set<string>();
  const documents: { path: string; root: RNode }[] = [];
  for (const path of paths) {
    if (!path.toLowerCase().endsWith('.json')) continue;
    const text = read(path);
    if (text === null || !clusterHint.test(text)) continue;
    isolate(collector, path, 'arm-template', () => {
      const root = parseJson(path, text, collector);
      if (isArmTemplate(root)) readArmTemplate(path, root, { files: reading, collector, linked });
      else if (root && profileHint.test(text)) documents.push({ path, root });
    });
  }

  const scripts: { shell: 'bash' | 'powershell'; script: ScriptText }[] = [];
  for (const path of paths) {
    const isYaml = yamlFile.test(path);
    const isShell = shellFile.test(path);
    const isPowerShell = powerShellFile.test(path);
    const isMake = isMakefile(path);
    const bare = !path.slice(path.lastIndexOf('/') + 1).includes('.');
    if (!isYaml && !isShell && !isPowerShell && !isMake && !bare) continue;
    const text = read(path);
    if (text === null) continue;
    const scriptLike = looksLikeAddonScript(text);
    if (isYaml) {
      if (!scriptLike && !profileHint.test(text)) continue;
      isolate(collector, path, 'pipeline', () => {
        const tree = readTree(path, text, { source: 'pipeline' });
        for (const problem of tree.problems) if (problem.looksLikeManifest || scriptLike) collector.problem('addon-parse-error', problem.at, `${path} does not parse as YAML: ${problem.message}`);
        for (const document of tree.documents) {
          const root = document.node;
          let found: PipelineScript[] = [];
          if (scriptLike && isGitHubWorkflow(path, root) && root?.kind === 'map') found = githubScripts(path, text, root);
          else if (scriptLike && isAzurePipeline(root)) found = azurePipelineScripts(path, text, root);
          scripts.push(...found);
          if (profileHint.test(text)) readProfileDocuments(root, found.length > 0 ? 'pipeline' : 'manifest', collector);
        }
      });
      continue;
    }
    if (!scriptLike) continue;
    if (isShell || (bare && shebang.test(text))) scripts.push({ shell: 'bash', script: plainScript(path, text) });
    else if (isPowerShell) scripts.push({ shell: 'powershell', script: plainScript(path, text) });
    else if (isMake) scripts.push({ shell: 'bash', script: makefileScript(path, text) });
  }

  const context: AzContext = { files: reading, bodies: new Set() };
  const parsers = new Map<GrammarName, Parser | string>();
  const parserFor = async (name: GrammarName): Promise<Parser | string> => {
    const known = parsers.get(name);
    if (known) return known;
    const loaded = await grammars.get(name);
    const result = 'parser' in loaded ? loaded.parser : loaded.error;
    parsers.set(name, result);
    return result;
  };
  for (const { shell, script } of scripts) {
    await isolateAsync(collector, script.file, 'script', async () => {
      const parser = await parserFor(shell === 'bash' ? 'bash' : 'powershell');
      if (typeof parser === 'string') {
        collector.problem('addon-grammar-unavailable', { source: 'script', file: script.file, line: 1, column: 1, span: null }, `the ${shell} grammar could not be loaded (${parser}); ${script.file} is not read`);
        return;
      }
      if (shell === 'bash') readBashScript(script, parser, collector, context);
      else readPowerShellScript(script, parser, collector, context);
    });
  }
  // A JSON file that a template links to, or that `az rest` sends as its body, is read there, with what they give it.
  for (const document of documents) {
    if (linked.has(document.path) || context.bodies.has(document.path)) continue;
    isolate(collector, document.path, 'manifest', () => readProfileDocuments(asManifest(document.root), 'manifest', collector));
  }
  return collector.result();
}

/** A JSON document's origins as a plain document's (`manifest`), not a template's. */
function asManifest(node: RNode): RNode {
  const origin = (at: Origin): Origin => ({ ...at, source: 'manifest' });
  switch (node.kind) {
    case 'scalar':
    case 'unknown':
      return { ...node, origin: origin(node.origin) };
    case 'seq':
      return { ...node, origin: origin(node.origin), items: node.items.map(asManifest) };
    case 'map':
      return { ...node, origin: origin(node.origin), pairs: node.pairs.map((pair) => ({ ...pair, keyOrigin: origin(pair.keyOrigin), value: asManifest(pair.value) })) };
  }
}
