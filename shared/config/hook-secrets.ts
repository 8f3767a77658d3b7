/**
 * The hook secrets of the providers of docs/okta.md, kratos.md, paddle.md, clerk.md, firebase.md and workos.md:
 * one secret setting each (docs/local.md), its name in `dev-secrets.json`, the variable carrying its Secrets
 * Manager ARN in Lambda, and how several values are separated during a rotation (commas; spaces for Clerk, whose
 * Svix secrets are Standard Webhooks secrets like Supabase's).
 */
import type { Source } from '../core/levels.js';
import { splitSecrets, splitSpaceSecrets } from '../runtime/deps.js';

export const PROVIDER_HOOKS = [
  'okta',
  'kratos',
  'paddle',
  'clerk',
  'firebase',
  'workos',
] as const satisfies readonly Source[];
export type ProviderHook = (typeof PROVIDER_HOOKS)[number];

export interface HookSecretSetting {
  /** The local server's variable. */
  env: string;
  /** The key of the generated value in `DATA_DIR/dev-secrets.json`. */
  devSecret: string;
  /** The Lambda variable holding the secret's ARN. */
  arnEnv: string;
  separator: 'comma' | 'space';
}

export const HOOK_SECRET_SETTINGS: Record<ProviderHook, HookSecretSetting> = {
  okta: {
    env: 'OKTA_HOOK_SECRET',
    devSecret: 'okta_hook_secret',
    arnEnv: 'OKTA_HOOK_SECRET_ARN',
    separator: 'comma',
  },
  kratos: {
    env: 'KRATOS_HOOK_SECRET',
    devSecret: 'kratos_hook_secret',
    arnEnv: 'KRATOS_HOOK_SECRET_ARN',
    separator: 'comma',
  },
  paddle: {
    env: 'PADDLE_WEBHOOK_SECRET',
    devSecret: 'paddle_webhook_secret',
    arnEnv: 'PADDLE_WEBHOOK_SECRET_ARN',
    separator: 'comma',
  },
  clerk: {
    env: 'CLERK_WEBHOOK_SECRET',
    devSecret: 'clerk_webhook_secret',
    arnEnv: 'CLERK_WEBHOOK_SECRET_ARN',
    separator: 'space',
  },
  firebase: {
    env: 'FIREBASE_HOOK_SECRET',
    devSecret: 'firebase_hook_secret',
    arnEnv: 'FIREBASE_HOOK_SECRET_ARN',
    separator: 'comma',
  },
  workos: {
    env: 'WORKOS_ACTIONS_SECRET',
    devSecret: 'workos_actions_secret',
    arnEnv: 'WORKOS_ACTIONS_SECRET_ARN',
    separator: 'comma',
  },
};

/** The active values of a provider's secret setting (blank entries dropped). */
export const splitHookSecrets = (hook: ProviderHook, value: string | undefined | null): string[] =>
  HOOK_SECRET_SETTINGS[hook].separator === 'space' ? splitSpaceSecrets(value) : splitSecrets(value);

/** One value per provider. */
export const perHook = <T>(value: (hook: ProviderHook) => T): Record<ProviderHook, T> =>
  Object.fromEntries(PROVIDER_HOOKS.map((hook) => [hook, value(hook)])) as Record<ProviderHook, T>;
