/** The operator API (design 1.7): `POST /screen`, `GET /verdicts/{id}`, `GET /verdicts`. */
import type { Hono } from 'hono';
import { createBaseApp } from '../../shared/http/app-base.js';
import { operatorAuth } from '../../shared/http/bearer.js';
import { parseJson, readBody } from '../../shared/http/body.js';
import type { AppEnv } from '../../shared/http/env.js';
import { ApiError, badRequest } from '../../shared/http/errors.js';
import { readIdempotencyKey, verdictOnce } from '../../shared/http/idempotency.js';
import { allowOnly } from '../../shared/http/methods.js';
import { validate } from '../../shared/http/validation.js';
import type { Telemetry } from '../../shared/observability/telemetry.js';
import { resolveForSource } from '../../shared/policy/decide.js';
import { normaliseEmail, normalisePhone } from '../../shared/policy/identifiers.js';
import { DECISIONS, SOURCES } from '../../shared/policy/levels.js';
import type { DepsProvider } from '../../shared/runtime/deps.js';
import { prefetchCachedResults, type ScreenInput, screen } from '../../shared/screening/screen.js';
import type { VerdictQuery } from '../../shared/store/port.js';
import * as z from '../../shared/validation/zod.js';

const screenBody = z
  .strictObject({
    email: z.optional(z.nullable(z.string().check(z.maxLength(320)))),
    phone: z.optional(z.nullable(z.string().check(z.maxLength(64)))),
    reference: z.optional(z.nullable(z.string().check(z.minLength(1), z.maxLength(200)))),
    ip: z.optional(z.nullable(z.string().check(z.maxLength(64)))),
  })
  .check(
    z.refine((b) => (b.email ?? null) !== null || (b.phone ?? null) !== null, {
      message: 'at least one of "email" or "phone" is required',
    }),
  );

const isoDate = z.pipe(
  z
    .string()
    .check(
      z.refine(
        (v) => /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) && !Number.isNaN(Date.parse(v)),
        { message: 'expected an ISO 8601 date' },
      ),
    ),
  z.transform((v: string) => new Date(v).toISOString()),
);

const listQuery = z.strictObject({
  email: z.optional(z.string().check(z.maxLength(320))),
  phone: z.optional(z.string().check(z.maxLength(64))),
  decision: z.optional(z.enum(DECISIONS)),
  source: z.optional(z.enum(SOURCES)),
  since: z.optional(isoDate),
  until: z.optional(isoDate),
  limit: z.optional(
    z
      .pipe(
        z.string().check(z.regex(/^\d{1,3}$/, 'expected a whole number from 1 to 100')),
        z.transform(Number),
      )
      .check(z.refine((n) => n >= 1 && n <= 100, 'expected a whole number from 1 to 100')),
  ),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(4096))),
});

/** Builds the operator API app. Locally it checks a bearer token; in AWS the HTTP API has already done IAM auth. */
export const createApiApp = (deps: DepsProvider, telemetry?: Telemetry): Hono<AppEnv> => {
  const app = createBaseApp(telemetry);

  const auth = operatorAuth(deps);

  app.post('/screen', readBody(), auth, parseJson(), async (c) => {
    const d = await deps();
    const body = validate(screenBody, c.get('json'));
    const key = readIdempotencyKey(c.req.header('idempotency-key'));
    const policy = resolveForSource(d.policy, 'api');
    const input: ScreenInput = {
      source: 'api',
      sourceRef: body.reference ?? null,
      email: body.email,
      phone: body.phone,
    };
    // With a key, the cache reads overlap the idempotency claim instead of following it.
    const prefetch = key ? prefetchCachedResults(d, d.policy, input) : undefined;
    const run = () => screen(d, d.policy, input, prefetch ? { prefetch } : {});
    const verdict = await verdictOnce(
      d.store,
      { scope: 'api', key, rawBody: c.get('rawBody'), policy, nowMs: d.now() },
      run,
    );
    return c.json(verdict, 200);
  });
  allowOnly(app, '/screen', ['POST']);

  app.get('/verdicts/:id', auth, async (c) => {
    const d = await deps();
    const id = c.req.param('id');
    const verdict = /^[0-9A-HJKMNP-TV-Z]{26}$/i.test(id) ? await d.store.getVerdict(id.toUpperCase()) : null;
    if (!verdict) throw new ApiError(404, 'not_found', 'no verdict with this id');
    return c.json(verdict, 200);
  });
  allowOnly(app, '/verdicts/:id', ['GET']);

  app.get('/verdicts', auth, async (c) => {
    const d = await deps();
    const q = validate(listQuery, c.req.query(), 'query');
    const policy = resolveForSource(d.policy, 'api');
    const query: VerdictQuery = { limit: q.limit ?? 20 };
    if (q.email !== undefined) {
      const email = normaliseEmail(q.email);
      if (!email) throw badRequest('query field "email": not a valid email address');
      query.emailHash = d.hash('email', email);
    }
    if (q.phone !== undefined) {
      const phone = normalisePhone(q.phone, policy.default_country_code);
      if (!phone) throw badRequest('query field "phone": not a valid phone number');
      query.phoneHash = d.hash('phone', phone);
    }
    if (q.decision) query.decision = q.decision;
    if (q.source) query.source = q.source;
    if (q.since) query.since = q.since;
    if (q.until) query.until = q.until;
    if (q.cursor) query.cursor = q.cursor;
    const page = await d.store.queryVerdicts(query);
    return c.json({ items: page.items, next_cursor: page.nextCursor }, 200);
  });
  allowOnly(app, '/verdicts', ['GET']);

  return app;
};
