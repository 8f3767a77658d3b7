/**
 * integrations/firebase/forward.js — the Cloud Function's logic without firebase-functions — against a local
 * HTTP stand-in of `POST /hooks/firebase` that checks each request with the route's real verifier
 * (`firebaseVerifier`) and answers as the route does (`firebaseAnswer`). `HttpsError` is injected (firebase-
 * functions is not installed here); the event is built from a real decoded `beforeCreate` token the way
 * firebase-functions builds it (user record `phone_number` → `phoneNumber`, `ip_address` → `ipAddress`,
 * `event_id` → `eventId`).
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { firebaseAnswer } from '../../functions/firebase-hook/answer.js';
import { firebaseVerifier } from '../../shared/webhooks/firebase.js';
import { type Doc, fixtureText, readFixture } from '../helpers/fixtures.js';
import { MESSAGE, sampleVerdict } from '../helpers/sample-verdict.js';

interface ForwardModule {
  DEFAULT_TIMEOUT_MS: number;
  forwarderBody(event: unknown): Record<string, unknown>;
  screenSignup(event: unknown, options: Record<string, unknown>): Promise<undefined>;
}
const forward = (await import(
  new URL('../../integrations/firebase/forward.js', import.meta.url).href
)) as ForwardModule;

class FakeHttpsError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const SECRET = 'sg_firebase_test_secret_5e1c';
const jwt = readFixture('firebase/before-create-jwt-payload.json');
/** The `AuthBlockingEvent` firebase-functions makes of that token (the fields the forwarder reads). */
const eventFrom = (payload: Doc) => ({
  data: {
    uid: payload.user_record.uid,
    email: payload.user_record.email,
    phoneNumber: payload.user_record.phone_number,
  },
  ipAddress: payload.ip_address,
  eventId: payload.event_id,
});
const withEmail = (email: string, eventId = `evt-${email.split('@')[0]}`) => ({
  ...eventFrom(jwt),
  data: { ...eventFrom(jwt).data, email },
  eventId,
});

interface Seen {
  headers: IncomingMessage['headers'];
  body: string;
  verified: ReturnType<typeof firebaseVerifier.verify>;
}
const seen: Seen[] = [];
/** What the stand-in does per email: the route's answer for a decision, a status, or never answering. */
let behaviour: (
  email: string,
) => { decision: 'allow' | 'review' | 'block'; action?: 'allow' } | number | 'hang';
const hanging: ServerResponse[] = [];
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const verified = firebaseVerifier.verify(
      {
        header: (name) => {
          const value = req.headers[name.toLowerCase()];
          return Array.isArray(value) ? value[0] : value;
        },
        rawBody: body,
        rawBytes: new Uint8Array(Buffer.concat(chunks)),
      },
      [SECRET],
      Math.floor(Date.now() / 1000),
    );
    seen.push({ headers: req.headers, body, verified });
    if (!verified.ok) {
      res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"error":{"code":"unauthorized"}}');
      return;
    }
    const plan = behaviour(JSON.parse(body).email);
    if (plan === 'hang') return void hanging.push(res);
    if (typeof plan === 'number') return void res.writeHead(plan).end('{}');
    const answer = firebaseAnswer(sampleVerdict('firebase', plan.decision, { action: plan.action }), MESSAGE);
    res.writeHead(answer.status, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer.body));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/firebase`;
});
afterEach(() => {
  seen.length = 0;
  for (const res of hanging.splice(0)) res.destroy();
});
afterAll(async () => {
  server.close();
  await once(server, 'close');
});

const decide = (email: string) =>
  email.startsWith('block')
    ? { decision: 'block' as const }
    : email.startsWith('review')
      ? { decision: 'review' as const }
      : { decision: 'allow' as const };
const screen = (event: unknown, options: Record<string, unknown> = {}) =>
  forward.screenSignup(event, { url, secret: SECRET, HttpsError: FakeHttpsError, log: () => {}, ...options });

describe('the Firebase forwarder', () => {
  it('sends exactly the documented body for a real beforeCreate event, signed with the event id as key', async () => {
    behaviour = decide;
    await expect(screen(eventFrom(jwt))).resolves.toBeUndefined();
    expect(seen).toHaveLength(1);
    expect(JSON.parse(seen[0]!.body)).toEqual(JSON.parse(fixtureText('firebase/forwarder-body.json')));
    expect(seen[0]!.headers['idempotency-key']).toBe('EVENT_ID');
    expect(seen[0]!.headers['content-type']).toBe('application/json');
    expect(seen[0]!.verified).toEqual({ ok: true, id: 'EVENT_ID' });
  });

  it('lets allow and review proceed', async () => {
    behaviour = decide;
    await expect(screen(withEmail('allow@example.com'))).resolves.toBeUndefined();
    await expect(screen(withEmail('review@example.com'))).resolves.toBeUndefined();
    expect(seen.map((s) => s.verified.ok)).toEqual([true, true]);
  });

  it("throws permission-denied with the route's user message on block", async () => {
    behaviour = decide;
    const error = await screen(withEmail('block@example.com')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FakeHttpsError);
    expect(error).toMatchObject({ code: 'permission-denied', message: MESSAGE });
  });

  it('follows action, not decision: a monitored block proceeds', async () => {
    behaviour = () => ({ decision: 'block', action: 'allow' });
    await expect(screen(withEmail('block@example.com'))).resolves.toBeUndefined();
  });

  it('is refused by the route when signed with another secret (and then fails open, logging no identifier)', async () => {
    behaviour = decide;
    const logged: unknown[] = [];
    const result = await screen(withEmail('block@example.com'), {
      secret: 'not-the-secret',
      log: (message: string, fields: unknown) => logged.push({ message, fields }),
    });
    expect(result).toBeUndefined();
    expect(seen[0]!.verified).toEqual({ ok: false, reason: 'mismatch' });
    expect(logged).toEqual([
      {
        message: 'signup-gate could not screen the sign-up',
        fields: { event_id: 'evt-block', reason: 'status 401', fail_closed: false },
      },
    ]);
    expect(JSON.stringify(logged)).not.toContain('example.com');
  });

  it('fails closed on request: an error answer throws unavailable', async () => {
    behaviour = () => 503;
    await expect(screen(withEmail('allow@example.com'))).resolves.toBeUndefined();
    const error = await screen(withEmail('allow@example.com'), { failClosed: true }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'unavailable' });
  });

  it('gives up after its timeout (inside Google 7 s by default) instead of waiting for a hung route', async () => {
    expect(forward.DEFAULT_TIMEOUT_MS).toBeLessThan(7000);
    behaviour = () => 'hang';
    const logged: Array<{ fields: { reason: string } }> = [];
    await expect(
      screen(withEmail('allow@example.com'), {
        timeoutMs: 50,
        log: (_m: string, fields: { reason: string }) => logged.push({ fields }),
      }),
    ).resolves.toBeUndefined();
    expect(logged[0]!.fields.reason).toBe('timeout');
  });

  it('sends no Idempotency-Key for an event id signup-gate would refuse as a key, and still signs', async () => {
    behaviour = decide;
    await screen(withEmail('allow@example.com', 'has spaces/and slashes'));
    expect(seen[0]!.headers['idempotency-key']).toBeUndefined();
    expect(seen[0]!.verified).toEqual({ ok: true });
  });

  it('maps a user without email or phone to nulls', () => {
    expect(forward.forwarderBody({ data: { uid: 'u1' }, eventId: 'e1' })).toEqual({
      uid: 'u1',
      email: null,
      phone_number: null,
      ip_address: null,
      event_id: 'e1',
    });
  });
});
