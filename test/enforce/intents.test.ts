/** What a verdict change asks of the provider (docs/enforcement.md): the pure decision, case by case. */
import { describe, expect, it } from 'vitest';
import type { Source } from '../../shared/core/levels.js';
import type { Enforcement, Review, Verdict } from '../../shared/core/verdict.js';
import { desiredOf, enforcementFor, isSettled } from '../../shared/enforce/intents.js';
import { parsePolicy } from '../../shared/policy/schema.js';
import { makeRecord } from '../store/contract.js';

const AT = '2026-11-26T06:00:00.000Z';
const LATER = '2026-11-26T07:00:00.000Z';
const on = parsePolicy({
  enforce: { auth0: true, supabase: true, cognito: true, stripe: true, clerk: true },
});
const off = parsePolicy({});

const verdict = (fields: Partial<Verdict> & { source?: Source } = {}): Verdict => ({
  ...makeRecord({ at: AT, decision: fields.decision ?? 'review', source: fields.source ?? 'auth0' }).verdict,
  ...fields,
});
const review = (outcome: Review['outcome'], at = LATER): Review => ({
  outcome,
  note: null,
  reviewed_at: at,
  reviewed_by: 'local',
});
const enforced = (status: Enforcement['status'], action: Enforcement['action'] = 'block'): Enforcement => ({
  status,
  action,
  at: AT,
});
const actions = (before: Verdict | null, after: Verdict, policy = on) =>
  enforcementFor(before, after, policy).map((i) => `${i.action}:${i.cause}`);

describe('enforcementFor', () => {
  it('blocks on a reject, with a key stable per review', () => {
    const before = verdict();
    const after = { ...before, review: review('reject') };
    expect(enforcementFor(before, after, on)).toEqual([
      {
        verdictId: before.verdict_id,
        source: 'auth0',
        action: 'block',
        cause: 'review',
        key: `${before.verdict_id}:block:${LATER}`,
      },
    ]);
  });

  it('undoes an enforced block on approve, and only an enforced one (Stripe with write-back: every approve)', () => {
    const before = { ...verdict(), review: review('reject', AT), enforcement: enforced('done') };
    expect(actions(before, { ...before, review: review('approve') })).toEqual(['unblock:review']);
    expect(
      actions(before, { ...before, review: review('approve'), enforcement: enforced('pending') }),
    ).toEqual(['unblock:review']);
    for (const enforcement of [null, enforced('failed'), enforced('undone', 'unblock')]) {
      expect(actions(before, { ...before, review: review('approve'), enforcement })).toEqual([]);
    }
    const stripe = verdict({ source: 'stripe' });
    const writeBack = parsePolicy({ stripe: { write_back: true } });
    expect(actions(stripe, { ...stripe, review: review('approve') }, writeBack)).toEqual(['unblock:review']);
    expect(actions(stripe, { ...stripe, review: review('reject') }, writeBack)).toEqual(['block:review']);
  });

  it('blocks when a re-screen turns an admitted signup into a block', () => {
    const before = verdict({ decision: 'allow', degraded: true });
    const rescreened = { ...before, decision: 'block' as const, action: 'block' as const, degraded: false };
    const after = { ...rescreened, provisional_decision: 'allow' as const, rescreened_at: LATER };
    expect(enforcementFor(before, after, on)).toMatchObject([
      { action: 'block', cause: 'rescreen', key: `${before.verdict_id}:block:${LATER}` },
    ]);
    expect(actions(before, { ...after, provisional_decision: 'review' })).toEqual(['block:rescreen']);
    // Answered block at signup (the provider refused it), re-screened to anything, or approved meanwhile: nothing.
    expect(actions(before, { ...after, provisional_decision: 'block' })).toEqual([]);
    expect(actions(before, { ...after, decision: 'review', action: 'review' })).toEqual([]);
    expect(actions(before, { ...after, review: review('approve', AT) })).toEqual([]);
    expect(actions(before, { ...after, provisional_decision: null })).toEqual([]);
  });

  it('blocks a new Clerk verdict decided block (the user exists already), no other new verdict', () => {
    expect(actions(null, verdict({ source: 'clerk', decision: 'block', action: 'block' }))).toEqual([
      'block:created',
    ]);
    for (const source of ['auth0', 'supabase', 'cognito', 'stripe'] as const) {
      expect(actions(null, verdict({ source, decision: 'block', action: 'block' }))).toEqual([]);
    }
    expect(actions(null, verdict({ source: 'clerk', decision: 'review' }))).toEqual([]);
  });

  it('asks nothing when only the enforcement changed (recording a result never loops)', () => {
    const before = { ...verdict(), review: review('reject') };
    for (const enforcement of [enforced('pending'), enforced('done'), enforced('failed')]) {
      expect(actions(before, { ...before, enforcement })).toEqual([]);
      expect(actions({ ...before, enforcement: enforced('pending') }, { ...before, enforcement })).toEqual(
        [],
      );
    }
    const rescreened = {
      ...verdict({ decision: 'block', provisional_decision: 'allow', rescreened_at: LATER }),
    };
    expect(actions(rescreened, { ...rescreened, enforcement: enforced('done') })).toEqual([]);
  });

  it('asks nothing in monitor mode, with enforce off, or for a source with no adapter', () => {
    const before = verdict();
    const reject = { ...before, review: review('reject') };
    expect(actions(before, { ...reject, mode: 'monitor', action: 'allow' })).toEqual([]);
    expect(actions(before, reject, off)).toEqual([]);
    expect(actions(before, reject, parsePolicy({ enforce: { supabase: true } }))).toEqual([]);
    const api = verdict({ source: 'api' });
    expect(actions(api, { ...api, review: review('reject') })).toEqual([]);
  });
});

describe('desiredOf and isSettled', () => {
  it('a reject asks a block, an approve an unblock, an unreviewed block a block; monitor nothing', () => {
    expect(desiredOf({ ...verdict(), review: review('reject') })).toBe('block');
    expect(desiredOf({ ...verdict({ decision: 'block' }), review: review('approve') })).toBe('unblock');
    expect(desiredOf(verdict({ decision: 'block' }))).toBe('block');
    expect(desiredOf(verdict({ decision: 'review' }))).toBeNull();
    expect(desiredOf({ ...verdict({ mode: 'monitor' }), review: review('reject') })).toBeNull();
  });

  it('a block is settled once done, an unblock once undone', () => {
    expect(isSettled(enforced('done'), 'block')).toBe(true);
    expect(isSettled(enforced('pending'), 'block')).toBe(false);
    expect(isSettled(enforced('failed'), 'block')).toBe(false);
    expect(isSettled(enforced('undone', 'unblock'), 'unblock')).toBe(true);
    expect(isSettled(enforced('done'), 'unblock')).toBe(false);
    expect(isSettled(null, 'block')).toBe(false);
  });
});
