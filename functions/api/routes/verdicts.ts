/**
 * `GET /verdicts/{id}`, `GET /verdicts`, `POST /verdicts/{id}/review` and `POST /verdicts/{id}/rescreen` (docs/api.md,
 * docs/reviews.md, docs/rescreen.md).
 */
import type { Hono, MiddlewareHandler } from 'hono';
import { pageOf, ulidParam } from '../../../shared/api/common.js';
import { reviewBody, type VerdictPage, verdictsQuery } from '../../../shared/api/verdicts.js';
import { NotFoundError } from '../../../shared/core/errors.js';
import { parseJson, readBody } from '../../../shared/http/body.js';
import type { AppEnv } from '../../../shared/http/env.js';
import { badRequest } from '../../../shared/http/errors.js';
import { allowOnly } from '../../../shared/http/methods.js';
import { principalOf } from '../../../shared/http/principal.js';
import { validate } from '../../../shared/http/validation.js';
import { resolveForSource } from '../../../shared/policy/decide.js';
import { normaliseEmail, normalisePhone } from '../../../shared/policy/identifiers.js';
import { rescreenDepsOf, rescreenNow } from '../../../shared/rescreen/job.js';
import { reviewVerdict } from '../../../shared/reviews/review.js';
import type { DepsProvider } from '../../../shared/runtime/deps.js';
import type { VerdictQuery } from '../../../shared/store/ports.js';

const notFound = () => new NotFoundError('no verdict with this id');

/** A `+` in a query string arrives as a space: a phone filter that starts with a space then a digit meant `+`. */
const phoneFilter = (value: string): string => (/^ \d/.test(value) ? `+${value.slice(1)}` : value);

export const verdictRoutes = (
  app: Hono<AppEnv>,
  deps: DepsProvider,
  auth: MiddlewareHandler<AppEnv>,
): void => {
  app.get('/verdicts/:id', auth, async (c) => {
    const d = await deps();
    const id = ulidParam(c.req.param('id'));
    const verdict = id ? await d.store.verdicts.get(id) : null;
    if (!verdict) throw notFound();
    c.set('verdictId', verdict.verdict_id);
    return c.json(verdict, 200);
  });
  allowOnly(app, '/verdicts/:id', ['GET']);

  app.post('/verdicts/:id/review', readBody(), auth, parseJson(), async (c) => {
    const d = await deps();
    const body = validate(reviewBody, c.get('json'));
    const id = ulidParam(c.req.param('id'));
    if (!id) throw notFound();
    const { retention_days: retentionDays } = resolveForSource(await d.policy(), 'api');
    const verdict = await reviewVerdict(
      { store: d.store, telemetry: d.telemetry, now: d.now, retentionDays },
      id,
      {
        outcome: body.outcome,
        note: body.note ?? null,
        addToList: body.add_to_list ?? false,
        reviewer: principalOf(c),
      },
    );
    if (!verdict) throw notFound();
    c.set('verdictId', verdict.verdict_id);
    return c.json(verdict, 200);
  });
  allowOnly(app, '/verdicts/:id/review', ['POST']);

  app.post('/verdicts/:id/rescreen', auth, async (c) => {
    const d = await deps();
    const id = ulidParam(c.req.param('id'));
    if (!id) throw notFound();
    const verdict = await rescreenNow(rescreenDepsOf(d), id);
    c.set('verdictId', verdict.verdict_id);
    return c.json(verdict, 200);
  });
  allowOnly(app, '/verdicts/:id/rescreen', ['POST']);

  app.get('/verdicts', auth, async (c) => {
    const d = await deps();
    const q = validate(verdictsQuery, c.req.query(), 'query');
    const policy = resolveForSource(await d.policy(), 'api');
    const query: VerdictQuery = { limit: q.limit ?? 20 };
    if (q.email !== undefined) {
      const email = normaliseEmail(q.email);
      if (!email) throw badRequest('query field "email": not a valid email address');
      query.emailHash = d.hash('email', email);
    }
    if (q.phone !== undefined) {
      const phone = normalisePhone(phoneFilter(q.phone), policy.default_country_code);
      if (!phone) throw badRequest('query field "phone": not a valid phone number (write + as %2B)');
      query.phoneHash = d.hash('phone', phone);
    }
    if (q.decision) query.decision = q.decision;
    if (q.source) query.source = q.source;
    if (q.review) query.review = q.review;
    if (q.since) query.since = q.since;
    if (q.until) query.until = q.until;
    if (q.cursor) query.cursor = q.cursor;
    const answer: VerdictPage = pageOf(await d.store.verdicts.query(query));
    return c.json(answer, 200);
  });
  allowOnly(app, '/verdicts', ['GET']);
};
