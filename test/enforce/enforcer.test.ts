/**
 * The enforcer (docs/enforcement.md) with the real adapters against local stand-ins of each provider's API (Auth0
 * Management API, Supabase admin API, Cognito's JSON API, Clerk's Backend API, the fake Stripe API), on the in-memory
 * store: what each provider is asked, idempotency, retries, failures and what is recorded on the verdict.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Source } from '../../shared/core/levels.js';
import type { Review, Verdict, VerdictRecord } from '../../shared/core/verdict.js';
import { createEnforcer, type Enforcer } from '../../shared/enforce/enforcer.js';
import { createProviders } from '../../shared/enforce/providers/index.js';
import { silentTelemetry, type Telemetry } from '../../shared/observability/telemetry.js';
import { type Policy, parsePolicy } from '../../shared/policy/schema.js';
import { deriveKey } from '../../shared/screening/hashing.js';
import { createMemoryStore } from '../../shared/store/memory.js';
import type { Store } from '../../shared/store/ports.js';
import { clearStripeClients } from '../../shared/stripe/client.js';
import { type FakeStripeApi, startFakeStripeApi } from '../helpers/fake-stripe-api.js';
import {
  type Auth0StandIn,
  type ClerkStandIn,
  type CognitoStandIn,
  type SupabaseStandIn,
  startAuth0StandIn,
  startClerkStandIn,
  startCognitoStandIn,
  startSupabaseStandIn,
} from '../helpers/provider-stand-ins.js';
import { makeRecord } from '../store/contract.js';

const POOL = 'eu-west-1_TestPool1';
const ALL_ON = { enforce: { auth0: true, supabase: true, cognito: true, stripe: true, clerk: true } };
const STRIPE_KEY = 'rk_test_enforcer0123456789';

let auth0: Auth0StandIn;
let supabase: SupabaseStandIn;
let clerk: ClerkStandIn;
let cognito: CognitoStandIn;
let stripe: FakeStripeApi;
beforeAll(async () => {
  [auth0, supabase, clerk, cognito, stripe] = await Promise.all([
    startAuth0StandIn(),
    startSupabaseStandIn(),
    startClerkStandIn(),
    startCognitoStandIn(),
    startFakeStripeApi(),
  ]);
});
afterAll(async () => {
  await Promise.all([auth0, supabase, clerk, cognito, stripe].map((s) => s.close()));
  clearStripeClients();
});

/** A telemetry that keeps the failure count and the warnings. */
const recording = () => {
  const seen = { failures: [] as Source[], warnings: [] as Array<Record<string, unknown>> };
  const telemetry: Telemetry = {
    ...silentTelemetry,
    enforcementFailed: (source) => seen.failures.push(source),
    warn: (_message, fields) => seen.warnings.push(fields ?? {}),
  };
  return { seen, telemetry };
};

interface Setup {
  store: Store;
  enforcer: Enforcer;
  seen: ReturnType<typeof recording>['seen'];
  sleeps: number[];
}

const setup = (policy: unknown = ALL_ON, configured = true): Setup => {
  const store = createMemoryStore({ cursorKey: deriveKey('enforcer-test-pepper', 'cursor') });
  const { seen, telemetry } = recording();
  const sleeps: number[] = [];
  const parsed: Policy = parsePolicy(policy);
  const enforcer = createEnforcer({
    verdicts: store.verdicts,
    policy: async () => parsed,
    providers: createProviders(
      configured
        ? {
            auth0: {
              domain: auth0.url,
              clientId: auth0.clientId,
              clientSecret: async () => auth0.clientSecret,
            },
            supabase: { url: supabase.url, serviceRoleKey: async () => supabase.serviceRoleKey },
            clerk: { baseUrl: clerk.url, secretKey: async () => clerk.secretKey },
            cognito: {
              endpoint: cognito.url,
              credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
            },
            stripe: { apiKey: async () => STRIPE_KEY, baseUrl: stripe.url },
          }
        : {},
    ),
    telemetry,
    now: Date.now,
    retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 40 },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  return { store, enforcer, seen, sleeps };
};

let n = 0;
/** Auth0 user ids by verdict id. */
const auth0Users = new Map<string, string>();
/** A stored verdict of `source` for a fresh account that exists at that provider's stand-in. */
const account = async (s: Setup, source: Source, fields: Partial<Verdict> = {}): Promise<Verdict> => {
  n++;
  const record: VerdictRecord = makeRecord({ at: Date.now() - 1000, decision: 'review', source });
  const id = record.verdict.verdict_id;
  const subjects: Partial<Record<Source, string>> = {
    supabase: `0b5e5d3c-0000-4000-8000-${String(n).padStart(12, '0')}`,
    clerk: `user_2enforcer${n}`,
    cognito: `5f1e0c2a-user-${n}`,
    stripe: `cus_enforcer${n}`,
  };
  record.verdict.subject_ref = subjects[source] ?? null;
  Object.assign(record.verdict, fields);
  if (source === 'auth0') {
    // The user the pre-registration Action tagged with the verdict id.
    auth0Users.set(id, `auth0|${n}`);
    auth0.addUser({
      user_id: `auth0|${n}`,
      app_metadata: { signup_gate: { verdict_id: id, decision: 'review' } },
    });
  }
  if (source === 'supabase') supabase.addUser(record.verdict.subject_ref!);
  if (source === 'clerk') clerk.addUser(record.verdict.subject_ref!);
  if (source === 'cognito') {
    cognito.addUser(POOL, record.verdict.subject_ref!);
    record.facts = { ...record.facts, account: { userPoolId: POOL } };
  }
  if (source === 'stripe') stripe.addCustomer(record.verdict.subject_ref!, { plan: 'pro' });
  await s.store.verdicts.save(record);
  return record.verdict;
};

const review = (outcome: Review['outcome'], at = Date.now()): Review => ({
  outcome,
  note: null,
  reviewed_at: new Date(at).toISOString(),
  reviewed_by: 'local',
});

/** Reviews through the store and hands the change to the enforcer, as the change feed does. */
const reviewed = async (s: Setup, before: Verdict, outcome: Review['outcome'], at?: number) => {
  const after = (await s.store.verdicts.review(before.verdict_id, review(outcome, at)))!.verdict;
  const outcome_ = await s.enforcer.onChange(before, after);
  return { after, outcome: outcome_, stored: (await s.store.verdicts.get(before.verdict_id))! };
};

/** Whether the account of `verdict` is blocked at its provider's stand-in now. */
const blockedAt = (verdict: Verdict): boolean => {
  const subject = verdict.subject_ref!;
  switch (verdict.source) {
    case 'auth0':
      return auth0.user(auth0Users.get(verdict.verdict_id)!)?.blocked === true;
    case 'supabase':
      return supabase.banOf(subject) === '876000h';
    case 'clerk':
      return clerk.bannedOf(subject) === true;
    case 'cognito':
      return cognito.enabledOf(POOL, subject) === false;
    case 'stripe':
      return (
        stripe.customer(subject)?.metadata !== undefined &&
        (stripe.customer(subject)!.metadata as Record<string, string>).signup_gate_decision === 'block'
      );
    default:
      throw new Error(`no stand-in for ${verdict.source}`);
  }
};

beforeEach(() => {
  for (const s of [auth0, supabase, clerk, cognito]) s.clearFailures();
  stripe.clearFailures();
});

describe('reject → block, approve → undo, at each provider', () => {
  it.each(['auth0', 'supabase', 'cognito', 'stripe', 'clerk'] as const)('%s', async (source) => {
    const s = setup();
    const before = await account(s, source);
    expect(blockedAt(before)).toBe(false);

    const rejected = await reviewed(s, before, 'reject');
    expect(rejected.outcome).toMatchObject({ retry: false, outcomes: [{ status: 'done' }] });
    expect(blockedAt(before)).toBe(true);
    expect(rejected.stored.enforcement).toMatchObject({ status: 'done', action: 'block' });

    const approved = await reviewed(s, rejected.stored, 'approve', Date.now() + 1);
    expect(approved.outcome.outcomes).toMatchObject([{ status: 'undone' }]);
    expect(blockedAt(before)).toBe(false);
    expect(approved.stored.enforcement).toMatchObject({ status: 'undone', action: 'unblock' });
    expect(s.seen.failures).toEqual([]);
  });

  it('asks each provider exactly as its API wants', async () => {
    const s = setup();
    const a = await account(s, 'auth0');
    auth0.resetCalls();
    await reviewed(s, a, 'reject');
    const search = auth0.callsTo('GET', /^\/api\/v2\/users$/)[0]!;
    expect(search.query).toMatchObject({
      q: `app_metadata.signup_gate.verdict_id:"${a.verdict_id}"`,
      search_engine: 'v3',
    });
    expect(auth0.callsTo('PATCH', /^\/api\/v2\/users\//)[0]!.body).toEqual({ blocked: true });

    const sb = await account(s, 'supabase');
    await reviewed(s, sb, 'reject');
    const put = supabase.callsTo('PUT', /admin\/users/).at(-1)!;
    expect(put.path).toBe(`/auth/v1/admin/users/${sb.subject_ref}`);
    expect(put.body).toEqual({ ban_duration: '876000h' });
    expect(put.headers.apikey).toBe(supabase.serviceRoleKey);

    const st = await account(s, 'stripe');
    stripe.resetCalls();
    await reviewed(s, st, 'reject');
    const [update] = stripe.callsTo('POST', /^\/v1\/customers\//);
    expect(update).toMatchObject({
      path: `/v1/customers/${st.subject_ref}`,
      form: { metadata: { signup_gate_decision: 'block', signup_gate_verdict_id: st.verdict_id } },
    });
    expect(update!.idempotencyKey).toMatch(new RegExp(`^signup-gate-${st.verdict_id}:block:`));
    expect(stripe.customer(st.subject_ref!)?.metadata).toMatchObject({ plan: 'pro' });
  });

  it('reuses the Auth0 token until it expires, and finds a post-login user by its user id', async () => {
    const s = setup();
    const issued = auth0.tokensIssued();
    const first = await account(s, 'auth0');
    await reviewed(s, first, 'reject');
    const second = await account(s, 'auth0');
    await reviewed(s, second, 'reject');
    expect(auth0.tokensIssued() - issued).toBe(1);

    // A revoked token is replaced once; a user without the verdict id in app_metadata is found by subject_ref.
    auth0.revokeTokens();
    n++;
    auth0.addUser({ user_id: 'google-oauth2|post-login-1', app_metadata: {} });
    const record = makeRecord({ at: Date.now() - 1000, decision: 'block', source: 'auth0' });
    record.verdict.subject_ref = 'google-oauth2|post-login-1';
    await s.store.verdicts.save(record);
    const done = await reviewed(s, record.verdict, 'reject');
    expect(done.outcome.outcomes).toMatchObject([{ status: 'done' }]);
    expect(auth0.user('google-oauth2|post-login-1')?.blocked).toBe(true);
  });
});

describe('once, again, and when it fails', () => {
  it('enforces a repeated change once (the stream delivers at least once)', async () => {
    const s = setup();
    const before = await account(s, 'clerk');
    const after = (await s.store.verdicts.review(before.verdict_id, review('reject')))!.verdict;
    clerk.resetCalls();
    const first = await s.enforcer.onChange(before, after);
    const again = await s.enforcer.onChange(before, after);
    expect(first.outcomes).toMatchObject([{ status: 'done' }]);
    expect(again.outcomes).toMatchObject([{ status: 'skipped', why: 'settled' }]);
    expect(clerk.callsTo('POST', /\/ban$/)).toHaveLength(1);
  });

  it('does not act on a change the verdict has moved past (a reject delivered after the approve)', async () => {
    const s = setup();
    const before = await account(s, 'supabase');
    const rejected = (await s.store.verdicts.review(before.verdict_id, review('reject')))!.verdict;
    await s.store.verdicts.review(before.verdict_id, review('approve', Date.now() + 5));
    supabase.resetCalls();
    const late = await s.enforcer.onChange(before, rejected);
    expect(late.outcomes).toMatchObject([{ status: 'skipped', why: 'stale' }]);
    expect(supabase.calls).toHaveLength(0);
  });

  it('retries a transient failure with backoff, then records done', async () => {
    const s = setup();
    const before = await account(s, 'supabase');
    supabase.fail({ status: 503, times: 2 });
    const { outcome, stored } = await reviewed(s, before, 'reject');
    expect(outcome).toMatchObject({ retry: false, outcomes: [{ status: 'done' }] });
    expect(s.sleeps).toEqual([10, 20]);
    expect(
      supabase
        .callsTo('PUT', /admin\/users/)
        .slice(-3)
        .map((c) => c.status),
    ).toEqual([503, 503, 200]);
    expect(stored.enforcement?.status).toBe('done');
    expect(s.seen.failures).toEqual([]);
  });

  it('records failed after the last try of a transient failure, asks for a redelivery, and counts it', async () => {
    const s = setup();
    const before = await account(s, 'cognito');
    cognito.fail({ status: 500 });
    const { outcome, stored } = await reviewed(s, before, 'reject');
    expect(outcome).toMatchObject({ retry: true, outcomes: [{ status: 'failed', transient: true }] });
    expect(stored.enforcement).toMatchObject({ status: 'failed', action: 'block' });
    expect(s.seen.failures).toEqual(['cognito']);
    // A redelivery of the same change, once Cognito is back, carries it out.
    cognito.clearFailures();
    const again = await s.enforcer.onChange(before, { ...stored, enforcement: null });
    expect(again.outcomes).toMatchObject([{ status: 'done' }]);
    expect(cognito.enabledOf(POOL, before.subject_ref!)).toBe(false);
  });

  it('records a permanent failure at once, with a short code and nothing else', async () => {
    const s = setup();
    const before = await account(s, 'clerk');
    clerk.fail({ status: 403, times: 1 });
    const { outcome, stored } = await reviewed(s, before, 'reject');
    expect(outcome).toMatchObject({ retry: false, outcomes: [{ status: 'failed', error: 'http_403' }] });
    expect(s.sleeps).toEqual([]);
    expect(stored.enforcement).toEqual({
      status: 'failed',
      action: 'block',
      at: expect.any(String),
      error: 'http_403',
    });
    expect(s.seen.failures).toEqual(['clerk']);
    expect(s.seen.warnings).toContainEqual(expect.objectContaining({ error: 'http_403', transient: false }));

    // A provider that is not set up, an account it cannot name: failed, never a throw.
    const unconfigured = setup(ALL_ON, false);
    const other = await account(unconfigured, 'auth0');
    expect((await reviewed(unconfigured, other, 'reject')).stored.enforcement).toMatchObject({
      status: 'failed',
      error: 'not_configured',
    });
    const noPool = await account(s, 'cognito');
    const withoutPool = (await s.store.verdicts.getStored(noPool.verdict_id))!;
    await s.store.verdicts.save({
      ...withoutPool,
      facts: { runtimeLists: [], velocity: [] },
      expiresAt: 2e9,
    });
    expect((await reviewed(s, noPool, 'reject')).stored.enforcement).toMatchObject({ error: 'no_user_pool' });
  });
});

describe('what is not enforced', () => {
  it('nothing for a monitored verdict, with enforce off, or for a source without an adapter', async () => {
    const monitored = setup();
    const m = await account(monitored, 'supabase', { mode: 'monitor', action: 'allow' });
    supabase.resetCalls();
    expect((await reviewed(monitored, m, 'reject')).outcome.outcomes).toEqual([]);

    const off = setup({});
    const o = await account(off, 'supabase');
    expect((await reviewed(off, o, 'reject')).stored.enforcement).toBeNull();

    const api = setup();
    const a = await account(api, 'api');
    expect((await reviewed(api, a, 'reject')).outcome.outcomes).toEqual([]);
    expect(supabase.calls).toHaveLength(0);
  });
});

describe('a re-screen that turns the verdict into a block', () => {
  it('is enforced; recording the result asks for nothing more', async () => {
    const s = setup();
    const before = await account(s, 'clerk', { decision: 'allow', action: 'allow', degraded: true });
    // The re-screen's update, as the verdict port stores it: the final decision, and what was answered at signup.
    const stored = (await s.store.verdicts.getStored(before.verdict_id))!;
    const after: Verdict = {
      ...before,
      decision: 'block',
      action: 'block',
      degraded: false,
      provisional_decision: 'allow',
      rescreened_at: new Date().toISOString(),
    };
    await s.store.verdicts.save({ ...stored, verdict: after, expiresAt: 2e9 });
    const outcome = await s.enforcer.onChange(before, after);
    expect(outcome.outcomes).toMatchObject([{ status: 'done', intent: { cause: 'rescreen' } }]);
    expect(clerk.bannedOf(before.subject_ref!)).toBe(true);
    const recorded = (await s.store.verdicts.get(before.verdict_id))!;
    expect((await s.enforcer.onChange(after, recorded)).outcomes).toEqual([]);
  });
});
