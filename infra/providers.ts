/**
 * The six provider hook functions (docs/okta.md, kratos.md, paddle.md, clerk.md, firebase.md, workos.md): one
 * Lambda function per provider, as for Auth0, Stripe and Supabase (docs/deploy.md says why), each with its route,
 * its secret, its timeout, why its route has no gateway authoriser, and its URL output. The stack spreads these
 * into its own tables (no CDK import here).
 */
import type { ProviderHook } from '../shared/config/hook-secrets.js';
import type { InfraConfig } from './context.js';

export const PROVIDER_FUNCTIONS = [
  'okta-hook',
  'kratos-hook',
  'paddle-hook',
  'clerk-hook',
  'firebase-hook',
  'workos-hook',
] as const;
export type ProviderFunction = (typeof PROVIDER_FUNCTIONS)[number];

export type ProviderSecretKey =
  | 'oktaHookSecret'
  | 'kratosHookSecret'
  | 'paddleWebhookSecret'
  | 'clerkWebhookSecret'
  | 'firebaseHookSecret'
  | 'workosActionsSecret';

export interface ProviderFunctionSpec {
  source: ProviderHook;
  /** The function timeout's context key: a little above the route's budget_ms, inside the provider's wait. */
  timeoutKey: keyof InfraConfig & `${string}TimeoutSeconds`;
  secret: ProviderSecretKey;
  description: string;
  /** The stack output holding the hook URL, and what it is for. */
  output: { id: string; description: string };
  /** Why the route has no gateway authoriser (AwsSolutions-APIG4), as true as the code behind it. */
  hookAuth: string;
}

/** Every hook reads its body first (at most 256 KiB, refused while streaming), then authenticates it in code. */
const READS = 'The function reads the body first (at most 256 KiB, refused while streaming)';

export const PROVIDER_SPECS: Record<ProviderFunction, ProviderFunctionSpec> = {
  'okta-hook': {
    source: 'okta',
    timeoutKey: 'oktaTimeoutSeconds',
    secret: 'oktaHookSecret',
    description: 'signup-gate: POST /hooks/okta (Okta registration inline hook)',
    output: { id: 'OktaHookUrl', description: 'Okta registration inline hook URL (Workflow, Inline Hooks)' },
    hookAuth: `Okta inline hooks cannot sign SigV4 or carry AWS credentials; Okta sends a configured Authorization header value instead. ${READS}, then compares that header with every active OKTA_HOOK_SECRET in constant time before any store or Defastra work; else 401.`,
  },
  'kratos-hook': {
    source: 'kratos',
    timeoutKey: 'kratosTimeoutSeconds',
    secret: 'kratosHookSecret',
    description: 'signup-gate: POST /hooks/kratos (Ory Kratos registration web hook)',
    output: { id: 'KratosHookUrl', description: 'Ory Kratos registration web_hook URL (kratos.yml)' },
    hookAuth: `Ory Kratos web hooks cannot sign SigV4 or carry AWS credentials; their api_key auth sends Authorization: Bearer <secret>. ${READS}, then compares the token with every active KRATOS_HOOK_SECRET in constant time before any store or Defastra work; else 401.`,
  },
  'paddle-hook': {
    source: 'paddle',
    timeoutKey: 'paddleTimeoutSeconds',
    secret: 'paddleWebhookSecret',
    description: 'signup-gate: POST /hooks/paddle (Paddle Billing webhook destination)',
    output: {
      id: 'PaddleHookUrl',
      description: 'Paddle notification destination URL (Developer tools, Notifications)',
    },
    hookAuth: `Paddle webhook deliveries cannot carry SigV4 or any AWS credential; Paddle signs them with the Paddle-Signature header. ${READS}, since the signature covers those bytes, then checks the HMAC-SHA256 of every h1 against every active secret in constant time within 300 s before any store or Defastra work; else 400 invalid_signature.`,
  },
  'clerk-hook': {
    source: 'clerk',
    timeoutKey: 'clerkTimeoutSeconds',
    secret: 'clerkWebhookSecret',
    description: 'signup-gate: POST /hooks/clerk (Clerk webhooks through Svix: user.created)',
    output: { id: 'ClerkHookUrl', description: 'Clerk webhook endpoint URL (Webhooks, Add Endpoint)' },
    hookAuth: `Clerk's webhooks are delivered by Svix, which cannot sign SigV4 or carry AWS credentials; Svix signs them as Standard Webhooks. ${READS}, since the signature covers it, then verifies svix-signature over svix-id, svix-timestamp and body with the standardwebhooks library, in constant time within 5 minutes, before any store or Defastra work; else 401.`,
  },
  'firebase-hook': {
    source: 'firebase',
    timeoutKey: 'firebaseTimeoutSeconds',
    secret: 'firebaseHookSecret',
    description: 'signup-gate: POST /hooks/firebase (the Firebase beforeUserCreated forwarder)',
    output: {
      id: 'FirebaseHookUrl',
      description: 'SIGNUP_GATE_URL of the Firebase forwarder (integrations/firebase)',
    },
    hookAuth: `The shipped Firebase forwarder runs in Google Cloud and keeps no AWS credentials (we do not hand an AWS access key to a third party); it signs each request like the Auth0 Actions. ${READS}, since the signature covers it, then checks X-Signup-Gate-Signature, an HMAC-SHA256 over timestamp, Idempotency-Key and body, in constant time within 300 s, before any store or Defastra work; else 401.`,
  },
  'workos-hook': {
    source: 'workos',
    timeoutKey: 'workosTimeoutSeconds',
    secret: 'workosActionsSecret',
    description: 'signup-gate: POST /hooks/workos (WorkOS AuthKit user registration Action)',
    output: { id: 'WorkosHookUrl', description: 'WorkOS user registration Action endpoint URL (Actions)' },
    hookAuth: `WorkOS Actions cannot sign SigV4 or carry AWS credentials; WorkOS signs them with the WorkOS-Signature header. ${READS}, since the signature covers it, then checks the HMAC-SHA256 against every active WORKOS_ACTIONS_SECRET in constant time within 30 s before any store or Defastra work; else 401.`,
  },
};

/** The provider functions' entries of a table keyed by function name. */
export const perProviderFunction = <T>(value: (spec: ProviderFunctionSpec, name: ProviderFunction) => T) =>
  Object.fromEntries(PROVIDER_FUNCTIONS.map((name) => [name, value(PROVIDER_SPECS[name], name)])) as Record<
    ProviderFunction,
    T
  >;
