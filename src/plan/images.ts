import { isMap, isScalar, isSeq, parseAllDocuments, type Node } from 'yaml';
import type { Location } from '../model/location.js';
import { LineIndex } from '../k8s/line-index.js';
import type { Repo } from '../walk/repo.js';
import { dirname, joinPath } from '../k8s/paths.js';
import { stripLeading, stripTrailing } from '../model/text.js';

/** An image some build in the repository produces from a folder, with where the build says so. */
export interface ImageBuild {
  /** Image repository without registry variables, tag or digest; may be just the last path segment. */
  readonly repository: string;
  /** The build context folder, root-relative (`''` for the root). */
  readonly context: string;
  readonly at: Location;
  readonly via: 'dockerfile' | 'github-actions' | 'azure-pipelines' | 'script' | 'skaffold' | 'docker-compose';
}

/**
 * `registry.example.com:5000/team/orders-api:1.2@sha256:…` → `registry.example.com:5000/team/orders-api`.
 * CI variables (`${{ env.REGISTRY }}`, `$(registry)`, `${REGISTRY}`) are dropped with the separator after them.
 */
export function imageRepository(image: string): string {
  let value = image.trim().replace(/^["']|["']$/g, '');
  // Each body stops at the next `$`, so a run of unclosed `${` costs one pass, not one pass per `$`.
  value = value.replace(/\$\{\{[^}$]*\}\}\/?|\$\([^)$]*\)\/?|\$\{[^}$]*\}\/?|\$[A-Za-z_][A-Za-z0-9_]*\/?/g, '');
  value = value.split('@')[0] ?? value;
  const slash = value.lastIndexOf('/');
  const colon = value.lastIndexOf(':');
  if (colon > slash) value = value.slice(0, colon);
  return stripTrailing(stripLeading(value, '/'), '/').toLowerCase();
}

/** The last path segment of an image repository: what builds and applications are usually named after. */
export function imageName(repository: string): string {
  return repository.slice(repository.lastIndexOf('/') + 1);
}

const dockerfile = /(^|\/)(Dockerfile|Containerfile)([.-][^/]*)?$|\.(dockerfile|containerfile)$/i;
const githubWorkflow = /^\.github\/workflows\/[^/]+\.ya?ml$/;
const azurePipeline = /(^|\/)(azure-pipelines[^/]*|[^/]*pipeline[^/]*)\.ya?ml$/i;
const scriptFile = /\.(sh|bash|ps1|mk)$|(^|\/)(Makefile|Taskfile\.ya?ml|justfile)$/;
const skaffold = /(^|\/)skaffold(\.[^/]+)?\.ya?ml$/;
const compose = /(^|\/)(docker-)?compose(\.[^/]+)?\.ya?ml$/;

/**
 * Reads what each build in the repository turns into an image: Dockerfiles (their folder), `docker build -t`,
 * `az acr build -t`, `docker/build-push-action`, the Azure Pipelines Docker task, skaffold artifacts and
 * docker-compose `build:` contexts. Only text is read; nothing is run.
 */
export function findImageBuilds(repo: Repo): ImageBuild[] {
  const builds: ImageBuild[] = [];
  for (const file of repo.files) {
    const path = file.path;
    if (dockerfile.test(path)) {
      builds.push({ repository: '', context: dirname(path), at: { file: path, line: 1, column: 1 }, via: 'dockerfile' });
      continue;
    }
    const isWorkflow = githubWorkflow.test(path);
    const isPipeline = !isWorkflow && azurePipeline.test(path);
    const isScript = scriptFile.test(path);
    if (!isWorkflow && !isPipeline && !isScript && !skaffold.test(path) && !compose.test(path)) continue;
    const text = repo.read(path)?.text;
    if (!text) continue;
    const index = new LineIndex(text);
    if (isWorkflow || isPipeline || isScript) builds.push(...commandBuilds(path, text, index, isWorkflow ? 'github-actions' : isPipeline ? 'azure-pipelines' : 'script'));
    if (isWorkflow || isPipeline || skaffold.test(path) || compose.test(path)) builds.push(...yamlBuilds(path, text, index));
  }
  return builds;
}

/** `docker build -t IMG [-f FILE] CONTEXT`, `docker buildx build …`, `az acr build -t IMG … CONTEXT` in commands. */
function commandBuilds(path: string, text: string, index: LineIndex, via: ImageBuild['via']): ImageBuild[] {
  const found: ImageBuild[] = [];
  const pattern = /\b(?:docker(?:\s+buildx)?\s+build|az\s+acr\s+build|podman\s+build)\b([^\n]*(?:\\\n[^\n]*)*)/g;
  for (const match of text.matchAll(pattern)) {
    const start = match.index ?? 0;
    const lineStart = index.lineStart(index.line(start));
    if (/^\s*#/.test(text.slice(lineStart, start))) continue;
    const args = tokenizeArgs((match[1] ?? '').replace(/\\\n/g, ' '));
    const tags: string[] = [];
    let contextArg: string | null = null;
    for (let i = 0; i < args.length; i++) {
      const arg = args[i] ?? '';
      if (arg === '-t' || arg === '--tag' || arg === '--image') tags.push(args[++i] ?? '');
      else if (arg.startsWith('--tag=') || arg.startsWith('--image=')) tags.push(arg.slice(arg.indexOf('=') + 1));
      else if (['-f', '--file', '--build-arg', '--platform', '--target', '-r', '--registry', '--secret', '--label', '--cache-from', '-g', '--resource-group', '--subscription'].includes(arg)) i++;
      else if (!arg.startsWith('-') && contextArg === null && !/[;&|]/.test(arg)) contextArg = arg;
      else if (/^[;&|]/.test(arg)) break;
    }
    // CI steps and scripts run from the repository root, so their contexts are root-relative.
    const context = contextArg && !contextArg.includes('$') ? joinPath('', contextArg) : null;
    for (const tag of tags) {
      const repository = imageRepository(tag);
      if (repository && context !== null) found.push({ repository, context, at: { file: path, ...index.position(start) }, via });
    }
  }
  return found;
}

function tokenizeArgs(text: string): string[] {
  // `${{ expr }}` (GitHub Actions) holds spaces but is one word of the command line.
  return [...text.matchAll(/"([^"]*)"|'([^']*)'|((?:\$\{\{[^}]*\}\}|\S)+)/g)].map((match) => match[1] ?? match[2] ?? match[3] ?? '');
}

/** docker/build-push-action steps, the Docker@2 task, skaffold artifacts and docker-compose services. */
function yamlBuilds(path: string, text: string, index: LineIndex): ImageBuild[] {
  const found: ImageBuild[] = [];
  const at = (node: Node | null | undefined): Location => ({ file: path, ...index.position(node?.range?.[0] ?? 0) });
  const str = (node: unknown): string | null => (isScalar(node) && node.value !== null && node.value !== undefined ? String(node.value) : null);
  const via: ImageBuild['via'] = githubWorkflow.test(path) ? 'github-actions' : azurePipeline.test(path) ? 'azure-pipelines' : skaffold.test(path) ? 'skaffold' : 'docker-compose';
  const visit = (node: unknown): void => {
    if (isSeq(node)) {
      for (const item of node.items) visit(item);
      return;
    }
    if (!isMap(node)) return;
    const get = (key: string) => node.items.find((pair) => str(pair.key) === key)?.value as Node | undefined;
    const uses = str(get('uses'));
    const task = str(get('task'));
    const inputs = get('with') ?? get('inputs');
    const input = (key: string) => (isMap(inputs) ? (inputs.items.find((pair) => str(pair.key) === key)?.value as Node | undefined) : undefined);
    if ((uses?.startsWith('docker/build-push-action') || task?.startsWith('Docker@')) && isMap(inputs)) {
      const tags = str(input('tags')) ?? str(input('repository'));
      const context = str(input('context')) ?? str(input('buildContext')) ?? (str(input('Dockerfile')) ? dirname(str(input('Dockerfile')) ?? '') : '.');
      for (const tag of (tags ?? '').split(/[\n,]/)) {
        const repository = imageRepository(tag);
        if (repository && !context.includes('$')) found.push({ repository, context: joinPath('', context.replace(/\/\*\*.*$/, '')), at: at(input('tags') ?? input('repository')), via });
      }
    }
    const image = str(get('image'));
    const contextNode = get('context') ?? get('build');
    const context = str(contextNode) ?? (isMap(contextNode) ? str(contextNode.items.find((pair) => str(pair.key) === 'context')?.value) : null);
    if (image && context !== null && (via === 'skaffold' || via === 'docker-compose')) {
      found.push({ repository: imageRepository(image), context: joinPath(dirname(path), context), at: at(get('image')), via });
    }
    for (const pair of node.items) visit(pair.value);
  };
  for (const doc of parseAllDocuments(text)) if (doc.errors.length === 0) visit(doc.contents);
  return found;
}
