/** HTTP for the REST adapters: one call with a timeout, failures turned into EnforcementError (no text of the answer kept). */
import { EnforcementError, httpFailure } from './port.js';

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Per-call timeout of a provider call, in ms: the enforcer's retries come on top. */
export const PROVIDER_TIMEOUT_MS = 5_000;

export interface ProviderHttp {
  fetch?: FetchLike;
  timeoutMs?: number;
}

/** A base URL without its trailing slashes (`AUTH0_DOMAIN` may also be a bare host name: https is assumed). */
export const baseUrlOf = (value: string): string => {
  const trimmed = value.trim().replace(/\/+$/, '');
  return /^https?:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
};

/**
 * Sends one request and returns the answer when it is 2xx; throws EnforcementError otherwise (`timeout`, `network`,
 * or `http_<status>`, transient for 429 and 5xx). The body of a failed answer is drained, never read into an error.
 */
export const send = async (
  http: ProviderHttp,
  url: string,
  init: RequestInit,
  expected: (status: number) => boolean = (status) => status >= 200 && status < 300,
): Promise<Response> => {
  let response: Response;
  try {
    response = await (http.fetch ?? fetch)(url, {
      ...init,
      redirect: 'manual',
      signal: AbortSignal.timeout(http.timeoutMs ?? PROVIDER_TIMEOUT_MS),
    });
  } catch (error) {
    const name = (error as { name?: unknown } | null)?.name;
    throw new EnforcementError(
      name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network',
      true,
    );
  }
  if (!expected(response.status)) {
    await response.body?.cancel().catch(() => undefined);
    throw httpFailure(response.status);
  }
  return response;
};

/** The JSON body of an answer; a body that is not JSON is a transient `bad_response` (a proxy's error page). */
export const jsonOf = async (response: Response): Promise<unknown> => {
  try {
    return await response.json();
  } catch {
    throw new EnforcementError('bad_response', true);
  }
};
