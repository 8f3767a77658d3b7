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

  it('tallies the labelled verdicts under the candidate and as decided, with their shares', async () => {
    const stricter = {
      thresholds: { email: { review: 'low', block: 'medium' } },
      block: { email_domains: ['bad.example'] },
    };
    // Nothing labelled yet: empty tables, null shares.
    const unlabelled = await replay({ policy: stricter, since });
    expect(unlabelled.body.outcomes).toEqual({
      allow: { fraud: 0, legit: 0 },
      review: { fraud: 0, legit: 0 },
      block: { fraud: 0, legit: 0 },
    });
    expect(unlabelled.body).toMatchObject({ fraud_caught: null, legit_blocked: null });
    expect(unlabelled.body.current).toMatchObject({ fraud_caught: null, legit_blocked: null });

    // low (allow → review) fraud, ip1 (allow → review) legit, medium (review → block) legit, high (block) fraud;
    // stripe (review → block) rejected in review: fraud; listed (block, by the candidate's list too) fraud.
    const label = (id: string | undefined, body: unknown) =>
      api.request('POST', `/verdicts/${id}/outcome`, body);
    for (const [name, value] of [
      ['low', 'fraud'],
      ['ip1', 'legit'],
      ['medium', 'legit'],
      ['high', 'fraud'],
      ['listed', 'fraud'],
    ] as const) {
      expect((await label(ids[name], { label: value })).status).toBe(200);
    }
    expect((await api.request('POST', `/verdicts/${ids.stripe}/review`, { outcome: 'reject' })).status).toBe(
      200,
    );
    // A verdict the candidate cannot re-decide is left out of both tables.
    const loose = await replay({ policy: { thresholds: { email: { block: 'extreme' } } }, since });
    expect(loose.body.unresolved.map((u) => u.verdict_id)).toEqual([ids.listed]);
    expect(loose.body.current.outcomes.block).toEqual({ fraud: 1, legit: 0 });

    const { body } = await replay({ policy: stricter, since });
    expect(body.outcomes).toEqual({
      allow: { fraud: 0, legit: 0 },
      review: { fraud: 1, legit: 1 },
      block: { fraud: 3, legit: 1 },
    });
    expect(body.fraud_caught).toBe(1);
    expect(body.legit_blocked).toBe(0.5);
    expect(body.current).toEqual({
      outcomes: {
        allow: { fraud: 1, legit: 1 },
        review: { fraud: 1, legit: 1 },
        block: { fraud: 2, legit: 0 },
      },
      fraud_caught: 0.75,
      legit_blocked: 0,
    });
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
