/**
 * Turns the target options (`--url`, `--stack`, `--auth`, `--region`, `--profile`) into an ApiTarget:
 * bearer for a local URL, SigV4 for a deployed one (docs/cli.md). The AWS modules load only when needed.
 */

import { createBearerTarget } from './bearer-target.js';
import { CliError, UsageError } from './errors.js';
import { readLocalToken } from './local-token.js';
import type { ApiTarget } from './target.js';

export const DEFAULT_URL = 'http://127.0.0.1:3000';
export const AUTH_MODES = ['auto', 'bearer', 'sigv4'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export interface TargetOptions {
  url?: string | undefined;
  stack?: string | undefined;
  auth?: AuthMode | undefined;
  region?: string | undefined;
  profile?: string | undefined;
}

/** Loopback and `localhost` names: the local server, reached with its bearer token. */
export const isLocalUrl = (url: URL): boolean => {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    /^127(\.\d{1,3}){3}$/.test(host) ||
    host === '::1' ||
    host === '0.0.0.0'
  );
};

/** The region in an API Gateway host name (`<id>.execute-api.<region>.amazonaws.com[.cn]`), if it is one. */
export const regionFromUrl = (url: URL): string | undefined =>
  /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/i.exec(url.hostname)?.[1]?.toLowerCase();

/** A base URL: http(s), no query or fragment, no trailing slash. */
export const parseBaseUrl = (value: string, what = '--url'): URL => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${what}: not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`${what}: not an http(s) URL`);
  if (url.search || url.hash) throw new UsageError(`${what}: a base URL takes no query or fragment`);
  return url;
};

const baseOf = (url: URL): string => `${url.origin}${url.pathname.replace(/\/+$/, '')}`;

/** Where a target is: its base URL (no trailing slash), and for a stack its name and region. */
export interface TargetLocation {
  url: URL;
  base: string;
  stack: string | undefined;
  region: string | undefined;
}

/**
 * Where the target is, without its auth. Precedence: `--url` / `--stack` (not both), else `SIGNUP_GATE_URL` /
 * `SIGNUP_GATE_STACK`, else the local default URL.
 */
export const resolveLocation = async (
  options: TargetOptions,
  env: NodeJS.ProcessEnv,
): Promise<TargetLocation> => {
  if (options.url !== undefined && options.stack !== undefined) {
    throw new UsageError('--url and --stack cannot be used together');
  }
  const fromFlags = options.url !== undefined || options.stack !== undefined;
  const stack = fromFlags ? options.stack : env.SIGNUP_GATE_STACK || undefined;
  const urlText = fromFlags ? options.url : stack ? undefined : env.SIGNUP_GATE_URL || undefined;
  let region = options.region;
  let url: URL;
  if (stack !== undefined) {
    const { stackApiUrl } = await import('./aws.js');
    const found = await stackApiUrl(stack, { region, profile: options.profile });
    url = parseBaseUrl(found.url, `the ApiUrl output of stack ${stack}`);
    region ??= regionFromUrl(url) ?? found.region;
  } else {
    url = parseBaseUrl(
      urlText ?? DEFAULT_URL,
      urlText === undefined || fromFlags ? '--url' : 'SIGNUP_GATE_URL',
    );
  }
  return { url, base: baseOf(url), stack, region };
};

/**
 * Resolves the target (its location as resolveLocation finds it). `--auth auto` means SigV4 for a stack or a
 * non-local URL.
 */
export const resolveTarget = async (options: TargetOptions, env: NodeJS.ProcessEnv): Promise<ApiTarget> => {
  const location = await resolveLocation(options, env);
  const { url, base, stack } = location;
  let { region } = location;
  const auth = options.auth ?? 'auto';
  const useSigV4 = auth === 'sigv4' || (auth === 'auto' && (stack !== undefined || !isLocalUrl(url)));
  if (!useSigV4) {
    const { token, from } = await readLocalToken(env);
    return createBearerTarget(base, token, from);
  }
  region ??= regionFromUrl(url);
  if (region === undefined) {
    const { sdkRegion } = await import('./aws.js');
    region = await sdkRegion({ profile: options.profile });
  }
  if (region === undefined) throw new CliError('no AWS region: pass --region or set AWS_REGION');
  const { createSigV4Target } = await import('./sigv4-target.js');
  return createSigV4Target({ url: base, region, profile: options.profile });
};
