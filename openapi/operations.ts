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
import { cognitoPreSignUpSchema } from '../functions/cognito-pre-signup/event.js';
import type { HttpMethod } from '../functions/routes.js';
import { stripeEventSchema } from '../functions/stripe-hook/events.js';
import { supabaseEventSchema } from '../functions/supabase-hook/event.js';
import {
  errorBodySchema,
  healthSchema,
  listEntryPageSchema,
  listEntrySchema,
  replayAnswerSchema,
  statsAnswerSchema,
} from '../shared/api/answers.js';
import {
  auth0AnswerSchema,
  stripeAnswerSchema,
  supabaseContinueSchema,
  supabaseRejectionSchema,
} from '../shared/api/hooks.js';
import { listEntryBody, listsQuery } from '../shared/api/lists.js';
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
export type HookSignature = 'auth0Signature' | 'stripeSignature' | 'standardWebhooksSignature';

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
        200: { description: 'Allow or review: the sign-up goes on', schema: supabaseContinueSchema },
        403: {
          description: 'Block: Supabase refuses the sign-up with this message',
          schema: supabaseRejectionSchema,
        },
        401: err('`unauthorized`: missing, stale or wrong Standard Webhooks signature'),
        ...IDEMPOTENCY_ANSWERS,
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
