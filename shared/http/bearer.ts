/** Bearer-token authentication for the operator routes when running locally (in AWS the gateway does IAM auth). */
import type { MiddlewareHandler } from 'hono';
import type { DepsProvider } from '../runtime/deps.js';
import type { AppEnv } from './env.js';
import { ApiError } from './errors.js';
import { safeEqualAny } from './secure-compare.js';

/** 401 unless `Authorization: Bearer <token>` matches one of the tokens the provider returns. */
export const bearerAuth =
  (tokens: () => Promise<readonly string[]>): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const valid = await tokens();
    if (!match || valid.length === 0 || !safeEqualAny(match[1]!, valid)) {
      throw new ApiError(401, 'unauthorized', 'missing or invalid bearer token', {
        'WWW-Authenticate': 'Bearer',
      });
    }
    await next();
  };

/** True when API Gateway's IAM authoriser ran for this request (its context names the signing principal). */
const gatewayCheckedIam = (requestContext: unknown): boolean => {
  const authorizer = (requestContext as { authorizer?: { iam?: { accessKey?: unknown } } } | undefined)
    ?.authorizer;
  return typeof authorizer?.iam === 'object' && authorizer.iam !== null;
};

/**
 * The operator routes' auth: bearer locally. In AWS the HTTP API checks IAM (SigV4) first; the app still
 * refuses a request without the authoriser's context, e.g. one that arrived through a catch-all route.
 */
export const operatorAuth =
  (deps: DepsProvider): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const { apiAuth } = await deps();
    if (apiAuth.kind === 'bearer') return bearerAuth(apiAuth.tokens)(c, next);
    if (!gatewayCheckedIam(c.env?.requestContext)) {
      throw new ApiError(401, 'unauthorized', 'this route needs an IAM (SigV4) signed request');
    }
    await next();
  };
