/**
 * The routes the bench measures, as request makers over a target (the local server or its in-memory twin): each
 * screening route with fresh identities and a fresh client IP (velocity on, no count near a threshold), the
 * replays and cache hits, and the operator routes. Every maker checks its answer, so no number is ever taken
 * over failed requests.
 */
import type { Verdict } from '../../shared/core/verdict.js';
import type { HttpAnswer, HttpClient, HttpRequest } from './http.js';
import { freshEmail, freshIp, freshPhone } from './identities.js';
import { signedAuth0, signedStripe, signedSupabase, uniqueId } from './sign.js';

export interface Target {
  client: HttpClient;
  /** The operator routes' bearer header. */
  auth: Record<string, string>;
  secrets: { auth0: string; stripe: string; supabase: string };
  /** Defastra calls the target's sandbox has answered so far. */
  defastraCalls: () => number;
}

export interface RouteDef {
  name: string;
  /** Each request makes exactly one round of Defastra calls (so overhead = end-to-end minus the latency). */
  defastra: boolean;
  /** Screenings (the critical path of a signup) or operator routes. */
  kind: 'screening' | 'operator';
  /** Sends request `i` and checks the answer; throws on anything unexpected. */
  make: (i: number) => Promise<HttpAnswer>;
}

/** What earlier routes left for later ones: verdicts to read and review, keys to replay, emails to hit the cache. */
export interface BenchState {
  screened: Array<{ verdictId: string; email: string }>;
  keyed: Array<{ key: string; body: string; verdictId: string }>;
  cached: string[];
}

export const newBenchState = (): BenchState => ({ screened: [], keyed: [], cached: [] });

/** The measured routes' names, as the report shows them. */
export const ROUTE = {
  screen: 'POST /screen',
  screenKeyed: 'POST /screen (Idempotency-Key)',
  screenBoth: 'POST /screen (email+phone)',
  auth0: 'POST /hooks/auth0 (Idempotency-Key)',
  stripe: 'POST /hooks/stripe',
  supabase: 'POST /hooks/supabase',
  cacheHit: 'POST /screen (cache hit)',
  repeat: 'POST /screen (repeat of a done key)',
  verdict: 'GET /verdicts/{id}',
  list: 'GET /verdicts',
  listByEmail: 'GET /verdicts?email=',
  listByDecision: 'GET /verdicts?decision=allow',
  stats: 'GET /stats',
  addList: 'POST /lists',
  review: 'POST /verdicts/{id}/review',
} as const;

/** Fails the run on any unexpected status: numbers over failed requests would mean nothing. */
export const expectStatus = (answer: HttpAnswer, what: string, status = 200): HttpAnswer => {
  if (answer.status !== status) {
    throw new Error(`${what}: expected ${status}, got ${answer.status}: ${answer.text.slice(0, 300)}`);
  }
  return answer;
};

/** A screening must come from a real Defastra answer (fresh) or the cache, as asked. */
export const expectScreened = (answer: HttpAnswer, what: string, cached: boolean): Verdict => {
  const verdict = JSON.parse(answer.text) as Verdict;
  const email = verdict.email;
  if (!email || email.risk_level === undefined || email.cached !== cached) {
    throw new Error(`${what}: expected a ${cached ? 'cached' : 'fresh'} Defastra result, got ${answer.text}`);
  }
  return verdict;
};

const json = { 'Content-Type': 'application/json' };

const screenRequest = (t: Target, body: Record<string, unknown>, key?: string): HttpRequest => ({
  method: 'POST',
  path: '/screen',
  headers: { ...t.auth, ...json, ...(key ? { 'Idempotency-Key': key } : {}) },
  body: JSON.stringify(body),
});

/** Checks that the request made exactly `calls` Defastra calls. */
const withCalls = async (t: Target, what: string, calls: number, send: () => Promise<HttpAnswer>) => {
  const before = t.defastraCalls();
  const answer = await send();
  const made = t.defastraCalls() - before;
  if (made !== calls) throw new Error(`${what}: expected ${calls} Defastra call(s), saw ${made}`);
  return answer;
};

/** Screens `count` fresh emails so that later requests find them in the cache. */
export const seedCache = async (t: Target, state: BenchState, count: number): Promise<void> => {
  for (let i = 0; i < count; i++) {
    const email = freshEmail();
    const answer = expectStatus(await t.client.request(screenRequest(t, { email })), 'cache seed');
    expectScreened(answer, 'cache seed', false);
    state.cached.push(email);
  }
};

/** The screening routes, fresh identities each time (one Defastra call per identifier). */
export const freshScreeningRoutes = (t: Target, state: BenchState): RouteDef[] => [
  {
    name: ROUTE.screen,
    defastra: true,
    kind: 'screening',
    make: async (i) => {
      const email = freshEmail();
      const what = 'POST /screen';
      const answer = expectStatus(
        await t.client.request(screenRequest(t, { email, ip: freshIp(), reference: `bench-${i}` })),
        what,
      );
      state.screened.push({ verdictId: expectScreened(answer, what, false).verdict_id, email });
      return answer;
    },
  },
  {
    name: ROUTE.screenKeyed,
    defastra: true,
    kind: 'screening',
    make: async (i) => {
      const what = 'POST /screen with Idempotency-Key';
      const key = `bench-${uniqueId()}`;
      const body = JSON.stringify({ email: freshEmail(), ip: freshIp(), reference: `bench-key-${i}` });
      const answer = expectStatus(
        await t.client.request({
          method: 'POST',
          path: '/screen',
          headers: { ...t.auth, ...json, 'Idempotency-Key': key },
          body,
        }),
        what,
      );
      state.keyed.push({ key, body, verdictId: expectScreened(answer, what, false).verdict_id });
      return answer;
    },
  },
  {
    name: ROUTE.screenBoth,
    defastra: true,
    kind: 'screening',
    make: async () => {
      const what = 'POST /screen email+phone';
      const answer = expectStatus(
        await t.client.request(screenRequest(t, { email: freshEmail(), phone: freshPhone(), ip: freshIp() })),
        what,
      );
      const verdict = expectScreened(answer, what, false);
      if (verdict.phone?.risk_level === undefined)
        throw new Error(`${what}: phone not screened: ${answer.text}`);
      return answer;
    },
  },
  {
    name: ROUTE.auth0,
    defastra: true,
    kind: 'screening',
    make: async () => {
      const what = 'POST /hooks/auth0';
      const signed = signedAuth0(t.secrets.auth0, { email: freshEmail(), ip: freshIp() });
      const answer = expectStatus(
        await t.client.request({
          method: 'POST',
          path: '/hooks/auth0',
          headers: signed.headers,
          body: signed.body,
        }),
        what,
      );
      expectScreened(answer, what, false);
      return answer;
    },
  },
  {
    name: ROUTE.stripe,
    defastra: true,
    kind: 'screening',
    make: async () => {
      const what = 'POST /hooks/stripe';
      const signed = signedStripe(t.secrets.stripe, { email: freshEmail() });
      const answer = expectStatus(
        await t.client.request({
          method: 'POST',
          path: '/hooks/stripe',
          headers: signed.headers,
          body: signed.body,
        }),
        what,
      );
      expectScreened(answer, what, false);
      return answer;
    },
  },
  {
    name: ROUTE.supabase,
    defastra: true,
    kind: 'screening',
    make: async () => {
      const what = 'POST /hooks/supabase';
      const signed = signedSupabase(t.secrets.supabase, { email: freshEmail(), ip: freshIp() });
      const answer = await withCalls(t, what, 1, () =>
        t.client.request({
          method: 'POST',
          path: '/hooks/supabase',
          headers: signed.headers,
          body: signed.body,
        }),
      );
      if (expectStatus(answer, what).text !== '{}')
        throw new Error(`${what}: expected {}, got ${answer.text}`);
      return answer;
    },
  },
];

/** Screenings that make no Defastra call: a cache hit, and a replay of an Idempotency-Key already done. */
export const repeatScreeningRoutes = (t: Target, state: BenchState): RouteDef[] => [
  {
    name: ROUTE.cacheHit,
    defastra: false,
    kind: 'screening',
    make: async (i) => {
      const what = 'POST /screen cache hit';
      const email = state.cached[i % state.cached.length]!;
      const answer = await withCalls(t, what, 0, () =>
        t.client.request(screenRequest(t, { email, ip: freshIp() })),
      );
      expectScreened(expectStatus(answer, what), what, true);
      return answer;
    },
  },
  {
    name: ROUTE.repeat,
    defastra: false,
    kind: 'screening',
    make: async (i) => {
      const what = 'POST /screen repeat of a key';
      const first = state.keyed[i % state.keyed.length]!;
      const answer = await withCalls(t, what, 0, () =>
        t.client.request({
          method: 'POST',
          path: '/screen',
          headers: { ...t.auth, ...json, 'Idempotency-Key': first.key },
          body: first.body,
        }),
      );
      const verdict = JSON.parse(expectStatus(answer, what).text) as Verdict;
      if (verdict.verdict_id !== first.verdictId) throw new Error(`${what}: another verdict came back`);
      return answer;
    },
  },
];

/** The operator routes that matter for capacity: reads, listings, statistics, a list entry, a review. */
export const operatorRoutes = (t: Target, state: BenchState): RouteDef[] => {
  const get = (what: string, path: string) =>
    t.client.request({ method: 'GET', path, headers: t.auth }).then((answer) => expectStatus(answer, what));
  const pick = (i: number) => state.screened[i % state.screened.length]!;
  return [
    {
      name: ROUTE.verdict,
      defastra: false,
      kind: 'operator',
      make: (i) => get('GET /verdicts/{id}', `/verdicts/${pick(i).verdictId}`),
    },
    {
      name: ROUTE.list,
      defastra: false,
      kind: 'operator',
      make: async () => {
        const answer = await get('GET /verdicts', '/verdicts');
        if ((JSON.parse(answer.text) as { items: unknown[] }).items.length !== 20) {
          throw new Error('GET /verdicts: expected a full page of 20');
        }
        return answer;
      },
    },
    {
      name: ROUTE.listByEmail,
      defastra: false,
      kind: 'operator',
      make: async (i) => {
        const { email, verdictId } = pick(i);
        const answer = await get('GET /verdicts?email=', `/verdicts?email=${encodeURIComponent(email)}`);
        const items = (JSON.parse(answer.text) as { items: Verdict[] }).items;
        if (!items.some((v) => v.verdict_id === verdictId))
          throw new Error('GET /verdicts?email=: verdict missing');
        return answer;
      },
    },
    {
      name: ROUTE.listByDecision,
      defastra: false,
      kind: 'operator',
      make: (_i) => get('GET /verdicts?decision=allow', '/verdicts?decision=allow'),
    },
    {
      name: ROUTE.stats,
      defastra: false,
      kind: 'operator',
      make: (_i) => get('GET /stats', '/stats'),
    },
    {
      name: ROUTE.addList,
      defastra: false,
      kind: 'operator',
      make: async () =>
        expectStatus(
          await t.client.request({
            method: 'POST',
            path: '/lists',
            headers: { ...t.auth, ...json },
            body: JSON.stringify({ kind: 'email', value: freshEmail(), action: 'block', note: 'bench' }),
          }),
          'POST /lists',
          201,
        ),
    },
    {
      name: ROUTE.review,
      defastra: false,
      kind: 'operator',
      make: async (i) =>
        expectStatus(
          await t.client.request({
            method: 'POST',
            path: `/verdicts/${pick(i).verdictId}/review`,
            headers: { ...t.auth, ...json },
            body: JSON.stringify({ outcome: 'approve', note: 'bench review' }),
          }),
          'POST /verdicts/{id}/review',
        ),
    },
  ];
};
