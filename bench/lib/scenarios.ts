/**
 * Scripted signup scenarios run through the real local server and the Defastra sandbox (`npm run scenarios`):
 * each sends its traffic to `POST /screen`, counts what the default policy let through, then heals the sandbox
 * and re-screens every provisional verdict with `POST /verdicts/{id}/rescreen` until all are final.
 */
import type { SandboxFaultsInput } from '../../shared/defastra/sandbox/index.js';
import { freshEmail, freshIp, freshPhone } from './identities.js';
import type { OwnServer } from './local.js';

export interface Signup {
  risky: boolean;
  email: string;
  phone?: string;
  ip: string;
}

export interface Scenario {
  name: string;
  /** What the traffic is, one line (the report's first column explains it). */
  about: string;
  /** Policy document merged over the defaults (e.g. a spend cap). */
  policy?: unknown;
  /** Sandbox faults while the traffic runs (healed before the re-screens). */
  faults?: SandboxFaultsInput;
  /** Faults switched on after this many signups (an outage or a cap mid-wave). */
  midway?: { after: number; faults: SandboxFaultsInput };
  signups(count: number): Signup[];
}

export interface ScenarioResult {
  name: string;
  signups: number;
  risky: number;
  riskyAdmittedClean: number;
  riskyAdmittedProvisional: number;
  goodBlocked: number;
  goodReview: number;
  defastraPer1000: number;
  provisional: number;
  /** ms from the sandbox healing until no verdict is pending; 0 when none was provisional. */
  msUntilFinal: number;
  stillPending: number;
}

const good = (ip = freshIp()): Signup => ({ risky: false, email: freshEmail(), phone: freshPhone(), ip });
const risky = (ip = freshIp(), email = freshEmail('high')): Signup => ({ risky: true, email, ip });

/** A `+tag` or dot variant of one gmail address (tags and dots reach the same inbox). */
const gmailVariant = (i: number): string => {
  const base = 'signupgate.bot';
  return i % 2 === 0
    ? `${base}+t${i}@gmail.com`
    : `${base.replace('.', '.'.repeat(1 + (i % 3)))}${'.'}x@gmail.com`;
};

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'steady good traffic',
    about: 'distinct low-risk emails and phones, one IP each',
    signups: (n) => Array.from({ length: n }, () => good()),
  },
  {
    name: 'one-IP bot flood',
    about: 'fresh low-risk-looking emails, all from one IP',
    signups: (n) =>
      Array.from({ length: n }, () => ({ risky: true, email: freshEmail(), ip: '198.51.100.66' })),
  },
  {
    name: '+tag and gmail dot variants',
    about: 'one gmail inbox under +tags and dots, from many IPs',
    signups: (n) => Array.from({ length: n }, (_, i) => risky(freshIp(), gmailVariant(i))),
  },
  {
    name: 'distributed flood, Defastra rate-limited',
    about: 'half high-risk emails over many IPs and domains; the sandbox allows 5 calls per 5 s',
    faults: { rateLimit: { per5s: 5, perMinute: 60 } },
    signups: (n) =>
      Array.from({ length: n }, (_, i) =>
        i % 2 === 0 ? risky(freshIp(), `flood${i}+high@d${i}.example.net`) : good(),
      ),
  },
  {
    name: 'Defastra outage during normal traffic',
    about: 'good traffic with some high-risk; the sandbox answers 503 from the middle on',
    midway: { after: 0.5, faults: { http5xx: 503, http5xxCount: 1_000_000 } },
    signups: (n) => Array.from({ length: n }, (_, i) => (i % 4 === 0 ? risky() : good())),
  },
  {
    name: 'spend cap reached mid-wave',
    about: 'policy spend.max_defastra_calls_per_hour = calls of half the wave; a quarter high-risk',
    policy: 'half',
    signups: (n) => Array.from({ length: n }, (_, i) => (i % 4 === 0 ? risky() : good())),
  },
];

/** The policy a scenario runs under; the spend-cap scenario's cap is sized to its count. */
export const policyOf = (scenario: Scenario, count: number): unknown =>
  scenario.policy === 'half'
    ? { spend: { max_defastra_calls_per_hour: count, on_exhausted: 'allow' } }
    : scenario.policy;

interface Answer {
  verdict_id: string;
  decision: 'allow' | 'review' | 'block';
  degraded?: boolean;
  rescreen?: { status: string } | null;
}

const post = async (
  server: OwnServer,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> => {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.apiToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json().catch(() => null) };
};

/** Concurrent signups per batch. */
const BATCH = 10;

const pending = (a: Answer): boolean => a.rescreen?.status === 'pending';

/** Runs one scenario against a server started for it; `now` is injectable for the timing. */
export const runScenario = async (
  server: OwnServer,
  scenario: Scenario,
  count: number,
  now: () => number = performance.now.bind(performance),
): Promise<ScenarioResult> => {
  const signups = scenario.signups(count);
  if (scenario.faults) server.sandbox.setFaults(scenario.faults);
  const before = server.sandbox.stats().requests;
  const answers: Answer[] = [];
  // in batches of BATCH concurrent signups, as a wave arrives; each waits at most the screening deadline
  for (let i = 0; i < signups.length; i += BATCH) {
    if (
      scenario.midway &&
      i >= Math.floor(count * scenario.midway.after) &&
      i - BATCH < Math.floor(count * scenario.midway.after)
    ) {
      server.sandbox.setFaults(scenario.midway.faults);
    }
    const batch = await Promise.all(
      signups.slice(i, i + BATCH).map(async (s) => {
        const { status, json } = await post(server, '/screen', {
          email: s.email,
          phone: s.phone ?? null,
          ip: s.ip,
        });
        if (status !== 200) throw new Error(`${scenario.name}: /screen answered ${status}`);
        return json as Answer;
      }),
    );
    answers.push(...batch);
  }
  const calls = server.sandbox.stats().requests - before;
  // heal: every fault off, a fresh rate window
  server.sandbox.setFaults({
    http5xx: undefined,
    rateLimit: { per5s: Number.POSITIVE_INFINITY, perMinute: Number.POSITIVE_INFINITY },
  });
  const provisional = answers.filter(pending);
  const started = now();
  let open = provisional.map((a) => a.verdict_id);
  for (let round = 0; round < 5 && open.length > 0; round += 1) {
    const next: string[] = [];
    for (const id of open) {
      const { status, json } = await post(server, `/verdicts/${id}/rescreen`);
      if (status === 200 && !pending(json as Answer)) continue;
      if (status === 409) continue; // no longer pending
      next.push(id);
    }
    open = next;
  }
  const msUntilFinal = provisional.length === 0 ? 0 : now() - started;
  const allowed = (a: Answer) => a.decision === 'allow';
  const pairs = signups.map((s, i) => ({ s, a: answers[i] as Answer }));
  return {
    name: scenario.name,
    signups: count,
    risky: signups.filter((s) => s.risky).length,
    riskyAdmittedClean: pairs.filter(({ s, a }) => s.risky && allowed(a) && !a.degraded).length,
    riskyAdmittedProvisional: pairs.filter(({ s, a }) => s.risky && allowed(a) && a.degraded).length,
    goodBlocked: pairs.filter(({ s, a }) => !s.risky && a.decision === 'block').length,
    goodReview: pairs.filter(({ s, a }) => !s.risky && a.decision === 'review').length,
    defastraPer1000: Math.round((calls * 1000) / count),
    provisional: provisional.length,
    msUntilFinal: Math.round(msUntilFinal),
    stillPending: open.length,
  };
};

/** The results as a markdown table. */
export const scenarioTable = (results: readonly ScenarioResult[]): string[] => [
  '| Scenario | Signups (risky) | Risky admitted clean | Risky admitted provisional | Good blocked / review | Defastra calls per 1,000 | Provisional | Time until all final |',
  '|---|---:|---:|---:|---:|---:|---:|---:|',
  ...results.map(
    (r) =>
      `| ${r.name} | ${r.signups} (${r.risky}) | ${r.riskyAdmittedClean} | ${r.riskyAdmittedProvisional} | ${r.goodBlocked} / ${r.goodReview} | ${r.defastraPer1000} | ${r.provisional} | ${r.provisional === 0 ? '—' : `${r.msUntilFinal} ms${r.stillPending ? ` (${r.stillPending} still pending)` : ''}`} |`,
  ),
];
