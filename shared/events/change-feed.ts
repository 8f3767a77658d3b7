/**
 * The local stand-in for DynamoDB Streams (dynalite has none): a store decorator that reports each verdict write and
 * review to a listener after the write succeeded. The listener runs off the request's path and can never fail it.
 */
import type { Review, Verdict, VerdictRecord } from '../core/verdict.js';
import type { StoredVerdict, VerdictRepository } from '../store/ports.js';

/** Told each change: the verdict before (null when created) and after; for a creation, the stored record too. */
export type VerdictChangeListener = (before: Verdict | null, after: Verdict, created?: VerdictRecord) => void;

/** The same verdicts, with `onChange` told about every saved verdict and every review. */
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
    async review(verdictId: string, review: Review): Promise<StoredVerdict | null> {
      const after = await verdicts.review(verdictId, review);
      // A review changes the review alone, and every review is news: no read of the old state is needed.
      if (after) notify({ ...after.verdict, review: null }, after.verdict);
      return after;
    },
  };
};
