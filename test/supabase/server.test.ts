/**
 * `POST /hooks/supabase` on the real local server (`npm start`'s code) over HTTP: the generated development
 * secret, `SUPABASE_HOOK_SECRET` with several space-separated secrets (rotation), and Supabase's answers.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_IDENTITIES } from '../../shared/defastra/sandbox/index.js';
import { startTestServer, type TestServer } from '../helpers/local-server.js';
import { delivery, HOOK_PATH, NO_VELOCITY, payload } from './support.js';

const { email: EMAIL } = SANDBOX_IDENTITIES;
const OLD = 'v1,whsec_b2xkLXNlY3JldC0wMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Ng==';
const NEW = 'whsec_bmV3LXNlY3JldC0wMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc=';

const post = (server: TestServer, body: string, headers: Record<string, string>) =>
  fetch(`${server.url}${HOOK_PATH}`, { method: 'POST', body, headers });

describe('POST /hooks/supabase on the local server, generated secret', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ policy: { cache_hours: 0, ...NO_VELOCITY } });
  });
  afterAll(() => server.close());

  it('has a generated secret in the dashboard form (v1,whsec_<base64 of 32 bytes>)', () => {
    expect(server.supabaseHookSecrets).toHaveLength(1);
    expect(server.supabaseHookSecrets[0]).toMatch(/^v1,whsec_[A-Za-z0-9+/]{43}=$/);
  });

  it('allow → 200 {}, block → 200 with the error object in Supabase format, both application/json', async () => {
    const secrets = server.supabaseHookSecrets;
    const low = JSON.stringify(payload({ email: EMAIL.low }));
    const allowed = await post(server, low, delivery(low, { secrets }));
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await allowed.json()).toEqual({});
    const high = JSON.stringify(payload({ email: EMAIL.high }));
    const blocked = await post(server, high, delivery(high, { secrets }));
    expect(blocked.status).toBe(200);
    expect(blocked.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await blocked.json()).toEqual({
      error: { http_code: 403, message: 'We could not complete your sign-up.' },
    });
  });

  it('the stored verdict is found by its metadata.uuid, with the Supabase user id as subject', async () => {
    const doc = payload({ email: EMAIL.medium });
    const body = JSON.stringify(doc);
    const id = randomUUID();
    expect(
      (await post(server, body, delivery(body, { id, secrets: server.supabaseHookSecrets }))).status,
    ).toBe(200);
    const list = await fetch(`${server.url}/verdicts?source=supabase&limit=100`, {
      headers: { Authorization: `Bearer ${server.apiToken}` },
    });
    const { items } = (await list.json()) as { items: Array<Record<string, unknown>> };
    expect(items.find((v) => v.source_ref === doc.metadata.uuid)).toMatchObject({
      decision: 'review',
      subject_ref: doc.user.id,
    });
  });

  it('401 for a delivery signed with another secret', async () => {
    const body = JSON.stringify(payload({ email: EMAIL.low }));
    const response = await post(server, body, delivery(body, { secrets: [OLD] }));
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
  });
});

describe('POST /hooks/supabase on the local server, SUPABASE_HOOK_SECRET with two secrets', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      policy: { cache_hours: 0, ...NO_VELOCITY },
      env: { SUPABASE_HOOK_SECRET: `${OLD} ${NEW}` },
    });
  });
  afterAll(() => server.close());

  it('accepts either secret, as shown by Supabase or without the v1, prefix', async () => {
    expect(server.supabaseHookSecrets).toEqual([OLD, NEW]);
    for (const secret of [OLD, `v1,${NEW}`]) {
      const body = JSON.stringify(payload({ email: EMAIL.low }));
      expect((await post(server, body, delivery(body, { secrets: [secret] }))).status).toBe(200);
    }
  });

  it('refuses the generated development secret once SUPABASE_HOOK_SECRET is set', async () => {
    const body = JSON.stringify(payload({ email: EMAIL.low }));
    const generated = server.devSecrets.supabase_hook_secret;
    expect((await post(server, body, delivery(body, { secrets: [generated] }))).status).toBe(401);
  });
});
