/** `GET|POST /lists`, `DELETE /lists/{entry_id}` (docs/lists.md): runtime allow and block entries. */
import type { Hono, MiddlewareHandler } from 'hono';
import { pageOf, ulidParam } from '../../../shared/api/common.js';
import { type ListEntryPage, listEntryBody, listsQuery } from '../../../shared/api/lists.js';
import { NotFoundError } from '../../../shared/core/errors.js';
import { parseJson, readBody } from '../../../shared/http/body.js';
import type { AppEnv } from '../../../shared/http/env.js';
import { badRequest } from '../../../shared/http/errors.js';
import { allowOnly } from '../../../shared/http/methods.js';
import { principalOf } from '../../../shared/http/principal.js';
import { validate } from '../../../shared/http/validation.js';
import { createListEntry, listValueOf } from '../../../shared/lists/entries.js';
import { resolveForSource } from '../../../shared/policy/decide.js';
import { MAX_DOMAIN_LABELS } from '../../../shared/policy/identifiers.js';
import type { DepsProvider } from '../../../shared/runtime/deps.js';
import type { ListQuery } from '../../../shared/store/ports.js';

const VALUE_HINT = {
  email: 'an email address',
  email_domain: `a domain such as example.com, of at most ${MAX_DOMAIN_LABELS} labels`,
  phone: 'a phone number with its country code (+33...)',
  ip: 'an IPv4 or IPv6 address',
} as const;

export const listRoutes = (app: Hono<AppEnv>, deps: DepsProvider, auth: MiddlewareHandler<AppEnv>): void => {
  app.post('/lists', readBody(), auth, parseJson(), async (c) => {
    const d = await deps();
    const body = validate(listEntryBody, c.get('json'));
    const nowMs = d.now();
    if (body.expires_at && Date.parse(body.expires_at) <= nowMs) {
      throw badRequest('body field "expires_at": must be in the future');
    }
    const policy = resolveForSource(await d.policy(), 'api');
    const value = listValueOf(body.kind, body.value, d.hash, policy.default_country_code);
    if (!value)
      throw badRequest(`body field "value": not a valid ${body.kind}; expected ${VALUE_HINT[body.kind]}`);
    const { entry, created } = await createListEntry(
      d.store.lists,
      value,
      {
        kind: body.kind,
        action: body.action,
        note: body.note ?? null,
        expiresAt: body.expires_at ?? null,
        createdBy: principalOf(c),
      },
      nowMs,
    );
    d.telemetry.info(created ? 'list entry created' : 'list entry exists', {
      entry_id: entry.entry_id,
      kind: entry.kind,
      action: entry.action,
    });
    return c.json(entry, created ? 201 : 200);
  });

  app.get('/lists', auth, async (c) => {
    const d = await deps();
    const q = validate(listsQuery, c.req.query(), 'query');
    const query: ListQuery = { limit: q.limit ?? 20 };
    if (q.kind) query.kind = q.kind;
    if (q.action) query.action = q.action;
    if (q.cursor) query.cursor = q.cursor;
    const answer: ListEntryPage = pageOf(await d.store.lists.query(query));
    return c.json(answer, 200);
  });
  allowOnly(app, '/lists', ['GET', 'POST']);

  app.delete('/lists/:entry_id', auth, async (c) => {
    const d = await deps();
    const id = ulidParam(c.req.param('entry_id'));
    if (!id || !(await d.store.lists.delete(id))) {
      throw new NotFoundError('no list entry with this id');
    }
    d.telemetry.info('list entry deleted', { entry_id: id });
    return c.body(null, 204);
  });
  allowOnly(app, '/lists/:entry_id', ['DELETE']);
};
