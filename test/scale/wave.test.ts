/**
 * A table for waves (docs/capacity.md, issue 10): a simulated 10 s wave of 10,000 Auth0 signups (one IP, one
 * domain, many mailboxes, 1,000 per second) through the real hook app, counting every item write per partition key
 * value, in the table and in each index. No key value may take more than 10% of its table's or index's writes.
 * Two waves: one the velocity limits block, one they send to review (so the review index takes the wave too).
 * The store is the in-memory adapter, its writes counted with the DynamoDB adapter's own keys (so the same keys as
 * in AWS: test/helpers/dynamo-writes.ts); the clock is simulated. The statistics counters, which the table's stream
 * consumer adds off the request path, are added as it does: the new verdicts of each stream batch (100) merged.
 */

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuth0HookApp } from '../../functions/auth0-hook/app.js';
import { perHook } from '../../shared/config/hook-secrets.js';
import { createDefastraClient, type DefastraClient } from '../../shared/defastra/client.js';
import { type Sandbox, startSandbox } from '../../shared/defastra/sandbox/server.js';
import { withChangeFeed } from '../../shared/events/change-feed.js';
import { silentTelemetry } from '../../shared/observability/telemetry.js';
import { parsePolicy } from '../../shared/policy/schema.js';
import { fixedPolicies, policyDeps } from '../../shared/policy/source.js';
import type { AppDeps } from '../../shared/runtime/deps.js';
import { createHasher, deriveKey } from '../../shared/screening/hashing.js';
import { type CreatedRecord, recordIncrements, uncountedIncrement } from '../../shared/stats/off-path.js';
import { TABLE_INDEXES } from '../../shared/store/dynamo/layout.js';
import { createMemoryStore } from '../../shared/store/memory.js';
import { signAuth0Body } from '../../shared/webhooks/auth0.js';
import { TEST_AUTH0_SECRET, TEST_PEPPER } from '../helpers/deps.js';
import { countingDynamoWrites, type Writes } from '../helpers/dynamo-writes.js';

const SCREENINGS = 10_000;
const WAVE_MS = 10_000;
const MAX_SHARE = 0.1;
/** Records per stream batch of the verdict-events consumer (STREAM_DELIVERY.batchSize in infra/verdict-events.ts). */
const STREAM_BATCH = 100;

/** The most identities any velocity counter item held after a write: its size, hence the units each add costs. */
let largestCounter = 0;

let sandbox: Sandbox;
let defastra: DefastraClient;

/** Runs one wave under `policy`; returns the writes per key value and the Defastra calls it made. */
const runWave = async (policy: unknown): Promise<{ writes: Writes; calls: number }> => {
  const clock = { ms: Date.parse('2026-11-30T09:00:00.000Z') };
  const counted = countingDynamoWrites(
    createMemoryStore({ cursorKey: deriveKey(TEST_PEPPER, 'cursor'), now: () => clock.ms }),
  );
  sandbox.resetStats();
  const deps: AppDeps = {
    ...policyDeps(fixedPolicies(parsePolicy(policy))),
    store: counted.store,
    defastra,
    hash: createHasher(TEST_PEPPER),
    telemetry: silentTelemetry,
    now: () => clock.ms,
    apiAuth: { kind: 'bearer', tokens: async () => [] },
    auth0HookSecrets: async () => [TEST_AUTH0_SECRET],
    stripeWebhookSecrets: async () => [],
    supabaseHookSecrets: async () => [],
    hookSecrets: perHook(() => async () => []),
    stripeApiKey: async () => null,
  };
  // The stream consumer's part: statistics of the new verdicts, batch by batch (STREAM_BATCH).
  const created: CreatedRecord[] = [];
  deps.store = {
    ...deps.store,
    verdicts: withChangeFeed(deps.store.verdicts, (_b, _a, record) => {
      if (record) created.push(record);
    }),
  };
  const app = createAuth0HookApp(async () => deps);
  const start = clock.ms;
  for (let i = 0; i < SCREENINGS; i++) {
    clock.ms = start + Math.floor((i * WAVE_MS) / SCREENINGS);
    const body = JSON.stringify({
      user: { email: `signup${i}@wave-target.example` },
      request: { ip: '203.0.113.250' },
    });
    const key = randomUUID();
    const res = await app.request('/hooks/auth0', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'Idempotency-Key': key,
        'X-Signup-Gate-Signature': signAuth0Body(TEST_AUTH0_SECRET, body, Math.floor(clock.ms / 1000), key),
      },
      body,
    });
    if (res.status !== 200) throw new Error(`signup ${i} answered ${res.status}`);
  }
  await new Promise((resolve) => setImmediate(resolve));
  for (let i = 0; i < created.length; i += STREAM_BATCH) {
    const batch = created.slice(i, i + STREAM_BATCH).flatMap((r) => uncountedIncrement(r) ?? []);
    expect(await recordIncrements(counted.store.counters, batch)).toEqual(new Set());
  }
  largestCounter = Math.max(largestCounter, counted.largestVelocityShard());
  return { writes: counted.writes, calls: sandbox.stats().requests };
};

/** The per-domain counter on too: a wave comes from one domain. */
const DOMAIN_VELOCITY = { email_domain: { review: 300, block: 1_000 } };
let blocked: { writes: Writes; calls: number };
let reviewed: { writes: Writes; calls: number };

beforeAll(async () => {
  sandbox = await startSandbox();
  defastra = createDefastraClient({ baseUrl: sandbox.url, apiKey: async () => sandbox.apiKey });
  // The default thresholds: review from the 10th signup of the IP, block from the 30th.
  blocked = await runWave({ velocity: DOMAIN_VELOCITY });
  // Review only: every signup from the 10th on lands in the review queue (and the by_review index).
  reviewed = await runWave({
    velocity: { email_domain: { review: 300, block: null }, ip: { review: 10, block: null } },
  });
}, 240_000);
afterAll(async () => {
  defastra.close();
  await sandbox.close();
});

const hottest = (writes: Writes, space: string) => {
  const values = writes.get(space) ?? new Map<string, number>();
  const total = [...values.values()].reduce((a, b) => a + b, 0);
  const [value, top] = [...values.entries()].sort((a, b) => b[1] - a[1])[0] ?? ['-', 0];
  return { total, value, top, share: total === 0 ? 0 : top / total };
};

const SPACES = ['table', ...Object.values(TABLE_INDEXES).map((index) => index.name)];

describe.each([
  ['the velocity limits block', () => blocked],
  ['the velocity limits send to review', () => reviewed],
])(
  `a ${WAVE_MS / 1000} s wave of ${SCREENINGS} signups from one IP and one domain that %s`,
  (_name, wave) => {
    it.each(SPACES)('%s: no partition key value takes more than 10% of the writes', (space) => {
      const { total, value, top, share } = hottest(wave().writes, space);
      // An index the wave barely reaches (a few pending reviews) has no hot key whatever the share: ≤ 100 writes in 10 s.
      if (top > 100)
        expect(share, `${space}: ${value} took ${top} of ${total} writes`).toBeLessThanOrEqual(MAX_SHARE);
      expect(top, `${space}: ${value}`).toBeLessThanOrEqual(Math.max(100, total * MAX_SHARE));
    });
  },
);

describe('the shards', () => {
  it('spread the one IP, the one domain, the statistics and the block decision', () => {
    const table = blocked.writes.get('table')!;
    const shardsOf = (prefix: string) => [...table.keys()].filter((pk) => pk.startsWith(prefix));
    // The IP's block threshold (30) needs 2 shards (a full one is under 1 KB), the domain's (1,000) 8.
    expect(shardsOf('VC#ip#')).toHaveLength(2);
    expect(shardsOf('VC#email_domain#')).toHaveLength(8);
    expect(shardsOf('ST#')).toHaveLength(16);
    expect(
      [...blocked.writes.get('by_decision')!.keys()].filter((pk) => pk.startsWith('D#block#')),
    ).toHaveLength(16);
    // The wave was stopped: past the IP block threshold no call reached Defastra.
    expect(blocked.calls).toBeLessThanOrEqual(30);
  });

  it('keep every velocity counter item small: at most 250 identities (about 5 KB) for the largest threshold', () => {
    // The domain counter's threshold is 1,000 (the largest allowed): 8 shards of at most 2 × 1,000 / 8 identities.
    expect(largestCounter).toBeGreaterThan(100);
    expect(largestCounter).toBeLessThanOrEqual(250);
  });

  it('spread the review queue of a wave sent to review over all its partitions', () => {
    const review = hottest(reviewed.writes, 'by_review');
    expect(review.total).toBeGreaterThan(9_000);
    expect(
      [...reviewed.writes.get('by_review')!.keys()].filter((pk) => pk.startsWith('R#pending#')),
    ).toHaveLength(16);
  });

  it('are needed: with the old key (D#block) every blocked verdict would land on one partition', () => {
    const byDecision = blocked.writes.get('by_decision')!;
    const blockedWrites = [...byDecision.entries()]
      .filter(([pk]) => pk.startsWith('D#block#'))
      .reduce((sum, [, n]) => sum + n, 0);
    expect(blockedWrites / hottest(blocked.writes, 'by_decision').total).toBeGreaterThan(0.9);
  });
});
