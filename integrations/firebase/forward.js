/**
 * The forwarder's logic, free of firebase-functions so it runs and is tested anywhere (docs/firebase.md): build
 * `{ uid, email, phone_number, ip_address, event_id }` from a `beforeUserCreated` event, sign it as signup-gate
 * expects (`X-Signup-Gate-Signature: t=<unix s>,v1=<hex HMAC-SHA256(secret, "<t>.<event id>.<body>")>` with the
 * event id as `Idempotency-Key`), post it to `/hooks/firebase` within a timeout inside Google's 7 seconds, and
 * throw `HttpsError('permission-denied', <user message>)` when the answer's `action` is `block`.
 */
import { createHmac } from 'node:crypto';

/** Google gives a blocking function 7 s; a cold start and the network need part of it. */
export const DEFAULT_TIMEOUT_MS = 6000;
/** Shown when signup-gate blocks without a message (it always sends one). */
export const DEFAULT_BLOCK_MESSAGE = 'We could not complete your sign-up.';
/** An event id becomes the `Idempotency-Key` only when it has the characters and length signup-gate accepts. */
const KEY = /^[A-Za-z0-9._:-]{1,255}$/;

/**
 * The body for one event (`event.data` is the user record, `ipAddress` and `eventId` the event's), absent
 * values as null.
 * @param {{ data?: { uid?: string, email?: string | null, phoneNumber?: string | null }, ipAddress?: string, eventId?: string }} event
 */
export const forwarderBody = (event) => ({
  uid: event.data?.uid ?? null,
  email: event.data?.email ?? null,
  phone_number: event.data?.phoneNumber ?? null,
  ip_address: event.ipAddress ?? null,
  event_id: event.eventId ?? null,
});

/**
 * The `X-Signup-Gate-Signature` value for `body` at `t` (unix seconds), covering `key` when there is one.
 * @param {string} secret @param {string} body @param {number} t @param {string | null} key
 */
export const signatureFor = (secret, body, t, key) => {
  const text = key === null ? `${t}.${body}` : `${t}.${key}.${body}`;
  return `t=${t},v1=${createHmac('sha256', secret).update(text, 'utf8').digest('hex')}`;
};

/**
 * Screens one sign-up. Returns undefined to let it proceed (allow, review, or an error when failing open);
 * throws `new HttpsError('permission-denied', message)` on block, and `new HttpsError('unavailable', …)` on an
 * error when `failClosed`.
 * @param {Parameters<typeof forwarderBody>[0]} event
 * @param {{ url: string, secret: string, HttpsError: new (code: string, message: string) => Error,
 *   failClosed?: boolean, timeoutMs?: number, fetch?: typeof fetch, now?: () => number,
 *   log?: (message: string, fields: Record<string, unknown>) => void }} options
 */
export const screenSignup = async (event, options) => {
  const { url, secret, HttpsError, failClosed = false, timeoutMs = DEFAULT_TIMEOUT_MS } = options;
  const post = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const log = options.log ?? ((message, fields) => console.warn(message, fields));
  const body = JSON.stringify(forwarderBody(event));
  const key = typeof event.eventId === 'string' && KEY.test(event.eventId) ? event.eventId : null;
  const t = Math.floor(now() / 1000);
  const headers = {
    'Content-Type': 'application/json',
    'X-Signup-Gate-Signature': signatureFor(secret, body, t, key),
    ...(key === null ? {} : { 'Idempotency-Key': key }),
  };

  /** Logs why (never the body: it holds the email and phone), then fails open or closed. */
  const fail = (reason) => {
    log('signup-gate could not screen the sign-up', { event_id: key, reason, fail_closed: failClosed });
    if (failClosed)
      throw new HttpsError('unavailable', 'Sign-up is temporarily unavailable. Please try again.');
    return undefined;
  };

  let response;
  try {
    response = await post(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    return fail(error instanceof Error && error.name === 'TimeoutError' ? 'timeout' : 'network');
  }
  if (!response.ok) return fail(`status ${response.status}`);
  /** @type {{ action?: string, user_message?: string } | null} */
  let answer;
  try {
    answer = await response.json();
  } catch (error) {
    return fail(error instanceof Error && error.name === 'TimeoutError' ? 'timeout' : 'unreadable answer');
  }
  if (answer?.action === 'block') {
    throw new HttpsError('permission-denied', answer.user_message || DEFAULT_BLOCK_MESSAGE);
  }
  return undefined;
};
