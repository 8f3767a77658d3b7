/**
 * A short version of `npm run load` inside `npm test`: 2 clients for about 2 s against the real local server
 * (own temp DATA_DIR, embedded store, the sandbox), every route mixed; every check of the run must pass.
 */
import { describe, expect, it } from 'vitest';
import { runLoad } from '../../bench/load.js';

describe('bounded load run', () => {
  it('mixes every route with no unexpected status, every verdict retrievable, one Defastra call per identifier', async () => {
    const summary = await runLoad({ clients: 2, seconds: 2, identities: 12, latencyMs: 10 });
    const failed = summary.checks.filter((check) => !check.pass);
    expect(failed, JSON.stringify({ failed, unexpected: summary.unexpected, notes: summary.notes })).toEqual(
      [],
    );
    expect(summary.ok).toBe(true);
    expect(summary.checks.map((check) => check.name)).toContain('one Defastra call per distinct identifier');
    expect(summary.requests).toBeGreaterThan(20);
    expect(summary.verdictsSeen).toBeGreaterThan(5);
    // Identities repeat, so most screenings after the first round are cache hits.
    expect(summary.defastra!.emailCalls).toBeLessThanOrEqual(12);
    for (const kind of ['screen', 'get-verdict', 'list', 'auth0', 'stripe']) {
      expect(summary.byKind[kind]?.count ?? 0, kind).toBeGreaterThan(0);
    }
  }, 30_000);
});
