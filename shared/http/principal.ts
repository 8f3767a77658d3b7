/** Who made an operator request: the IAM principal ARN from API Gateway's authoriser in AWS, `local` on the local server. */
import type { Context } from 'hono';
import type { AppEnv } from './env.js';

/** The signing principal's ARN when the gateway's IAM authoriser ran, else `local` (bearer auth on the local server). */
export const principalOf = (c: Context<AppEnv>): string => {
  const iam = (c.env?.requestContext as { authorizer?: { iam?: { userArn?: unknown } } } | undefined)
    ?.authorizer?.iam;
  return typeof iam?.userArn === 'string' && iam.userArn.length > 0 ? iam.userArn.slice(0, 2048) : 'local';
};
