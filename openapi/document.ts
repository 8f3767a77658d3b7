/**
 * Builds docs/openapi.json (OpenAPI 3.1) from the route table (functions/routes.ts) and each route's entry in
 * openapi/operations.ts: request and answer schemas converted from zod with `z.toJSONSchema` (requests as the routes
 * read them, answers as the code writes them), the errors every route of its kind can answer, security schemes.
 * `npm run openapi` writes it; the local server serves it at `GET /openapi.json`.
 */

import { type HttpMethod, type HttpRoute, ROUTES } from '../functions/routes.js';
import pkg from '../package.json' with { type: 'json' };
import {
  errorBodySchema,
  listEntryPageSchema,
  listEntrySchema,
  replayAnswerSchema,
  statsAnswerSchema,
  statsBucketSchema,
} from '../shared/api/answers.js';
import { auth0AnswerSchema, stripeIgnoredSchema, stripeScreenedSchema } from '../shared/api/hooks.js';
import {
  checkSchema,
  enforcementSchema,
  identifierOutcomeSchema,
  outcomeSchema,
  reasonSchema,
  rescreenStateSchema,
  reviewSchema,
  shadowDecisionSchema,
  verdictPageSchema,
  verdictSchema,
} from '../shared/api/verdict.js';
import * as z from '../shared/validation/zod.js';
import { type Answer, OPERATIONS, type Operation, type ResponseHeader } from './operations.js';

type Json = Record<string, unknown>;
type Schema = z.core.$ZodType;

/** Answer schemas shown under their own name (the rest are named after their operation and status). */
const NAMED_ANSWERS: ReadonlyArray<[Schema, string]> = [
  [verdictSchema, 'Verdict'],
  [verdictPageSchema, 'VerdictPage'],
  [reasonSchema, 'Reason'],
  [checkSchema, 'Check'],
  [identifierOutcomeSchema, 'IdentifierOutcome'],
  [reviewSchema, 'Review'],
  [rescreenStateSchema, 'RescreenState'],
  [enforcementSchema, 'Enforcement'],
  [shadowDecisionSchema, 'ShadowDecision'],
  [outcomeSchema, 'Outcome'],
  [errorBodySchema, 'Error'],
  [listEntrySchema, 'ListEntry'],
  [listEntryPageSchema, 'ListEntryPage'],
  [statsAnswerSchema, 'StatsAnswer'],
  [statsBucketSchema, 'StatsBucket'],
  [replayAnswerSchema, 'ReplayAnswer'],
  [auth0AnswerSchema, 'Auth0Answer'],
  [stripeScreenedSchema, 'StripeScreened'],
  [stripeIgnoredSchema, 'StripeIgnored'],
];

const SECURITY_SCHEMES = {
  operatorBearer: {
    type: 'http',
    scheme: 'bearer',
    description: 'Local server: `Authorization: Bearer <API_TOKEN>` (docs/local.md).',
  },
  operatorSigV4: {
    type: 'apiKey',
    in: 'header',
    name: 'Authorization',
    description: 'AWS: IAM authorization on the HTTP API; sign requests with SigV4 (service `execute-api`).',
    'x-amazon-apigateway-authtype': 'awsSigv4',
  },
  auth0Signature: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Signup-Gate-Signature',
    description:
      '`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<Idempotency-Key>.<raw body>">` ("<t>.<raw body>" without a key), ' +
      'with the Auth0 hook secret; refused beyond 300 s of skew (docs/auth0.md).',
  },
  stripeSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'Stripe-Signature',
    description:
      'Stripe’s webhook signature with the endpoint’s `whsec_` secret, 300 s tolerance (docs/stripe.md).',
  },
  standardWebhooksSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'webhook-signature',
    description:
      'Standard Webhooks: `v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<raw body>">` with the hook ' +
      'secret (docs/supabase.md).',
  },
  svixSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'svix-signature',
    description:
      'Svix (Standard Webhooks with `svix-` headers): `v1,<base64 HMAC-SHA256 of "<svix-id>.<svix-timestamp>.<raw ' +
      'body>">` with the `whsec_` secret (docs/clerk.md).',
  },
  hookAuthorization: {
    type: 'apiKey',
    in: 'header',
    name: 'Authorization',
    description:
      'The hook’s shared secret as the provider sends it in `Authorization` (docs/okta.md, docs/kratos.md).',
  },
  paddleSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'Paddle-Signature',
    description:
      '`ts=<unix seconds>;h1=<hex HMAC-SHA256 of "<ts>:<raw body>">` with the notification secret, 300 s tolerance ' +
      '(docs/paddle.md).',
  },
  workosSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'WorkOS-Signature',
    description:
      '`t=<unix ms>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` with the Action secret, 30 s tolerance (docs/workos.md).',
  },
} as const;

const RESPONSE_HEADERS: Record<ResponseHeader, Json> = {
  Allow: { description: 'The methods the route takes', schema: { type: 'string' } },
  'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'string' } },
  'WWW-Authenticate': { description: '`Bearer` (local server)', schema: { type: 'string' } },
};

const err = (description: string, headers?: ResponseHeader[]): Answer => ({
  description,
  schema: errorBodySchema,
  ...(headers ? { headers } : {}),
});

/** The errors any route of this kind can answer (docs/api.md); an operation's own entry for a status wins. */
const commonAnswers = (route: HttpRoute, operation: Operation): Record<number, Answer> => {
  const answers: Record<number, Answer> = {};
  if (operation.body) {
    answers[400] = err(
      '`invalid_json` or `invalid_request`: the body is not JSON, or not what the route takes',
    );
    answers[413] = err('`payload_too_large`: a body over 256 KiB (refused while it streams in)');
    answers[415] = err('`unsupported_media_type`: the body is not `application/json`');
  }
  if (route.auth === 'operator') {
    answers[401] = err('`unauthorized`: missing or wrong bearer token (locally)', ['WWW-Authenticate']);
  }
  answers[405] = err('`method_not_allowed`: another method; `Allow` lists the route’s', ['Allow']);
  if (route.auth !== 'none') {
    answers[500] = err('`internal`: anything unexpected (logged)');
    answers[503] = err('`store_unavailable`: the verdict store cannot be reached; nothing was written', [
      'Retry-After',
    ]);
  }
  return answers;
};

/** `/verdicts/{id}/review` → `VerdictsIdReview`. */
const pascal = (path: string): string =>
  path
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');

const operationId = (method: HttpMethod, path: string): string => `${method.toLowerCase()}${pascal(path)}`;

/** The operation of a route and method, or an error naming what is missing. */
const operationOf = (route: HttpRoute, method: HttpMethod): Operation => {
  const operation = OPERATIONS[route.path]?.[method];
  if (!operation) throw new Error(`${method} ${route.path} has no entry in openapi/operations.ts`);
  return operation;
};

/** Operations of no route: a route renamed or removed without its entry. */
export const strayOperations = (): string[] =>
  Object.entries(OPERATIONS).flatMap(([path, methods]) =>
    Object.keys(methods)
      .filter((method) => !ROUTES.some((r) => r.path === path && r.methods.includes(method as HttpMethod)))
      .map((method) => `${method} ${path}`),
  );

/** Named schemas, converted together so that each appears once under `components.schemas` and is `$ref`ed. */
class Schemas {
  private readonly registries = { input: z.registry<{ id: string }>(), output: z.registry<{ id: string }>() };

  constructor() {
    for (const [schema, id] of NAMED_ANSWERS) this.registries.output.add(schema, { id });
  }

  /** A `$ref` to `schema` under its name, or under `fallback` when it has none yet. */
  ref(schema: Schema, io: 'input' | 'output', fallback: string): Json {
    const registry = this.registries[io];
    const id = registry.get(schema)?.id ?? fallback;
    if (!registry.has(schema)) registry.add(schema, { id });
    return { $ref: `#/components/schemas/${id}` };
  }

  components(): Record<string, Json> {
    const out: Record<string, Json> = {};
    for (const io of ['input', 'output'] as const) {
      const { schemas } = z.toJSONSchema(this.registries[io], {
        target: 'draft-2020-12',
        io,
        uri: (id) => `#/components/schemas/${id}`,
      });
      for (const [id, schema] of Object.entries(schemas)) {
        if (id in out) throw new Error(`two schemas named ${id}`);
        const { $schema: _schema, $id: _id, ...rest } = schema as Json;
        out[id] = rest;
      }
    }
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
  }
}

/** The query object's fields as OpenAPI query parameters. */
const queryParameters = (query: z.ZodMiniObject): Json[] => {
  const json = z.toJSONSchema(query, { target: 'draft-2020-12', io: 'input' }) as Json;
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries((json.properties as Record<string, Json>) ?? {}).map(([name, schema]) => ({
    name,
    in: 'query',
    required: required.has(name),
    schema,
  }));
};

const pathParameters = (path: string): Json[] =>
  [...path.matchAll(/\{([^}]+)\}/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));

const securityOf = (route: HttpRoute, operation: Operation): Json[] => {
  if (route.auth === 'none') return [];
  if (route.auth === 'hook') {
    if (!operation.signature) throw new Error(`${route.path} is a hook: its entry needs a signature`);
    return [{ [operation.signature]: [] }];
  }
  return route.localOnly ? [{ operatorBearer: [] }] : [{ operatorBearer: [] }, { operatorSigV4: [] }];
};

const buildOperation = (schemas: Schemas, route: HttpRoute, method: HttpMethod): Json => {
  const operation = operationOf(route, method);
  const id = operationId(method, route.path);
  const answers = { ...commonAnswers(route, operation), ...operation.answers };
  const responses = Object.fromEntries(
    Object.entries(answers)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([status, answer]) => [
        status,
        {
          description: answer.description,
          ...(answer.headers
            ? {
                headers: Object.fromEntries(
                  answer.headers.map((h) => [h, { $ref: `#/components/headers/${h}` }]),
                ),
              }
            : {}),
          ...(answer.schema
            ? {
                content: {
                  'application/json': {
                    schema: schemas.ref(answer.schema, 'output', `${pascal(id)}${status}`),
                  },
                },
              }
            : {}),
        },
      ]),
  );
  const parameters = [
    ...pathParameters(route.path),
    ...(operation.query ? queryParameters(operation.query) : []),
    ...(operation.headers ?? []).map((h) => ({
      name: h.name,
      in: 'header',
      required: h.required ?? false,
      description: h.description,
      schema: { type: 'string' },
    })),
  ];
  const description = [
    route.localOnly ? 'Local server only.' : '',
    operation.description ?? '',
    `See ${operation.docs}.`,
  ]
    .filter(Boolean)
    .join(' ');
  return {
    operationId: id,
    summary: operation.summary,
    description,
    ...(route.localOnly ? { 'x-local-only': true } : {}),
    security: securityOf(route, operation),
    ...(parameters.length ? { parameters } : {}),
    ...(operation.body
      ? {
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: schemas.ref(operation.body, 'input', `${pascal(id)}Body`) },
            },
          },
        }
      : {}),
    responses,
  };
};

/** The OpenAPI 3.1 document of every route in ROUTES; throws when a route has no entry in openapi/operations.ts. */
export const openApiDocument = (): Json => {
  const stray = strayOperations();
  if (stray.length)
    throw new Error(`openapi/operations.ts describes routes that do not exist: ${stray.join(', ')}`);
  const schemas = new Schemas();
  const paths = Object.fromEntries(
    ROUTES.map((route) => [
      route.path,
      Object.fromEntries(
        route.methods.map((method) => [method.toLowerCase(), buildOperation(schemas, route, method)]),
      ),
    ]),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'signup-gate',
      version: pkg.version,
      description:
        'Fraud gate for signup flows. Every HTTP route of the local server (`npm start`) and of the AWS HTTP API; ' +
        'routes marked `x-local-only` exist on the local server only. Generated from the code by `npm run openapi`; ' +
        'the guides are in docs/ (start with docs/api.md).',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [
      { url: 'http://localhost:3000', description: 'The local server (`npm start`, default PORT)' },
      {
        url: 'https://{apiId}.execute-api.{region}.amazonaws.com',
        description: 'The deployed HTTP API (the stack’s ApiUrl output)',
        variables: { apiId: { default: 'apiId' }, region: { default: 'us-east-1' } },
      },
    ],
    paths,
    components: {
      schemas: schemas.components(),
      headers: RESPONSE_HEADERS,
      securitySchemes: SECURITY_SCHEMES,
    },
  };
};

/** The document as docs/openapi.json holds it. */
export const openApiText = (): string => `${JSON.stringify(openApiDocument(), null, 2)}\n`;
