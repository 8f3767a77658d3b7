/**
 * The official `stripe` client for the optional write-back (docs/stripe.md): one client per API key (and base URL),
 * a short timeout and a single network retry, so a write-back never holds a webhook delivery for long. The library is
 * loaded on the first write-back (a dynamic import), so routes that never call Stripe do not load its API resources.
 */
import type Stripe from 'stripe';

/** Per-request timeout of the write-back calls, in ms (Stripe's own default is 80 s). */
export const STRIPE_TIMEOUT_MS = 3_000;
/** Automatic network retries of the library (it sends the same idempotency key again). */
export const STRIPE_MAX_NETWORK_RETRIES = 1;

/** Where the client sends requests: the parts of `STRIPE_API_BASE_URL` the library takes as options. */
export interface StripeConnection {
  host: string;
  port: number;
  protocol: 'http' | 'https';
}

/**
 * Parses `STRIPE_API_BASE_URL` (e.g. `http://127.0.0.1:12111`) into the library's `host`/`port`/`protocol`
 * options. Only an origin is accepted: the library has no base-path option, so a path would be silently lost.
 */
export const parseStripeBaseUrl = (baseUrl: string): StripeConnection => {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new Error('STRIPE_API_BASE_URL is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error('STRIPE_API_BASE_URL must use http or https');
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || url.username) {
    throw new Error('STRIPE_API_BASE_URL must be an origin only (scheme, host and optional port)');
  }
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return { host, port: url.port ? Number(url.port) : protocol === 'http' ? 80 : 443, protocol };
};

export interface StripeClientOptions {
  timeoutMs?: number;
  maxNetworkRetries?: number;
}

const clients = new Map<string, Stripe>();

/**
 * The cached client for `apiKey` (and `baseUrl`, when set). A rotated key gets a client of its own; the cache
 * holds one entry per key, which stays small (a key changes rarely).
 */
export const getStripeClient = async (
  apiKey: string,
  baseUrl?: string | undefined,
  options: StripeClientOptions = {},
): Promise<Stripe> => {
  const cacheKey = `${baseUrl ?? ''}\n${apiKey}\n${options.timeoutMs ?? ''}\n${options.maxNetworkRetries ?? ''}`;
  const cached = clients.get(cacheKey);
  if (cached) return cached;
  const { default: StripeClient } = await import('stripe');
  const client = new StripeClient(apiKey, {
    ...(baseUrl ? parseStripeBaseUrl(baseUrl) : {}),
    timeout: options.timeoutMs ?? STRIPE_TIMEOUT_MS,
    maxNetworkRetries: options.maxNetworkRetries ?? STRIPE_MAX_NETWORK_RETRIES,
    telemetry: false,
    appInfo: { name: 'signup-gate' },
  });
  clients.set(cacheKey, client);
  return client;
};

/** Forgets every cached client (tests). */
export const clearStripeClients = (): void => clients.clear();

/** Secret (`sk_`) and restricted (`rk_`) keys; anything else (e.g. the deploy-time placeholder) is not usable. */
const STRIPE_KEY = /^(sk|rk)_(test|live)_[A-Za-z0-9]+$/;

export const isUsableStripeKey = (key: string): boolean => STRIPE_KEY.test(key);

/**
 * Whether a Stripe error is worth a retry: network failures, Stripe 5xx and 429. A 4xx (bad key, missing
 * customer or list, permissions) will fail the same way again.
 */
export const isTransientStripeError = (error: unknown): boolean => {
  const e = error as { type?: unknown; statusCode?: unknown };
  if (
    e.type === 'StripeConnectionError' ||
    e.type === 'StripeRateLimitError' ||
    e.type === 'StripeAPIError'
  ) {
    return true;
  }
  if (typeof e.statusCode === 'number') return e.statusCode === 429 || e.statusCode >= 500;
  return !(typeof e.type === 'string' && e.type.startsWith('Stripe'));
};
