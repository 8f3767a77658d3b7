/** The Lambda functions, each with its entry at `functions/<name>/handler.ts`: one list for the stack and the bench (no CDK import). */
export const FUNCTION_NAMES = [
  'api',
  'auth0-hook',
  'stripe-hook',
  'supabase-hook',
  'cognito-pre-signup',
  'verdict-events',
  'okta-hook',
  'kratos-hook',
  'paddle-hook',
  'clerk-hook',
  'firebase-hook',
  'workos-hook',
  'enforcer',
  'rescreen',
] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];
