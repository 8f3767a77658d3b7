/**
 * A target reached with SigV4 (a deployed stack, docs/api.md): the AWS SDK's own signer (`SignatureV4`,
 * service `execute-api`, SHA-256 from `@aws-crypto/sha256-js`) and its default credential chain.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { describeAwsError } from './aws.js';
import { CliError } from './errors.js';
import type { ApiRequest, ApiTarget } from './target.js';

export interface SigV4TargetOptions {
  url: string;
  region: string;
  profile?: string | undefined;
}

type SignableRequest = Parameters<SignatureV4['sign']>[0];

export const createSigV4Target = (options: SigV4TargetOptions): ApiTarget => {
  const signer = new SignatureV4({
    service: 'execute-api',
    region: options.region,
    credentials: defaultProvider(options.profile ? { profile: options.profile } : {}),
    sha256: Sha256,
  });
  return {
    url: options.url,
    auth: 'sigv4',
    request: async (request: ApiRequest) => {
      const url = new URL(`${options.url}${request.path}`);
      const headers: Record<string, string> = { host: url.host };
      for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
      const query: Record<string, string | string[]> = {};
      for (const [name, value] of url.searchParams) {
        const seen = query[name];
        query[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
      }
      const unsigned: SignableRequest = {
        method: request.method,
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port ? { port: Number(url.port) } : {}),
        path: url.pathname,
        query,
        headers,
        ...(request.body === undefined ? {} : { body: request.body }),
      };
      let signed: SignableRequest;
      try {
        signed = await signer.sign(unsigned);
      } catch (error) {
        throw new CliError(describeAwsError(error));
      }
      // fetch sets Host itself, from the same URL the signature covers.
      const { host: _host, ...sent } = signed.headers;
      return fetch(url, {
        method: request.method,
        headers: sent,
        ...(request.body === undefined ? {} : { body: request.body }),
        ...(request.signal ? { signal: request.signal } : {}),
      });
    },
  };
};
