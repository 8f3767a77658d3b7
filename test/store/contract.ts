/** The store contract (every port), written once and run against every adapter (a factory builds a fresh, empty store). */
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import type { ListEntry } from '../../shared/api/lists.js';
import { DECISIONS, type Decision, type Source } from '../../shared/core/levels.js';
import type { Enforcement, Outcome, Review, Verdict, VerdictRecord } from '../../shared/core/verdict.js';
import { InvalidCursorError } from '../../shared/store/errors.js';
import type {
  CachedResult,
  ClaimRequest,
  ListQuery,
  Store,
  VelocityCount,
  VerdictQuery,
} from '../../shared/store/ports.js';

/** Builds a fresh, empty store reading the given clock (epoch ms). */
export type StoreFactory = (now: () => number) => Promise<Store>;

export const START_MS = Date.parse('2026-11-26T06:00:00.000Z');
const START_SEC = Math.floor(START_MS / 1000);
const RETAINED = START_SEC + 90 * 86_400;
const BASE_MS = Date.parse('2026-11-20T00:00:00.000Z');

export interface RecordSpec {
  at: number | string;
  decision?: Decision;
  source?: Source;
  emailHash?: string | null;
  phoneHash?: string | null;
  expiresAt?: number;
  id?: string;
  subjectRef?: string | null;
  refHashes?: VerdictRecord['refHashes'];
}

/** A record as the screening use case builds it: masked identifiers and keyed hashes only. */
export const makeRecord = (spec: RecordSpec): VerdictRecord => {
  const createdMs = typeof spec.at === 'number' ? spec.at : Date.parse(spec.at);
  const emailHash = spec.emailHash === undefined ? 'email-hash' : spec.emailHash;
  const phoneHash = spec.phoneHash === undefined ? null : spec.phoneHash;
  const decision = spec.decision ?? 'allow';
  const verdict: Verdict = {
    verdict_id: spec.id ?? ulid(createdMs),
    created_at: new Date(createdMs).toISOString(),
    source: spec.source ?? 'api',
    source_ref: 'ref-1',
    decision,
    reasons: decision === 'allow' ? [] : [{ code: 'email_risk', message: 'email risk_level high' }],
    degraded: false,
    email: emailHash
      ? {
          masked: 'j***@example.com',
          risk_level: 'low',
          risk_score: 2,
          request_id: 'REQ1',
          cached: false,
          checks: [],
        }
      : null,
    phone: phoneHash ? { masked: '+1******0123', risk_level: 'low', risk_score: 1, checks: [] } : null,
    policy_version: 'default-1',
    subject_ref: spec.subjectRef ?? null,
    review: null,
    action: decision,
    mode: 'enforce',
    rescreen: null,
    provisional_decision: null,
    rescreened_at: null,
    enforcement: null,
    shadow: null,
    outcome: null,
  };
  return {
    verdict,
    emailHash,
    phoneHash,
    facts: { runtimeLists: [], velocity: [] },
    expiresAt: spec.expiresAt ?? RETAINED,
    ...(spec.refHashes ? { refHashes: spec.refHashes } : {}),
  };
};

const sortKey = (verdict: Verdict) => `${verdict.created_at}#${verdict.verdict_id}`;
/** Newest first, ties on created_at broken by verdict id (the store's order). */
export const newestFirst = (records: VerdictRecord[]): string[] =>
  records
    .map((record) => record.verdict)
    .sort((a, b) => (sortKey(a) < sortKey(b) ? 1 : -1))
    .map((verdict) => verdict.verdict_id);

const ids = (verdicts: Verdict[]) => verdicts.map((verdict) => verdict.verdict_id);

/** Follows next_cursor to the end, checking each page's size; returns the ids in order and the page count. */
export const walkAll = async (
  store: Store,
  query: Omit<VerdictQuery, 'cursor'>,
  limits: number[] = [query.limit],
): Promise<{ ids: string[]; pages: number }> => {
  const seen: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const limit = limits[page % limits.length] ?? query.limit;
    const result = await store.verdicts.query({
      ...query,
      limit,
      ...(cursor === undefined ? {} : { cursor }),
    });
    expect(result.items.length).toBeLessThanOrEqual(limit);
    if (result.nextCursor !== null) expect(result.items.length).toBe(limit);
    seen.push(...ids(result.items));
    if (result.nextCursor === null) return { ids: seen, pages: page + 1 };
    cursor = result.nextCursor;
  }
  throw new Error('pagination did not end');
};

/** A deterministic shuffle, so the insertion order never matches the expected order by accident. */
const shuffled = <T>(values: T[]): T[] => {
  const copy = [...values];
  let seed = 7;
  for (let i = copy.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const j = seed % (i + 1);
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
};

/** Saves records concurrently, a few at a time. */
const saveAll = async (store: Store, records: VerdictRecord[]): Promise<void> => {
  for (let i = 0; i < records.length; i += 20) {
    await Promise.all(records.slice(i, i + 20).map((record) => store.verdicts.save(record)));
  }
};

const claimRequest = (overrides: Partial<ClaimRequest> = {}): ClaimRequest => ({
  scope: 'stripe',
  key: 'evt_1',
  bodyHash: 'body-1',
  lockMs: 10_000,
  expiresAt: START_SEC + 86_400,
  verdictId: ulid(),
  ...overrides,
});

const cached = (overrides: Partial<CachedResult> = {}): CachedResult => ({
  riskLevel: 'high',
  riskScore: 38,
  requestId: '9C41D0E2B6A84F7391E5D2C8A0B7F6E4',
  checks: [{ code: 'EMAIL_DISPOSABLE', result_type: 'risk', detail: 'disposable domain' }],
  checkedAt: START_MS - 1000,
  ...overrides,
});

/** Claims a marker that must be free; returns its lock token. */
const claimed = async (store: Store, request: ClaimRequest): Promise<string> => {
  const claim = await store.markers.claim(request);
  if (claim.state !== 'claimed') throw new Error(`expected a claim, got ${claim.state}`);
  return claim.token;
};

export const verdictStoreContract = (name: string, factory: StoreFactory): void => {
  const setup = async () => {
    const clock = { ms: START_MS };
    const store = await factory(() => clock.ms);
    return { store, clock };
  };

  describe(`${name}: verdicts`, () => {
    it('saves and reads back a verdict unchanged', async () => {
      const { store } = await setup();
      const record = makeRecord({ at: BASE_MS, decision: 'block', emailHash: 'h1', phoneHash: 'p1' });
      await store.verdicts.save(record);
      expect(await store.verdicts.get(record.verdict.verdict_id)).toEqual(record.verdict);
    });

    it('returns null for a missing verdict', async () => {
      const { store } = await setup();
      expect(await store.verdicts.get(ulid())).toBeNull();
    });

    it('returns null once expires_at is reached, and not a millisecond before', async () => {
      const { store, clock } = await setup();
      const record = makeRecord({ at: BASE_MS, expiresAt: START_SEC + 60 });
      await store.verdicts.save(record);
      clock.ms = (START_SEC + 60) * 1000 - 1;
      expect(await store.verdicts.get(record.verdict.verdict_id)).not.toBeNull();
      clock.ms = (START_SEC + 60) * 1000;
      expect(await store.verdicts.get(record.verdict.verdict_id)).toBeNull();
    });

    it('returns null for a verdict saved already expired', async () => {
      const { store } = await setup();
      const record = makeRecord({ at: BASE_MS, expiresAt: START_SEC - 1 });
      await store.verdicts.save(record);
      expect(await store.verdicts.get(record.verdict.verdict_id)).toBeNull();
    });

    it('overwrites a verdict saved twice (a retried write is harmless)', async () => {
      const { store } = await setup();
      const record = makeRecord({ at: BASE_MS });
      await store.verdicts.save(record);
      await store.verdicts.save(record);
      const page = await store.verdicts.query({ limit: 10 });
      expect(ids(page.items)).toEqual([record.verdict.verdict_id]);
    });
  });

  describe(`${name}: queries`, () => {
    const at = (time: string) => `2026-11-20T${time}.000Z`;
    const fixtures = {
      a1: makeRecord({
        at: at('10:00:00'),
        emailHash: 'A',
        phoneHash: 'P1',
        decision: 'allow',
        source: 'auth0',
      }),
      a2: makeRecord({
        at: at('11:00:00'),
        emailHash: 'A',
        phoneHash: 'P2',
        decision: 'block',
        source: 'stripe',
      }),
      a3: makeRecord({
        at: at('12:00:00'),
        emailHash: 'A',
        phoneHash: null,
        decision: 'review',
        source: 'api',
      }),
      b1: makeRecord({
        at: at('10:30:00'),
        emailHash: 'B',
        phoneHash: 'P1',
        decision: 'review',
        source: 'auth0',
      }),
      c1: makeRecord({
        at: at('09:00:00'),
        emailHash: null,
        phoneHash: 'P1',
        decision: 'block',
        source: 'api',
      }),
      c2: makeRecord({
        at: at('12:00:00'),
        emailHash: null,
        phoneHash: null,
        decision: 'allow',
        source: 'stripe',
      }),
      gone: makeRecord({
        at: at('11:30:00'),
        emailHash: 'A',
        phoneHash: 'P1',
        decision: 'block',
        source: 'stripe',
        expiresAt: START_SEC,
      }),
    };
    const { a1, a2, a3, b1, c1, c2 } = fixtures;
    const live = [a1, a2, a3, b1, c1, c2];
    const seeded = async () => {
      const harness = await setup();
      await saveAll(harness.store, Object.values(fixtures));
      return harness;
    };
    const query = async (store: Store, filters: Omit<VerdictQuery, 'limit'>, limit = 100) => {
      const page = await store.verdicts.query({ ...filters, limit });
      return ids(page.items);
    };

    it('lists everything, newest first, without a filter (expired verdicts left out)', async () => {
      const { store } = await seeded();
      expect(await query(store, {})).toEqual(newestFirst(live));
    });

    it('filters by email hash, phone hash, decision and source', async () => {
      const { store } = await seeded();
      expect(await query(store, { emailHash: 'A' })).toEqual(newestFirst([a1, a2, a3]));
      expect(await query(store, { phoneHash: 'P1' })).toEqual(newestFirst([a1, b1, c1]));
      expect(await query(store, { decision: 'block' })).toEqual(newestFirst([a2, c1]));
      expect(await query(store, { source: 'auth0' })).toEqual(newestFirst([a1, b1]));
      expect(await query(store, { emailHash: 'nobody' })).toEqual([]);
    });

    it('treats since as inclusive and until as exclusive, whatever the ISO spelling', async () => {
      const { store } = await seeded();
      expect(await query(store, { since: at('10:30:00') })).toEqual(newestFirst([a2, a3, b1, c2]));
      expect(await query(store, { since: '2026-11-20T10:30:00Z' })).toEqual(newestFirst([a2, a3, b1, c2]));
      expect(await query(store, { until: at('10:30:00') })).toEqual(newestFirst([a1, c1]));
      expect(await query(store, { until: '2026-11-20T11:30:00+01:00' })).toEqual(newestFirst([a1, c1]));
      expect(await query(store, { since: at('10:00:00'), until: at('12:00:00') })).toEqual(
        newestFirst([a1, a2, b1]),
      );
      expect(await query(store, { since: at('12:00:00'), until: at('10:00:00') })).toEqual([]);
    });

    it('combines filters', async () => {
      const { store } = await seeded();
      expect(await query(store, { emailHash: 'A', decision: 'block' })).toEqual([a2.verdict.verdict_id]);
      expect(await query(store, { emailHash: 'A', phoneHash: 'P1' })).toEqual([a1.verdict.verdict_id]);
      expect(await query(store, { phoneHash: 'P1', source: 'api' })).toEqual([c1.verdict.verdict_id]);
      expect(await query(store, { decision: 'review', since: at('10:30:00') })).toEqual(
        newestFirst([a3, b1]),
      );
      expect(await query(store, { emailHash: 'A', source: 'stripe', until: at('11:00:00') })).toEqual([]);
      expect(
        await query(store, { emailHash: 'A', source: 'stripe', until: '2026-11-20T11:00:00.001Z' }),
      ).toEqual([a2.verdict.verdict_id]);
      expect(await query(store, { source: 'stripe', since: at('11:00:00'), until: at('13:00:00') })).toEqual(
        newestFirst([a2, c2]),
      );
      expect(
        await query(store, {
          emailHash: 'A',
          phoneHash: 'P2',
          decision: 'block',
          source: 'stripe',
          since: at('11:00:00'),
        }),
      ).toEqual([a2.verdict.verdict_id]);
    });

    it('honours limit 1 and 100 and rejects limits outside 1..100', async () => {
      const { store } = await seeded();
      const one = await store.verdicts.query({ limit: 1 });
      expect(ids(one.items)).toEqual(newestFirst(live).slice(0, 1));
      expect(one.nextCursor).not.toBeNull();
      const all = await store.verdicts.query({ limit: 100 });
      expect(all.items).toHaveLength(live.length);
      expect(all.nextCursor).toBeNull();
      const exact = await store.verdicts.query({ limit: live.length });
      expect(exact.nextCursor).toBeNull();
      for (const limit of [0, -1, 101, 2.5, Number.NaN]) {
        await expect(store.verdicts.query({ limit })).rejects.toThrow(RangeError);
      }
    });

    it('returns the stored verdict bodies in full', async () => {
      const { store } = await seeded();
      const page = await store.verdicts.query({ emailHash: 'B', limit: 5 });
      expect(page.items).toEqual([b1.verdict]);
    });
  });

  describe(`${name}: pagination`, () => {
    // 57 verdicts in groups of four sharing one millisecond; decisions and sources rotate; some lack hashes.
    const records = Array.from({ length: 57 }, (_, i) =>
      makeRecord({
        at: BASE_MS + Math.floor(i / 4) * 1000,
        decision: DECISIONS[i % 3],
        source: i % 5 === 0 ? 'stripe' : i % 2 === 0 ? 'auth0' : 'api',
        emailHash: i % 10 === 9 ? null : 'walk-email',
        phoneHash: i % 4 === 3 ? null : 'walk-phone',
      }),
    );
    const seeded = async () => {
      const harness = await setup();
      await saveAll(harness.store, shuffled(records));
      return harness;
    };
    const expected = (keep: (record: VerdictRecord) => boolean) => newestFirst(records.filter(keep));
    const inWindow = (record: VerdictRecord, since: number, until: number) => {
      const ms = Date.parse(record.verdict.created_at);
      return ms >= since && ms < until;
    };
    const since = BASE_MS + 3000;
    const until = BASE_MS + 11_000;

    const cases: Array<[string, Omit<VerdictQuery, 'cursor' | 'limit'>, (record: VerdictRecord) => boolean]> =
      [
        ['the email index', { emailHash: 'walk-email' }, (r) => r.emailHash === 'walk-email'],
        ['the phone index', { phoneHash: 'walk-phone' }, (r) => r.phoneHash === 'walk-phone'],
        ['the decision index', { decision: 'review' }, (r) => r.verdict.decision === 'review'],
        ['the merge of all decisions', {}, () => true],
        ['the merge filtered by source', { source: 'stripe' }, (r) => r.verdict.source === 'stripe'],
        [
          'the email index filtered by decision',
          { emailHash: 'walk-email', decision: 'block' },
          (r) => r.emailHash === 'walk-email' && r.verdict.decision === 'block',
        ],
        [
          'the merge within since/until',
          { since: new Date(since).toISOString(), until: new Date(until).toISOString() },
          (r) => inWindow(r, since, until),
        ],
        [
          'the phone index within since/until and a source',
          { phoneHash: 'walk-phone', source: 'auth0', since: new Date(since).toISOString() },
          (r) => r.phoneHash === 'walk-phone' && r.verdict.source === 'auth0' && inWindow(r, since, Infinity),
        ],
      ];

    for (const [label, filters, keep] of cases) {
      it(`walks every item exactly once through ${label} (page size 7)`, async () => {
        const { store } = await seeded();
        const want = expected(keep);
        expect(want.length).toBeGreaterThan(0);
        const walk = await walkAll(store, { ...filters, limit: 7 });
        expect(walk.ids).toEqual(want);
        expect(new Set(walk.ids).size).toBe(walk.ids.length);
        expect(walk.pages).toBe(Math.max(1, Math.ceil(want.length / 7)));
      });
    }

    it('keeps reading when expired verdicts leave DynamoDB pages short', async () => {
      const { store } = await setup();
      const batch = Array.from({ length: 24 }, (_, i) =>
        makeRecord({ at: BASE_MS + i, emailHash: 'sparse', expiresAt: i % 3 === 0 ? RETAINED : START_SEC }),
      );
      await saveAll(store, shuffled(batch));
      const want = newestFirst(batch.filter((record) => record.expiresAt === RETAINED));
      expect((await walkAll(store, { emailHash: 'sparse', limit: 3 })).ids).toEqual(want);
      expect((await walkAll(store, { limit: 2 })).ids).toEqual(want);
    });

    it('keeps reading when a filter matches few of many verdicts', async () => {
      const { store } = await setup();
      const batch = Array.from({ length: 150 }, (_, i) =>
        makeRecord({ at: BASE_MS + i, emailHash: 'many', decision: i % 15 === 0 ? 'block' : 'allow' }),
      );
      await saveAll(store, batch);
      const want = newestFirst(batch.filter((record) => record.verdict.decision === 'block'));
      expect(want).toHaveLength(10);
      const walk = await walkAll(store, { emailHash: 'many', decision: 'block', limit: 3 });
      expect(walk.ids).toEqual(want);
      expect(walk.pages).toBe(4);
    });

    it('walks the merge one item at a time, and with page sizes changing between pages', async () => {
      const { store } = await seeded();
      expect((await walkAll(store, { limit: 1 })).ids).toEqual(expected(() => true));
      expect((await walkAll(store, { limit: 5 }, [5, 1, 13, 2, 100])).ids).toEqual(expected(() => true));
    }, 60_000); // one query per item on dynalite: over 20 s on a loaded machine
  });

  describe(`${name}: cursors`, () => {
    const seeded = async () => {
      const harness = await setup();
      for (let i = 0; i < 12; i++) {
        await harness.store.verdicts.save(
          makeRecord({ at: BASE_MS + i, emailHash: 'cur', decision: DECISIONS[i % 3] }),
        );
      }
      return harness;
    };
    const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

    it('rejects a cursor with any one character changed', async () => {
      const { store } = await seeded();
      const { nextCursor } = await store.verdicts.query({ emailHash: 'cur', limit: 5 });
      expect(nextCursor).toMatch(/^[A-Za-z0-9_.-]+$/);
      const cursor = nextCursor as string;
      for (let i = 0; i < cursor.length; i++) {
        for (const replacement of [cursor[i] === 'A' ? 'B' : 'A', cursor[i] === '-' ? '_' : '-']) {
          const altered = `${cursor.slice(0, i)}${replacement}${cursor.slice(i + 1)}`;
          await expect(store.verdicts.query({ emailHash: 'cur', limit: 5, cursor: altered })).rejects.toThrow(
            InvalidCursorError,
          );
        }
      }
      // The base64url tail's spare bits: every last-character variant other than the real one is refused.
      for (const last of ALPHABET) {
        if (last === cursor.at(-1)) continue;
        const altered = `${cursor.slice(0, -1)}${last}`;
        await expect(store.verdicts.query({ emailHash: 'cur', limit: 5, cursor: altered })).rejects.toThrow(
          InvalidCursorError,
        );
      }
    });

    it('rejects truncated, extended and garbage cursors', async () => {
      const { store } = await seeded();
      const cursor = (await store.verdicts.query({ emailHash: 'cur', limit: 5 })).nextCursor as string;
      const [payload = ''] = cursor.split('.');
      const bad = [
        cursor.slice(0, -1),
        cursor.slice(1),
        cursor.slice(0, Math.floor(cursor.length / 2)),
        `${cursor}A`,
        `${cursor}.`,
        payload,
        `${payload}.`,
        `.${cursor}`,
        '',
        '.',
        'garbage',
        'a.b',
        '%%%.%%%',
        'null',
        Buffer.from('{"v":1,"p":[null]}').toString('base64url'),
        `${Buffer.from('{"v":1,"p":[null]}').toString('base64url')}.${'A'.repeat(43)}`,
        'x'.repeat(10_000),
      ];
      for (const garbage of bad) {
        await expect(store.verdicts.query({ emailHash: 'cur', limit: 5, cursor: garbage })).rejects.toThrow(
          InvalidCursorError,
        );
      }
    });

    it('rejects a cursor reused with different filters, but not with a different limit', async () => {
      const { store } = await seeded();
      const fromEmail = (await store.verdicts.query({ emailHash: 'cur', limit: 5 })).nextCursor as string;
      const fromMerge = (await store.verdicts.query({ limit: 5 })).nextCursor as string;
      const others: Array<Omit<VerdictQuery, 'limit' | 'cursor'>> = [
        {},
        { emailHash: 'other' },
        { phoneHash: 'cur' },
        { emailHash: 'cur', decision: 'allow' },
        { emailHash: 'cur', source: 'api' },
        { emailHash: 'cur', phoneHash: 'x' },
        { emailHash: 'cur', since: '2026-01-01T00:00:00.000Z' },
        { emailHash: 'cur', until: '2027-01-01T00:00:00.000Z' },
      ];
      for (const filters of others) {
        await expect(store.verdicts.query({ ...filters, limit: 5, cursor: fromEmail })).rejects.toThrow(
          InvalidCursorError,
        );
      }
      for (const filters of [
        { decision: 'allow' as const },
        { source: 'api' as const },
        { emailHash: 'cur' },
      ]) {
        await expect(store.verdicts.query({ ...filters, limit: 5, cursor: fromMerge })).rejects.toThrow(
          InvalidCursorError,
        );
      }
      const next = await store.verdicts.query({ emailHash: 'cur', limit: 3, cursor: fromEmail });
      expect(next.items).toHaveLength(3);
    });
  });

  describe(`${name}: markers`, () => {
    it('claims a fresh key, then reports it in progress with the first body hash', async () => {
      const { store } = await setup();
      expect(await store.markers.claim(claimRequest({ verdictId: 'V-new' }))).toEqual({
        state: 'claimed',
        token: expect.any(String),
        verdictId: 'V-new',
        resumed: false,
      });
      expect(await store.markers.claim(claimRequest({ bodyHash: 'body-2' }))).toEqual({
        state: 'in_progress',
        bodyHash: 'body-1',
      });
    });

    it('keeps the verdict id a lapsed claim reserved: the claim that takes over resumes it', async () => {
      const { store, clock } = await setup();
      await store.markers.claim(claimRequest({ lockMs: 1000, verdictId: 'V-first' }));
      clock.ms += 1001;
      expect(await store.markers.claim(claimRequest({ verdictId: 'V-second' }))).toMatchObject({
        state: 'claimed',
        verdictId: 'V-first',
        resumed: true,
      });
    });

    it('lapses a held marker at once, completed or not, keeping its verdict id; only its holder can', async () => {
      const { store } = await setup();
      const token = await claimed(store, claimRequest({ verdictId: 'V1' }));
      await store.markers.complete('stripe', 'evt_1', token, 'V1', 'pending');
      await store.markers.lapse('stripe', 'evt_1', 'not-the-token');
      expect((await store.markers.claim(claimRequest())).state).toBe('done');
      await store.markers.lapse('stripe', 'evt_1', token);
      const again = await store.markers.claim(claimRequest({ verdictId: 'V2' }));
      expect(again).toMatchObject({ state: 'claimed', verdictId: 'V1', resumed: true });
      if (again.state !== 'claimed') return;
      await store.markers.complete('stripe', 'evt_1', again.token, 'V1');
      // The write-back state of the lapsed completion is gone with it: the new completion set none.
      expect(await store.markers.claim(claimRequest())).toEqual({
        state: 'done',
        bodyHash: 'body-1',
        verdictId: 'V1',
      });
    });

    it('reopens a done marker only for the missing verdict it names, keeping that id', async () => {
      const { store } = await setup();
      const token = await claimed(store, claimRequest({ verdictId: 'V1' }));
      await store.markers.complete('stripe', 'evt_1', token, 'V1');
      expect((await store.markers.claim(claimRequest({ reopen: 'V-other' }))).state).toBe('done');
      expect(await store.markers.claim(claimRequest({ reopen: 'V1', verdictId: 'V9' }))).toMatchObject({
        state: 'claimed',
        verdictId: 'V1',
        resumed: true,
      });
      expect((await store.markers.claim(claimRequest({ reopen: 'V1' }))).state).toBe('in_progress');
    });

    it('starts afresh over an expired marker: a new verdict id, not resumed', async () => {
      const { store, clock } = await setup();
      await store.markers.claim(claimRequest({ expiresAt: START_SEC + 30, verdictId: 'V-old' }));
      clock.ms = (START_SEC + 30) * 1000;
      expect(await store.markers.claim(claimRequest({ verdictId: 'V-new' }))).toMatchObject({
        state: 'claimed',
        verdictId: 'V-new',
        resumed: false,
      });
    });

    it('reports a completed marker as done with its verdict id and write-back state', async () => {
      const { store } = await setup();
      const token = await claimed(store, claimRequest());
      expect(await store.markers.complete('stripe', 'evt_1', token, 'V1')).toBe(true);
      expect(await store.markers.claim(claimRequest())).toEqual({
        state: 'done',
        bodyHash: 'body-1',
        verdictId: 'V1',
      });
      await store.markers.setWriteBack('stripe', 'evt_1', 'pending');
      expect(await store.markers.claim(claimRequest())).toEqual({
        state: 'done',
        bodyHash: 'body-1',
        verdictId: 'V1',
        writeBack: 'pending',
      });
      await store.markers.setWriteBack('stripe', 'evt_1', 'done');
      expect(await store.markers.claim(claimRequest())).toMatchObject({ state: 'done', writeBack: 'done' });
    });

    it('records the write-back state given on completion', async () => {
      const { store } = await setup();
      const token = await claimed(store, claimRequest());
      await store.markers.complete('stripe', 'evt_1', token, 'V1', 'none');
      expect(await store.markers.claim(claimRequest())).toEqual({
        state: 'done',
        bodyHash: 'body-1',
        verdictId: 'V1',
        writeBack: 'none',
      });
    });

    it('lets a new claim through once the lock has lapsed, not before', async () => {
      const { store, clock } = await setup();
      await store.markers.claim(claimRequest({ lockMs: 5000 }));
      clock.ms += 5000;
      expect((await store.markers.claim(claimRequest())).state).toBe('in_progress');
      clock.ms += 1;
      expect((await store.markers.claim(claimRequest({ bodyHash: 'body-2' }))).state).toBe('claimed');
      expect(await store.markers.claim(claimRequest())).toEqual({ state: 'in_progress', bodyHash: 'body-2' });
    });

    it('never takes over a done marker whose lock has lapsed', async () => {
      const { store, clock } = await setup();
      const token = await claimed(store, claimRequest({ lockMs: 1000 }));
      await store.markers.complete('stripe', 'evt_1', token, 'V1');
      clock.ms += 60_000;
      expect((await store.markers.claim(claimRequest())).state).toBe('done');
    });

    it('treats a marker past its expires_at as absent', async () => {
      const { store, clock } = await setup();
      const token = await claimed(store, claimRequest({ expiresAt: START_SEC + 30 }));
      await store.markers.complete('stripe', 'evt_1', token, 'V1');
      clock.ms = (START_SEC + 30) * 1000;
      expect((await store.markers.claim(claimRequest({ bodyHash: 'body-2' }))).state).toBe('claimed');
    });

    it('lets a new claim through after release by its holder', async () => {
      const { store } = await setup();
      const first = await claimed(store, claimRequest());
      await store.markers.release('stripe', 'evt_1', first);
      const second = await claimed(store, claimRequest());
      expect(second).not.toBe(first);
      await store.markers.release('stripe', 'never-claimed', second);
    });

    it('lets only the lock holder complete or release: a lapsed holder cannot touch the next claim', async () => {
      const { store, clock } = await setup();
      const slow = await claimed(store, claimRequest({ lockMs: 1000 }));
      clock.ms += 1001;
      const fast = await claimed(store, claimRequest({ bodyHash: 'body-2' }));
      // The slow request wakes up after its lock lapsed: it can neither complete nor delete the new claim.
      expect(await store.markers.complete('stripe', 'evt_1', slow, 'V-slow')).toBe(false);
      await store.markers.release('stripe', 'evt_1', slow);
      expect(await store.markers.claim(claimRequest({ bodyHash: 'body-2' }))).toEqual({
        state: 'in_progress',
        bodyHash: 'body-2',
      });
      expect(await store.markers.complete('stripe', 'evt_1', fast, 'V-fast')).toBe(true);
      expect(await store.markers.claim(claimRequest({ bodyHash: 'body-2' }))).toMatchObject({
        verdictId: 'V-fast',
      });
    });

    it('releases a marker its holder completed (a verdict write that failed after the completion)', async () => {
      const { store } = await setup();
      const token = await claimed(store, claimRequest());
      await store.markers.complete('stripe', 'evt_1', token, 'V1');
      await store.markers.release('stripe', 'evt_1', token);
      expect((await store.markers.claim(claimRequest())).state).toBe('claimed');
    });

    it('ignores completion and write-back for a marker that is gone', async () => {
      const { store } = await setup();
      expect(await store.markers.complete('api', 'missing', 'no-token', 'V1')).toBe(false);
      await store.markers.setWriteBack('api', 'missing', 'done');
      expect((await store.markers.claim(claimRequest({ scope: 'api', key: 'missing' }))).state).toBe(
        'claimed',
      );
    });

    it('keeps scopes apart', async () => {
      const { store } = await setup();
      expect((await store.markers.claim(claimRequest({ scope: 'stripe', key: 'k' }))).state).toBe('claimed');
      expect((await store.markers.claim(claimRequest({ scope: 'auth0', key: 'k' }))).state).toBe('claimed');
      expect((await store.markers.claim(claimRequest({ scope: 'api', key: 'k' }))).state).toBe('claimed');
      expect((await store.markers.claim(claimRequest({ scope: 'api', key: 'k' }))).state).toBe('in_progress');
    });

    it('gives exactly one of 10 concurrent claims of one key', async () => {
      const { store } = await setup();
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          store.markers.claim(claimRequest({ key: 'race', bodyHash: `b${i}` })),
        ),
      );
      const claimed = results.filter((result) => result.state === 'claimed');
      expect(claimed).toHaveLength(1);
      const winner = results.indexOf(claimed[0] as (typeof results)[number]);
      for (const result of results) {
        if (result.state !== 'claimed')
          expect(result).toEqual({ state: 'in_progress', bodyHash: `b${winner}` });
      }
    });
  });

  describe(`${name}: cached results`, () => {
    /** A cached result as a screening reads it: through the prelude. */
    const cachedOf = async (store: Store, kind: 'email' | 'phone', hash: string) =>
      (await store.screening.prelude({ cache: [{ kind, hash }], lists: [], velocity: [] })).cache.get(
        `${kind}:${hash}`,
      ) ?? null;

    it('puts and gets a cached result per kind and hash', async () => {
      const { store } = await setup();
      await store.screening.putCachedResult('email', 'h1', cached(), START_SEC + 3600);
      await store.screening.putCachedResult(
        'phone',
        'h1',
        cached({ riskLevel: 'low', riskScore: 1 }),
        START_SEC + 3600,
      );
      expect(await cachedOf(store, 'email', 'h1')).toEqual(cached());
      expect(await cachedOf(store, 'phone', 'h1')).toEqual(cached({ riskLevel: 'low', riskScore: 1 }));
      expect(await cachedOf(store, 'email', 'h2')).toBeNull();
    });

    it('replaces a cached result and returns null once it expires', async () => {
      const { store, clock } = await setup();
      await store.screening.putCachedResult('email', 'h1', cached(), START_SEC + 10);
      await store.screening.putCachedResult('email', 'h1', cached({ riskScore: 40 }), START_SEC + 20);
      expect((await cachedOf(store, 'email', 'h1'))?.riskScore).toBe(40);
      clock.ms = (START_SEC + 20) * 1000;
      expect(await cachedOf(store, 'email', 'h1')).toBeNull();
    });

    it('keeps cached results and markers out of verdict listings', async () => {
      const { store } = await setup();
      await store.screening.putCachedResult('email', 'h1', cached(), START_SEC + 3600);
      await store.markers.claim(claimRequest());
      expect(await store.verdicts.query({ limit: 100 })).toEqual({ items: [], nextCursor: null });
    });
  });

  describe(`${name}: reviews`, () => {
    const review = (outcome: 'approve' | 'reject', at = START_MS): Review => ({
      outcome,
      note: 'checked by hand',
      reviewed_at: new Date(at).toISOString(),
      reviewed_by: 'local',
    });

    it('sets the review, keeps everything else, and a later review replaces it', async () => {
      const { store } = await setup();
      const record = makeRecord({ at: START_MS - 1000, decision: 'review', phoneHash: 'ph' });
      await store.verdicts.save(record);
      const first = await store.verdicts.review(record.verdict.verdict_id, review('approve'));
      expect(first?.verdict).toEqual({ ...record.verdict, review: review('approve') });
      expect(first?.before).toEqual(record.verdict);
      expect(first).toMatchObject({ emailHash: 'email-hash', phoneHash: 'ph', facts: record.facts });
      const second = await store.verdicts.review(record.verdict.verdict_id, review('reject', START_MS + 5));
      expect(second?.verdict.review?.outcome).toBe('reject');
      expect(second?.before.review).toEqual(review('approve'));
      expect((await store.verdicts.get(record.verdict.verdict_id))?.review).toEqual(
        review('reject', START_MS + 5),
      );
    });

    it('returns null for an unknown or expired verdict, and creates nothing', async () => {
      const { store, clock } = await setup();
      expect(await store.verdicts.review(ulid(START_MS), review('approve'))).toBeNull();
      const record = makeRecord({ at: START_MS - 1000, expiresAt: START_SEC + 10 });
      await store.verdicts.save(record);
      clock.ms = (START_SEC + 10) * 1000;
      expect(await store.verdicts.review(record.verdict.verdict_id, review('approve'))).toBeNull();
      expect(await store.verdicts.query({ limit: 100 })).toEqual({ items: [], nextCursor: null });
    });

    it('lists review=pending (decision review, unreviewed), approved and rejected, with other filters', async () => {
      const { store } = await setup();
      const pending = makeRecord({ at: BASE_MS + 1, decision: 'review' });
      const approved = makeRecord({ at: BASE_MS + 2, decision: 'review' });
      const rejectedBlock = makeRecord({ at: BASE_MS + 3, decision: 'block', source: 'stripe' });
      const plainBlock = makeRecord({ at: BASE_MS + 4, decision: 'block' });
      for (const record of [pending, approved, rejectedBlock, plainBlock]) await store.verdicts.save(record);
      await store.verdicts.review(approved.verdict.verdict_id, review('approve'));
      await store.verdicts.review(rejectedBlock.verdict.verdict_id, review('reject'));
      const list = async (query: Omit<VerdictQuery, 'limit'>) =>
        ids((await store.verdicts.query({ limit: 100, ...query })).items);
      expect(await list({ review: 'pending' })).toEqual([pending.verdict.verdict_id]);
      expect(await list({ review: 'approved' })).toEqual([approved.verdict.verdict_id]);
      expect(await list({ review: 'rejected' })).toEqual([rejectedBlock.verdict.verdict_id]);
      expect(await list({ review: 'rejected', source: 'api' })).toEqual([]);
      expect(await list({ review: 'pending', emailHash: 'email-hash' })).toEqual([
        pending.verdict.verdict_id,
      ]);
      expect(await list({ decision: 'block' })).toEqual([
        plainBlock.verdict.verdict_id,
        rejectedBlock.verdict.verdict_id,
      ]);
    });
  });

  describe(`${name}: enforcement (docs/enforcement.md)`, () => {
    const enforcement = (status: Enforcement['status'], action: Enforcement['action']): Enforcement => ({
      status,
      action,
      at: new Date(START_MS).toISOString(),
      ...(status === 'failed' ? { error: 'http_403' } : {}),
    });

    it('replaces the enforcement and nothing else: review, facts and listings stay as they were', async () => {
      const { store } = await setup();
      const record = makeRecord({ at: START_MS - 1000, decision: 'review', subjectRef: 'auth0|1' });
      record.facts = { ...record.facts, account: { userPoolId: 'eu-west-1_Pool1' } };
      await store.verdicts.save(record);
      const id = record.verdict.verdict_id;
      await store.verdicts.review(id, {
        outcome: 'reject',
        note: null,
        reviewed_at: new Date(START_MS).toISOString(),
        reviewed_by: 'local',
      });
      const pending = await store.verdicts.setEnforcement(id, enforcement('pending', 'block'));
      expect(pending?.verdict.enforcement).toEqual(enforcement('pending', 'block'));
      const done = await store.verdicts.setEnforcement(id, enforcement('done', 'block'));
      expect(done?.facts).toEqual(record.facts);
      const read = await store.verdicts.get(id);
      expect(read).toEqual({
        ...record.verdict,
        review: done?.verdict.review,
        enforcement: enforcement('done', 'block'),
      });
      expect((await store.verdicts.getStored(id))?.facts.account).toEqual({ userPoolId: 'eu-west-1_Pool1' });
      expect(ids((await store.verdicts.query({ limit: 100, review: 'rejected' })).items)).toEqual([id]);
      const failed = await store.verdicts.setEnforcement(id, enforcement('failed', 'unblock'));
      expect(failed?.verdict.enforcement).toEqual(enforcement('failed', 'unblock'));
    });

    it('returns null for an unknown or expired verdict, and creates nothing', async () => {
      const { store, clock } = await setup();
      expect(await store.verdicts.setEnforcement(ulid(START_MS), enforcement('done', 'block'))).toBeNull();
      const record = makeRecord({ at: START_MS - 1000, expiresAt: START_SEC + 10 });
      await store.verdicts.save(record);
      clock.ms = (START_SEC + 10) * 1000;
      expect(
        await store.verdicts.setEnforcement(record.verdict.verdict_id, enforcement('done', 'block')),
      ).toBeNull();
      expect(await store.verdicts.query({ limit: 100 })).toEqual({ items: [], nextCursor: null });
    });

    it('keeps an enforcement a saved record carries', async () => {
      const { store } = await setup();
      const record = makeRecord({ at: START_MS - 1000, decision: 'block' });
      record.verdict.enforcement = enforcement('undone', 'unblock');
      await store.verdicts.save(record);
      expect((await store.verdicts.get(record.verdict.verdict_id))?.enforcement).toEqual(
        enforcement('undone', 'unblock'),
      );
    });
  });

  describe(`${name}: outcome labels`, () => {
    const outcome = (label: 'fraud' | 'legit', overrides: Partial<Outcome> = {}): Outcome => ({
      label,
      source: 'manual',
      note: 'chargeback',
      labelled_at: new Date(START_MS).toISOString(),
      labelled_by: 'local',
      ...overrides,
    });

    it('sets the label with the verdict before it, keeps everything else, and a later label replaces it', async () => {
      const { store } = await setup();
      const record = makeRecord({ at: START_MS - 1000, decision: 'allow', phoneHash: 'ph' });
      await store.verdicts.save(record);
      const id = record.verdict.verdict_id;
      const first = await store.verdicts.label(id, outcome('fraud'));
      expect(first?.before).toEqual(record.verdict);
      expect(first?.verdict).toEqual({ ...record.verdict, outcome: outcome('fraud') });
      expect(first).toMatchObject({ emailHash: 'email-hash', phoneHash: 'ph', facts: record.facts });
      expect(await store.verdicts.get(id)).toEqual({ ...record.verdict, outcome: outcome('fraud') });

      const later = outcome('legit', { source: 'api', labelled_at: new Date(START_MS + 5).toISOString() });
      const second = await store.verdicts.label(id, later);
      expect(second?.before.outcome).toEqual(outcome('fraud'));
      expect(second?.verdict.outcome).toEqual(later);
      expect((await store.verdicts.getStored(id))?.verdict.outcome).toEqual(later);
    });

    it('leaves the same label as it is (its labelled_at too), and changes it for another note or author', async () => {
      const { store } = await setup();
      const record = makeRecord({ at: START_MS - 1000 });
      await store.verdicts.save(record);
      const id = record.verdict.verdict_id;
      await store.verdicts.label(id, outcome('fraud'));
      const again = await store.verdicts.label(
        id,
        outcome('fraud', { labelled_at: new Date(START_MS + 60_000).toISOString() }),
      );
      expect(again?.before.outcome).toEqual(outcome('fraud'));
      expect(again?.verdict.outcome).toEqual(outcome('fraud'));
      expect((await store.verdicts.get(id))?.outcome?.labelled_at).toBe(new Date(START_MS).toISOString());

      const renoted = outcome('fraud', {
        note: 'second dispute',
        labelled_at: new Date(START_MS + 1).toISOString(),
      });
      expect((await store.verdicts.label(id, renoted))?.verdict.outcome).toEqual(renoted);
      const otherAuthor = outcome('fraud', {
        note: 'second dispute',
        labelled_by: 'arn:aws:iam::123456789012:user/ops',
        labelled_at: new Date(START_MS + 2).toISOString(),
      });
      expect((await store.verdicts.get(id))?.outcome).toEqual(renoted);
      expect((await store.verdicts.label(id, otherAuthor))?.before.outcome).toEqual(renoted);
      expect((await store.verdicts.get(id))?.outcome).toEqual(otherAuthor);
    });

    it('keeps the label and the review apart: reviewing a labelled verdict keeps its label, and the reverse', async () => {
      const { store } = await setup();
      const record = makeRecord({ at: START_MS - 1000, decision: 'review' });
      await store.verdicts.save(record);
      const id = record.verdict.verdict_id;
      const review: Review = {
        outcome: 'approve',
        note: null,
        reviewed_at: new Date(START_MS).toISOString(),
        reviewed_by: 'local',
      };
      await store.verdicts.label(id, outcome('fraud'));
      await store.verdicts.review(id, review);
      expect(await store.verdicts.get(id)).toMatchObject({ review, outcome: outcome('fraud') });
      const relabelled = await store.verdicts.label(id, outcome('legit'));
      expect(relabelled?.verdict).toMatchObject({ review, outcome: outcome('legit') });
    });

    it('returns null for an unknown or expired verdict, and creates nothing', async () => {
      const { store, clock } = await setup();
      expect(await store.verdicts.label(ulid(START_MS), outcome('fraud'))).toBeNull();
      const record = makeRecord({ at: START_MS - 1000, expiresAt: START_SEC + 10 });
      await store.verdicts.save(record);
      clock.ms = (START_SEC + 10) * 1000;
      expect(await store.verdicts.label(record.verdict.verdict_id, outcome('fraud'))).toBeNull();
      expect(await store.verdicts.query({ limit: 100 })).toEqual({ items: [], nextCursor: null });
    });
  });

  describe(`${name}: finding verdicts by identifier`, () => {
    it('finds the live verdicts of an email, a phone, a subject_ref or a source_ref hash, newest first', async () => {
      const { store, clock } = await setup();
      const a = makeRecord({
        at: BASE_MS + 1,
        emailHash: 'e1',
        phoneHash: 'p1',
        refHashes: { subject_ref: 's1', source_ref: 'r1' },
      });
      const b = makeRecord({
        at: BASE_MS + 2,
        emailHash: 'e1',
        phoneHash: null,
        refHashes: { subject_ref: 's1', source_ref: null },
      });
      const c = makeRecord({
        at: BASE_MS + 3,
        emailHash: 'e2',
        phoneHash: 'p1',
        refHashes: { subject_ref: null, source_ref: 'r1' },
      });
      const old = makeRecord({
        at: BASE_MS,
        emailHash: 'e1',
        phoneHash: 'p1',
        expiresAt: START_SEC + 10,
        refHashes: { subject_ref: 's1', source_ref: 'r1' },
      });
      const none = makeRecord({ at: BASE_MS + 4, emailHash: null });
      await saveAll(store, [a, b, c, old, none]);
      const id = (r: VerdictRecord) => r.verdict.verdict_id;
      clock.ms = (START_SEC + 10) * 1000;
      expect(await store.verdicts.idsMatching({ kind: 'email', hash: 'e1' })).toEqual([id(b), id(a)]);
      expect(await store.verdicts.idsMatching({ kind: 'phone', hash: 'p1' })).toEqual([id(c), id(a)]);
      expect(await store.verdicts.idsMatching({ kind: 'subject_ref', hash: 's1' })).toEqual([id(b), id(a)]);
      expect(await store.verdicts.idsMatching({ kind: 'source_ref', hash: 'r1' })).toEqual([id(c), id(a)]);
      // The kinds never mix: an email hash is not a reference hash, nor the reverse.
      expect(await store.verdicts.idsMatching({ kind: 'source_ref', hash: 'e1' })).toEqual([]);
      expect(await store.verdicts.idsMatching({ kind: 'subject_ref', hash: 'r1' })).toEqual([]);
      expect(await store.verdicts.idsMatching({ kind: 'email', hash: 'nobody' })).toEqual([]);
    });

    it('reads every page of a large match', async () => {
      const { store } = await setup();
      const records = Array.from({ length: 130 }, (_v, i) =>
        makeRecord({
          at: BASE_MS + i,
          emailHash: 'busy',
          refHashes: { subject_ref: 'cus', source_ref: null },
        }),
      );
      await saveAll(store, shuffled(records));
      expect(await store.verdicts.idsMatching({ kind: 'email', hash: 'busy' })).toEqual(newestFirst(records));
      expect(await store.verdicts.idsMatching({ kind: 'subject_ref', hash: 'cus' })).toEqual(
        newestFirst(records),
      );
    });
  });

  describe(`${name}: re-screen updates`, () => {
    const provisional = (decision: Decision = 'allow') => {
      const record = makeRecord({ at: START_MS - 1000, decision, phoneHash: 'ph' });
      record.verdict.degraded = true;
      record.verdict.rescreen = { status: 'pending', attempts: 0, next_at: new Date(START_MS).toISOString() };
      return record;
    };
    const storedOf = ({ expiresAt: _e, ...stored }: VerdictRecord) => stored;
    const rescreened = (record: VerdictRecord, decision: Decision) => ({
      ...storedOf(record),
      verdict: {
        ...record.verdict,
        decision,
        action: decision,
        degraded: false,
        provisional_decision: record.verdict.decision,
        rescreened_at: new Date(START_MS).toISOString(),
        rescreen: { status: 'done' as const, attempts: 1, next_at: null },
      },
      facts: {
        runtimeLists: [{ subject: 'ip' as const, list: 'block' as const, entryId: 'E1' }],
        velocity: [],
      },
    });

    it('replaces a pending verdict and its facts, moves it between decision and review listings', async () => {
      const { store } = await setup();
      const record = provisional('allow');
      await store.verdicts.save(record);
      const after = rescreened(record, 'review');
      const stored = await store.verdicts.rescreen(storedOf(record), after);
      expect(stored).toEqual(after);
      expect(await store.verdicts.getStored(record.verdict.verdict_id)).toEqual(after);
      const list = async (query: Omit<VerdictQuery, 'limit'>) =>
        ids((await store.verdicts.query({ limit: 100, ...query })).items);
      expect(await list({ decision: 'review' })).toEqual([record.verdict.verdict_id]);
      expect(await list({ decision: 'allow' })).toEqual([]);
      expect(await list({ review: 'pending' })).toEqual([record.verdict.verdict_id]);
      // Done: a second update finds it no longer pending.
      expect(await store.verdicts.rescreen(storedOf(record), rescreened(record, 'block'))).toBeNull();
      expect((await store.verdicts.get(record.verdict.verdict_id))?.decision).toBe('review');
    });

    it('keeps a review, and refuses when a review came after the read', async () => {
      const { store } = await setup();
      const review: Review = {
        outcome: 'reject',
        note: null,
        reviewed_at: new Date(START_MS).toISOString(),
        reviewed_by: 'local',
      };
      const raced = provisional('review');
      await store.verdicts.save(raced);
      await store.verdicts.review(raced.verdict.verdict_id, review);
      expect(await store.verdicts.rescreen(storedOf(raced), rescreened(raced, 'allow'))).toBeNull();
      const read = await store.verdicts.getStored(raced.verdict.verdict_id);
      const stored = await store.verdicts.rescreen(read!, {
        ...rescreened(raced, 'allow'),
        verdict: { ...rescreened(raced, 'allow').verdict, review },
      });
      expect(stored?.verdict.review).toEqual(review);
      expect(stored?.verdict.decision).toBe('allow');
      expect(ids((await store.verdicts.query({ limit: 100, review: 'rejected' })).items)).toEqual([
        raced.verdict.verdict_id,
      ]);
    });

    it('refuses a verdict that is unknown, expired or not provisional', async () => {
      const { store, clock } = await setup();
      const plain = makeRecord({ at: START_MS - 1000 });
      await store.verdicts.save(plain);
      expect(await store.verdicts.rescreen(storedOf(plain), rescreened(plain, 'block'))).toBeNull();
      const unknown = provisional();
      expect(await store.verdicts.rescreen(storedOf(unknown), rescreened(unknown, 'block'))).toBeNull();
      expect(await store.verdicts.get(unknown.verdict.verdict_id)).toBeNull();
      const expiring = { ...provisional(), expiresAt: START_SEC + 10 };
      await store.verdicts.save(expiring);
      clock.ms = (START_SEC + 10) * 1000;
      expect(await store.verdicts.rescreen(storedOf(expiring), rescreened(expiring, 'block'))).toBeNull();
    });
  });

  describe(`${name}: replay reads`, () => {
    it('returns the stored verdicts of a range with hashes and facts, capped at max', async () => {
      const { store } = await setup();
      const records = Array.from({ length: 12 }, (_, i) =>
        makeRecord({ at: BASE_MS + i * 1000, source: i % 2 ? 'stripe' : 'api', phoneHash: `p${i}` }),
      );
      await saveAll(store, records);
      const all = await store.verdicts.listStored({
        since: new Date(BASE_MS + 2000).toISOString(),
        until: new Date(BASE_MS + 10_000).toISOString(),
        max: 100,
      });
      expect(all.truncated).toBe(false);
      expect(all.records.map((r) => r.verdict.verdict_id).sort()).toEqual(
        records
          .slice(2, 10)
          .map((r) => r.verdict.verdict_id)
          .sort(),
      );
      expect(all.records.find((r) => r.phoneHash === 'p3')?.emailHash).toBe('email-hash');
      const stripe = await store.verdicts.listStored({
        since: new Date(BASE_MS).toISOString(),
        until: new Date(BASE_MS + 60_000).toISOString(),
        source: 'stripe',
        max: 100,
      });
      expect(stripe.records).toHaveLength(6);
      const capped = await store.verdicts.listStored({
        since: new Date(BASE_MS).toISOString(),
        until: new Date(BASE_MS + 60_000).toISOString(),
        max: 5,
      });
      expect(capped).toMatchObject({ truncated: true });
      expect(capped.records).toHaveLength(5);
    });

    it('with a source, reads a bounded part of the range: its newest verdicts of that source, truncated', async () => {
      const { store } = await setup();
      // 6 stripe verdicts, then 60 api verdicts after them: a replay of stripe must not read the whole range.
      const stripe = Array.from({ length: 6 }, (_, i) =>
        makeRecord({ at: BASE_MS + i * 1000, source: 'stripe' }),
      );
      const api = Array.from({ length: 60 }, (_, i) => makeRecord({ at: BASE_MS + 10_000 + i * 1000 }));
      const newStripe = makeRecord({ at: BASE_MS + 100_000, source: 'stripe' });
      await saveAll(store, [...stripe, ...api, newStripe]);
      const range = {
        since: new Date(BASE_MS).toISOString(),
        until: new Date(BASE_MS + 200_000).toISOString(),
        source: 'stripe' as const,
        max: 10,
      };
      const bounded = await store.verdicts.listStored({ ...range, maxRead: 32 });
      expect(bounded.truncated).toBe(true);
      expect(bounded.records.map((r) => r.verdict.verdict_id)).toEqual([newStripe.verdict.verdict_id]);
      const whole = await store.verdicts.listStored({ ...range, maxRead: 1000 });
      expect(whole.truncated).toBe(false);
      expect(whole.records.map((r) => r.verdict.verdict_id)).toEqual(newestFirst([...stripe, newStripe]));
    });

    it('keeps the newest max of a capped range, newest first, whatever shards they are on', async () => {
      const { store } = await setup();
      // 48 verdicts over 8 minutes, saved out of order, their ids (hence shards) all different.
      const records = shuffled(
        Array.from({ length: 48 }, (_, i) => makeRecord({ at: BASE_MS + i * 10_000 })),
      );
      await saveAll(store, records);
      const since = new Date(BASE_MS + 20_000).toISOString();
      const until = new Date(BASE_MS + 400_000).toISOString();
      const inRange = records.filter((r) => r.verdict.created_at >= since && r.verdict.created_at < until);
      for (const max of [1, 7, 16, 17, 37]) {
        const capped = await store.verdicts.listStored({ since, until, max });
        expect(capped.truncated, `max ${max}`).toBe(true);
        expect(
          capped.records.map((r) => r.verdict.verdict_id),
          `max ${max}`,
        ).toEqual(newestFirst(inRange).slice(0, max));
      }
      const all = await store.verdicts.listStored({ since, until, max: inRange.length });
      expect(all.truncated).toBe(false);
      expect(all.records.map((r) => r.verdict.verdict_id)).toEqual(newestFirst(inRange));
    });
  });

  const entry = (id: string, overrides: Partial<ListEntry> = {}): ListEntry => ({
    entry_id: id,
    kind: 'email',
    action: 'block',
    masked: 'b***@example.com',
    note: null,
    created_at: new Date(START_MS).toISOString(),
    created_by: 'local',
    expires_at: null,
    ...overrides,
  });

  describe(`${name}: runtime lists`, () => {
    it('creates an entry once per kind, value and action; the same again returns the first', async () => {
      const { store } = await setup();
      const first = entry(ulid(START_MS));
      expect(await store.lists.put({ entry: first, valueKey: 'h1' }, null)).toEqual({
        entry: first,
        created: true,
      });
      const again = entry(ulid(START_MS + 1));
      expect(await store.lists.put({ entry: again, valueKey: 'h1' }, null)).toEqual({
        entry: first,
        created: false,
      });
      const allow = entry(ulid(START_MS + 2), { action: 'allow' });
      expect((await store.lists.put({ entry: allow, valueKey: 'h1' }, null)).created).toBe(true);
      const page = await store.lists.query({ limit: 10 });
      expect(page.items.map((e) => e.entry_id)).toEqual([allow.entry_id, first.entry_id]);
    });

    it('finds entries in the prelude, forgets them once deleted or expired', async () => {
      const { store, clock } = await setup();
      const blocked = entry(ulid(START_MS));
      const expiring = entry(ulid(START_MS + 1), { kind: 'email_domain', masked: 'example.com' });
      await store.lists.put({ entry: blocked, valueKey: 'h1' }, null);
      await store.lists.put({ entry: expiring, valueKey: 'example.com' }, START_SEC + 60);
      const keys = [
        { kind: 'email' as const, valueKey: 'h1' },
        { kind: 'email_domain' as const, valueKey: 'example.com' },
        { kind: 'ip' as const, valueKey: 'h1' },
      ];
      const found = async () =>
        (await store.screening.prelude({ cache: [], lists: keys, velocity: [] })).lists
          .map((e) => e.entry.entry_id)
          .sort();
      expect(await found()).toEqual([blocked.entry_id, expiring.entry_id].sort());
      expect(await store.lists.delete(blocked.entry_id)).toBe(true);
      expect(await store.lists.delete(blocked.entry_id)).toBe(false);
      expect(await store.lists.get(blocked.entry_id)).toBeNull();
      expect(await found()).toEqual([expiring.entry_id]);
      clock.ms = (START_SEC + 60) * 1000;
      expect(await found()).toEqual([]);
      expect((await store.lists.query({ limit: 10 })).items).toEqual([]);
      // The expired value can be listed again.
      const renewed = entry(ulid(clock.ms), { kind: 'email_domain', masked: 'example.com' });
      expect((await store.lists.put({ entry: renewed, valueKey: 'example.com' }, null)).created).toBe(true);
    });

    it('filters and pages the listing with a signed cursor', async () => {
      const { store } = await setup();
      const entries = Array.from({ length: 7 }, (_, i) =>
        entry(ulid(START_MS + i), { kind: i % 2 ? 'ip' : 'email', action: i < 4 ? 'block' : 'allow' }),
      );
      for (const [i, e] of entries.entries()) await store.lists.put({ entry: e, valueKey: `v${i}` }, null);
      const walk = async (query: Omit<ListQuery, 'cursor' | 'limit'>) => {
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await store.lists.query({ ...query, limit: 2, ...(cursor ? { cursor } : {}) });
          seen.push(...page.items.map((e) => e.entry_id));
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        return seen;
      };
      const newest = [...entries].reverse();
      expect(await walk({})).toEqual(newest.map((e) => e.entry_id));
      expect(await walk({ kind: 'ip' })).toEqual(
        newest.filter((e) => e.kind === 'ip').map((e) => e.entry_id),
      );
      expect(await walk({ kind: 'email', action: 'block' })).toEqual(
        newest.filter((e) => e.kind === 'email' && e.action === 'block').map((e) => e.entry_id),
      );
      const page = await store.lists.query({ limit: 2 });
      await expect(store.lists.query({ limit: 2, kind: 'ip', cursor: page.nextCursor! })).rejects.toThrow(
        InvalidCursorError,
      );
      await expect(store.lists.query({ limit: 2, cursor: `${page.nextCursor}x` })).rejects.toThrow(
        InvalidCursorError,
      );
    });
  });

  const velocityCount = (identity: string, overrides: Partial<VelocityCount> = {}): VelocityCount => ({
    counter: 'ip#abc#29000000',
    identity,
    shard: Number.parseInt(identity.slice(0, 2), 16) % 8,
    shards: 8,
    shardCap: 5,
    expiresAt: START_SEC + 3600,
    ...overrides,
  });
  const hex = (i: number) => i.toString(16).padStart(2, '0').repeat(8);

  describe(`${name}: prelude`, () => {
    it('reads cached results by kind and hash in the same call', async () => {
      const { store } = await setup();
      await store.screening.putCachedResult('email', 'h1', cached(), START_SEC + 3600);
      const result = await store.screening.prelude({
        cache: [
          { kind: 'email', hash: 'h1' },
          { kind: 'phone', hash: 'h1' },
        ],
        lists: [],
        velocity: [],
      });
      expect([...result.cache.entries()]).toEqual([['email:h1', cached()]]);
      expect(result.spendCalls).toBeNull();
    });

    it('counts distinct identities across shards; a repeat does not raise the count', async () => {
      const { store } = await setup();
      const counts: number[] = [];
      for (const i of [1, 2, 3, 1, 4, 2]) {
        const [result] = (
          await store.screening.prelude({ cache: [], lists: [], velocity: [velocityCount(hex(i))] })
        ).velocity;
        counts.push(result!.count);
      }
      expect(counts).toEqual([1, 2, 3, 3, 4, 4]);
    });

    it('stops a shard at its cap (the count then reads at least the cap) and keeps counters apart', async () => {
      const { store } = await setup();
      // Eight identities on one shard (same first byte), cap 5.
      const sameShard = (i: number) => `08${i.toString(16).padStart(14, '0')}`;
      let last = 0;
      for (let i = 0; i < 8; i++) {
        const [result] = (
          await store.screening.prelude({ cache: [], lists: [], velocity: [velocityCount(sameShard(i))] })
        ).velocity;
        last = result!.count;
        expect(result!.count).toBe(Math.min(i + 1, 5));
      }
      expect(last).toBe(5);
      const [other] = (
        await store.screening.prelude({
          cache: [],
          lists: [],
          velocity: [velocityCount(sameShard(0), { counter: 'ip#def#29000000' })],
        })
      ).velocity;
      expect(other).toEqual({ count: 1, added: true });
    });

    it('forgets an identity it added (an allow-listed signup is not counted)', async () => {
      const { store } = await setup();
      await store.screening.prelude({ cache: [], lists: [], velocity: [velocityCount(hex(1))] });
      const [added] = (
        await store.screening.prelude({ cache: [], lists: [], velocity: [velocityCount(hex(2))] })
      ).velocity;
      expect(added).toEqual({ count: 2, added: true });
      await store.screening.forgetVelocity(velocityCount(hex(2)));
      const [after] = (
        await store.screening.prelude({ cache: [], lists: [], velocity: [velocityCount(hex(3))] })
      ).velocity;
      expect(after!.count).toBe(2);
    });

    it('lets a window expire with its counter', async () => {
      const { store, clock } = await setup();
      await store.screening.prelude({
        cache: [],
        lists: [],
        velocity: [velocityCount(hex(1), { expiresAt: START_SEC + 5 })],
      });
      clock.ms = (START_SEC + 5) * 1000;
      const [result] = (
        await store.screening.prelude({ cache: [], lists: [], velocity: [velocityCount(hex(2))] })
      ).velocity;
      expect(result!.count).toBe(1);
    });

    it('totals the Defastra calls of an hour across the stats shards for the spend cap', async () => {
      const { store } = await setup();
      const hour = '2026-11-26T06:00:00.000Z';
      for (let i = 0; i < 20; i++) {
        await store.counters.record({
          hour,
          shardSeed: ulid(START_MS + i),
          counts: { defastra_calls: 2, allow: 1 },
          expiresAt: START_SEC + 86_400,
        });
      }
      await store.counters.record({
        hour: '2026-11-26T05:00:00.000Z',
        shardSeed: 'x',
        counts: { defastra_calls: 7 },
        expiresAt: START_SEC + 86_400,
      });
      const result = await store.screening.prelude({ cache: [], lists: [], velocity: [], spendHour: hour });
      expect(result.spendCalls).toBe(40);
    });
  });

  describe(`${name}: pending re-screens`, () => {
    const pending = (verdictId: string, dueAt: number, attempts = 0) => ({
      verdictId,
      dueAt,
      attempts,
      sealed: `v1.sealed-${verdictId}`,
      expiresAt: START_SEC + 2 * 86_400,
    });

    it('answers the due items, longest-waiting first, at most `limit`, from every shard', async () => {
      const { store } = await setup();
      // 40 verdicts spread over the shards (their ids' last characters), due over 40 minutes.
      const ids = Array.from({ length: 40 }, (_v, i) => ulid(START_MS - i * 1000));
      await Promise.all(ids.map((id, i) => store.rescreen.enqueue(pending(id, START_MS + i * 60_000))));
      expect(await store.rescreen.due(START_MS - 1, 10)).toEqual([]);
      const now = START_MS + 9 * 60_000;
      const first = await store.rescreen.due(now, 100);
      expect(first.map((item) => item.verdictId)).toEqual(ids.slice(0, 10));
      expect(first[0]).toEqual(pending(ids[0] as string, START_MS));
      const capped = await store.rescreen.due(START_MS + 60 * 60_000, 5);
      expect(capped.map((item) => item.verdictId)).toEqual(ids.slice(0, 5));
      expect(await store.rescreen.due(now, 0)).toEqual([]);
    });

    it('reschedules a pending item, and refuses one that is no longer pending', async () => {
      const { store } = await setup();
      const [a, b] = [ulid(START_MS), ulid(START_MS + 1)] as [string, string];
      await store.rescreen.enqueue(pending(a, START_MS));
      await store.rescreen.enqueue(pending(b, START_MS + 1000));
      expect(await store.rescreen.reschedule(a, START_MS + 120_000, 1)).toBe(true);
      expect((await store.rescreen.due(START_MS + 60_000, 10)).map((item) => item.verdictId)).toEqual([b]);
      expect(await store.rescreen.get(a)).toEqual(pending(a, START_MS + 120_000, 1));
      expect((await store.rescreen.due(START_MS + 120_000, 10)).map((item) => item.verdictId)).toEqual([
        b,
        a,
      ]);
      await store.rescreen.finish(a);
      expect(await store.rescreen.get(a)).toBeNull();
      expect(await store.rescreen.reschedule(a, START_MS + 240_000, 2)).toBe(false);
      expect(await store.rescreen.get(a)).toBeNull();
      expect(
        (await store.rescreen.due(START_MS + 10 * 86_400_000, 10)).map((item) => item.verdictId),
      ).toEqual([b]);
      await store.rescreen.finish(a); // finishing twice is harmless
    });

    it('counts an item past its expiry as gone', async () => {
      const { store, clock } = await setup();
      const id = ulid(START_MS);
      await store.rescreen.enqueue({ ...pending(id, START_MS), expiresAt: START_SEC + 60 });
      expect(await store.rescreen.get(id)).not.toBeNull();
      clock.ms = START_MS + 61_000;
      expect(await store.rescreen.get(id)).toBeNull();
      expect(await store.rescreen.due(clock.ms, 10)).toEqual([]);
    });
  });

  describe(`${name}: statistics`, () => {
    it('sums the shards by hour over [since, until), oldest first', async () => {
      const { store } = await setup();
      const add = (hour: string, seed: string, counts: Record<string, number>) =>
        store.counters.record({ hour, shardSeed: seed, counts, expiresAt: START_SEC + 86_400 });
      await add('2026-11-26T04:00:00.000Z', 'a', { allow: 1, src_api_allow: 1 });
      await add('2026-11-26T05:00:00.000Z', 'b', { block: 1, degraded: 1 });
      await add('2026-11-26T05:00:00.000Z', 'c', { block: 2, cache_hits: 3 });
      await add('2026-11-26T05:00:00.000Z', 'c', { block: 1, degraded: 0 });
      await add('2026-11-26T06:00:00.000Z', 'd', { review: 1 });
      expect(await store.counters.read('2026-11-26T05:00:00.000Z', '2026-11-26T06:00:00.000Z')).toEqual([
        { hour: '2026-11-26T05:00:00.000Z', counts: { block: 4, degraded: 1, cache_hits: 3 } },
      ]);
      const all = await store.counters.read('2026-11-26T00:00:00.000Z', '2026-11-27T00:00:00.000Z');
      expect(all.map((row) => row.hour)).toEqual([
        '2026-11-26T04:00:00.000Z',
        '2026-11-26T05:00:00.000Z',
        '2026-11-26T06:00:00.000Z',
      ]);
    });
  });
};
