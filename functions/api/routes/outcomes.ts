/**
 * `POST /verdicts/{id}/outcome`, `POST /outcomes` and `GET /quality` (docs/outcomes.md): what happened to signups
 * later, and how well they were decided.
 */
import type { Hono, MiddlewareHandler } from 'hono';
import { ulidParam } from '../../../shared/api/common.js';
import {
  type LabelledAnswer,
  outcomeBody,
  outcomesBody,
  qualityQuery,
} from '../../../shared/api/outcomes.js';
import { NotFoundError } from '../../../shared/core/errors.js';
import { parseJson, readBody } from '../../../shared/http/body.js';
import type { AppEnv } from '../../../shared/http/env.js';
import { allowOnly } from '../../../shared/http/methods.js';
import { principalOf } from '../../../shared/http/principal.js';
import { validate } from '../../../shared/http/validation.js';
import { type LabelDeps, labelMatching, labelVerdict, matchesOf } from '../../../shared/outcomes/label.js';
import { resolveForSource } from '../../../shared/policy/decide.js';
import type { ResolvedPolicy } from '../../../shared/policy/schema.js';
import type { AppDeps, DepsProvider } from '../../../shared/runtime/deps.js';
import { readQuality } from '../../../shared/stats/quality-read.js';

const labelDeps = (d: AppDeps, policy: ResolvedPolicy): LabelDeps => ({
  store: d.store,
  telemetry: d.telemetry,
  now: d.now,
  retentionDays: policy.retention_days,
});

export const outcomeRoutes = (
  app: Hono<AppEnv>,
  deps: DepsProvider,
  auth: MiddlewareHandler<AppEnv>,
): void => {
  app.post('/verdicts/:id/outcome', readBody(), auth, parseJson(), async (c) => {
    const d = await deps();
    const body = validate(outcomeBody, c.get('json'));
    const id = ulidParam(c.req.param('id'));
    const policy = resolveForSource(await d.policy(), 'api');
    const verdict = id
      ? await labelVerdict(labelDeps(d, policy), id, {
          label: body.label,
          source: 'manual',
          note: body.note ?? null,
          labelledBy: principalOf(c),
        })
      : null;
    if (!verdict) throw new NotFoundError('no verdict with this id');
    c.set('verdictId', verdict.verdict_id);
    return c.json(verdict, 200);
  });
  allowOnly(app, '/verdicts/:id/outcome', ['POST']);

  app.post('/outcomes', readBody(), auth, parseJson(), async (c) => {
    const d = await deps();
    const body = validate(outcomesBody, c.get('json'));
    const policy = resolveForSource(await d.policy(), 'api');
    const matches = matchesOf(
      { email: body.email, phone: body.phone, subjectRef: body.subject_ref, sourceRef: body.source_ref },
      d.hash,
      policy.default_country_code,
    );
    const labelled = await labelMatching(labelDeps(d, policy), matches, {
      label: body.label,
      source: 'api',
      note: body.note ?? null,
      labelledBy: principalOf(c),
    });
    const answer: LabelledAnswer = { labelled };
    return c.json(answer, 200);
  });
  allowOnly(app, '/outcomes', ['POST']);

  app.get('/quality', auth, async (c) => {
    const d = await deps();
    const q = validate(qualityQuery, c.req.query(), 'query');
    return c.json(await readQuality(d.store.counters, q, d.now()), 200);
  });
  allowOnly(app, '/quality', ['GET']);
};
