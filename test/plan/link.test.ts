import { describe, expect, it } from 'vitest';
import { findImageBuilds, imageName, imageRepository } from '../../src/plan/images.js';
import { linkApplications, type LinkInputs } from '../../src/plan/link.js';
import { repoOf } from '../helpers/repo.js';
import { application, dependency, workload } from './fixtures.js';

describe('imageRepository', () => {
  it.each([
    ['contoso.azurecr.io/orders-api:2.8.1', 'contoso.azurecr.io/orders-api'],
    ['localhost:5000/team/orders-api@sha256:abc', 'localhost:5000/team/orders-api'],
    ['${{ env.REGISTRY }}/orders-api:${{ github.sha }}', 'orders-api'],
    ['$(containerRegistry)/payments:$(Build.BuildId)', 'payments'],
    ['"${REGISTRY}/Reports:latest"', 'reports'],
  ])('%s → %s', (image, expected) => {
    expect(imageRepository(image)).toBe(expected);
    expect(imageName(imageRepository(image))).toBe(expected.split('/').pop());
  });
});

describe('findImageBuilds', () => {
  it('reads Dockerfiles, docker build, build-push-action, the Docker task, skaffold and compose', () => {
    const { repo } = repoOf({
      'apps/orders/Dockerfile': 'FROM node:20\n',
      '.github/workflows/build.yml': [
        'jobs:',
        '  build:',
        '    steps:',
        '      - run: docker build -t ${{ env.REGISTRY }}/orders-api:${{ github.sha }} -f apps/orders/Dockerfile apps/orders',
        '      - uses: docker/build-push-action@v6',
        '        with:',
        '          context: apps/payments',
        '          tags: contoso.azurecr.io/payments:latest',
        '',
      ].join('\n'),
      'azure-pipelines.yml': 'steps:\n  - task: Docker@2\n    inputs:\n      repository: reports\n      buildContext: apps/reports\n',
      'skaffold.yaml': 'build:\n  artifacts:\n    - image: inventory\n      context: apps/inventory\n',
      'docker-compose.yml': 'services:\n  shipping:\n    image: contoso/shipping\n    build:\n      context: ./apps/shipping\n',
      'scripts/ci.sh': '# docker build -t commented/out .\naz acr build -t notifications:{{.Run.ID}} -r contoso apps/notifications\n',
    });
    const builds = findImageBuilds(repo).map((build) => `${build.via} ${build.repository || '-'} ${build.context} ${build.at.file}:${build.at.line}`);
    expect(builds.sort()).toEqual([
      'azure-pipelines reports apps/reports azure-pipelines.yml:4',
      'docker-compose contoso/shipping apps/shipping docker-compose.yml:3',
      'dockerfile - apps/orders apps/orders/Dockerfile:1',
      'github-actions contoso.azurecr.io/payments apps/payments .github/workflows/build.yml:8',
      'github-actions orders-api apps/orders .github/workflows/build.yml:4',
      'script notifications apps/notifications scripts/ci.sh:2',
      'skaffold inventory apps/inventory skaffold.yaml:3',
    ]);
  });
});

describe('linkApplications', () => {
  const apps = [
    application('apps/orders', [dependency('npm', '@azure/identity', '1.5.2')], [], 'orders-api'),
    application('apps/payments', [dependency('nuget', 'Azure.Identity', '1.12.0')], [], 'Payments'),
    application('apps/chart-owner', [dependency('pypi', 'azure-identity', '1.14.0')], []),
  ];
  const inputs: LinkInputs = { applications: apps, builds: [], configured: [], configLine: () => ({ file: '.pod2wi.yaml', line: 2 }) };

  it('prefers an explicit mapping', () => {
    const links = linkApplications(workload({ name: 'orders-api' }), { ...inputs, configured: [{ path: 'apps/payments', workloads: ['Deployment/shop/orders-api'] }] });
    expect(links).toEqual([expect.objectContaining({ path: 'apps/payments', confidence: 'explicit', method: 'config', evidence: { file: '.pod2wi.yaml', line: 2 } })]);
  });

  it('follows an image built from an application folder', () => {
    const builds = [{ repository: 'orders-api', context: 'apps/orders', at: { file: '.github/workflows/build.yml', line: 4, column: 7 }, via: 'github-actions' as const }];
    expect(linkApplications(workload({ name: 'orders-api' }), { ...inputs, builds })).toEqual([expect.objectContaining({ path: 'apps/orders', confidence: 'high', method: 'image-build' })]);
  });

  it('matches an image named like an application (manifest name or folder)', () => {
    expect(linkApplications(workload({ name: 'payments' }), inputs)).toEqual([expect.objectContaining({ path: 'apps/payments', confidence: 'medium', method: 'image-name' })]);
    expect(linkApplications(workload({ name: 'orders-api' }), inputs)).toEqual([expect.objectContaining({ path: 'apps/orders', method: 'image-name' })]);
  });

  it('links a Helm chart inside an application folder', () => {
    const item = workload({ name: 'api', source: 'helm', origin: 'apps/chart-owner/chart', file: 'apps/chart-owner/chart/templates/deployment.yaml' });
    expect(linkApplications(item, inputs)).toEqual([expect.objectContaining({ path: 'apps/chart-owner', method: 'chart-in-application' })]);
  });

  it('falls back to the only application, with low confidence, and to nothing with several', () => {
    const single = { ...inputs, applications: [apps[0] ?? application('x', [], [])] };
    expect(linkApplications(workload({ name: 'unrelated' }), single)).toEqual([expect.objectContaining({ path: 'apps/orders', confidence: 'low', method: 'single-application' })]);
    expect(linkApplications(workload({ name: 'unrelated' }), inputs)).toEqual([]);
  });

  it('ignores sidecar and platform images', () => {
    const item = workload({ name: 'x', containers: [{ name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.20', ports: [], init: false, imageAt: null }] });
    expect(linkApplications(item, { ...inputs, applications: [application('apps/proxyv2', [dependency('npm', 'a', '1')], [])] })).toEqual([expect.objectContaining({ method: 'single-application' })]);
  });
});
