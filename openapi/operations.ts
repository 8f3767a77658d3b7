/**
 * What each route of the route table (functions/routes.ts) takes and answers, for docs/openapi.json: one entry per
 * path and method, holding the very zod schemas the route validates with (shared/api/*.ts, functions/*\/event.ts) and
 * the schemas of its answers (shared/api/verdict.ts, answers.ts, hooks.ts).
 *
 * Adding a route: add it to ROUTES, then its entry here under the same path and method — summary, `docs` page, `query`
 * and/or `body` schemas, `headers` it reads, and `answers` (status → description and schema; `null` for no body).
 * The errors every route of its kind can answer (405, 500; 401 for operator routes; 400/413/415 with a body; 503
 * when it uses the store) are added by openapi/document.ts; list a status here to describe it more precisely.
 * Then `npm run openapi` rewrites docs/openapi.json. test/openapi/document.test.ts fails while a route has no entry
 * (or an entry has no route), or while the committed document differs; test/openapi/answers.test.ts checks the
 * local server's real answers against the document.
 */

import { auth0EventSchema } from '../functions/auth0-hook/event.js';
import { clerkEventSchema } from '../functions/clerk-hook/event.js';
import { cognitoPreSignUpSchema } from '../functions/cognito-pre-signup/event.js';
import { firebaseEventSchema } from '../functions/firebase-hook/event.js';
import { kratosEventSchema } from '../functions/kratos-hook/event.js';
import { oktaEventSchema } from '../functions/okta-hook/event.js';
import { paddleEventSchema } from '../functions/paddle-hook/event.js';
import type { HttpMethod } from '../functions/routes.js';
import { stripeEventSchema } from '../functions/stripe-hook/events.js';
import { supabaseEventSchema } from '../functions/supabase-hook/event.js';
import { workosEventSchema } from '../functions/workos-hook/event.js';
import {
  errorBodySchema,
  healthSchema,
  labelledAnswerSchema,
  listEntryPageSchema,
  listEntrySchema,
  policyVersionPageSchema,
  policyVersionSchema,
  qualityAnswerSchema,
  replayAnswerSchema,
  statsAnswerSchema,
} from '../shared/api/answers.js';
import {
  auth0AnswerSchema,
  clerkAnswerSchema,
  firebaseAnswerSchema,
  kratosContinueSchema,
  kratosRejectionSchema,
  oktaAnswerSchema,
  paddleAnswerSchema,
  stripeAnswerSchema,
  supabaseAnswerSchema,
  workosAnswerSchema,
} from '../shared/api/hooks.js';
import { listEntryBody, listsQuery } from '../shared/api/lists.js';
import { outcomeBody, outcomesBody, qualityQuery } from '../shared/api/outcomes.js';
import { putPolicyBody, putShadowBody, rollbackBody, versionsQuery } from '../shared/api/policy.js';
import { replayBody } from '../shared/api/replay.js';
import { screenBody } from '../shared/api/screen.js';
import { statsQuery } from '../shared/api/stats.js';
import { verdictPageSchema, verdictSchema } from '../shared/api/verdict.js';
import { reviewBody, verdictsQuery } from '../shared/api/verdicts.js';
import * as z from '../shared/validation/zod.js';

type Schema = z.core.$ZodType;

/** One answer: what it means, its JSON body (`null`: none), and the headers it carries. */
export interface Answer {
  description: string;
  schema: Schema | null;
  headers?: readonly ResponseHeader[];
}

export type ResponseHeader = 'Allow' | 'Retry-After' | 'WWW-Authenticate';

/** A request header the route reads (besides authentication). */
export interface RequestHeader {
  name: string;
  description: string;
  required?: boolean;
}

/** The security schemes of openapi/document.ts a hook is signed with. */
export type HookSignature =
  | 'auth0Signature'
  | 'stripeSignature'
  | 'standardWebhooksSignature'
  | 'svixSignature'
  | 'hookAuthorization'
  | 'paddleSignature'
  | 'workosSignature';

export interface Operation {
  summary: string;
  /** The docs/ page that explains the route. */
  docs: string;
  description?: string;
  query?: z.ZodMiniObject;
  body?: Schema;
  headers?: readonly RequestHeader[];
  /** For `auth: 'hook'` routes: the signature the caller sends. */
  signature?: HookSignature;
  answers: Readonly<Record<number, Answer>>;
}

const IDEMPOTENCY_KEY: RequestHeader = {
  name: 'Idempotency-Key',
  description:
    '1–255 characters of A-Z a-z 0-9 . _ : -. The same key with a byte-identical body answers the same verdict ' +
    'without a second Defastra call; with another body 422; while the first is running 409.',
};

const err = (description: string, headers?: readonly ResponseHeader[]): Answer => ({
  description,
  schema: errorBodySchema,
  ...(headers ? { headers } : {}),
});

const IDEMPOTENCY_ANSWERS = {
  409: err('`in_progress`: a request with this key is being processed; retry after `Retry-After`', [
    'Retry-After',
  ]),
  422: err('`idempotency_key_reused`: this key was used with another body'),
};

const NOT_FOUND = (what: string) => err(`\`not_found\`: no ${what} with this id`);

/** The outline of an OpenAPI 3.1 document (what `GET /openapi.json` answers). */
const openApiDocumentSchema = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.looseObject({})),
});

/** Every route's operations, by path (as in ROUTES) and method. */
export const OPERATIONS: Readonly<Record<string, Partial<Record<HttpMethod, Operation>>>> = {
  '/screen': {
    POST: {
      summary: 'Screen an email and/or a phone',
      docs: 'docs/api.md',
      body: screenBody,
      headers: [IDEMPOTENCY_KEY],
      answers: {
        200: { description: 'The verdict (`source: "api"`)', schema: verdictSchema },
        ...IDEMPOTENCY_ANSWERS,
      },
    },
  },
  '/verdicts': {
    GET: {
      summary: 'List verdicts, newest first, filtered and paginated',
      docs: 'docs/api.md',
      query: verdictsQuery,
      answers: {
        200: {
          description: 'A page of verdicts; pass `next_cursor` back as `cursor`',
          schema: verdictPageSchema,
        },
        400: err('`invalid_request`: a bad filter, `limit`, date or cursor'),
      },
    },
  },
  '/verdicts/{id}': {
    GET: {
      summary: 'One stored verdict',
      docs: 'docs/api.md',
      answers: { 200: { description: 'The verdict', schema: verdictSchema }, 404: NOT_FOUND('verdict') },
    },
  },
  '/verdicts/{id}/review': {
    POST: {
      summary: 'Approve or reject a verdict, optionally adding its identifiers to a list',
      docs: 'docs/reviews.md',
      body: reviewBody,
      answers: {
        200: { description: 'The reviewed verdict', schema: verdictSchema },
        404: NOT_FOUND('verdict'),
      },
    },
  },
  '/verdicts/{id}/rescreen': {
    POST: {
      summary: 'Re-screen a provisional verdict now',
      docs: 'docs/rescreen.md',
      answers: {
        200: {
          description: 'The verdict after the attempt (done, rescheduled or given up)',
          schema: verdictSchema,
        },
        404: NOT_FOUND('verdict'),
        409: err('`conflict`: the verdict is not provisional (no re-screen pending)'),
      },
    },
  },
  '/lists': {
    GET: {
      summary: 'List runtime allow and block entries',
      docs: 'docs/lists.md',
      query: listsQuery,
      answers: {
        200: {
          description: 'A page of entries; pass `next_cursor` back as `cursor`',
          schema: listEntryPageSchema,
        },
        400: err('`invalid_request`: a bad filter, `limit` or cursor'),
      },
    },
    POST: {
      summary: 'Create a runtime allow or block entry',
      docs: 'docs/lists.md',
      body: listEntryBody,
      answers: {
        201: { description: 'The new entry', schema: listEntrySchema },
        200: { description: 'The same entry existed already: it, unchanged', schema: listEntrySchema },
      },
    },
  },
  '/lists/{entry_id}': {
    DELETE: {
      summary: 'Remove a runtime list entry',
      docs: 'docs/lists.md',
      answers: { 204: { description: 'Removed', schema: null }, 404: NOT_FOUND('list entry') },
    },
  },
  '/stats': {
    GET: {
      summary: 'Decisions, degraded verdicts, Defastra calls and cache hits per hour or day',
      docs: 'docs/reviews.md',
      query: statsQuery,
      answers: {
        200: { description: 'The buckets, oldest first (empty ones with zeros)', schema: statsAnswerSchema },
        400: err('`invalid_request`: a bad date or bucket, or too many buckets'),
      },
    },
  },
  '/replay': {
    POST: {
      summary: 'What a candidate policy would decide for stored verdicts (no Defastra call)',
      docs: 'docs/reviews.md',
      body: replayBody,
      answers: { 200: { description: 'The decisions that would change', schema: replayAnswerSchema } },
    },
  },
  '/hooks/auth0': {
    POST: {
      summary: 'Screen a signup for the shipped Auth0 Actions (pre-user-registration, post-login)',
      docs: 'docs/auth0.md',
      body: auth0EventSchema,
      signature: 'auth0Signature',
      headers: [IDEMPOTENCY_KEY],
      answers: {
        200: { description: 'The verdict plus the policy’s `user_message`', schema: auth0AnswerSchema },
        401: err('`unauthorized`: missing, stale or wrong `X-Signup-Gate-Signature`'),
        ...IDEMPOTENCY_ANSWERS,
      },
    },
  },
  '/hooks/stripe': {
    POST: {
      summary: 'Stripe webhook endpoint: screens new customers, contact changes and completed checkouts',
      docs: 'docs/stripe.md',
      body: stripeEventSchema,
      signature: 'stripeSignature',
      answers: {
        200: {
          description:
            'The verdict with `event_id` and `duplicate` (a repeated event answers the stored verdict), or ' +
            '`{"ignored":true}` for an event that is not screened',
          schema: stripeAnswerSchema,
        },
        400: err(
          '`invalid_signature` (a refused `Stripe-Signature`), `invalid_json`, or `invalid_request` (not a snapshot event)',
        ),
        409: err('`in_progress`: this event is being processed right now', ['Retry-After']),
        503: err(
          '`upstream_unavailable` (Defastra or the Stripe write-back failed transiently: Stripe retries) or ' +
            '`store_unavailable` (with `Retry-After`)',
          ['Retry-After'],
        ),
      },
    },
  },
  '/hooks/supabase': {
    POST: {
      summary: 'Supabase Auth before-user-created hook',
      docs: 'docs/supabase.md',
      body: supabaseEventSchema,
      signature: 'standardWebhooksSignature',
      headers: [
        {
          name: 'webhook-id',
          description: 'The delivery id: the idempotency key and `source_ref`',
          required: true,
        },
        {
          name: 'webhook-timestamp',
          description: 'Unix seconds; refused beyond 5 minutes of skew',
          required: true,
        },
      ],
      answers: {
        200: {
          description:
            'Allow or review: `{}`, the sign-up goes on; block: `{"error":{"http_code":403,"message"}}`, Supabase ' +
            'refuses the sign-up with the policy’s `user_message`',
          schema: supabaseAnswerSchema,
        },
        401: err('`unauthorized`: missing, stale or wrong Standard Webhooks signature'),
        ...IDEMPOTENCY_ANSWERS,
      },
    },
  },
  '/verdicts/{id}/outcome': {
    POST: {
      summary: 'Label a verdict with what the sign-up turned out to be (fraud or legit)',
      docs: 'docs/outcomes.md',
      body: outcomeBody,
      answers: {
        200: { description: 'The labelled verdict', schema: verdictSchema },
        404: NOT_FOUND('verdict'),
      },
    },
  },
  '/outcomes': {
    POST: {
      summary: 'Label every stored verdict of an email, phone or reference',
      docs: 'docs/outcomes.md',
      body: outcomesBody,
      answers: {
        200: {
          description: 'How many verdicts matched and now carry the label',
          schema: labelledAnswerSchema,
        },
      },
    },
  },
  '/quality': {
    GET: {
      summary: 'How the labelled verdicts of a range were decided, overall, per source and per day or week',
      docs: 'docs/outcomes.md',
      query: qualityQuery,
      answers: {
        200: { description: 'The figures of the range', schema: qualityAnswerSchema },
        400: err('`invalid_request`: a bad date, source or bucket'),
      },
    },
  },
  '/policy': {
    GET: {
      summary: 'The active policy version and its effective policy',
      docs: 'docs/policy-lifecycle.md',
      answers: { 200: { description: 'The active version', schema: policyVersionSchema } },
    },
    PUT: {
      summary: 'Apply a new runtime policy version',
      docs: 'docs/policy-lifecycle.md',
      body: putPolicyBody,
      answers: {
        201: { description: 'The new active version', schema: policyVersionSchema },
        400: err('`invalid_json`, `invalid_request` or `invalid_policy`: the body or its policy is refused'),
        409: err('`version_conflict`: `expected_version` is not the active version'),
      },
    },
  },
  '/policy/versions': {
    GET: {
      summary: 'The policy versions, newest first (the bundled file’s last)',
      docs: 'docs/policy-lifecycle.md',
      query: versionsQuery,
      answers: {
        200: {
          description: 'A page of versions; pass `next_cursor` back as `cursor`',
          schema: policyVersionPageSchema,
        },
        400: err('`invalid_request`: a bad `limit` or cursor'),
      },
    },
  },
  '/policy/versions/{version}': {
    GET: {
      summary: 'One policy version with its effective policy',
      docs: 'docs/policy-lifecycle.md',
      answers: {
        200: { description: 'The version', schema: policyVersionSchema },
        404: err('`not_found`: no policy version of this name'),
      },
    },
  },
  '/policy/rollback': {
    POST: {
      summary: 'Make an earlier version’s policy active again (as a new version)',
      docs: 'docs/policy-lifecycle.md',
      body: rollbackBody,
      answers: {
        201: { description: 'The new active version', schema: policyVersionSchema },
        404: err('`not_found`: no policy version of this name'),
      },
    },
  },
  '/policy/shadow': {
    GET: {
      summary: 'The shadow policy, decided beside the live one without effect',
      docs: 'docs/policy-lifecycle.md',
      answers: {
        200: { description: 'The shadow version', schema: policyVersionSchema },
        404: err('`not_found`: no shadow policy is set'),
      },
    },
    PUT: {
      summary: 'Set the shadow policy',
      docs: 'docs/policy-lifecycle.md',
      body: putShadowBody,
      answers: {
        201: { description: 'The new shadow version', schema: policyVersionSchema },
        400: err('`invalid_json`, `invalid_request` or `invalid_policy`: the body or its policy is refused'),
      },
    },
    DELETE: {
      summary: 'Clear the shadow policy',
      docs: 'docs/policy-lifecycle.md',
      answers: { 204: { description: 'Cleared (or none was set)', schema: null } },
    },
  },
  '/hooks/okta': {
    POST: {
      summary: 'Okta registration inline hook',
      docs: 'docs/okta.md',
      body: oktaEventSchema,
      signature: 'hookAuthorization',
      answers: {
        200: {
          description:
            'Okta’s inline hook answer: `registration` ALLOW or DENY (with the policy’s `user_message`)',
          schema: oktaAnswerSchema,
        },
        401: err('`unauthorized`: missing or wrong `Authorization`'),
      },
    },
  },
  '/hooks/kratos': {
    POST: {
      summary: 'Ory Kratos registration web hook (flow-interrupting)',
      docs: 'docs/kratos.md',
      body: kratosEventSchema,
      signature: 'hookAuthorization',
      headers: [
        {
          name: 'Ory-Webhook-Trigger-ID',
          description: 'The delivery id, when Kratos sends it: the idempotency key',
        },
      ],
      answers: {
        200: { description: 'Allow or review: the registration goes on', schema: kratosContinueSchema },
        403: {
          description: 'Block: Kratos refuses the registration with the policy’s `user_message`',
          schema: kratosRejectionSchema,
        },
        401: err('`unauthorized`: missing or wrong `Authorization`'),
      },
    },
  },
  '/hooks/paddle': {
    POST: {
      summary: 'Paddle Billing notification destination: screens new customers',
      docs: 'docs/paddle.md',
      body: paddleEventSchema,
      signature: 'paddleSignature',
      answers: {
        200: {
          description:
            'The verdict with `event_id` and `duplicate`, or `{"ignored":true}` for an event that is not screened',
          schema: paddleAnswerSchema,
        },
        400: err(
          '`invalid_signature` (a refused `Paddle-Signature`), `invalid_json`, or `invalid_request` (not a Paddle event)',
        ),
        409: err('`in_progress`: this event is being processed right now', ['Retry-After']),
        503: err(
          '`upstream_unavailable` (Defastra failed transiently: Paddle retries) or `store_unavailable` (with ' +
            '`Retry-After`)',
        ),
      },
    },
  },
  '/hooks/clerk': {
    POST: {
      summary: 'Clerk webhook endpoint (Svix): screens created users',
      docs: 'docs/clerk.md',
      body: clerkEventSchema,
      signature: 'svixSignature',
      headers: [
        { name: 'svix-id', description: 'The delivery id: the idempotency key', required: true },
        {
          name: 'svix-timestamp',
          description: 'Unix seconds; refused beyond 5 minutes of skew',
          required: true,
        },
      ],
      answers: {
        200: {
          description: 'The verdict, or `{"ignored":true}` for an event that is not screened',
          schema: clerkAnswerSchema,
        },
        401: err('`unauthorized`: missing, stale or wrong Svix signature'),
      },
    },
  },
  '/hooks/firebase': {
    POST: {
      summary: 'Screen a sign-up for the shipped Firebase blocking-function forwarder',
      docs: 'docs/firebase.md',
      body: firebaseEventSchema,
      signature: 'auth0Signature',
      headers: [IDEMPOTENCY_KEY],
      answers: {
        200: { description: 'The verdict plus the policy’s `user_message`', schema: firebaseAnswerSchema },
        401: err('`unauthorized`: missing, stale or wrong `X-Signup-Gate-Signature`'),
      },
    },
  },
  '/hooks/workos': {
    POST: {
      summary: 'WorkOS user registration Action',
      docs: 'docs/workos.md',
      body: workosEventSchema,
      signature: 'workosSignature',
      answers: {
        200: {
          description:
            'WorkOS’s signed Action response: `verdict` Allow or Deny (with the policy’s `user_message`)',
          schema: workosAnswerSchema,
        },
        401: err('`unauthorized`: missing, stale or wrong `WorkOS-Signature`'),
      },
    },
  },
  '/invoke/cognito-pre-signup': {
    POST: {
      summary: 'Run the Cognito pre sign-up trigger on an event (local server; in AWS Cognito invokes it)',
      docs: 'docs/cognito.md',
      body: cognitoPreSignUpSchema,
      answers: {
        200: {
          description: 'Allow or review: the event as the trigger returns it',
          schema: cognitoPreSignUpSchema,
        },
        400: err(
          '`signup_rejected` (block: the message is the policy’s `user_message`), `invalid_json` or `invalid_request`',
        ),
      },
    },
  },
  '/health': {
    GET: {
      summary: 'Liveness of the local server',
      docs: 'docs/local.md',
      answers: { 200: { description: 'Up', schema: healthSchema } },
    },
    HEAD: {
      summary: 'Liveness of the local server, without a body',
      docs: 'docs/local.md',
      answers: { 200: { description: 'Up', schema: null } },
    },
  },
  '/openapi.json': {
    GET: {
      summary: 'This document (docs/openapi.json)',
      docs: 'docs/api.md',
      answers: { 200: { description: 'The OpenAPI 3.1 document', schema: openApiDocumentSchema } },
    },
  },
};
