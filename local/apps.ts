/**
 * The local server's apps, one per route table entry's app (the very apps the Lambda functions run), and the fetch
 * that dispatches a request by the route table (functions/routes.ts) as API Gateway does in AWS.
 */
import type { Hono } from 'hono';
import { createApiApp } from '../functions/api/app.js';
import { createAuth0HookApp } from '../functions/auth0-hook/app.js';
import { createClerkHookApp } from '../functions/clerk-hook/app.js';
import { createCognitoInvokeApp } from '../functions/cognito-pre-signup/local-route.js';
import { createFirebaseHookApp } from '../functions/firebase-hook/app.js';
import { createKratosHookApp } from '../functions/kratos-hook/app.js';
import { createOktaHookApp } from '../functions/okta-hook/app.js';
import { createPaddleHookApp } from '../functions/paddle-hook/app.js';
import { type RouteApp, routeOf } from '../functions/routes.js';
import { createStripeHookApp } from '../functions/stripe-hook/app.js';
import { createSupabaseHookApp } from '../functions/supabase-hook/app.js';
import { createWorkosHookApp } from '../functions/workos-hook/app.js';
import { openApiText } from '../openapi/document.js';
import type { AppEnv } from '../shared/http/env.js';
import { errorBody } from '../shared/http/errors.js';
import type { Telemetry } from '../shared/observability/telemetry.js';
import type { DepsProvider } from '../shared/runtime/deps.js';

type Fetch = (request: Request) => Response | Promise<Response>;

/** `{"status":"ok"}` on GET and HEAD; the contract's 405 otherwise. */
const health: Fetch = (request) => {
  if (request.method === 'GET' || request.method === 'HEAD') return Response.json({ status: 'ok' });
  return Response.json(errorBody('method_not_allowed', 'use GET, HEAD on this route'), {
    status: 405,
    headers: { Allow: 'GET, HEAD' },
  });
};

/** docs/openapi.json, built once from the code on the first `GET /openapi.json`; the contract's 405 otherwise. */
const openApi = (): Fetch => {
  let text: string | undefined;
  return (request) => {
    if (request.method !== 'GET') {
      return Response.json(errorBody('method_not_allowed', 'use GET on this route'), {
        status: 405,
        headers: { Allow: 'GET' },
      });
    }
    text ??= openApiText();
    return new Response(text, { headers: { 'Content-Type': 'application/json' } });
  };
};

/** Builds every app over `deps` and answers each request with the app its route names (unknown paths: the api's 404). */
export const localFetch = (deps: DepsProvider, telemetry: Telemetry): Fetch => {
  const apps: Record<Exclude<RouteApp, 'health' | 'openapi'>, Hono<AppEnv>> = {
    api: createApiApp(deps, telemetry),
    'auth0-hook': createAuth0HookApp(deps, telemetry),
    'stripe-hook': createStripeHookApp(deps, telemetry),
    'supabase-hook': createSupabaseHookApp(deps, telemetry),
    'okta-hook': createOktaHookApp(deps, telemetry),
    'kratos-hook': createKratosHookApp(deps, telemetry),
    'paddle-hook': createPaddleHookApp(deps, telemetry),
    'clerk-hook': createClerkHookApp(deps, telemetry),
    'firebase-hook': createFirebaseHookApp(deps, telemetry),
    'workos-hook': createWorkosHookApp(deps, telemetry),
    'cognito-pre-signup': createCognitoInvokeApp(deps, telemetry),
  };
  const openApiDocument = openApi();
  return (request) => {
    const app = routeOf(new URL(request.url).pathname)?.app ?? 'api';
    if (app === 'health') return health(request);
    if (app === 'openapi') return openApiDocument(request);
    return apps[app].fetch(request);
  };
};
