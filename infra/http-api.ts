/**
 * The HTTP API: the hook routes (open at the gateway, authenticated in code), the IAM-authorised
 * operator routes with their exact methods, the unauthenticated catch-alls that only answer the contract's
 * 405/404, and the `$default` stage (JSON access logs, stage throttling, and per-route throttling of the
 * hooks and the operator routes through the stage's RouteSettings).
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ROUTES, type RouteApp } from '../functions/routes.js';
import type { FunctionName } from './bundling.js';
import type { InfraConfig } from './context.js';
import { acknowledge } from './nag.js';
import { type ProviderFunction, perProviderFunction } from './providers.js';

type HookFunction = 'auth0-hook' | 'stripe-hook' | 'supabase-hook' | ProviderFunction;

/** Why each hook route has no gateway authoriser (AwsSolutions-APIG4), as true as the code behind it. */
const HOOK_AUTH: Record<HookFunction, string> = {
  'auth0-hook':
    'The shipped Auth0 Actions are dependency-free by design and keep no AWS credentials in Auth0 (an Action could sign SigV4 with an npm package, but only with an AWS access key stored as an Auth0 secret, which we do not hand to a third party). The function authenticates each request itself: it reads the body first (at most 256 KiB, refused while streaming), since the signature covers it, then checks X-Signup-Gate-Signature, an HMAC-SHA256 over timestamp, Idempotency-Key and body, in constant time within 300 s, before any store or Defastra work; else 401.',
  'stripe-hook':
    'Stripe webhook deliveries cannot carry SigV4 or any AWS credential; Stripe authenticates them with the Stripe-Signature header. The function reads the raw body first (at most 256 KiB, refused while streaming), since the signature covers those bytes, then verifies it with the official stripe library (HMAC-SHA256, constant-time compare, 300 s tolerance, every active secret) before any store or Defastra work; else 400 invalid_signature.',
  'supabase-hook':
    'Supabase auth hooks cannot sign SigV4 or carry AWS credentials; they are signed as Standard Webhooks. The function reads the body first (at most 256 KiB, refused while streaming), since the signature covers it, then verifies webhook-signature over webhook-id, webhook-timestamp and body with the standardwebhooks library, compared in constant time within 5 minutes, before any store or Defastra work; else 401.',
  ...perProviderFunction(({ hookAuth }) => hookAuth),
};

const AWS_ROUTES = ROUTES.filter((route) => !route.localOnly);

const isHookFunction = (app: RouteApp): app is HookFunction => app in HOOK_AUTH;

/** The hook routes of the route table: open at the gateway, authenticated in code. */
export const HOOK_ROUTES: ReadonlyArray<{ path: string; fn: HookFunction }> = AWS_ROUTES.flatMap((route) =>
  route.auth === 'hook' && isHookFunction(route.app) ? [{ path: route.path, fn: route.app }] : [],
);

/** The operator routes of the route table: IAM authorisation on the exact method. */
export const OPERATOR_ROUTES: ReadonlyArray<{ method: apigwv2.HttpMethod; path: string }> = AWS_ROUTES.filter(
  (route) => route.auth === 'operator',
).flatMap((route) =>
  route.methods.map((method) => ({ method: apigwv2.HttpMethod[method], path: route.path })),
);

/** `ANY /hooks/auth0`, `POST /screen`: API Gateway's route keys (what RouteSettings is keyed by). */
export const routeKeyOf = (method: string, path: string): string => `${method} ${path}`;

export interface HttpApiParts {
  api: apigwv2.HttpApi;
  stage: apigwv2.HttpStage;
}

export interface HttpApiProps {
  config: InfraConfig;
  functions: Record<'api' | HookFunction, lambda.IFunction>;
}

/**
 * Creates the API in `scope` (the stack: the logical ids of the API, its stage and access logs stay those of
 * earlier versions).
 */
export const createHttpApi = (scope: Construct, { config, functions }: HttpApiProps): HttpApiParts => {
  const api = new apigwv2.HttpApi(scope, 'HttpApi', {
    apiName: config.stackName,
    description:
      'signup-gate: Auth0, Stripe, Supabase, Okta, Kratos, Paddle, Clerk, Firebase and WorkOS signup hooks; the operator API (IAM)',
    createDefaultStage: false,
  });
  const accessLogs = new logs.LogGroup(scope, 'ApiAccessLogs', {
    retention: config.logRetentionDays as logs.RetentionDays,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const stage = new apigwv2.HttpStage(scope, 'DefaultStage', {
    httpApi: api,
    stageName: '$default',
    autoDeploy: true,
    // Every route without a RouteSettings entry below: the catch-alls and $default.
    throttle: { rateLimit: config.throttleRateLimit, burstLimit: config.throttleBurstLimit },
    accessLogSettings: {
      destination: new apigwv2.LogGroupLogDestination(accessLogs),
      // No query string, header or body: query parameters may hold an email or phone number.
      format: AccessLogFormat.custom(
        JSON.stringify({
          requestId: '$context.requestId',
          requestTime: '$context.requestTime',
          ip: '$context.identity.sourceIp',
          caller: '$context.identity.userArn',
          routeKey: '$context.routeKey',
          path: '$context.path',
          status: '$context.status',
          protocol: '$context.protocol',
          responseLength: '$context.responseLength',
          responseLatency: '$context.responseLatency',
          integrationLatency: '$context.integrationLatency',
          integrationError: '$context.integrationErrorMessage',
          authorizerError: '$context.authorizer.error',
          error: '$context.error.message',
        }),
      ),
    },
  });

  const integrations = new Map<FunctionName, HttpLambdaIntegration>();
  const integration = (name: 'api' | HookFunction) => {
    let found = integrations.get(name);
    if (!found) {
      found = new HttpLambdaIntegration(`${name}-integration`, functions[name]);
      integrations.set(name, found);
    }
    return found;
  };
  const throttled: Array<{ key: string; route: apigwv2.HttpRoute; rateLimit: number; burstLimit: number }> =
    [];

  // The hooks authenticate in code, so every method reaches them and the app answers 405 itself.
  for (const { path, fn } of HOOK_ROUTES) {
    const [route] = api.addRoutes({ path, methods: [apigwv2.HttpMethod.ANY], integration: integration(fn) });
    acknowledge(route!, 'AwsSolutions-APIG4', HOOK_AUTH[fn]);
    throttled.push({
      key: routeKeyOf(apigwv2.HttpMethod.ANY, path),
      route: route!,
      rateLimit: config.hookThrottleRateLimit,
      burstLimit: config.hookThrottleBurstLimit,
    });
  }

  // Operator routes: the real method is IAM-authorised. An unauthenticated `ANY` route on the same path
  // (API Gateway prefers the exact method) and `$default` reach the app only for its 405 and 404 answers:
  // contract order puts 404/405 before authentication. The app also refuses any operator request that
  // lacks the gateway's IAM authoriser context, so these routes can never screen, list or change anything.
  const iamAuthorizer = new HttpIamAuthorizer();
  const catchAlls: apigwv2.HttpRoute[] = [];
  for (const { method, path } of OPERATOR_ROUTES) {
    const [route] = api.addRoutes({
      path,
      methods: [method],
      integration: integration('api'),
      authorizer: iamAuthorizer,
    });
    throttled.push({
      key: routeKeyOf(method, path),
      route: route!,
      rateLimit: config.operatorThrottleRateLimit,
      burstLimit: config.operatorThrottleBurstLimit,
    });
  }
  for (const path of new Set(OPERATOR_ROUTES.map((r) => r.path))) {
    catchAlls.push(
      ...api.addRoutes({ path, methods: [apigwv2.HttpMethod.ANY], integration: integration('api') }),
    );
  }
  catchAlls.push(
    new apigwv2.HttpRoute(scope, 'DefaultRoute', {
      httpApi: api,
      routeKey: apigwv2.HttpRouteKey.DEFAULT,
      integration: integration('api'),
    }),
  );
  for (const route of catchAlls) {
    acknowledge(
      route,
      'AwsSolutions-APIG4',
      'Catch-all for wrong methods and unknown paths so callers get the contract 405 (with Allow) and 404 bodies; the exact-method routes carry IAM auth and win API Gateway route selection, and the api function refuses operator requests without the IAM authoriser context.',
    );
  }

  // Per-route throttling (L1: the L2 stage only knows the stage-wide default). A RouteSettings key must name
  // an existing route when the stage is created or updated, hence the explicit dependencies.
  const cfnStage = stage.node.defaultChild as apigwv2.CfnStage;
  cfnStage.routeSettings = Object.fromEntries(
    throttled.map(({ key, rateLimit, burstLimit }) => [
      key,
      { ThrottlingRateLimit: rateLimit, ThrottlingBurstLimit: burstLimit },
    ]),
  );
  for (const { route } of throttled) stage.node.addDependency(route);

  return { api, stage };
};
