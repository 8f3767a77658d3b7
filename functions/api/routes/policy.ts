/**
 * The policy lifecycle (docs/policy-lifecycle.md): `GET|PUT /policy`, `GET /policy/versions`,
 * `GET /policy/versions/{version}`, `POST /policy/rollback`, `GET|PUT|DELETE /policy/shadow`.
 */
import type { Hono, MiddlewareHandler } from 'hono';
import {
  putPolicyBody,
  putShadowBody,
  rollbackBody,
  versionName,
  versionsQuery,
} from '../../../shared/api/policy.js';
import { NotFoundError } from '../../../shared/core/errors.js';
import { parseJson, readBody } from '../../../shared/http/body.js';
import type { AppEnv } from '../../../shared/http/env.js';
import { allowOnly } from '../../../shared/http/methods.js';
import { principalOf } from '../../../shared/http/principal.js';
import { validate } from '../../../shared/http/validation.js';
import { clearShadow, currentShadow, setShadow } from '../../../shared/policy-lifecycle/shadow.js';
import {
  activeVersion,
  applyPolicy,
  type LifecycleDeps,
  listVersions,
  rollbackTo,
  versionByName,
} from '../../../shared/policy-lifecycle/versions.js';
import type { AppDeps, DepsProvider } from '../../../shared/runtime/deps.js';
import * as z from '../../../shared/validation/zod.js';

const lifecycleOf = (d: AppDeps): LifecycleDeps => ({
  versions: d.store.policies,
  runtime: d.policies,
  telemetry: d.telemetry,
  now: d.now,
});

export const policyRoutes = (
  app: Hono<AppEnv>,
  deps: DepsProvider,
  auth: MiddlewareHandler<AppEnv>,
): void => {
  app.get('/policy', auth, async (c) => c.json(await activeVersion(lifecycleOf(await deps())), 200));

  app.put('/policy', readBody(), auth, parseJson(), async (c) => {
    const d = await deps();
    const body = validate(putPolicyBody, c.get('json'));
    const created = await applyPolicy(lifecycleOf(d), {
      policy: body.policy,
      comment: body.comment ?? null,
      expectedVersion: body.expected_version,
      createdBy: principalOf(c),
    });
    return c.json(created, 201);
  });
  allowOnly(app, '/policy', ['GET', 'PUT']);

  app.get('/policy/versions', auth, async (c) => {
    const d = await deps();
    const q = validate(versionsQuery, c.req.query(), 'query');
    return c.json(await listVersions(lifecycleOf(d), { limit: q.limit ?? 20, cursor: q.cursor }), 200);
  });
  allowOnly(app, '/policy/versions', ['GET']);

  app.get('/policy/versions/:version', auth, async (c) => {
    const d = await deps();
    const name = c.req.param('version');
    if (!z.safeParse(versionName, name).success) throw new NotFoundError('no such policy version');
    return c.json(await versionByName(lifecycleOf(d), name), 200);
  });
  allowOnly(app, '/policy/versions/:version', ['GET']);

  app.post('/policy/rollback', readBody(), auth, parseJson(), async (c) => {
    const d = await deps();
    const body = validate(rollbackBody, c.get('json'));
    return c.json(
      await rollbackTo(lifecycleOf(d), { version: body.version, createdBy: principalOf(c) }),
      201,
    );
  });
  allowOnly(app, '/policy/rollback', ['POST']);

  app.get('/policy/shadow', auth, async (c) => c.json(await currentShadow(lifecycleOf(await deps())), 200));

  app.put('/policy/shadow', readBody(), auth, parseJson(), async (c) => {
    const d = await deps();
    const body = validate(putShadowBody, c.get('json'));
    const shadow = await setShadow(lifecycleOf(d), {
      policy: body.policy,
      comment: body.comment ?? null,
      createdBy: principalOf(c),
    });
    return c.json(shadow, 201);
  });

  app.delete('/policy/shadow', auth, async (c) => {
    await clearShadow(lifecycleOf(await deps()));
    return c.body(null, 204);
  });
  allowOnly(app, '/policy/shadow', ['GET', 'PUT', 'DELETE']);
};
