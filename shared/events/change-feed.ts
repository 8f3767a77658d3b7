/**
 * The local stand-in for DynamoDB Streams (dynalite has none): a store decorator that reports each verdict write,
 * review and re-screen to a listener after the write succeeded. The listener runs off the request's path and can
 * never fail it.
 */
import type { Review, Verdict, VerdictRecord } from '../core/verdict.js';
import type { StoredVerdict, VerdictRepository } from '../store/ports.js';

export type VerdictChangeListener = (before: Verdict | null, after: Verdict) => void;

/** The same verdicts, with `onChange` told about every saved verdict and every review. */
export const withChangeFeed = (
  verdicts: VerdictRepository,
  onChange: VerdictChangeListener,
): VerdictRepository => {
  const notify = (before: Verdict | null, after: Verdict) => {
    queueMicrotask(() => {
      try {
        onChange(before, after);
      } catch {
        // A listener's failure is its own (it logs); the write already succeeded.
      }
    });
  };
  return {
    ...verdicts,
    async save(record: VerdictRecord): Promise<void> {
      await verdicts.save(record);
      notify(null, record.verdict);
    },
    async review(verdictId: string, review: Review): Promise<StoredVerdict | null> {
      const after = await verdicts.review(verdictId, review);
      // A review changes the review alone, and every review is news: no read of the old state is needed.
      if (after) notify({ ...after.verdict, review: null }, after.verdict);
      return after;
    },
    async rescreen(before: StoredVerdict, after: StoredVerdict): Promise<StoredVerdict | null> {
      const stored = await verdicts.rescreen(before, after);
      if (stored) notify(before.verdict, stored.verdict);
      return stored;
    },
  };
};
