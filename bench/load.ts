/**
 * `npm run load`: a bounded load run on loopback. N clients for M seconds mix every route: POST /screen over a
 * pool of identities that repeat (so the cache is exercised), both hooks signed (with Idempotency-Key replays
 * and Stripe redeliveries), GET /verdicts/{id} of verdicts seen, GET /verdicts, and a few requests that must
 * be refused (bad signatures, unknown ids). Then it checks:
 *
 * - no unexpected status: every answer is one the request sent can get;
 * - every verdict answered with 200 is retrievable afterwards with GET /verdicts/{id};
 * - no raw email or phone of the pool appears in any answer;
 * - exactly one Defastra call per distinct identifier screened (only when it started its own server, whose
 *   sandbox counts calls; the cache window, 24 h by default, spans the whole run).
 *
 * Flags: `npm run load -- --help` (USAGE below). The run stops by itself: at M seconds, or at --max-requests
 * (clients × seconds × 400). `runLoad(options)` is the same run as a function, for tests.
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Verdict } from '../shared/core/verdict.js';
import { AUTH0_SIGNATURE_HEADER, signAuth0Body } from '../shared/webhooks/auth0.js';
import { createHttpClient, type HttpAnswer, type HttpClient } from './lib/http.js';
import { type OwnServer, startOwnServer } from './lib/local.js';
import { signedAuth0, signedStripe, stripeSignature, uniqueId } from './lib/sign.js';
import { formatMs, summarise } from './lib/stats.js';
import { Deadline, nowMs } from './lib/timer.js';

export interface LoadOptions {
  /** Concurrent clients (default 8). */
  clients?: number;
  /** Duration of the load phase in seconds (default 10). */
  seconds?: number;
  /** Distinct emails in the pool; phones are half as many (default 40). */
  identities?: number;
  /** Sandbox latency in ms when the run starts its own server (default 20). */
  latencyMs?: number;
  /** Hard cap on load requests (default clients × seconds × 400). */
  maxRequests?: number;
  /** A running server on loopback; without it, the run starts its own local server in a temp dir. */
  url?: string;
  token?: string;
  auth0Secret?: string;
  stripeSecret?: string;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export interface Check {
  name: string;
  pass: boolean;
  detail: string;
}

export interface RouteStats {
  count: number;
  statuses: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
}

export interface LoadSummary {
  ok: boolean;
  checks: Check[];
  requests: number;
  durationMs: number;
  requestsPerSecond: number;
  byKind: Record<string, RouteStats>;
  /** The first few unexpected answers (kind, status, start of the body). */
  unexpected: Array<{ kind: string; status: number; body: string }>;
  verdictsSeen: number;
  /** Sandbox counts and what the run expected (own server only). */
  defastra?: { emailCalls: number; phoneCalls: number; distinctEmails: number; distinctPhones: number };
  notes: string[];
}

type Kind =
  | 'screen'
  | 'auth0'
  | 'auth0-replay'
  | 'stripe'
  | 'stripe-redelivery'
  | 'get-verdict'
  | 'list'
  | 'list-by-email'
  | 'auth0-bad-signature'
  | 'stripe-bad-signature'
  | 'get-unknown';

/** What each kind of request may answer; anything else is an unexpected error. */
const EXPECTED: Record<Kind, readonly number[]> = {
  screen: [200],
  auth0: [200],
  'auth0-replay': [200],
  stripe: [200],
  'stripe-redelivery': [200],
  'get-verdict': [200],
  list: [200],
  'list-by-email': [200],
  'auth0-bad-signature': [401],
  'stripe-bad-signature': [400],
  'get-unknown': [404],
};

const LEVEL_TAGS = ['', '', '', '+medium', '+high', '+extreme'] as const;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

const int = (value: number | undefined, fallback: number, min: number, max: number, name: string): number => {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max)
    throw new Error(`${name} must be a whole number from ${min} to ${max}`);
  return v;
};

interface Target {
  url: string;
  token: string;
  auth0Secret: string | undefined;
  stripeSecret: string | undefined;
  own: OwnServer | undefined;
}

/** Runs the load and its checks. Never throws for a failed check: read `summary.ok` and `summary.checks`. */
export const runLoad = async (options: LoadOptions = {}): Promise<LoadSummary> => {
  const clients = int(options.clients, 8, 1, 256, 'clients');
  const seconds = int(options.seconds, 10, 1, 600, 'seconds');
  // At least two identities per client, so a client never has to reuse one still in flight.
  const poolSize = Math.max(int(options.identities, 40, 2, 100_000, 'identities'), clients * 2);
  const latencyMs = int(options.latencyMs, 20, 0, 10_000, 'latencyMs');
  const maxRequests = int(options.maxRequests, clients * seconds * 400, 1, 10_000_000, 'maxRequests');
  const log = options.log ?? (() => {});
  const notes: string[] = [];

  let target: Target;
  if (options.url) {
    const url = new URL(options.url);
    if (!LOOPBACK.has(url.hostname)) throw new Error(`--url must be a loopback address, got ${url.hostname}`);
    if (!options.token) throw new Error('--url needs --token (the API bearer token)');
    target = {
      url: url.href.replace(/\/$/, ''),
      token: options.token,
      auth0Secret: options.auth0Secret,
      stripeSecret: options.stripeSecret,
      own: undefined,
    };
    notes.push(
      'External server: the one-Defastra-call-per-identifier check needs the sandbox counters, skipped.',
    );
  } else {
    const own = await startOwnServer({ env: { SANDBOX_LATENCY_MS: String(latencyMs) }, countStore: false });
    target = {
      url: own.url,
      token: own.apiToken,
      auth0Secret: own.auth0HookSecret,
      stripeSecret: own.stripeWebhookSecret,
      own,
    };
    log(`own local server ${own.url} (sandbox latency ${latencyMs} ms)`);
  }

  const http = createHttpClient(target.url, { maxSockets: clients });
  try {
    return await drive(http, target, { clients, seconds, poolSize, maxRequests, log, notes });
  } finally {
    http.close();
    await target.own?.close();
  }
};

interface DriveSettings {
  clients: number;
  seconds: number;
  poolSize: number;
  maxRequests: number;
  log: (line: string) => void;
  notes: string[];
}

const drive = async (http: HttpClient, target: Target, settings: DriveSettings): Promise<LoadSummary> => {
  const { clients, seconds, poolSize, maxRequests, log, notes } = settings;
  const run = randomBytes(3).toString('hex');
  const emails = Array.from(
    { length: poolSize },
    (_, i) => `load.${run}.${i}${LEVEL_TAGS[i % LEVEL_TAGS.length]}@example.org`,
  );
  const runDigits = (Number.parseInt(run, 16) % 900) + 100;
  const phones = Array.from(
    { length: Math.max(1, Math.floor(poolSize / 2)) },
    (_, i) => `+336${runDigits}${String(1000 + i).padStart(5, '0')}`,
  );
  const auth = { Authorization: `Bearer ${target.token}` };

  // Hooks whose app is still a placeholder (404 to everything) or whose secret is unknown are left out.
  const hookLive = async (path: string, secret: string | undefined): Promise<boolean> => {
    if (!secret) {
      notes.push(`${path} skipped: no secret given.`);
      return false;
    }
    const probe = await http.request({
      method: 'POST',
      path,
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    if (probe.status === 404) {
      notes.push(`${path} skipped: it answers 404 (placeholder app).`);
      return false;
    }
    return true;
  };
  const auth0Live = await hookLive('/hooks/auth0', target.auth0Secret);
  const stripeLive = await hookLive('/hooks/stripe', target.stripeSecret);

  /**
   * Identifiers enter the cache one at a time: a pool entry is "fresh" until its first screening answered.
   * A fresh entry is handed to exactly one request; the others reuse only entries already screened. This
   * keeps the Defastra-call check exact (concurrent first requests for one identifier would both miss).
   */
  const next = { email: 0, phone: 0 };
  const ready = { emails: [] as string[], phones: [] as string[] };
  const screenedEmails = new Set<string>();
  const screenedPhones = new Set<string>();
  const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
  const takeEmail = (): { value: string; fresh: boolean } => {
    if (next.email < emails.length && (ready.emails.length === 0 || Math.random() < 0.3)) {
      return { value: emails[next.email++]!, fresh: true };
    }
    if (ready.emails.length === 0) return { value: emails[next.email++ % emails.length]!, fresh: true };
    return { value: pick(ready.emails), fresh: false };
  };
  const takePhone = (): { value: string; fresh: boolean } | undefined => {
    if (next.phone < phones.length && (ready.phones.length === 0 || Math.random() < 0.3)) {
      return { value: phones[next.phone++]!, fresh: true };
    }
    return ready.phones.length === 0 ? undefined : { value: pick(ready.phones), fresh: false };
  };
  /** Marks identifiers screened once a screening answered 200, so other clients may reuse them. */
  const settle = (
    email: { value: string; fresh: boolean },
    phone: { value: string; fresh: boolean } | undefined,
  ) => {
    screenedEmails.add(email.value);
    if (email.fresh) ready.emails.push(email.value);
    if (phone) {
      screenedPhones.add(phone.value);
      if (phone.fresh) ready.phones.push(phone.value);
    }
  };

  const verdicts = new Map<string, Verdict['decision']>();
  const auth0Done: Array<{ key: string; body: string; verdictId: string }> = [];
  const stripeDone: Array<{ body: string; verdictId: string }> = [];
  const byKind = new Map<Kind, { latencies: number[]; statuses: Map<number, number> }>();
  const unexpected: LoadSummary['unexpected'] = [];
  let unexpectedCount = 0;
  let leaks = 0;
  let mismatches = 0;
  let requests = 0;
  const raw = [...emails, ...phones, ...phones.map((p) => p.slice(1))];

  const record = (kind: Kind, answer: HttpAnswer): boolean => {
    let stats = byKind.get(kind);
    if (!stats) {
      stats = { latencies: [], statuses: new Map() };
      byKind.set(kind, stats);
    }
    stats.latencies.push(answer.ms);
    stats.statuses.set(answer.status, (stats.statuses.get(answer.status) ?? 0) + 1);
    if (raw.some((value) => answer.text.includes(value))) leaks += 1;
    const ok = EXPECTED[kind].includes(answer.status);
    if (!ok) {
      unexpectedCount += 1;
      if (unexpected.length < 10)
        unexpected.push({ kind, status: answer.status, body: answer.text.slice(0, 300) });
    }
    return ok;
  };
  const keepVerdict = (answer: HttpAnswer): Verdict | undefined => {
    if (answer.status !== 200) return undefined;
    const verdict = JSON.parse(answer.text) as Verdict;
    verdicts.set(verdict.verdict_id, verdict.decision);
    return verdict;
  };

  const actions: Array<{ weight: number; kind: Kind; run: () => Promise<void> }> = [
    {
      weight: 30,
      kind: 'screen',
      run: async () => {
        const email = takeEmail();
        const phone = Math.random() < 0.4 ? takePhone() : undefined;
        const answer = await http.request({
          method: 'POST',
          path: '/screen',
          headers: { ...auth, 'Content-Type': 'application/json' },
          body: JSON.stringify({
            email: email.value,
            ...(phone ? { phone: phone.value } : {}),
            reference: `load-${run}`,
          }),
        });
        if (record('screen', answer) && keepVerdict(answer)) settle(email, phone);
      },
    },
    {
      weight: auth0Live ? 15 : 0,
      kind: 'auth0',
      run: async () => {
        const email = takeEmail();
        const signed = signedAuth0(target.auth0Secret!, { email: email.value });
        const answer = await http.request({
          method: 'POST',
          path: '/hooks/auth0',
          headers: signed.headers,
          body: signed.body,
        });
        const verdict = record('auth0', answer) ? keepVerdict(answer) : undefined;
        if (verdict) {
          settle(email, undefined);
          auth0Done.push({
            key: signed.headers['Idempotency-Key']!,
            body: signed.body,
            verdictId: verdict.verdict_id,
          });
        }
      },
    },
    {
      weight: auth0Live ? 4 : 0,
      kind: 'auth0-replay',
      run: async () => {
        const done = auth0Done.length > 0 ? pick(auth0Done) : undefined;
        if (!done) return;
        // Same key, same body as the first delivery, signed anew as the Action would: the stored verdict.
        const headers = {
          'Content-Type': 'application/json',
          'Idempotency-Key': done.key,
          [AUTH0_SIGNATURE_HEADER]: signAuth0Body(
            target.auth0Secret!,
            done.body,
            Math.floor(Date.now() / 1000),
            done.key,
          ),
        };
        const answer = await http.request({ method: 'POST', path: '/hooks/auth0', headers, body: done.body });
        if (
          record('auth0-replay', answer) &&
          (JSON.parse(answer.text) as Verdict).verdict_id !== done.verdictId
        ) {
          mismatches += 1;
        }
      },
    },
    {
      weight: stripeLive ? 15 : 0,
      kind: 'stripe',
      run: async () => {
        const email = takeEmail();
        const phone = Math.random() < 0.3 ? takePhone() : undefined;
        const signed = signedStripe(target.stripeSecret!, {
          email: email.value,
          phone: phone?.value ?? null,
        });
        const answer = await http.request({
          method: 'POST',
          path: '/hooks/stripe',
          headers: signed.headers,
          body: signed.body,
        });
        const verdict = record('stripe', answer) ? keepVerdict(answer) : undefined;
        if (verdict) {
          settle(email, phone);
          stripeDone.push({ body: signed.body, verdictId: verdict.verdict_id });
        }
      },
    },
    {
      weight: stripeLive ? 4 : 0,
      kind: 'stripe-redelivery',
      run: async () => {
        const done = stripeDone.length > 0 ? pick(stripeDone) : undefined;
        if (!done) return;
        const answer = await http.request({
          method: 'POST',
          path: '/hooks/stripe',
          headers: {
            'Content-Type': 'application/json',
            'Stripe-Signature': stripeSignature(target.stripeSecret!, done.body),
          },
          body: done.body,
        });
        if (record('stripe-redelivery', answer)) {
          const body = JSON.parse(answer.text) as Verdict & { duplicate?: boolean };
          if (body.verdict_id !== done.verdictId || body.duplicate !== true) mismatches += 1;
        }
      },
    },
    {
      weight: 15,
      kind: 'get-verdict',
      run: async () => {
        if (verdicts.size === 0) return;
        const ids = [...verdicts.keys()];
        const id = ids[Math.floor(Math.random() * ids.length)]!;
        const answer = await http.request({ method: 'GET', path: `/verdicts/${id}`, headers: auth });
        if (record('get-verdict', answer) && (JSON.parse(answer.text) as Verdict).verdict_id !== id)
          mismatches += 1;
      },
    },
    {
      weight: 8,
      kind: 'list',
      run: async () => {
        const limit = 1 + Math.floor(Math.random() * 50);
        record(
          'list',
          await http.request({ method: 'GET', path: `/verdicts?limit=${limit}`, headers: auth }),
        );
      },
    },
    {
      weight: 4,
      kind: 'list-by-email',
      run: async () => {
        const email = ready.emails.length > 0 ? pick(ready.emails) : emails[0]!;
        const path = `/verdicts?email=${encodeURIComponent(email)}&limit=10`;
        record('list-by-email', await http.request({ method: 'GET', path, headers: auth }));
      },
    },
    {
      weight: auth0Live ? 2 : 0,
      kind: 'auth0-bad-signature',
      run: async () => {
        const signed = signedAuth0(`wrong-${uniqueId()}`, { email: 'nobody@example.org' });
        record(
          'auth0-bad-signature',
          await http.request({
            method: 'POST',
            path: '/hooks/auth0',
            headers: signed.headers,
            body: signed.body,
          }),
        );
      },
    },
    {
      weight: stripeLive ? 2 : 0,
      kind: 'stripe-bad-signature',
      run: async () => {
        const signed = signedStripe(`whsec_wrong${uniqueId()}`, { email: 'nobody@example.org' });
        record(
          'stripe-bad-signature',
          await http.request({
            method: 'POST',
            path: '/hooks/stripe',
            headers: signed.headers,
            body: signed.body,
          }),
        );
      },
    },
    {
      weight: 2,
      kind: 'get-unknown',
      run: async () => {
        record(
          'get-unknown',
          await http.request({ method: 'GET', path: '/verdicts/01ARZ3NDEKTSV4RRFFQ69G5FAV', headers: auth }),
        );
      },
    },
  ];
  const totalWeight = actions.reduce((sum, a) => sum + a.weight, 0);
  const choose = () => {
    let r = Math.random() * totalWeight;
    for (const action of actions) {
      r -= action.weight;
      if (r < 0) return action;
    }
    return actions[0]!;
  };

  log(
    `load: ${clients} clients for ${seconds} s, ${emails.length} emails and ${phones.length} phones in the pool`,
  );
  const deadline = new Deadline(seconds * 1000);
  const started = nowMs();
  let transportErrors = 0;
  const client = async (): Promise<void> => {
    while (!deadline.passed && requests < maxRequests) {
      requests += 1;
      const action = choose();
      try {
        await action.run();
      } catch (error) {
        transportErrors += 1;
        unexpectedCount += 1;
        if (unexpected.length < 10)
          unexpected.push({ kind: action.kind, status: 0, body: (error as Error).message });
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  const durationMs = nowMs() - started;
  const sent = [...byKind.values()].reduce((sum, s) => sum + s.latencies.length, 0);
  log(`load done: ${sent} requests in ${formatMs(durationMs)} ms; checking ${verdicts.size} verdicts`);

  // Every verdict answered 200 is retrievable, with the same decision.
  const missing: string[] = [];
  const ids = [...verdicts.entries()];
  const checkDeadline = new Deadline(Math.max(30_000, seconds * 3_000));
  let checked = 0;
  const checker = async (): Promise<void> => {
    while (checked < ids.length && !checkDeadline.passed) {
      const [id, decision] = ids[checked++]!;
      const answer = await http.request({ method: 'GET', path: `/verdicts/${id}`, headers: auth });
      if (answer.status !== 200 || (JSON.parse(answer.text) as Verdict).decision !== decision)
        missing.push(id);
    }
  };
  await Promise.all(Array.from({ length: Math.min(clients, 8) }, checker));

  const checks: Check[] = [
    {
      name: 'no unexpected status',
      pass: unexpectedCount === 0,
      detail:
        unexpectedCount === 0
          ? `all ${sent} answers were expected ones`
          : `${unexpectedCount} unexpected (${transportErrors} transport errors); first: ${JSON.stringify(unexpected[0])}`,
    },
    {
      name: 'every 200 verdict retrievable',
      pass: missing.length === 0 && checked === ids.length,
      detail:
        checked < ids.length
          ? `only ${checked} of ${ids.length} checked before the time bound`
          : missing.length === 0
            ? `${ids.length} of ${ids.length} retrieved with the same decision`
            : `${missing.length} of ${ids.length} missing or different, e.g. ${missing.slice(0, 3).join(', ')}`,
    },
    {
      name: 'replays and redeliveries answer the first verdict',
      pass: mismatches === 0,
      detail:
        mismatches === 0 ? 'every replay matched' : `${mismatches} answers differed from the first verdict`,
    },
    {
      name: 'no raw identifier in any answer',
      pass: leaks === 0,
      detail:
        leaks === 0 ? 'no pool email or phone echoed' : `${leaks} answers contained a raw email or phone`,
    },
  ];
  let defastra: LoadSummary['defastra'];
  if (target.own) {
    const { byEndpoint } = target.own.sandbox.stats();
    defastra = {
      emailCalls: byEndpoint.email,
      phoneCalls: byEndpoint.phone,
      distinctEmails: screenedEmails.size,
      distinctPhones: screenedPhones.size,
    };
    const pass = byEndpoint.email === screenedEmails.size && byEndpoint.phone === screenedPhones.size;
    checks.push({
      name: 'one Defastra call per distinct identifier',
      pass,
      detail: `email: ${byEndpoint.email} calls for ${screenedEmails.size} distinct; phone: ${byEndpoint.phone} calls for ${screenedPhones.size} distinct`,
    });
  }

  const kinds: Record<string, RouteStats> = {};
  for (const [kind, stats] of byKind) {
    const summary = summarise(stats.latencies);
    kinds[kind] = {
      count: stats.latencies.length,
      statuses: Object.fromEntries([...stats.statuses].map(([status, n]) => [String(status), n])),
      p50Ms: summary.p50,
      p99Ms: summary.p99,
    };
  }
  return {
    ok: checks.every((c) => c.pass),
    checks,
    requests: sent,
    durationMs,
    requestsPerSecond: sent / (durationMs / 1000),
    byKind: kinds,
    unexpected,
    verdictsSeen: verdicts.size,
    ...(defastra ? { defastra } : {}),
    notes,
  };
};

/** Prints a summary for people. */
export const formatSummary = (summary: LoadSummary): string => {
  const lines = [
    `${summary.requests} requests in ${(summary.durationMs / 1000).toFixed(1)} s (${summary.requestsPerSecond.toFixed(0)} req/s), ${summary.verdictsSeen} verdicts`,
    '',
    'kind                   count  p50 ms  p99 ms  statuses',
  ];
  for (const [kind, stats] of Object.entries(summary.byKind).sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(
      `${kind.padEnd(22)} ${String(stats.count).padStart(5)}  ${formatMs(stats.p50Ms).padStart(6)}  ${formatMs(stats.p99Ms).padStart(6)}  ${Object.entries(
        stats.statuses,
      )
        .map(([status, n]) => `${status}×${n}`)
        .join(' ')}`,
    );
  }
  lines.push('');
  for (const check of summary.checks)
    lines.push(`${check.pass ? 'PASS' : 'FAIL'}  ${check.name}: ${check.detail}`);
  for (const note of summary.notes) lines.push(`note  ${note}`);
  for (const u of summary.unexpected) lines.push(`unexpected ${u.kind} ${u.status}: ${u.body}`);
  return lines.join('\n');
};

const USAGE = `Usage: npm run load -- [options]

A bounded load run on loopback: N clients for M seconds mix every route (screenings over a pool of
identities that repeat, signed hooks with replays and redeliveries, reads, requests that must be refused),
then checks that no answer was unexpected, every verdict is retrievable, replays answer the first verdict,
no raw email or phone is echoed and, on its own server, one Defastra call per distinct identifier.
Exits 1 when a check fails. Writes no file.

Options:
  --clients <n>          concurrent clients (default 8, at most 256)
  --seconds <n>          length of the load phase (default 10, at most 600)
  --identities <n>       emails in the pool, phones half as many (default 40)
  --latency <ms>         Defastra sandbox latency of the server it starts (default 20)
  --max-requests <n>     stop after this many requests (default clients x seconds x 400)
  --url <url>            load an already running server on loopback instead of starting one
  --token <token>        that server's API bearer token (default: API_TOKEN)
  --auth0-secret <s>     its Auth0 hook secret (default: AUTH0_HOOK_SECRET; none: the hook is skipped)
  --stripe-secret <s>    its Stripe signing secret (default: STRIPE_WEBHOOK_SECRET; none: the hook is skipped)
  -h, --help             show this help and exit

Point --url only at a server that uses the Defastra sandbox, never at one with DEFASTRA_API_KEY set:
the run would buy real checks.
`;

const parseFlags = () => {
  try {
    return parseArgs({
      options: {
        clients: { type: 'string', default: '8' },
        seconds: { type: 'string', default: '10' },
        identities: { type: 'string', default: '40' },
        latency: { type: 'string', default: '20' },
        'max-requests': { type: 'string' },
        url: { type: 'string' },
        token: { type: 'string' },
        'auth0-secret': { type: 'string' },
        'stripe-secret': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (error) {
    process.stderr.write(
      `load: ${(error as Error).message}\nRun \`npm run load -- --help\` for the flags.\n`,
    );
    process.exit(2);
  }
};

const main = async (): Promise<void> => {
  const values = parseFlags();
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  // This process only: the AWS SDK's notice about Node 20 support would interleave with the report.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const num = (raw: string | undefined): number | undefined => (raw === undefined ? undefined : Number(raw));
  const summary = await runLoad({
    clients: num(values.clients),
    seconds: num(values.seconds),
    identities: num(values.identities),
    latencyMs: num(values.latency),
    maxRequests: num(values['max-requests']),
    url: values.url,
    token: values.token ?? (values.url ? process.env.API_TOKEN : undefined),
    auth0Secret: values['auth0-secret'] ?? process.env.AUTH0_HOOK_SECRET?.split(',')[0],
    stripeSecret: values['stripe-secret'] ?? process.env.STRIPE_WEBHOOK_SECRET?.split(',')[0],
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${formatSummary(summary)}\n`);
  process.exitCode = summary.ok ? 0 : 1;
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`load failed: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
