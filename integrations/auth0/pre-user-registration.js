/**
 * signup-gate: Auth0 Action for the pre-user-registration trigger (Node 22, no dependencies).
 *
 * Sends a small part of the signup event to signup-gate's `POST /hooks/auth0`, signed with
 * HMAC-SHA256 over "<t>.<Idempotency-Key>.<body>", and follows the answer's `action` (its `decision` when an
 * older server sends no `action`; in monitor mode `action` is `allow` whatever the decision):
 *   block          -> api.access.deny('signup_gate_block', <the policy's user message>)
 *   review, allow  -> api.user.setAppMetadata('signup_gate', { decision, action, verdict_id }), by which
 *                     signup-gate finds the user later to block it (docs/enforcement.md)
 * When signup-gate cannot be reached or answers something unusable, SIGNUP_GATE_FAIL_MODE decides:
 * `open` (default) lets the signup through, marked { status: 'unscreened' } in app_metadata (the post-login
 * Action screens it at its next login), `closed` denies it with reason 'signup_gate_unavailable'.
 *
 * Secrets (Action editor > Secrets):
 *   SIGNUP_GATE_URL         the full hook URL, e.g. https://<api-id>.execute-api.<region>.amazonaws.com/hooks/auth0
 *   SIGNUP_GATE_SECRET      the shared HMAC secret (one value of signup-gate's Auth0 hook secret)
 *   SIGNUP_GATE_FAIL_MODE   optional: `open` (default) or `closed`
 *   SIGNUP_GATE_TIMEOUT_MS  optional: per-call timeout, default 10000, at most 15000
 *
 * Logs carry short codes and verdict ids only: never an email, phone number, IP or secret.
 */
const crypto = require('node:crypto');

const DEFAULT_TIMEOUT_MS = 10000;
/** Auth0 ends the whole trigger at 20 s; keep the call well inside it. */
const MAX_TIMEOUT_MS = 15000;
const MIN_TIMEOUT_MS = 50;
const DEFAULT_USER_MESSAGE = 'We could not complete your sign-up.';
const UNAVAILABLE_MESSAGE = 'We could not complete your sign-up right now. Please try again later.';
const DECISIONS = ['allow', 'review', 'block'];
const VERDICT_ID = /^[0-9A-Za-z]{1,64}$/;

/** A short, PII-free log line (Auth0 keeps only 256 characters per execution). */
const log = (text) => console.log(`signup_gate: ${text}`);

/** Copies the non-empty string fields `keys` of `source`; undefined when none is present. */
const pick = (source, keys) => {
  if (!source || typeof source !== 'object') return undefined;
  const out = {};
  let any = false;
  for (const key of keys) {
    const value = source[key];
    if (typeof value === 'string' && value !== '') {
      out[key] = value;
      any = true;
    }
  }
  return any ? out : undefined;
};

/** The part of the event signup-gate reads, in Auth0's field names. Absent parts are left out. */
const eventSubset = (event) => {
  const request = event.request || {};
  const geoip = pick(request.geoip, ['countryCode']);
  const req = pick(request, ['ip', 'user_agent']) || (geoip ? {} : undefined);
  if (req && geoip) req.geoip = geoip;
  const subset = {
    user: pick(event.user, ['email', 'phone_number', 'username']),
    request: req,
    connection: pick(event.connection, ['name']),
    client: pick(event.client, ['client_id']),
    tenant: pick(event.tenant, ['id']),
    transaction: pick(event.transaction, ['id']),
  };
  for (const key of Object.keys(subset)) if (subset[key] === undefined) delete subset[key];
  return subset;
};

const timeoutFrom = (value) => {
  const ms = Number.parseInt(String(value ?? ''), 10);
  if (!Number.isFinite(ms) || ms <= 0) return DEFAULT_TIMEOUT_MS;
  return Math.min(Math.max(ms, MIN_TIMEOUT_MS), MAX_TIMEOUT_MS);
};

/** A failure with a short, PII-free code for the log line. */
class GateError extends Error {
  constructor(code) {
    super(code);
    this.name = 'GateError';
    this.code = code;
  }
}

const isTimeout = (error) => !!error && (error.name === 'TimeoutError' || error.name === 'AbortError');

const codeOf = (error) => {
  if (error instanceof GateError) return error.code;
  return isTimeout(error) ? 'timeout' : 'network';
};

const isHttpUrl = (value) => {
  try {
    const { protocol } = new URL(value);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
};

/** Calls signup-gate and returns its verdict, or throws an error with a short code. */
const screen = async (url, secret, timeoutMs, event) => {
  const body = JSON.stringify(eventSubset(event));
  const t = Math.floor(Date.now() / 1000);
  // The key is signed with the body, so a captured request cannot be replayed under other keys.
  const key = crypto.randomUUID();
  const v1 = crypto.createHmac('sha256', secret).update(`${t}.${key}.${body}`, 'utf8').digest('hex');
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json',
      'X-Signup-Gate-Signature': `t=${t},v1=${v1}`,
      'Idempotency-Key': key,
    },
    body,
    // A redirect is answered as an error (http_3xx): the signed body only ever goes to SIGNUP_GATE_URL.
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    throw new GateError(`http_${response.status}`);
  }
  let verdict;
  try {
    verdict = JSON.parse(await response.text());
  } catch (error) {
    if (isTimeout(error)) throw error;
    throw new GateError('bad_json');
  }
  if (!verdict || typeof verdict !== 'object' || !DECISIONS.includes(verdict.decision)) {
    throw new GateError('bad_response');
  }
  return verdict;
};

/** Records signup-gate's flag on the user; a failure to do so never stops the signup. */
const setFlag = (api, value) => {
  try {
    api.user.setAppMetadata('signup_gate', value);
  } catch {
    // Passwordless users cannot carry metadata (an Auth0 limitation): the signup goes on unflagged.
    log('error=metadata_unavailable');
  }
};

exports.onExecutePreUserRegistration = async (event, api) => {
  const secrets = event.secrets || {};
  const mode = String(secrets.SIGNUP_GATE_FAIL_MODE || 'open');
  const failClosed = mode.trim().toLowerCase() === 'closed';
  const url = String(secrets.SIGNUP_GATE_URL || '').trim();
  const secret = String(secrets.SIGNUP_GATE_SECRET || '');

  let verdict;
  try {
    if (!isHttpUrl(url) || !secret) throw new GateError('not_configured');
    verdict = await screen(url, secret, timeoutFrom(secrets.SIGNUP_GATE_TIMEOUT_MS), event);
  } catch (error) {
    const code = codeOf(error);
    if (failClosed) {
      log(`error=${code} fail=closed`);
      api.access.deny('signup_gate_unavailable', UNAVAILABLE_MESSAGE);
    } else {
      log(`error=${code} fail=open`);
      setFlag(api, { status: 'unscreened' });
    }
    return;
  }

  // Only an id-shaped value reaches the log and app_metadata, whatever the answer holds.
  const verdictId = VERDICT_ID.test(String(verdict.verdict_id)) ? verdict.verdict_id : null;
  // Follow the action: `allow` whatever the decision in monitor mode (an older signup-gate sends none).
  const action = DECISIONS.includes(verdict.action) ? verdict.action : verdict.decision;
  log(
    `decision=${verdict.decision}${action === verdict.decision ? '' : ` action=${action}`} verdict=${verdictId}${verdict.degraded ? ' degraded' : ''}`,
  );
  if (action === 'block') {
    const message =
      typeof verdict.user_message === 'string' && verdict.user_message
        ? verdict.user_message
        : DEFAULT_USER_MESSAGE;
    api.access.deny('signup_gate_block', message);
    return;
  }
  setFlag(api, { decision: verdict.decision, action, verdict_id: verdictId });
};
