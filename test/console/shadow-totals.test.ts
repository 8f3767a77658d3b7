/** The overview's shadow panel sums live × shadow transitions over the buckets, and is absent without any. */
import { describe, expect, it } from 'vitest';
import type { StatsBucket } from '../../console/src/api/types.js';
import { shadowTotals } from '../../console/src/views/shadow-totals.js';

const bucket = (shadow?: StatsBucket['shadow']): StatsBucket =>
  ({ allow: 0, review: 0, block: 0, ...(shadow ? { shadow } : {}) }) as unknown as StatsBucket;

describe('shadowTotals', () => {
  it('is null when no verdict of the period was decided under a shadow', () => {
    expect(shadowTotals([bucket(), bucket({})])).toBeNull();
  });

  it('adds the transitions of every bucket, zero elsewhere', () => {
    const totals = shadowTotals([
      bucket({ allow: { review: 2, allow: 5 } }),
      bucket(),
      bucket({ allow: { review: 1 }, block: { allow: 3 } }),
    ]);
    expect(totals).toEqual({
      allow: { allow: 5, review: 3, block: 0 },
      review: { allow: 0, review: 0, block: 0 },
      block: { allow: 3, review: 0, block: 0 },
    });
  });
});
