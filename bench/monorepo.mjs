// A generated monorepo of a chosen size for the speed benchmark: applications in six ecosystems (npm, PyPI, NuGet,
// Maven, Go, C++ with vcpkg) with source code, dependency manifests and lockfiles, a Dockerfile and Kubernetes
// manifests each; Helm charts; Kustomize bases and overlays; documentation; and a node_modules folder that
// .gitignore excludes. About one application in four constructs an Azure credential; about half of the workloads
// carry the aadpodidbinding label. The tree is committed to a fresh git repository so the `git ls-files` walk is used.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Deterministic pseudo-random numbers (mulberry32), so every run generates the same tree. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const guid = (i) => `${String(i).padStart(8, '0')}-0000-4000-8000-000000000000`;

// Ordinary code in each language: none of it holds a word the credential prefilter looks for.
const plain = {
  ts: (n, i) => `export interface Order${i}_${n} {\n  id: string;\n  quantity: number;\n  price: number;\n}\n\nexport function total${n}(orders: Order${i}_${n}[]): number {\n  let sum = 0;\n  for (const order of orders) {\n    if (order.quantity <= 0) continue;\n    sum += order.quantity * order.price;\n  }\n  return Math.round(sum * 100) / 100;\n}\n\nexport async function fetchOrders${n}(base: string): Promise<Order${i}_${n}[]> {\n  const response = await fetch(\`\${base}/orders?page=${n}\`);\n  if (!response.ok) throw new Error(\`orders: \${response.status}\`);\n  return (await response.json()) as Order${i}_${n}[];\n}\n`,
  py: (n, i) => `class Order${n}:\n    def __init__(self, ident, quantity, price):\n        self.ident = ident\n        self.quantity = quantity\n        self.price = price\n\n\ndef total_${n}(orders):\n    """Sum of the orders of batch ${i}."""\n    value = 0\n    for order in orders:\n        if order.quantity <= 0:\n            continue\n        value += order.quantity * order.price\n    return round(value, 2)\n\n\ndef parse_${n}(lines):\n    return [Order${n}(*line.split(",")) for line in lines if line.strip()]\n`,
  cs: (n, i) => `namespace Contoso.Shop${i};\n\npublic sealed record Order${n}(string Id, int Quantity, decimal Price);\n\npublic static class Totals${n}\n{\n    public static decimal Sum(IEnumerable<Order${n}> orders)\n    {\n        decimal sum = 0;\n        foreach (var order in orders)\n        {\n            if (order.Quantity <= 0) continue;\n            sum += order.Quantity * order.Price;\n        }\n        return decimal.Round(sum, 2);\n    }\n}\n`,
  java: (n, i) => `package com.contoso.shop${i};\n\nimport java.util.List;\n\npublic final class Totals${n} {\n    private Totals${n}() {}\n\n    public static double sum(List<double[]> orders) {\n        double sum = 0;\n        for (double[] order : orders) {\n            if (order[0] <= 0) continue;\n            sum += order[0] * order[1];\n        }\n        return Math.round(sum * 100) / 100.0;\n    }\n}\n`,
  go: (n, i) => `package shop${i}\n\nimport (\n\t"errors"\n\t"math"\n)\n\n// Order${n} is one line of an order.\ntype Order${n} struct {\n\tID       string\n\tQuantity int\n\tPrice    float64\n}\n\n// Total${n} sums the orders.\nfunc Total${n}(orders []Order${n}) (float64, error) {\n\tif len(orders) == 0 {\n\t\treturn 0, errors.New("no orders")\n\t}\n\tsum := 0.0\n\tfor _, o := range orders {\n\t\tsum += float64(o.Quantity) * o.Price\n\t}\n\treturn math.Round(sum*100) / 100, nil\n}\n`,
  cpp: (n, i) => `#include <vector>\n#include <cmath>\n\nnamespace shop${i} {\n\nstruct Order${n} {\n  int quantity;\n  double price;\n};\n\ndouble total${n}(const std::vector<Order${n}>& orders) {\n  double sum = 0;\n  for (const auto& order : orders) {\n    if (order.quantity <= 0) continue;\n    sum += order.quantity * order.price;\n  }\n  return std::round(sum * 100) / 100;\n}\n\n}  // namespace shop${i}\n`,
};

// The one file of an application that builds a credential (the prefilter lets it through to a parser).
const credential = {
  ts: (i) => `import { DefaultAzureCredential } from '@azure/identity';\nimport { SecretClient } from '@azure/keyvault-secrets';\n\nexport function secrets${i}(vault: string): SecretClient {\n  return new SecretClient(\`https://\${vault}.vault.azure.net\`, new DefaultAzureCredential());\n}\n`,
  py: (i) => `from azure.identity import ManagedIdentityCredential\nfrom azure.keyvault.secrets import SecretClient\n\n\ndef secrets_${i}(vault):\n    return SecretClient(f"https://{vault}.vault.azure.net", ManagedIdentityCredential())\n`,
  cs: (i) => `using Azure.Identity;\nusing Azure.Security.KeyVault.Secrets;\n\nnamespace Contoso.Shop${i};\n\npublic static class Secrets\n{\n    public static SecretClient Create(string vault) => new(new Uri($"https://{vault}.vault.azure.net"), new DefaultAzureCredential());\n}\n`,
  java: (i) => `package com.contoso.shop${i};\n\nimport com.azure.identity.DefaultAzureCredentialBuilder;\nimport com.azure.security.keyvault.secrets.SecretClient;\nimport com.azure.security.keyvault.secrets.SecretClientBuilder;\n\npublic final class Secrets {\n    public static SecretClient create(String vault) {\n        return new SecretClientBuilder().vaultUrl("https://" + vault + ".vault.azure.net").credential(new DefaultAzureCredentialBuilder().build()).buildClient();\n    }\n}\n`,
  go: (i) => `package shop${i}\n\nimport (\n\t"github.com/Azure/azure-sdk-for-go/sdk/azidentity"\n)\n\n// Credential builds the credential of the service.\nfunc Credential() (*azidentity.DefaultAzureCredential, error) {\n\treturn azidentity.NewDefaultAzureCredential(nil)\n}\n`,
  cpp: (i) => `#include <azure/identity.hpp>\n#include <memory>\n\nnamespace shop${i} {\n\nstd::shared_ptr<Azure::Core::Credentials::TokenCredential> credential() {\n  return std::make_shared<Azure::Identity::DefaultAzureCredential>();\n}\n\n}  // namespace shop${i}\n`,
};

const extension = { ts: 'ts', py: 'py', cs: 'cs', java: 'java', go: 'go', cpp: 'cpp' };

/** The dependency files of one application, by ecosystem. */
function manifests(kind, name, uses) {
  switch (kind) {
    case 'ts':
      return {
        'package.json': JSON.stringify({ name, version: '1.0.0', private: true, dependencies: { ...(uses ? { '@azure/identity': '^4.0.0', '@azure/keyvault-secrets': '^4.8.0' } : {}), express: '^4.19.2' } }, null, 2) + '\n',
        'package-lock.json': JSON.stringify({ name, version: '1.0.0', lockfileVersion: 3, requires: true, packages: { '': { name, version: '1.0.0' }, 'node_modules/express': { version: '4.19.2' }, ...(uses ? { 'node_modules/@azure/identity': { version: '4.0.1' }, 'node_modules/@azure/keyvault-secrets': { version: '4.8.0' } } : {}) } }, null, 2) + '\n',
      };
    case 'py':
      return { 'requirements.txt': `flask==3.0.3\n${uses ? 'azure-identity==1.15.0\nazure-keyvault-secrets==4.8.0\n' : ''}` };
    case 'cs':
      return { [`${name}.csproj`]: `<Project Sdk="Microsoft.NET.Sdk.Web">\n  <PropertyGroup>\n    <TargetFramework>net8.0</TargetFramework>\n  </PropertyGroup>\n  <ItemGroup>\n${uses ? '    <PackageReference Include="Azure.Identity" Version="1.10.4" />\n    <PackageReference Include="Azure.Security.KeyVault.Secrets" Version="4.6.0" />\n' : ''}    <PackageReference Include="Serilog" Version="3.1.1" />\n  </ItemGroup>\n</Project>\n` };
    case 'java':
      return { 'pom.xml': `<project xmlns="http://maven.apache.org/POM/4.0.0">\n  <modelVersion>4.0.0</modelVersion>\n  <groupId>com.contoso</groupId>\n  <artifactId>${name}</artifactId>\n  <version>1.0.0</version>\n  <dependencies>\n${uses ? '    <dependency>\n      <groupId>com.azure</groupId>\n      <artifactId>azure-identity</artifactId>\n      <version>1.11.1</version>\n    </dependency>\n' : ''}    <dependency>\n      <groupId>org.slf4j</groupId>\n      <artifactId>slf4j-api</artifactId>\n      <version>2.0.12</version>\n    </dependency>\n  </dependencies>\n</project>\n` };
    case 'go':
      return {
        'go.mod': `module github.com/contoso/${name}\n\ngo 1.22\n\nrequire (\n${uses ? '\tgithub.com/Azure/azure-sdk-for-go/sdk/azidentity v1.5.1\n' : ''}\tgolang.org/x/sync v0.6.0\n)\n`,
        'go.sum': `golang.org/x/sync v0.6.0 h1:5BMeUDZ7vkXGfEr1x9B4bRcTH4lpkTkpdh0T/J+qjbQ=\ngolang.org/x/sync v0.6.0/go.mod h1:Czt+wKu1gCyEFDUtn0jG5QVvpJ6rzVqr5aXyt9drQfk=\n`,
      };
    default:
      return {
        'vcpkg.json': JSON.stringify({ name, 'version-string': '1.0.0', dependencies: [...(uses ? ['azure-identity-cpp', 'azure-security-keyvault-secrets-cpp'] : []), 'fmt'] }, null, 2) + '\n',
        'CMakeLists.txt': `cmake_minimum_required(VERSION 3.20)\nproject(${name} CXX)\nadd_executable(${name} src/main.cpp)\n`,
      };
  }
}

const deployment = (name, ns, podIdentity) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
${podIdentity ? `        aadpodidbinding: ${name}\n` : ''}    spec:
      containers:
        - name: ${name}
          image: contoso.azurecr.io/${name}:1.0.0
          ports:
            - containerPort: 8080
          resources:
            requests: {cpu: 100m, memory: 128Mi}
---
apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  selector:
    app: ${name}
  ports:
    - port: 80
      targetPort: 8080
${podIdentity ? `---
apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentity
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  type: 0
  resourceID: /subscriptions/${guid(1)}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}
  clientID: ${guid(7)}
---
apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentityBinding
metadata:
  name: ${name}-binding
  namespace: ${ns}
spec:
  azureIdentity: ${name}
  selector: ${name}
` : ''}`;

const dockerfile = (kind) => ({
  ts: 'FROM node:20-alpine\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev\nCOPY . .\nCMD ["node", "dist/main.js"]\n',
  py: 'FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nCMD ["python", "-m", "app"]\n',
  cs: 'FROM mcr.microsoft.com/dotnet/aspnet:8.0\nWORKDIR /app\nCOPY bin/Release/net8.0/publish/ .\nENTRYPOINT ["dotnet", "App.dll"]\n',
  java: 'FROM eclipse-temurin:21-jre\nCOPY target/app.jar /app.jar\nENTRYPOINT ["java", "-jar", "/app.jar"]\n',
  go: 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /app ./cmd/server\nFROM gcr.io/distroless/base\nCOPY --from=build /app /app\nENTRYPOINT ["/app"]\n',
  cpp: 'FROM mcr.microsoft.com/devcontainers/cpp:1\nWORKDIR /src\nCOPY . .\nRUN cmake -B build && cmake --build build\nCMD ["./build/app"]\n',
})[kind];

const sourceFolder = { ts: 'src', py: 'app', cs: 'Services', java: 'src/main/java/com/contoso', go: 'internal', cpp: 'src' };
const kinds = ['ts', 'py', 'cs', 'java', 'go', 'cpp'];

/** Files of one application besides its source files (3 to 4). */
const fixedFilesPerApp = 3.5;

/**
 * Writes a monorepo of about `total` files (node_modules included, as the share ignored by .gitignore) under `root`,
 * commits it, and returns what it holds. Source files hold 1 to 24 blocks of code (0.4–12 KB).
 */
export function generateMonorepo(root, total) {
  const next = random(total);
  const made = new Set();
  let files = 0;
  let bytes = 0;
  const write = (path, text) => {
    const dir = path.slice(0, path.lastIndexOf('/'));
    if (dir && !made.has(dir)) {
      mkdirSync(join(root, dir), { recursive: true });
      made.add(dir);
    }
    writeFileSync(join(root, path), text);
    files++;
    bytes += text.length;
  };

  const ignored = Math.round(total * 0.075);
  const charts = Math.max(2, Math.round(total / 2000));
  const overlays = Math.max(2, Math.round(total / 2000));
    const apps = Math.max(6, Math.floor((total * 0.87 - charts * 8 - overlays * 4) / (fixedFilesPerApp + 14)));

  write('.gitignore', 'node_modules/\n*.log\n');
  write('README.md', '# Contoso monorepo\n');
  for (let a = 0; a < apps; a++) {
    const kind = kinds[a % kinds.length];
    const name = `${kind}-app-${a}`;
    const dir = `services/team-${a % 50}/${name}`;
    const round = Math.floor(a / kinds.length); // every ecosystem gets its share of each kind of application
    const uses = round % 4 === 1;
    for (const [file, text] of Object.entries(manifests(kind, name, uses))) write(`${dir}/${file}`, text);
    write(`${dir}/Dockerfile`, dockerfile(kind));
    write(`${dir}/k8s/deployment.yaml`, deployment(name, `team-${a % 50}`, round % 2 === 1));
    const sources = 14;
    for (let s = 0; s < sources; s++) {
      const blocks = 1 + Math.floor(next() * 24);
      let text = uses && s === 0 ? credential[kind](a) : '';
      for (let b = 0; b < blocks; b++) text += plain[kind](s * 16 + b, a);
      write(`${dir}/${sourceFolder[kind]}/${s % 3 === 0 ? '' : `module${s % 3}/`}file${s}.${extension[kind]}`, text);
    }
  }
  for (let c = 0; c < charts; c++) {
    const dir = `charts/chart-${c}`;
    write(`${dir}/Chart.yaml`, `apiVersion: v2\nname: chart-${c}\nversion: 1.0.${c}\n`);
    write(`${dir}/values.yaml`, `replicaCount: 2\nimage:\n  repository: contoso.azurecr.io/chart-${c}\n  tag: "1.0"\npodIdentity:\n  enabled: ${c % 2 === 0}\n  selector: chart-${c}\nidentity:\n  clientId: ${guid(10000 + c)}\n`);
    write(`${dir}/templates/_helpers.tpl`, `{{- define "chart.labels" -}}\napp: {{ .Chart.Name }}\n{{- end }}\n`);
    write(`${dir}/templates/deployment.yaml`, `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Chart.Name }}\nspec:\n  replicas: {{ .Values.replicaCount }}\n  selector:\n    matchLabels:\n      {{- include "chart.labels" . | nindent 6 }}\n  template:\n    metadata:\n      labels:\n        {{- include "chart.labels" . | nindent 8 }}\n        {{- if .Values.podIdentity.enabled }}\n        aadpodidbinding: {{ .Values.podIdentity.selector }}\n        {{- end }}\n    spec:\n      containers:\n        - name: app\n          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"\n`);
    write(`${dir}/templates/service.yaml`, `apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Chart.Name }}\nspec:\n  selector:\n    {{- include "chart.labels" . | nindent 4 }}\n  ports:\n    - port: 80\n`);
    write(`${dir}/templates/configmap.yaml`, `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Chart.Name }}-config\ndata:\n  LOG_LEVEL: info\n`);
    write(`${dir}/templates/NOTES.txt`, 'Thank you for installing {{ .Chart.Name }}.\n');
    write(`${dir}/.helmignore`, '.git/\n*.swp\n');
  }
  for (let k = 0; k < overlays; k++) {
    write(`kustomize/base-${k}/kustomization.yaml`, 'resources:\n  - deployment.yaml\n');
    write(`kustomize/base-${k}/deployment.yaml`, deployment(`kz-${k}`, 'placeholder', k % 2 === 0));
    write(`kustomize/overlays/prod-${k}/kustomization.yaml`, `namespace: prod-${k % 10}\nresources:\n  - ../../base-${k}\npatches:\n  - path: replicas.yaml\n`);
    write(`kustomize/overlays/prod-${k}/replicas.yaml`, `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: kz-${k}\nspec:\n  replicas: 5\n`);
  }
  const paragraph = 'This service stores orders and answers queries about them. It runs in every region and scales with the load.\n\n';
  // Documentation fills the tree up to the size asked for.
  const docs = Math.max(0, total - ignored - files);
  for (let d = 0; d < docs; d++) write(`docs/area-${d % 40}/page-${d}.md`, `# Page ${d}\n\n${paragraph.repeat(1 + (d % 12))}`);
  // Dependencies a developer installed: ignored by .gitignore, so no tool should read them.
  for (let m = 0; m < ignored; m++) {
    const pkg = `pkg-${m % 400}`;
    write(`node_modules/${pkg}/lib/file-${m}.js`, m % 50 === 0 ? `const { DefaultAzureCredential } = require('@azure/identity');\nmodule.exports = () => new DefaultAzureCredential();\n` : `module.exports = function f${m}(a, b) {\n  return a + b;\n};\n`);
  }
  const git = (...args) => execFileSync('git', ['-C', root, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('-c', 'user.name=bench', '-c', 'user.email=bench@example.com', 'commit', '-q', '--no-gpg-sign', '-m', 'generated monorepo');
  return { files, listed: files - ignored, bytes, apps, charts, overlays };
}
