/**
 * The AWS side of target resolution, loaded only for a deployed target: the region from the SDK's own
 * chain (AWS_REGION, the shared config file) and the stack's `ApiUrl` output through CloudFormation.
 */
import {
  CloudFormationClient,
  DescribeStacksCommand,
  type DescribeStacksCommandOutput,
} from '@aws-sdk/client-cloudformation';
import { CliError } from './errors.js';

export interface AwsOptions {
  region?: string | undefined;
  profile?: string | undefined;
}

const clientFor = (options: AwsOptions) =>
  new CloudFormationClient({
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
  });

/** The region the AWS SDK would use (explicit, AWS_REGION, or the profile's `region`), or undefined. */
export const sdkRegion = async (options: AwsOptions): Promise<string | undefined> => {
  const client = clientFor(options);
  try {
    return await client.config.region();
  } catch {
    return undefined;
  } finally {
    client.destroy();
  }
};

/** One line for an AWS SDK failure (credentials, region, access), never a stack. */
export const describeAwsError = (error: unknown): string => {
  const { name, message } = error as { name?: string; message?: string };
  if (name === 'CredentialsProviderError' || /credential/i.test(message ?? '')) {
    return 'no AWS credentials found by the standard chain (environment, AWS_PROFILE / ~/.aws, SSO, instance role)';
  }
  if (/region is missing/i.test(message ?? '')) return 'no AWS region: pass --region or set AWS_REGION';
  return `${name ?? 'Error'}: ${(message ?? '').split('\n')[0]}`;
};

/** Resolves the stack's `ApiUrl` output (without its trailing slash) and the region it was found in. */
export const stackApiUrl = async (
  stackName: string,
  options: AwsOptions,
): Promise<{ url: string; region: string }> => {
  const client = clientFor(options);
  try {
    let answer: DescribeStacksCommandOutput;
    try {
      answer = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    } catch (error) {
      throw new CliError(`stack ${stackName}: ${describeAwsError(error)}`);
    }
    const output = answer.Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === 'ApiUrl')?.OutputValue;
    if (!output) throw new CliError(`stack ${stackName} has no ApiUrl output: is it a signup-gate stack?`);
    return { url: output.replace(/\/+$/, ''), region: await client.config.region() };
  } finally {
    client.destroy();
  }
};
