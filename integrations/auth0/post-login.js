/**
 * signup-gate: Auth0 Action for the post-login trigger (Node 22, no dependencies).
 *
 * The safety net for sign-ups that pre-user-registration never screened: social and enterprise connections,
 * and sign-ups it let through unscreened (signup-gate unreachable). It screens any login of a user whose
 * app_metadata.signup_gate holds no verdict id, never on a refresh-token exchange. It sends a small part of
 * the event to signup-gate's `POST /hooks/auth0` with "trigger": "post-login", signed with HMAC-SHA256 over
 * "<t>.<Idempotency-Key>.<body>", records the verdict on the user (signup-gate finds the user by it later to
 * block it, docs/enforcement.md) and follows the answer's `action` (its `decision` from an older server):
 *   block          -> api.user.setAppMetadata('signup_gate', { decision, action, verdict_id, user_message })
 *                     and api.access.deny(<the policy's user message>)
 *   review, allow  -> api.user.setAppMetadata('signup_gate', { decision, action, verdict_id })
 * A user whose flag records a verdict id is not screened again; when its action (or, for older flags, its
 * decision) is a block, every later login is denied too, until someone removes it from the user's app_metadata.
 * When signup-gate cannot be reached or answers something unusable, SIGNUP_GATE_FAIL_MODE decides:
 * `open` (default) lets the login through, `closed` denies it.
 *
 * Secrets (Action editor > Secrets), the same as the pre-user-registration Action's:
 *   SIGNUP_GATE_URL         the full hook URL, e.g. https://<api-id>.execute-api.<region>.amazonaws.com/hooks/auth0
 *   SIGNUP_GATE_SECRET      the shared HMAC secret (one value of signup-gate's Auth0 hook secret)
 *   SIGNUP_GATE_FAIL_MODE   optional: `open` (default) or `closed`
 *   SIGNUP_GATE_TIMEOUT_MS  optional: per-call timeout, default 10000, at most 15000
 *
 * Logs carry short codes and verdict ids only: never an email, phone number, IP, user id or secret.
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
const MAX_USER_MESSAGE = 500;
/** A refresh-token exchange also runs post-login; it is never a sign-up. */
const REFRESH_PROTOCOL = 'oauth2-refresh-token';

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

/** The part of the event signup-gate reads, in Auth0's field names, marked as a post-login call. */
const eventSubset = (event) => {
  const request = event.request || {};
  const geoip = pick(request.geoip, ['countryCode']);
  const req = pick(request, ['ip', 'user_agent']) || (geoip ? {} : undefined);
  if (req && geoip) req.geoip = geoip;
  const subset = {
    trigger: 'post-login',
    user: pick(event.user, ['email', 'phone_number', 'username', 'user_id']),
    request: req,
    connection: pick(event.connection, ['name', 'strategy']),
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

const userMessageOf = (value) =>
  typeof value === 'string' && value && value.length <= MAX_USER_MESSAGE ? value : DEFAULT_USER_MESSAGE;

/** What signup-gate recorded on the user earlier, or undefined. */
const earlierFlag = (event) => {
  const metadata = event.user?.app_metadata;
  if (!metadata || typeof metadata !== 'object') return undefined;
  const flag = metadata.signup_gate;
  return flag === undefined || flag === null ? undefined : flag;
};

/** True for a login of a user signup-gate has no verdict for yet (never on a refresh-token exchange). */
const isUnscreened = (event) => {
  if (event.transaction?.protocol === REFRESH_PROTOCOL) return false;
  const flag = earlierFlag(event);
  return !(flag && typeof flag.verdict_id === 'string' && VERDICT_ID.test(flag.verdict_id));
};

/** Records the verdict on the user; a failure to do so never stops the Action from applying it. */
const recordVerdict = (api, value) => {
  try {
    api.user.setAppMetadata('signup_gate', value);
  } catch {
    log('error=metadata_unavailable');
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

exports.onExecutePostLogin = async (event, api) => {
  const flag = earlierFlag(event);
  if (flag && (flag.action ?? flag.decision) === 'block') {
    // Blocked at sign-up: a block must hold on every later login, not only the first one.
    const verdictId = VERDICT_ID.test(String(flag.verdict_id)) ? flag.verdict_id : null;
    log(`decision=block verdict=${verdictId} earlier`);
    api.access.deny(userMessageOf(flag.user_message));
    return;
  }
  if (!isUnscreened(event)) return;

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
      api.access.deny(UNAVAILABLE_MESSAGE);
    } else {
      log(`error=${code} fail=open`);
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
  const recorded = { decision: verdict.decision, action, verdict_id: verdictId };
  if (action === 'block') {
    const message = userMessageOf(verdict.user_message);
    // Auth0 keeps metadata changes even when the login is denied: later logins are denied too.
    recordVerdict(api, { ...recorded, user_message: message });
    api.access.deny(message);
    return;
  }
  recordVerdict(api, recorded);
};
