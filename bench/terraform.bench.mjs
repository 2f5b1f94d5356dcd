// Terraform: the HCL parser and readTerraform on the .tf files of the shared corpus (TERRAFORM_CORPUS, default
// /work/corpus), or on a generated tree of modules when the corpus is absent. Also parses the same files with
// HashiCorp's parser compiled to WASM (@cdktf/hcl2json, a devDependency) for comparison, and counts the files whose
// plain data differ between the two.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fileSource } from '../dist/k8s/files.js';
import { hclJsonOf } from '../dist/terraform/hcl-json.js';
import { parseHcl } from '../dist/terraform/hcl-syntax.js';
import { readTerraform } from '../dist/terraform/read.js';
import { measure, report } from './util.mjs';

const corpus = process.env.TERRAFORM_CORPUS ?? '/work/corpus';

function list(dir, out = []) {
  for (const name of readdirSync(dir).sort()) {
    if (name === '.git' || name === 'node_modules') continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) list(full, out);
    else out.push(full);
  }
  return out;
}

function generated() {
  const files = new Map();
  for (let m = 0; m < 40; m++) {
    files.set(`modules/m${m}/main.tf`, Array.from({ length: 10 }, (_, r) => `resource "helm_release" "r${r}" {\n  name  = "r${r}"\n  chart = "c"\n  values = [yamlencode({ podLabels = { aadpodidbinding = local.binding } })]\n  set {\n    name  = "image.tag"\n    value = var.tag\n  }\n}\n`).join('\n') + `locals {\n  binding = "m${m}"\n}\nvariable "tag" {\n  default = "1.0.${m}"\n}\n`);
    files.set('main.tf', Array.from({ length: 40 }, (_, i) => `module "m${i}" {\n  source = "./modules/m${i}"\n}\n`).join('\n'));
  }
  return files;
}

const files = new Map();
if (existsSync(corpus)) {
  for (const path of list(corpus)) files.set(relative(corpus, path).split('\\').join('/'), readFileSync(path, 'utf8'));
} else {
  for (const [path, text] of generated()) files.set(path, text);
}
const tf = [...files].filter(([path]) => path.endsWith('.tf'));
const bytes = tf.reduce((sum, [, text]) => sum + text.length, 0);
console.log(`${tf.length} .tf files, ${(bytes / 1024).toFixed(0)} KB (${existsSync(corpus) ? corpus : 'generated'})`);

report('parse every .tf file (pod2wi HCL parser)', await measure(() => { for (const [, text] of tf) parseHcl(text); }, 5));
const source = fileSource([...files.keys()], (path) => files.get(path) ?? null);
report('readTerraform (parse, instantiate modules, evaluate, read resources)', await measure(() => readTerraform(source), 3));

let hcl2json = null;
try {
  hcl2json = (await import('@cdktf/hcl2json')).parse;
} catch {
  console.log('@cdktf/hcl2json is not installed: no comparison');
}
if (hcl2json) {
  report('parse every .tf file (@cdktf/hcl2json, WASM)', await measure(async () => { for (const [path, text] of tf) { try { await hcl2json(path, text); } catch { /* counted below */ } } }, 3));
  let same = 0;
  const differ = [];
  for (const [path, text] of tf) {
    let theirs;
    try { theirs = await hcl2json(path, text); } catch { theirs = 'ERROR'; }
    const result = parseHcl(text);
    const ours = result.ok ? hclJsonOf(result.body, text) : 'ERROR';
    if (isDeepStrictEqual(ours, theirs)) same++;
    else differ.push(path);
  }
  console.log(`same plain data as hcl2json: ${same}/${tf.length}${differ.length ? `; differ: ${differ.slice(0, 10).join(', ')}` : ''}`);
  if (differ.length) process.exitCode = 1;
}
