/**
 * The Lambda bundles, built with the stack's own esbuild options (bench/bundle-size.ts): their minified
 * size is reported and bounded, and each one loads in a fresh Node process and exports `handler`.
 */
import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  bundleFunction,
  type FunctionBundle,
  formatBundleSize,
  largestPackages,
} from '../../bench/bundle-size.js';
import { FUNCTION_NAMES, type FunctionName } from '../../infra/bundling.js';
import { policyFile } from '../helpers/policy-file.js';
import { tempDir } from './support.js';

/** Upper bound per minified bundle (1 MiB). The performance target (peers.md §5) is ≤ 250 KB. */
const MAX_BUNDLE_BYTES = 1024 * 1024;

const bundles = {} as Record<FunctionName, FunctionBundle>;

beforeAll(async () => {
  const outDir = tempDir('bundles');
  for (const name of FUNCTION_NAMES) bundles[name] = await bundleFunction(name, outDir);
  for (const name of FUNCTION_NAMES) {
    console.log(
      `${formatBundleSize(name, bundles[name].bytes)}  (${largestPackages(bundles[name].metafile).join(', ')})`,
    );
  }
}, 120_000);

/** Imports the bundle in a fresh Node process with a Lambda-like environment; resolves to `typeof handler`. */
const importInChild = (name: FunctionName, file: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const script = `const m = await import(${JSON.stringify(pathToFileURL(file).href)}); console.log(typeof m.handler);`;
    execFile(
      process.execPath,
      ['--enable-source-maps', '--input-type=module', '-e', script],
      {
        timeout: 30_000,
        env: {
          PATH: process.env.PATH ?? '',
          AWS_REGION: 'eu-west-1',
          AWS_LAMBDA_FUNCTION_NAME: `signup-gate-${name}`,
          POWERTOOLS_SERVICE_NAME: name,
          POWERTOOLS_METRICS_NAMESPACE: 'SignupGate',
          TABLE_NAME: 'signup-gate-test',
          POLICY_FILE: policyFile(),
          EVENT_BUS_NAME: 'signup-gate-test',
          DEFASTRA_API_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:k-AbCdEf',
          PEPPER_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:p-AbCdEf',
        },
      },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout.trim()),
    );
  });

describe('Lambda bundles', () => {
  it.each(FUNCTION_NAMES)('%s is an ESM bundle under 1 MB', (name) => {
    const { bytes } = bundles[name];
    expect(bytes).toBeGreaterThan(10_000);
    expect(bytes, `${formatBundleSize(name, bytes)} exceeds 1024 KB`).toBeLessThan(MAX_BUNDLE_BYTES);
  });

  it.each(FUNCTION_NAMES)('%s bundles the AWS SDK and Powertools instead of expecting a layer', (name) => {
    const [, output] = Object.entries(bundles[name].metafile.outputs).find(([file]) =>
      file.endsWith('.mjs'),
    )!;
    const inputs = Object.keys(output.inputs).join('\n');
    // The stream consumer talks to EventBridge and DynamoDB (the statistics counters); every other function to
    // DynamoDB and Secrets Manager.
    const clients =
      name === 'verdict-events'
        ? ['client-eventbridge', 'client-dynamodb']
        : ['client-dynamodb', 'client-secrets-manager'];
    for (const client of clients) expect(inputs).toContain(`node_modules/@aws-sdk/${client}/`);
    if (name === 'verdict-events') {
      expect(inputs).not.toContain('node_modules/@aws-sdk/client-secrets-manager/');
    }
    expect(inputs).toContain('node_modules/@aws-lambda-powertools/logger/');
    expect(inputs).toContain('node_modules/@aws-lambda-powertools/metrics/');
    expect(inputs).not.toContain('node_modules/@aws-lambda-powertools/tracer/');
  });

  it.each(FUNCTION_NAMES)('%s loads in a fresh Node process and exports handler', async (name) => {
    expect(await importInChild(name, bundles[name].outfile)).toBe('function');
  });
});
