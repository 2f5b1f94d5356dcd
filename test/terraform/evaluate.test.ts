import { describe, expect, it } from 'vitest';
import { fileSource } from '../../src/k8s/files.js';
import { displayText, getIn, toPlain, unknownsOf } from '../../src/k8s/rendered.js';
import { readTerraform } from '../../src/terraform/read.js';

function readFiles(files: Record<string, string>) {
  return readTerraform(fileSource(Object.keys(files), (path) => files[path] ?? null));
}

const release = (body: string, extra = '') => readFiles({ 'main.tf': `resource "helm_release" "r" {\n  name = "r"\n  chart = "c"\n${body}\n}\n${extra}` }).releases[0];

describe('Terraform evaluation', () => {
  it('resolves locals, defaults, merge, conditionals, format and templates', () => {
    const read = release(
      '  values = [yamlencode({ a = local.m, b = var.flag ? "yes" : "no", c = format("%s-%d", local.n, 2), d = "${local.n}-x", e = coalesce(var.none, "fallback"), f = lower("ABC"), g = [for s in ["a", "b"] : upper(s)] })]',
      'locals {\n  n = "name"\n  m = merge({ x = 1 }, { y = 2 }, { x = 3 })\n}\nvariable "flag" {\n  default = true\n}\nvariable "none" {\n  default = null\n}\n',
    );
    expect(toPlain(read?.values)).toEqual({ a: { x: 3, y: 2 }, b: 'yes', c: 'name-2', d: 'name-x', e: 'fallback', f: 'abc', g: ['A', 'B'] });
  });

  it('keeps what it cannot know as unknown, with the expression and the reason', () => {
    const read = release('  values = [yamlencode({ a = data.x.y.z, b = each.key, c = merge(var.labels, { k = "v" }), d = timestamp() })]', 'variable "labels" {}\n');
    const values = read?.values;
    expect(displayText(getIn(values, ['a']))).toBe('{{ data.x.y.z }}');
    expect(displayText(getIn(values, ['b']))).toBe('{{ each.key }}');
    expect(toPlain(getIn(values, ['c']))).toEqual({ k: 'v' });
    expect(unknownsOf(getIn(values, ['c'])).map((unknown) => unknown.expression)).toEqual(['var.labels']);
    expect(unknownsOf(getIn(values, ['d']))[0]?.reason).toMatch(/timestamp/);
  });

  it('stops on reference cycles and self references', () => {
    const read = release('  values = [yamlencode({ a = local.a, b = local.b })]', 'locals {\n  a = local.b\n  b = local.a\n}\n');
    expect(unknownsOf(read?.values).length).toBeGreaterThan(0);
  });

  it('evaluates a module call with its own arguments, outputs included', () => {
    const read = readFiles({
      'main.tf': 'module "a" {\n  source = "./m"\n  name = "first"\n}\nmodule "b" {\n  source = "./m"\n  name = "second"\n}\nresource "kubernetes_service_account" "sa" {\n  metadata {\n    name = module.a.full\n    namespace = "ns"\n  }\n}\n',
      'm/main.tf': 'variable "name" {}\nresource "kubernetes_namespace" "ns" {\n  metadata {\n    name = var.name\n  }\n}\noutput "full" {\n  value = "${var.name}-full"\n}\n',
    });
    expect(read.objects.map((object) => `${object.unit.variant}:${object.kind}:${displayText(object.name)}`)).toEqual([':ServiceAccount:first-full', 'module.a:Namespace:first', 'module.b:Namespace:second']);
  });

  it('reports module cycles instead of looping', () => {
    const read = readFiles({ 'a/main.tf': 'module "b" {\n  source = "../b"\n}\n', 'b/main.tf': 'module "a" {\n  source = "../a"\n}\n', 'main.tf': 'module "a" {\n  source = "./a"\n}\n' });
    expect(read.problems.map((problem) => problem.code)).toContain('terraform-module-cycle');
  });
});
