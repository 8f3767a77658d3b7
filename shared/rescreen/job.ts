/**
 * The re-screen job (docs/rescreen.md): takes the due pending re-screens, opens their sealed identifiers, screens them
 * again through the screening code under the current policy, and records each attempt on the verdict through the
 * verdict port (so the change pipeline sees it): done, rescheduled with backoff, or given up after 24 hours. A run is
 * capped in size and stops at Defastra's first rate-limit answer or at the spend cap; time comes from `deps.now`.
 */
import { randomUUID } from 'node:crypto';
import { ConflictError, errorName, NotFoundError } from '../core/errors.js';
import type { Verdict } from '../core/verdict.js';
import { resolveForSource } from '../policy/decide.js';
import type { Policy } from '../policy/schema.js';
import type { PolicySource } from '../policy/source.js';
import type { AppDeps } from '../runtime/deps.js';
import { type ScreeningDeps, screenAgain } from '../screening/screen.js';
import { callsIncrement } from '../stats/counters.js';
import { decisionMove } from '../stats/moves.js';
import type { PendingRescreen, StatsIncrement, Store, StoredVerdict } from '../store/ports.js';
import { nextRescreenAt, RESCREEN_RUN_SIZE, RESCREEN_WINDOW_MS } from './schedule.js';
import { openIdentifiers } from './sealed.js';

export interface RescreenDeps extends ScreeningDeps {
  store: Pick<Store, 'verdicts' | 'screening' | 'counters' | 'rescreen'>;
  policy: PolicySource;
  rescreenKey: () => Promise<Buffer>;
}

/** The job's deps from the app's; without a re-screen key (not configured) nothing can be re-screened. */
export const rescreenDepsOf = (deps: AppDeps): RescreenDeps => {
  const { rescreenKey } = deps;
  return {
    ...deps,
    rescreenKey: async () => {
      if (rescreenKey === undefined)
        throw new ConflictError('re-screening is not configured (no re-screen key)');
      return rescreenKey();
    },
  };
};

/** Attempts of one run in flight at once. */
export const RESCREEN_CONCURRENCY = 4;

/** Why a run stopped before its due items were all tried. */
export type RunStop = 'rate_limit' | 'spend_limit' | 'error';

export interface RescreenRun {
  /** Due items found at the start (at most the run's size). */
  due: number;
  done: number;
  rescheduled: number;
  gaveUp: number;
  /** Items whose verdict was gone, no longer pending or changed meanwhile (their queue item is dropped or kept). */
  skipped: number;
  stopped: RunStop | null;
}

/** How one attempt ended. */
type Attempt =
  | { status: 'done' | 'rescheduled' | 'gave_up'; verdict: Verdict; limited: RunStop | null }
  | { status: 'skipped'; why: 'gone' | 'not_pending' | 'changed' };

/** The verdict fields a re-screen decides again; everything else of the stored verdict stays. */
const DECIDED = [
  'decision',
  'reasons',
  'degraded',
  'email',
  'phone',
  'policy_version',
  'action',
  'mode',
] as const satisfies ReadonlyArray<keyof Verdict>;

const pickDecided = (verdict: Verdict): Partial<Verdict> =>
  Object.fromEntries(DECIDED.map((field) => [field, verdict[field]]));

/** Start of the UTC hour after `ms`: when the hourly spend cap has budget again. */
const nextHour = (ms: number): number => (Math.floor(ms / 3_600_000) + 1) * 3_600_000;

/** Store writes that must not undo a recorded attempt: logged and counted when they fail. */
const bestEffort = (deps: RescreenDeps, what: 'cache' | 'stats', write: () => Promise<void>) =>
  write().catch((error: unknown) => {
    deps.telemetry.storeWriteFailed(what);
    deps.telemetry.warn(`${what} write failed`, { error: errorName(error) });
  });

interface Planned {
  after: StoredVerdict;
  /** Where the queue item goes: finished, or rescheduled to `dueAt` with `attempts`. */
  queue: { finish: true } | { finish: false; dueAt: number; attempts: number };
  status: 'done' | 'rescheduled' | 'gave_up';
  limited: RunStop | null;
  /** Defastra calls made, counted in the hour they happened, whatever becomes of the write. */
  calls: StatsIncrement | null;
  /** A decision change moves the verdict's count in its bucket: only with the write that made it. */
  move: StatsIncrement | null;
  cacheWrites: Array<() => Promise<void>>;
}

/** The verdict of a re-screen that gave up: its decision stays; `rescreened_at` says when it ended. */
const gaveUp = (stored: StoredVerdict, attempts: number, nowIso: string): StoredVerdict => ({
  ...stored,
  verdict: {
    ...stored.verdict,
    rescreen: { status: 'gave_up', attempts, next_at: null },
    rescreened_at: nowIso,
  },
});

/** Decides one attempt: screens the identifiers again (unless the window has passed or they do not open). */
const plan = async (
  deps: RescreenDeps,
  pending: PendingRescreen,
  stored: StoredVerdict,
  policy: Policy,
): Promise<Planned> => {
  const { verdict } = stored;
  const now = deps.now();
  const nowIso = new Date(now).toISOString();
  const createdMs = Date.parse(verdict.created_at);
  const attempts = (verdict.rescreen?.attempts ?? pending.attempts) + 1;
  const giveUp = (): Planned => ({
    after: gaveUp(stored, attempts - 1, nowIso),
    queue: { finish: true },
    status: 'gave_up',
    limited: null,
    calls: null,
    move: null,
    cacheWrites: [],
  });
  if (now >= createdMs + RESCREEN_WINDOW_MS) return giveUp();
  const ids = openIdentifiers(await deps.rescreenKey(), verdict.verdict_id, pending.sealed);
  if (ids === null) {
    deps.telemetry.warn('re-screen identifiers do not open (another key?): giving up', {
      verdict_id: verdict.verdict_id,
    });
    return giveUp();
  }
  const again = await screenAgain(
    deps,
    policy,
    { source: verdict.source, sourceRef: null, email: ids.email, phone: ids.phone, ip: ids.ip },
    stored,
  );
  const { retention_days: retentionDays } = resolveForSource(policy, verdict.source);
  const calls =
    again.usage.calls > 0 ? callsIncrement(again.usage.calls, randomUUID(), now, retentionDays) : null;
  const base = { limited: again.limited, calls, move: null, cacheWrites: again.cacheWrites };
  if (!again.record.verdict.degraded) {
    const after: StoredVerdict = {
      ...stored,
      verdict: {
        ...verdict,
        ...pickDecided(again.record.verdict),
        provisional_decision: verdict.provisional_decision ?? verdict.decision,
        rescreened_at: nowIso,
        rescreen: { status: 'done', attempts, next_at: null },
      },
      facts: { runtimeLists: again.record.facts.runtimeLists, velocity: stored.facts.velocity },
    };
    const move = decisionMove(verdict, after.verdict, retentionDays);
    return { ...base, move, after, queue: { finish: true }, status: 'done' };
  }
  // Still degraded. Spend-limited: not counted as an attempt, it waits for the next hour's budget.
  const spendLimited = again.limited === 'spend_limit';
  const counted = spendLimited ? attempts - 1 : attempts;
  const windowEnd = createdMs + RESCREEN_WINDOW_MS;
  const next = spendLimited
    ? nextHour(now) <= windowEnd
      ? nextHour(now)
      : null
    : nextRescreenAt(createdMs, attempts, now);
  if (next === null) {
    return {
      ...base,
      after: gaveUp(stored, counted, nowIso),
      queue: { finish: true },
      status: 'gave_up',
    };
  }
  return {
    ...base,
    after: {
      ...stored,
      verdict: {
        ...verdict,
        rescreen: { status: 'pending', attempts: counted, next_at: new Date(next).toISOString() },
      },
    },
    queue: { finish: false, dueAt: next, attempts: counted },
    status: 'rescheduled',
  };
};

/** One attempt for one pending item: read, screen again, record on the verdict, then move the queue item. */
const attemptOne = async (deps: RescreenDeps, pending: PendingRescreen, policy: Policy): Promise<Attempt> => {
  const queue = deps.store.rescreen;
  const stored = await deps.store.verdicts.getStored(pending.verdictId);
  if (stored === null) {
    await queue.finish(pending.verdictId);
    return { status: 'skipped', why: 'gone' };
  }
  if (stored.verdict.rescreen?.status !== 'pending') {
    // Already ended (an earlier run recorded it and then could not drop the item): drop it now.
    await queue.finish(pending.verdictId);
    return { status: 'skipped', why: 'not_pending' };
  }
  const planned = await plan(deps, pending, stored, policy);
  const written = await deps.store.verdicts.rescreen(stored, planned.after);
  const writes: Array<Promise<void>> = planned.cacheWrites.map((write) => bestEffort(deps, 'cache', write));
  for (const increment of [planned.calls, written === null ? null : planned.move]) {
    if (increment) writes.push(bestEffort(deps, 'stats', () => deps.store.counters.record(increment)));
  }
  if (written === null) {
    await Promise.all(writes);
    return { status: 'skipped', why: 'changed' };
  }
  const { queue: next } = planned;
  writes.push(
    next.finish
      ? queue.finish(pending.verdictId)
      : queue.reschedule(pending.verdictId, next.dueAt, next.attempts).then(() => undefined),
  );
  await Promise.all(writes);
  deps.telemetry.info('verdict re-screened', {
    verdict_id: pending.verdictId,
    status: planned.status,
    decision: written.verdict.decision,
    provisional_decision: stored.verdict.decision,
    attempts: written.verdict.rescreen?.attempts ?? 0,
  });
  return {
    status: planned.status,
    verdict: written.verdict,
    limited: planned.status === 'done' ? null : planned.limited,
  };
};

export interface RunOptions {
  /** Most items this run attempts (default RESCREEN_RUN_SIZE). */
  limit?: number;
  concurrency?: number;
  /** Epoch ms (deps.now) after which no attempt starts: a scheduled run ends before its function times out. */
  stopStartingAt?: number;
}

/** One run: the due items, longest-waiting first, a few at a time, until done, capped, or told to stop. */
export const runRescreens = async (deps: RescreenDeps, options: RunOptions = {}): Promise<RescreenRun> => {
  const now = deps.now();
  const due = await deps.store.rescreen.due(now, options.limit ?? RESCREEN_RUN_SIZE);
  const run: RescreenRun = { due: due.length, done: 0, rescheduled: 0, gaveUp: 0, skipped: 0, stopped: null };
  if (due.length > 0) {
    const policy = await deps.policy();
    const todo = [...due];
    const worker = async (): Promise<void> => {
      const late = () => options.stopStartingAt !== undefined && deps.now() >= options.stopStartingAt;
      for (;;) {
        if (run.stopped !== null || late()) return;
        const item = todo.shift();
        if (item === undefined) return;
        try {
          const attempt = await attemptOne(deps, item, policy);
          if (attempt.status === 'skipped') run.skipped++;
          else {
            if (attempt.status === 'done') run.done++;
            else if (attempt.status === 'gave_up') run.gaveUp++;
            else run.rescheduled++;
            if (attempt.limited) run.stopped ??= attempt.limited;
          }
        } catch (error) {
          deps.telemetry.warn('re-screen attempt failed; run stopped', {
            verdict_id: item.verdictId,
            error: errorName(error),
          });
          run.stopped ??= 'error';
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency ?? RESCREEN_CONCURRENCY }, worker));
  }
  const oldest = due[0];
  deps.telemetry.rescreenRun({
    due: run.due,
    backlogAgeSec: oldest ? Math.max(0, Math.floor((now - oldest.dueAt) / 1000)) : 0,
    done: run.done,
    rescheduled: run.rescheduled,
    gaveUp: run.gaveUp,
  });
  if (run.due > 0) deps.telemetry.info('re-screen run', { ...run });
  return run;
};

/**
 * An operator's re-screen of one verdict, now (`POST /verdicts/{id}/rescreen`): the updated verdict (done,
 * rescheduled or given up). NotFoundError for an unknown verdict, ConflictError when it is not pending.
 */
export const rescreenNow = async (deps: RescreenDeps, verdictId: string): Promise<Verdict> => {
  const stored = await deps.store.verdicts.get(verdictId);
  if (stored === null) throw new NotFoundError('no verdict with this id');
  if (stored.rescreen?.status !== 'pending') {
    throw new ConflictError('the verdict is not provisional: there is no pending re-screen');
  }
  const pending = await deps.store.rescreen.get(verdictId);
  if (pending === null) {
    throw new ConflictError('the verdict has no re-screen identifiers left: it cannot be re-screened');
  }
  const attempt = await attemptOne(deps, pending, await deps.policy());
  if (attempt.status === 'skipped') {
    if (attempt.why === 'gone') throw new NotFoundError('no verdict with this id');
    throw new ConflictError('the verdict changed meanwhile (reviewed or re-screened): try again');
  }
  return attempt.verdict;
};
