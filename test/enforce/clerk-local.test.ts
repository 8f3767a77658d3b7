/**
 * The Clerk ban end to end on the real local server (docs/clerk.md, docs/enforcement.md): a signed `user.created`
 * that screens to `block` with `enforce.clerk: true` bans the user at a local stand-in of Clerk's Backend API (the
 * server is given CLERK_SECRET_KEY and CLERK_API_BASE_URL); an operator's approve unbans it. Without
 * `enforce.clerk` nothing reaches Clerk.
 */
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Verdict } from '../../shared/core/verdict.js';
import { NO_VELOCITY } from '../auth0/support.js';
import { type Doc, readFixture } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/local-server.js';
import { type Operator, operator } from '../helpers/operator.js';
import { type ClerkStandIn, startClerkStandIn } from '../helpers/provider-stand-ins.js';

let clerk: ClerkStandIn;
let server: TestServer;
let api: Operator;

const start = (enforce: boolean) =>
  startTestServer({
    policy: { cache_hours: 0, ...NO_VELOCITY, enforce: { clerk: enforce } },
    env: { CLERK_SECRET_KEY: clerk.secretKey, CLERK_API_BASE_URL: clerk.url },
  });

beforeAll(async () => {
  clerk = await startClerkStandIn();
  server = await start(true);
  api = operator(server.url, server.apiToken);
});
afterAll(async () => {
  await server?.close();
  await clerk?.close();
});

/** Delivers a signed `user.created` for a new Clerk user (known to the stand-in) and answers its verdict. */
const userCreated = async (target: TestServer, level: 'low' | 'high') => {
  const doc = readFixture<Doc>('clerk/user-created.json');
  const userId = `user_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
  doc.data.id = userId;
  doc.data.email_addresses[0].email_address = `c${randomUUID().slice(0, 8)}+${level}@example.com`;
  clerk.addUser(userId);
  const body = JSON.stringify(doc);
  const id = `msg_${randomUUID().replace(/-/g, '').slice(0, 27)}`;
  const now = new Date();
  const res = await fetch(`${target.url}/hooks/clerk`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'svix-id': id,
      'svix-timestamp': String(Math.floor(now.getTime() / 1000)),
      'svix-signature': new Webhook(target.hookSecrets.clerk[0]!).sign(id, now, body),
    },
    body,
  });
  expect(res.status).toBe(200);
  return { userId, verdict: (await res.json()) as Verdict };
};

describe('Clerk ban through enforcement', () => {
  it('a block bans the user at Clerk; an approve unbans it; both recorded on the verdict', async () => {
    const { userId, verdict } = await userCreated(server, 'high');
    expect(verdict).toMatchObject({ source: 'clerk', decision: 'block', subject_ref: userId });
    await server.server.enforcement.drain();
    expect(clerk.bannedOf(userId)).toBe(true);
    const banned = await api.request<Verdict>('GET', `/verdicts/${verdict.verdict_id}`);
    expect(banned.body.enforcement).toMatchObject({ status: 'done', action: 'block' });

    const approved = await api.request<Verdict>('POST', `/verdicts/${verdict.verdict_id}/review`, {
      outcome: 'approve',
    });
    expect(approved.status).toBe(200);
    await server.server.enforcement.drain();
    expect(clerk.bannedOf(userId)).toBe(false);
    expect(clerk.callsTo('POST', /\/unban$/)).toHaveLength(1);
    const unbanned = await api.request<Verdict>('GET', `/verdicts/${verdict.verdict_id}`);
    expect(unbanned.body.enforcement).toMatchObject({ status: 'undone', action: 'unblock' });
  });

  it('an allow bans nobody', async () => {
    const { userId, verdict } = await userCreated(server, 'low');
    expect(verdict.decision).toBe('allow');
    await server.server.enforcement.drain();
    expect(clerk.bannedOf(userId)).toBe(false);
    expect(
      (await api.request<Verdict>('GET', `/verdicts/${verdict.verdict_id}`)).body.enforcement,
    ).toBeNull();
  });

  it('with enforce.clerk off a block is stored only: no call reaches Clerk', async () => {
    const off = await start(false);
    try {
      clerk.resetCalls();
      const { userId, verdict } = await userCreated(off, 'high');
      expect(verdict.decision).toBe('block');
      await off.server.enforcement.drain();
      expect(clerk.bannedOf(userId)).toBe(false);
      expect(clerk.callsTo('POST', /./)).toHaveLength(0);
    } finally {
      await off.close();
    }
  });
});
