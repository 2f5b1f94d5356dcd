import * as msRestAzure from 'ms-rest-azure';

/** Management-plane access for the nightly stock sync, still on the old ms-rest-azure login. */
export async function managementCredentials(): Promise<msRestAzure.MSITokenCredentials> {
  return msRestAzure.loginWithMSI({ resource: 'https://management.azure.com/' });
}
