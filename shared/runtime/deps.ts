/** The composition root's contract: everything an app needs, built once per process (locally or per Lambda cold start). */

import type { ProviderHook } from '../config/hook-secrets.js';
import type { KeyedHasher } from '../core/vocabulary.js';
import type { DefastraPort } from '../defastra/types.js';
import type { Telemetry } from '../observability/telemetry.js';
import type { PolicyRuntime, PolicySource } from '../policy/source.js';
import type { Store } from '../store/ports.js';

export type ApiAuth =
  /** AWS: the HTTP API authorises with IAM (SigV4) before the function runs. */
  | { kind: 'iam' }
  /** Local: `Authorization: Bearer <token>`. */
  | { kind: 'bearer'; tokens: () => Promise<readonly string[]> };

export interface AppDeps {
  /** The policy a request runs under: the active runtime version, else the policy file (`policyDeps(policies)`). */
  policy: PolicySource;
  /** The bundled file, the active version and the shadow policy, read with a bounded age (docs/policy-lifecycle.md). */
  policies: PolicyRuntime;
  store: Store;
  defastra: DefastraPort;
  hash: KeyedHasher;
  telemetry: Telemetry;
  now: () => number;
  apiAuth: ApiAuth;
  /** Active HMAC secrets of `/hooks/auth0` (several during a rotation). */
  auth0HookSecrets: () => Promise<readonly string[]>;
  /** Active Stripe endpoint signing secrets. */
  stripeWebhookSecrets: () => Promise<readonly string[]>;
  /** Active Standard Webhooks secrets of `/hooks/supabase` (`v1,whsec_...` as Supabase shows them). */
  supabaseHookSecrets: () => Promise<readonly string[]>;
  /** Active secrets of each provider hook of shared/config/hook-secrets.ts (`/hooks/okta`, ...). */
  hookSecrets: Record<ProviderHook, () => Promise<readonly string[]>>;
  /** Stripe API key for the optional write-back; null when not configured. */
  stripeApiKey: () => Promise<string | null>;
  /** Overrides Stripe's API host (tests point it at a local server). */
  stripeApiBaseUrl?: string | undefined;
  /** The key sealing provisional verdicts' identifiers until they are re-screened (docs/rescreen.md). */
  rescreenKey?: (() => Promise<Buffer>) | undefined;
}

/** Resolves the deps lazily; a failure (e.g. a secret fetch) is not cached, so the next request tries again. */
export type DepsProvider = () => Promise<AppDeps>;

/** Memoises a deps factory (or any async factory), dropping a rejected attempt so the next call retries. */
export const lazyDeps = <T = AppDeps>(build: () => Promise<T>): (() => Promise<T>) => {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= build().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
};

/** Splits a comma-separated secret value into its active entries. */
export const splitSecrets = (value: string | undefined | null): string[] =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

/**
 * Splits Supabase hook secrets: several are separated by spaces (docs/local.md), each as Supabase shows it,
 * `v1,whsec_<base64>` (the `v1,` is optional), so commas cannot separate them.
 */
export const splitSpaceSecrets = (value: string | undefined | null): string[] =>
  (value ?? '').split(/\s+/).filter((s) => s.length > 0);
