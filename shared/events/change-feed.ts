/**
 * The local stand-in for DynamoDB Streams (dynalite has none): a store decorator that reports each verdict write,
 * review, outcome label, recorded enforcement and re-screen to a listener after the write succeeded. The listener
 * runs off the request's path and can never fail it.
 */
import type { Enforcement, Outcome, Review, Verdict, VerdictRecord } from '../core/verdict.js';
import { sameOutcome } from '../outcomes/labels.js';
import type { StoredVerdict, UpdatedVerdict, VerdictRepository } from '../store/ports.js';

/** Told each change: the verdict before (null when created) and after; for a creation, the stored record too. */
export type VerdictChangeListener = (before: Verdict | null, after: Verdict, created?: VerdictRecord) => void;

/** The same verdicts, with `onChange` told about every saved verdict, every review and every new outcome label. */
export const withChangeFeed = (
  verdicts: VerdictRepository,
  onChange: VerdictChangeListener,
): VerdictRepository => {
  const notify = (before: Verdict | null, after: Verdict, created?: VerdictRecord) => {
    queueMicrotask(() => {
      try {
        onChange(before, after, created);
      } catch {
        // A listener's failure is its own (it logs); the write already succeeded.
      }
    });
  };
  return {
    ...verdicts,
    async save(record: VerdictRecord): Promise<void> {
      await verdicts.save(record);
      notify(null, record.verdict, record);
    },
    async review(verdictId: string, review: Review): Promise<UpdatedVerdict | null> {
      const after = await verdicts.review(verdictId, review);
      if (after) notify(after.before, after.verdict);
      return after;
    },
    async label(verdictId: string, outcome: Outcome): Promise<UpdatedVerdict | null> {
      const after = await verdicts.label(verdictId, outcome);
      // The same label again writes nothing, so, like the table's stream, the feed reports nothing.
      if (after && !sameOutcome(after.before.outcome, outcome)) notify(after.before, after.verdict);
      return after;
    },
    async setEnforcement(verdictId: string, enforcement: Enforcement): Promise<StoredVerdict | null> {
      const after = await verdicts.setEnforcement(verdictId, enforcement);
      // Only the enforcement changed; what it was before matters to no listener (each compares the fields it acts on).
      if (after) notify({ ...after.verdict, enforcement: null }, after.verdict);
      return after;
    },
    async rescreen(before: StoredVerdict, after: StoredVerdict): Promise<StoredVerdict | null> {
      const stored = await verdicts.rescreen(before, after);
      if (stored) notify(before.verdict, stored.verdict);
      return stored;
    },
  };
};
