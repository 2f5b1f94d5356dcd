import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readApplications } from '../../src/deps/index.js';
import { copyFixture, openRepo } from '../helpers/repo.js';

const contoso = fileURLToPath(new URL('../../examples/contoso/', import.meta.url));

describe('examples/contoso dependencies', () => {
  it('finds the five services with the identity libraries they run', () => {
    const { repo, sink } = openRepo(copyFixture(contoso));
    const applications = readApplications(repo, sink, { allDependencies: false });
    const summary = Object.fromEntries(
      applications.map((app) => [
        app.path,
        app.dependencies.map((dependency) => `${dependency.name}@${dependency.version ?? '?'} ${dependency.resolution}${dependency.legacy ? ' legacy' : ''} wi=${String(dependency.supportsWorkloadIdentity)} mic=${String(dependency.managedIdentityTokenExchange)}`),
      ]),
    );
    expect(summary).toMatchObject({
      'apps/orders-api': [
        '@azure/identity@1.5.2 locked wi=false mic=false',
        'adal-node@0.2.4 locked legacy wi=false mic=false',
        'ms-rest-azure@3.0.2 locked legacy wi=false mic=false',
      ],
      'apps/payments': ['Azure.Identity@1.12.0 range wi=true mic=true'],
      'apps/reports': ['azure-identity@1.6.1 exact wi=false mic=false', 'msrestazure@0.6.4 exact legacy wi=false mic=false'],
      'apps/inventory': ['com.azure:azure-identity@1.11.4 exact wi=true mic=true'],
      'apps/shipping': ['github.com/Azure/azure-sdk-for-go/sdk/azidentity@v1.5.1 exact wi=true mic=false'],
    });
    const inventory = applications.find((app) => app.path === 'apps/inventory')?.dependencies[0];
    expect([inventory?.file, inventory?.line]).toEqual(['apps/pom.xml', 18]);
    const payments = applications.find((app) => app.path === 'apps/payments');
    expect([payments?.name, payments?.dependencies[0]?.file]).toEqual(['Contoso.Payments', 'apps/Directory.Packages.props']);
    expect(sink.all.filter((finding) => finding.ruleId === 'dependency-file-parse-error')).toEqual([]);
  });
});
