/** The decision: the full threshold table per source, null thresholds, on_error and degraded, invalid and absent identifiers. */
import { describe, expect, it } from 'vitest';
import type { Decision, RiskLevel, Source } from '../../shared/core/levels.js';
import {
  decide,
  type IdentifierInput,
  identifierDecision,
  resolveForSource,
} from '../../shared/policy/decide.js';
import { DEFAULT_POLICY, parsePolicy, type ResolvedPolicy } from '../../shared/policy/schema.js';

type Threshold = RiskLevel | null;
type Kind = 'email' | 'phone';

const LEVELS: RiskLevel[] = ['low', 'medium', 'high', 'extreme'];
const THRESHOLDS: Threshold[] = ['low', 'medium', 'high', 'extreme', null];
const SOURCE_LIST: Source[] = ['auth0', 'stripe', 'api'];
const DECISION_LIST: Decision[] = ['allow', 'review', 'block'];

/** The rule of docs/policy.md, written out independently of the code under test. */
const RANK: Record<RiskLevel, number> = { low: 1, medium: 2, high: 3, extreme: 4 };
const expected = (level: RiskLevel, review: Threshold, block: Threshold): Decision => {
  if (block !== null && RANK[level] >= RANK[block]) return 'block';
  if (review !== null && RANK[level] >= RANK[review]) return 'review';
  return 'allow';
};

/**
 * Each source gets its own thresholds through `sources.<source>`: shifted indexes, so for a given (i, j) the
 * three sources (and the two identifiers) differ, while each source still sees all 25 pairs over the table.
 */
const SHIFTS: Record<Source, Record<Kind, [number, number]>> = {
  auth0: { email: [0, 0], phone: [2, 3] },
  stripe: { email: [1, 2], phone: [4, 1] },
  api: { email: [3, 4], phone: [1, 4] },
  cognito: { email: [2, 1], phone: [3, 0] },
  supabase: { email: [4, 3], phone: [0, 2] },
  okta: { email: [1, 0], phone: [2, 4] },
  kratos: { email: [3, 2], phone: [4, 0] },
  paddle: { email: [0, 4], phone: [1, 3] },
  clerk: { email: [2, 3], phone: [3, 1] },
  firebase: { email: [4, 1], phone: [0, 4] },
  workos: { email: [1, 4], phone: [2, 0] },
};
const pick = (index: number): Threshold => THRESHOLDS[index % THRESHOLDS.length]!;
const pairFor = (source: Source, kind: Kind, i: number, j: number) => {
  const [di, dj] = SHIFTS[source][kind];
  return { review: pick(i + di), block: pick(j + dj) };
};
const tablePolicy = (i: number, j: number) =>
  parsePolicy({
    // Base thresholds that would block everything, so a missing override shows.
    thresholds: { email: { review: 'low', block: 'low' }, phone: { review: 'low', block: 'low' } },
    sources: Object.fromEntries(
      SOURCE_LIST.map((source) => [
        source,
        { thresholds: { email: pairFor(source, 'email', i, j), phone: pairFor(source, 'phone', i, j) } },
      ]),
    ),
  });

const ABSENT: IdentifierInput = { status: 'absent' };
const result = (riskLevel: RiskLevel): IdentifierInput => ({ status: 'result', riskLevel });
const error = (errorType = 'TIMEOUT'): IdentifierInput => ({ status: 'error', errorType });
const codes = (reasons: { code: string }[]) => reasons.map((r) => r.code);

describe('threshold table: every level × review × block threshold × source', () => {
  const cases = THRESHOLDS.flatMap((_r, i) =>
    THRESHOLDS.flatMap((_b, j) =>
      SOURCE_LIST.flatMap((source) =>
        (['email', 'phone'] as const).map((kind) => ({ i, j, source, kind, ...pairFor(source, kind, i, j) })),
      ),
    ),
  );

  it('gives each source different thresholds', () => {
    for (let i = 0; i < THRESHOLDS.length; i++) {
      for (let j = 0; j < THRESHOLDS.length; j++) {
        const policy = tablePolicy(i, j);
        const seen = SOURCE_LIST.map((s) => JSON.stringify(resolveForSource(policy, s).thresholds));
        expect(new Set(seen).size).toBe(3);
      }
    }
  });

  it.each(cases)('$source $kind: review $review, block $block', ({ i, j, source, kind, review, block }) => {
    const policy = resolveForSource(tablePolicy(i, j), source);
    expect(policy.thresholds[kind]).toEqual({ review, block });

    for (const level of LEVELS) {
      const want = expected(level, review, block);
      expect(identifierDecision(policy.thresholds[kind], level), `${level}`).toBe(want);

      const outcome =
        kind === 'email'
          ? decide(policy, source, result(level), ABSENT)
          : decide(policy, source, ABSENT, result(level));
      expect(outcome.decision, `${level}`).toBe(want);
      expect(outcome.degraded).toBe(false);
      if (want === 'allow') {
        expect(outcome.reasons).toEqual([]);
      } else {
        const threshold = want === 'block' ? block : review;
        expect(outcome.reasons).toEqual([
          {
            code: `${kind}_risk`,
            message: `${kind} risk_level ${level} reaches the ${want} threshold (${threshold})`,
          },
        ]);
      }
    }
  });

  it.each(SOURCE_LIST)('combines both identifiers as the most severe (%s)', (source) => {
    const policy = resolveForSource(tablePolicy(1, 2), source);
    const email = policy.thresholds.email;
    const phone = policy.thresholds.phone;
    for (const emailLevel of LEVELS) {
      for (const phoneLevel of LEVELS) {
        const a = expected(emailLevel, email.review, email.block);
        const b = expected(phoneLevel, phone.review, phone.block);
        const want = DECISION_LIST[Math.max(DECISION_LIST.indexOf(a), DECISION_LIST.indexOf(b))];
        const outcome = decide(policy, source, result(emailLevel), result(phoneLevel));
        expect(outcome.decision).toBe(want);
        expect(codes(outcome.reasons)).toEqual([
          ...(a === 'allow' ? [] : ['email_risk']),
          ...(b === 'allow' ? [] : ['phone_risk']),
        ]);
      }
    }
  });
});

describe('null thresholds', () => {
  const policy = (email: { review: Threshold; block: Threshold }): ResolvedPolicy =>
    resolveForSource(parsePolicy({ thresholds: { email } }), 'api');

  it('block null: never block, still review', () => {
    const p = policy({ review: 'medium', block: null });
    expect(decide(p, 'api', result('extreme'), ABSENT).decision).toBe('review');
    expect(decide(p, 'api', result('low'), ABSENT).decision).toBe('allow');
  });

  it('review null: block at the block threshold, allow below it', () => {
    const p = policy({ review: null, block: 'high' });
    expect(decide(p, 'api', result('medium'), ABSENT).decision).toBe('allow');
    expect(decide(p, 'api', result('high'), ABSENT).decision).toBe('block');
  });

  it('both null: allow at every level, with no reason', () => {
    const p = policy({ review: null, block: null });
    for (const level of LEVELS) {
      expect(decide(p, 'api', result(level), ABSENT)).toEqual({
        decision: 'allow',
        reasons: [],
        degraded: false,
      });
    }
  });
});

describe('Defastra errors: on_error per source, always degraded with a reason', () => {
  const cases = SOURCE_LIST.flatMap((source) =>
    DECISION_LIST.flatMap((onError) =>
      (['email', 'phone'] as const).map((kind) => ({ source, onError, kind })),
    ),
  );

  it.each(cases)('$source, on_error $onError, $kind failing', ({ source, onError, kind }) => {
    // The other sources get a different on_error, so only on_error[source] can explain the decision.
    const others = Object.fromEntries(
      SOURCE_LIST.filter((s) => s !== source).map((s) => [s, onError === 'block' ? 'allow' : 'block']),
    );
    const policy = resolveForSource(parsePolicy({ on_error: { ...others, [source]: onError } }), source);
    const outcome =
      kind === 'email' ? decide(policy, source, error(), ABSENT) : decide(policy, source, ABSENT, error());
    expect(outcome.decision).toBe(onError);
    expect(outcome.degraded).toBe(true);
    expect(outcome.reasons).toEqual([
      {
        code: 'defastra_error',
        message: `Defastra failed for the ${kind} (TIMEOUT); on_error for ${source} is ${onError}`,
      },
    ]);
  });

  it('a per-source on_error override applies to that source', () => {
    const policy = parsePolicy({ sources: { auth0: { on_error: { auth0: 'block' } } } });
    expect(decide(resolveForSource(policy, 'auth0'), 'auth0', error(), ABSENT).decision).toBe('block');
    expect(decide(resolveForSource(policy, 'stripe'), 'stripe', error(), ABSENT).decision).toBe('review');
  });

  it('one identifier failing and the other blocking → block, degraded', () => {
    const policy = resolveForSource(parsePolicy({}), 'auth0');
    const outcome = decide(policy, 'auth0', error('SYSTEM_ERROR'), result('extreme'));
    expect(outcome.decision).toBe('block');
    expect(outcome.degraded).toBe(true);
    expect(codes(outcome.reasons)).toEqual(['defastra_error', 'phone_risk']);
  });

  it('a degraded allow never looks like a clean allow', () => {
    const policy = resolveForSource(parsePolicy({}), 'auth0');
    const outcome = decide(policy, 'auth0', result('low'), error('NETWORK'));
    expect(outcome.decision).toBe('allow');
    expect(outcome.degraded).toBe(true);
    expect(codes(outcome.reasons)).toEqual(['defastra_error']);
  });

  it('both failing: on_error once per identifier, still one decision', () => {
    const policy = resolveForSource(parsePolicy({}), 'stripe');
    const outcome = decide(policy, 'stripe', error('TIMEOUT'), error('BAD_RESPONSE'));
    expect(outcome).toMatchObject({ decision: 'review', degraded: true });
    expect(outcome.reasons.map((r) => r.message)).toEqual([
      'Defastra failed for the email (TIMEOUT); on_error for stripe is review',
      'Defastra failed for the phone (BAD_RESPONSE); on_error for stripe is review',
    ]);
  });

  it('does not echo an error type that is not a plain code', () => {
    const outcome = decide(DEFAULT_POLICY, 'api', error('john.doe@example.com'), ABSENT);
    expect(outcome.reasons[0]!.message).not.toContain('john');
    expect(outcome.reasons[0]!.message).toContain('UNKNOWN');
  });
});

describe('invalid and absent identifiers', () => {
  const policy = DEFAULT_POLICY;

  it('an invalid email makes the decision at least review', () => {
    const outcome = decide(policy, 'api', { status: 'invalid' }, ABSENT);
    expect(outcome.decision).toBe('review');
    expect(codes(outcome.reasons)).toEqual(['invalid_email']);
    expect(decide(policy, 'api', { status: 'invalid' }, result('low')).decision).toBe('review');
    expect(decide(policy, 'api', { status: 'invalid' }, result('high')).decision).toBe('block');
  });

  it('an invalid phone is informational only', () => {
    expect(decide(policy, 'api', ABSENT, { status: 'invalid' })).toEqual({
      decision: 'allow',
      reasons: [expect.objectContaining({ code: 'invalid_phone' })],
      degraded: false,
    });
    expect(decide(policy, 'api', result('low'), { status: 'invalid' }).decision).toBe('allow');
    expect(decide(policy, 'api', result('medium'), { status: 'invalid' }).decision).toBe('review');
  });

  it('both absent → allow with no_identifiers', () => {
    const outcome = decide(policy, 'auth0', ABSENT, ABSENT);
    expect(outcome.decision).toBe('allow');
    expect(outcome.degraded).toBe(false);
    expect(codes(outcome.reasons)).toEqual(['no_identifiers']);
  });

  it('one absent identifier does not add no_identifiers', () => {
    expect(codes(decide(policy, 'auth0', ABSENT, result('high')).reasons)).toEqual(['phone_risk']);
  });
});

describe('list precedence in decide', () => {
  const policy = DEFAULT_POLICY;
  const allow: IdentifierInput = { status: 'listed', list: 'allow' };
  const block: IdentifierInput = { status: 'listed', list: 'block' };
  const skipped: IdentifierInput = { status: 'skipped' };

  it('an allow-listed identifier → allow, even with the other block-listed', () => {
    expect(decide(policy, 'stripe', allow, block)).toEqual({
      decision: 'allow',
      reasons: [{ code: 'allowlist', message: 'the email is on the allow list' }],
      degraded: false,
    });
    expect(decide(policy, 'stripe', block, allow).reasons).toEqual([
      { code: 'allowlist', message: 'the phone is on the allow list' },
    ]);
  });

  it('an allow-listed identifier beats an invalid email', () => {
    expect(decide(policy, 'api', { status: 'invalid' }, allow).decision).toBe('allow');
  });

  it('a block-listed identifier → block, beating thresholds', () => {
    expect(decide(policy, 'api', skipped, block)).toEqual({
      decision: 'block',
      reasons: [{ code: 'blocklist', message: 'the phone is on the block list' }],
      degraded: false,
    });
    expect(decide(policy, 'api', block, result('low')).decision).toBe('block');
  });

  it('allow list beats a result that would block', () => {
    expect(decide(policy, 'api', result('extreme'), allow).decision).toBe('allow');
  });

  it('both listed the same way give a reason each', () => {
    expect(codes(decide(policy, 'api', block, block).reasons)).toEqual(['blocklist', 'blocklist']);
  });
});
