/** `POST /replay` (docs/reviews.md) on the real local server: transitions for a known set of verdicts, with no Defastra call. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplayAnswer } from '../../shared/api/replay.js';
import { startTestServer, type TestServer } from '../helpers/local-server.js';
import { type ErrorAnswerBody, type Operator, operator } from '../helpers/operator.js';

let server: TestServer;
let api: Operator;
const ids: Record<string, string> = {};
let since: string;

beforeAll(async () => {
  server = await startTestServer({
    policy: {
      velocity: { ip: { review: null, block: 2 }, mailbox: { review: null, block: null } },
      block: { email_domains: ['bad.example'] },
    },
  });
  api = operator(server.url, server.apiToken);
  since = new Date(Date.now() - 1000).toISOString();
  const tag = `${process.pid}`;
  const screen = async (name: string, body: Record<string, unknown>) => {
    ids[name] = (await api.screen(body)).verdict_id;
  };
  await screen('low', { email: `low${tag}+low@example.com` }); // allow
  await screen('medium', { email: `med${tag}+medium@example.com` }); // review
  await screen('high', { email: `high${tag}+high@example.com` }); // block
  await screen('extreme', { email: `ext${tag}+extreme@example.com` }); // block
  await screen('listed', { email: `someone${tag}+low@bad.example` }); // block by the policy file, never checked
  await screen('ip1', { email: `ipa${tag}+low@example.com`, ip: '198.51.100.1' }); // allow
  await screen('ip2', { email: `ipb${tag}+low@example.com`, ip: '198.51.100.1' }); // block by velocity, never checked
  await screen('stripe', { email: `mid${tag}+medium@example.com`, reference: 'evt-like' }); // review
}, 60_000);
afterAll(() => server.close());

type Answer = ReplayAnswer & ErrorAnswerBody;
const replay = (body: unknown) => api.request<Answer>('POST', '/replay', body);

describe('POST /replay', () => {
  it('changes nothing under the same policy, and reports what it cannot re-decide', async () => {
    server.sandbox.resetStats();
    const same = await replay({
      policy: {
        velocity: { ip: { review: null, block: 2 }, mailbox: { review: null, block: null } },
        block: { email_domains: ['bad.example'] },
      },
      since,
    });
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ total: 8, changed: 0, items: [], truncated: false, unresolved: [] });
    expect(same.body.transitions).toEqual({
      allow: { allow: 2 },
      review: { review: 2 },
      block: { block: 4 },
    });
    expect(server.sandbox.stats().requests).toBe(0);
  });

  it('counts the transitions of a stricter candidate, with the verdicts that change', async () => {
    const { body } = await replay({
      policy: {
        thresholds: { email: { review: 'low', block: 'medium' } },
        block: { email_domains: ['bad.example'] },
      },
      since,
    });
    // low → review (1 of the two allows; the IP one is a plain low too), medium → block, velocity kept.
    expect(body.transitions).toEqual({ allow: { review: 2 }, review: { block: 2 }, block: { block: 4 } });
    expect(body.changed).toBe(4);
    expect(body.items).toEqual(
      expect.arrayContaining([
        { verdict_id: ids.low, from: 'allow', to: 'review' },
        { verdict_id: ids.ip1, from: 'allow', to: 'review' },
        { verdict_id: ids.medium, from: 'review', to: 'block' },
        { verdict_id: ids.stripe, from: 'review', to: 'block' },
      ]),
    );
  });

  it('says which verdicts it cannot re-decide instead of guessing (a list decided them, no level stored)', async () => {
    const { body } = await replay({ policy: { thresholds: { email: { block: 'extreme' } } }, since });
    expect(body.unresolved).toEqual([
      {
        verdict_id: ids.listed,
        from: 'block',
        why: expect.stringMatching(/email was not checked at screening/),
      },
    ]);
    expect(body.total).toBe(8);
    expect(body.transitions.block).toEqual({ block: 2, review: 1 }); // extreme and velocity stay; high → review
  });

  it('matches the candidate list entries by the stored hashes', async () => {
    const { body } = await replay({
      policy: {
        allow: { emails: [`high${process.pid}+high@example.com`] },
        block: { email_domains: ['bad.example'] },
      },
      since,
    });
    expect(body.items).toContainEqual({ verdict_id: ids.high, from: 'block', to: 'allow' });
  });

  it('keeps to the range, and refuses one that ends before it starts', async () => {
    const { body } = await replay({ policy: {}, since: '2026-01-01T00:00:00Z', until: since });
    expect(body.total).toBe(0);
    const future = await replay({ policy: {}, since: new Date(Date.now() + 60_000).toISOString() });
    expect(future.status).toBe(400);
    expect(future.body.error.message).toMatch(/until must be after since/);
  });

  it.each([
    ['an unknown level', { policy: { thresholds: { email: { block: 'huge' } } } }, 'thresholds.email.block'],
    ['an unknown key', { policy: { treshold: 1 } }, 'treshold'],
    ['a policy that is not an object', { policy: 'strict' }, 'policy'],
    ['a missing policy', { since: '2026-01-01' }, 'policy'],
    ['a bad date', { policy: {}, since: 'last week' }, 'since'],
    ['an unknown source', { policy: {}, source: 'paypal' }, 'source'],
  ])('refuses %s with 400 naming the field', async (_name, body, field) => {
    const res = await replay(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    expect(res.body.error.message).toContain(field);
  });
});
