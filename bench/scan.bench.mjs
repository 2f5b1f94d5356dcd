// Scan throughput on a generated GitOps-sized repository: 2,000 plain manifest files (a Deployment, AzureIdentity
// and binding each), 100 Helm charts, 100 Kustomize overlays, and 20,000 unrelated files the walk must pass over.
import { scan } from '../dist/run.js';
import { cleanup, generateRepository, measure, report } from './util.mjs';

const root = generateRepository();

const options = { paths: [root], cwd: root, exclude: [], defaultExcludes: true, maxFileSize: 5 * 1024 * 1024, namespace: null, forceNamespaced: false, allDependencies: false };
const result = await scan(options);
console.log(`     ${result.summary.files} files walked, ${result.summary.manifestFiles} manifest files, ${result.workloads.length} workloads, ${result.findings.length} findings`);
report('scan of 22,500 files (2,000 manifests, 100 charts, 100 overlays)', await measure(() => scan(options), 3), 6000);
cleanup(root);
