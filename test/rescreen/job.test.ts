/**
 * The re-screen job against dynalite and the sandbox, on an injected clock: a provisional verdict is re-screened under
 * the current policy and updated in place (event, statistics, sealed identifiers deleted), a failed attempt is
 * rescheduled with backoff and given up after 24 hours, a run stops at Defastra's rate limit or the spend cap and is
 * capped in size, lists apply and velocity is not counted again.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { withChangeFeed } from '../../shared/events/change-feed.js';
import { eventsFor, type VerdictEvent } from '../../shared/events/events.js';
import { createListEntry } from '../../shared/lists/entries.js';
import { type Policy, parsePolicy } from '../../shared/policy/schema.js';
import { type RescreenDeps, runRescreens } from '../../shared/rescreen/job.js';
import { screen } from '../../shared/screening/screen.js';
import { hourOf } from '../../shared/stats/counters.js';
import { uncountedIncrement } from '../../shared/stats/off-path.js';
import type { PreludeRequest } from '../../shared/store/ports.js';
import { createTestDeps, type TestDeps } from '../helpers/deps.js';

/** Ten seconds into the coming hour: the store's own expiry checks read the real clock, so the test clock runs ahead. */
const T0 = (Math.floor(Date.now() / 3_600_000) + 1) * 3_600_000 + 10_000;
const MINUTE = 60_000;
const clock = { ms: T0 };
let t: TestDeps;
let deps: RescreenDeps;
let policy: Policy = parsePolicy({});
const events: VerdictEvent[] = [];
const preludes: PreludeRequest[] = [];
const counting: Array<Promise<void>> = [];

beforeAll(async () => {
  t = await createTestDeps({ overrides: { now: () => clock.ms } });
  const store = t.deps.store;
  deps = {
    ...t.deps,
    policy: async () => policy,
    rescreenKey: t.deps.rescreenKey!,
    store: {
      ...store,
      // As the local server does: events, and the counters of new verdicts off the request path.
      verdicts: withChangeFeed(store.verdicts, (before, after, created) => {
        events.push(...eventsFor(before, after, ['allow', 'review', 'block']));
        const increment = created && uncountedIncrement(created);
        if (increment) counting.push(store.counters.record(increment));
      }),
      screening: {
        ...store.screening,
        prelude: (request) => {
          preludes.push(request);
          return store.screening.prelude(request);
        },
      },
    },
  };
});
afterAll(() => t.close());
beforeEach(async () => {
  // Every test starts with an empty queue: drain what earlier tests left pending.
  for (const pending of await t.deps.store.rescreen.due(clock.ms + 30 * 86_400_000, 1000)) {
    await t.deps.store.rescreen.finish(pending.verdictId);
  }
  clock.ms += 3 * 86_400_000;
  policy = parsePolicy({});
  events.length = 0;
  preludes.length = 0;
});
afterEach(() => t.sandbox.clearFaults());

/** A provisional verdict: Defastra fails at signup, so the auth0 route's on_error (allow) answers. */
const provisional = async (email: string, extra: { ip?: string; phone?: string } = {}) => {
  t.sandbox.setFaults({ errorType: 'SYSTEM_ERROR' });
  const record = await screen(deps, policy, { source: 'auth0', sourceRef: null, email, ...extra });
  t.sandbox.clearFaults();
  clock.ms += 1000; // the next verdict is due (and listed) after this one
  expect(record.verdict).toMatchObject({
    decision: 'allow',
    degraded: true,
    rescreen: { status: 'pending' },
  });
  return record.verdict;
};

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('a due provisional verdict', () => {
  it('is re-screened under the current policy and updated in place, once', async () => {
    const verdict = await provisional('wave.one+high@example.org', { ip: '203.0.113.9' });
    const created = Date.parse(verdict.created_at);
    t.sandbox.resetStats();

    clock.ms = created + 30_000;
    expect(await runRescreens(deps)).toMatchObject({ due: 0, done: 0 });

    clock.ms = created + MINUTE;
    expect(await runRescreens(deps)).toEqual({
      due: 1,
      done: 1,
      rescheduled: 0,
      gaveUp: 0,
      skipped: 0,
      stopped: null,
    });
    const after = await t.deps.store.verdicts.get(verdict.verdict_id);
    expect(after).toMatchObject({
      verdict_id: verdict.verdict_id,
      created_at: verdict.created_at,
      decision: 'block',
      action: 'block',
      degraded: false,
      provisional_decision: 'allow',
      rescreened_at: new Date(clock.ms).toISOString(),
      rescreen: { status: 'done', attempts: 1, next_at: null },
      email: { masked: verdict.email?.masked, risk_level: 'high', cached: false },
    });
    expect(after?.reasons.map((r) => r.code)).toEqual(['email_risk']);
    expect(t.sandbox.stats().byEndpoint.email).toBe(1);
    // The sealed identifiers are gone, and nothing raw is at rest.
    expect(await t.deps.store.rescreen.get(verdict.verdict_id)).toBeNull();
    const { Items = [] } = await t.dynalite!.client.send(
      new ScanCommand({ TableName: t.dynalite!.tableName }),
    );
    expect(JSON.stringify(Items)).not.toContain('wave.one');
    expect(JSON.stringify(Items)).not.toContain('203.0.113.9');

    await flush();
    const rescreened = events.filter((e) => e['detail-type'] === 'Verdict Rescreened');
    expect(rescreened).toHaveLength(1);
    expect(rescreened[0]).toMatchObject({
      id: `${verdict.verdict_id}:rescreened`,
      detail: { decision: 'block', provisional_decision: 'allow' },
    });

    // The verdict's count moved from allow to block in its hour; the call counts in the hour it was made.
    await Promise.all(counting);
    const [bucket] = await t.deps.store.counters.read(hourOf(created), hourOf(created + 3_600_000));
    expect(bucket?.counts).toMatchObject({ allow: 0, block: 1, src_auth0_allow: 0, src_auth0_block: 1 });
    expect(bucket?.counts.defastra_calls).toBe(1);

    // Nothing is due any more; a later run does nothing.
    clock.ms += 10 * MINUTE;
    expect(await runRescreens(deps)).toMatchObject({ due: 0 });
  });

  it('applies the lists in force now, and never counts velocity again', async () => {
    policy = parsePolicy({ velocity: { ip: { review: 5, block: 10 } } });
    const verdict = await provisional('listed.joe+low@blocked-later.example', { ip: '203.0.113.10' });
    await createListEntry(
      t.deps.store.lists,
      { valueKey: 'blocked-later.example', masked: 'blocked-later.example' },
      { kind: 'email_domain', action: 'block', note: null, expiresAt: null, createdBy: 'local' },
      clock.ms,
    );
    t.sandbox.resetStats();
    preludes.length = 0;
    clock.ms = Date.parse(verdict.created_at) + MINUTE;
    expect(await runRescreens(deps)).toMatchObject({ done: 1 });
    const stored = await deps.store.verdicts.getStored(verdict.verdict_id);
    expect(stored?.verdict).toMatchObject({
      decision: 'block',
      provisional_decision: 'allow',
      degraded: false,
    });
    expect(stored?.verdict.reasons.map((r) => r.code)).toEqual(['blocklist']);
    expect(stored?.facts.runtimeLists).toEqual([
      expect.objectContaining({ subject: 'email_domain', list: 'block' }),
    ]);
    expect(t.sandbox.stats().requests).toBe(0);
    expect(preludes).toHaveLength(1);
    expect(preludes[0]?.velocity).toEqual([]);
  });
});

describe('a failing re-screen', () => {
  it('is rescheduled with backoff, then given up after 24 hours (sealed identifiers deleted)', async () => {
    const verdict = await provisional('stuck.sam+high@example.org');
    const created = Date.parse(verdict.created_at);
    t.sandbox.setFaults({ errorType: 'SYSTEM_ERROR' });

    clock.ms = created + MINUTE;
    expect(await runRescreens(deps)).toMatchObject({ due: 1, rescheduled: 1, done: 0 });
    let stored = await t.deps.store.verdicts.get(verdict.verdict_id);
    expect(stored).toMatchObject({
      decision: 'allow',
      degraded: true,
      provisional_decision: null,
      rescreen: { status: 'pending', attempts: 1, next_at: new Date(clock.ms + 2 * MINUTE).toISOString() },
    });
    expect(await t.deps.store.rescreen.get(verdict.verdict_id)).toMatchObject({
      attempts: 1,
      dueAt: clock.ms + 2 * MINUTE,
    });

    clock.ms += MINUTE;
    expect(await runRescreens(deps)).toMatchObject({ due: 0 });
    clock.ms += MINUTE;
    expect(await runRescreens(deps)).toMatchObject({ due: 1, rescheduled: 1 });
    stored = await t.deps.store.verdicts.get(verdict.verdict_id);
    expect(stored?.rescreen).toEqual({
      status: 'pending',
      attempts: 2,
      next_at: new Date(clock.ms + 4 * MINUTE).toISOString(),
    });

    // The waits double up to an hour; the last attempt inside the window fails and the re-screen gives up.
    clock.ms = created + 24 * 3_600_000 - 5 * MINUTE;
    expect(await runRescreens(deps)).toMatchObject({ due: 1, gaveUp: 1 });
    stored = await t.deps.store.verdicts.get(verdict.verdict_id);
    expect(stored).toMatchObject({
      decision: 'allow',
      degraded: true,
      rescreen: { status: 'gave_up', attempts: 3, next_at: null },
      rescreened_at: new Date(clock.ms).toISOString(),
    });
    expect(await t.deps.store.rescreen.get(verdict.verdict_id)).toBeNull();
    await flush();
    expect(events.filter((e) => e['detail-type'] === 'Verdict Rescreened')).toEqual([
      expect.objectContaining({
        detail: expect.objectContaining({ rescreen: expect.objectContaining({ status: 'gave_up' }) }),
      }),
    ]);
  });

  it('gives up without calling Defastra once the 24 hours have passed', async () => {
    const verdict = await provisional('late.lou+high@example.org');
    t.sandbox.resetStats();
    clock.ms = Date.parse(verdict.created_at) + 24 * 3_600_000;
    expect(await runRescreens(deps)).toMatchObject({ due: 1, gaveUp: 1 });
    expect(t.sandbox.stats().requests).toBe(0);
    expect((await t.deps.store.verdicts.get(verdict.verdict_id))?.rescreen?.status).toBe('gave_up');
  });
});

describe('a run', () => {
  it("stops at Defastra's first rate-limit answer; the others stay due", async () => {
    const verdicts = [];
    for (const name of ['ra', 'rb', 'rc', 'rd'])
      verdicts.push(await provisional(`${name}.rate+high@example.org`));
    t.sandbox.setFaults({ rateLimit: { perMinute: 2 } });
    clock.ms = Date.parse(verdicts[3]!.created_at) + MINUTE;
    expect(await runRescreens(deps, { concurrency: 1 })).toEqual({
      due: 4,
      done: 2,
      rescheduled: 1,
      gaveUp: 0,
      skipped: 0,
      stopped: 'rate_limit',
    });
    const statuses = await Promise.all(
      verdicts.map(async (v) => (await t.deps.store.verdicts.get(v.verdict_id))?.rescreen),
    );
    expect(statuses.map((s) => `${s?.status}/${s?.attempts}`)).toEqual([
      'done/1',
      'done/1',
      'pending/1',
      'pending/0',
    ]);
    // The untried one is still due; the rate-limited one waits its backoff.
    expect((await t.deps.store.rescreen.due(clock.ms, 10)).map((p) => p.verdictId)).toEqual([
      verdicts[3]!.verdict_id,
    ]);
  });

  it('stops at the spend cap: spend-limited ones wait for the next hour, attempts not counted', async () => {
    const a = await provisional('spend.a+high@example.org');
    const b = await provisional('spend.b+high@example.org');
    policy = parsePolicy({ spend: { max_defastra_calls_per_hour: 1 } });
    clock.ms = Date.parse(b.created_at) + MINUTE;
    expect(await runRescreens(deps, { concurrency: 1 })).toMatchObject({
      due: 2,
      done: 1,
      rescheduled: 1,
      stopped: 'spend_limit',
    });
    const waiting = await t.deps.store.verdicts.get(b.verdict_id);
    const nextHour = (Math.floor(clock.ms / 3_600_000) + 1) * 3_600_000;
    expect(waiting?.rescreen).toEqual({
      status: 'pending',
      attempts: 0,
      next_at: new Date(nextHour).toISOString(),
    });
    expect((await t.deps.store.verdicts.get(a.verdict_id))?.rescreen?.status).toBe('done');
    clock.ms = nextHour;
    expect(await runRescreens(deps)).toMatchObject({ due: 1, done: 1 });
  });

  it('starts no attempt past its stop time (a scheduled run ends before its timeout)', async () => {
    const verdict = await provisional('late.run+low@example.org');
    clock.ms = Date.parse(verdict.created_at) + MINUTE;
    expect(await runRescreens(deps, { stopStartingAt: clock.ms })).toMatchObject({ due: 1, done: 0 });
    expect(await runRescreens(deps, { stopStartingAt: clock.ms + 1 })).toMatchObject({ due: 1, done: 1 });
  });

  it('is capped in size, the longest-waiting first', async () => {
    const verdicts = [];
    for (const name of ['ca', 'cb', 'cc']) verdicts.push(await provisional(`${name}.cap+low@example.org`));
    clock.ms = Date.parse(verdicts[2]!.created_at) + MINUTE;
    expect(await runRescreens(deps, { limit: 2 })).toMatchObject({ due: 2, done: 2 });
    expect((await t.deps.store.rescreen.due(clock.ms, 10)).map((p) => p.verdictId)).toEqual([
      verdicts[2]!.verdict_id,
    ]);
  });
});
