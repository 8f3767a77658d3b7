/** One tiny scenario through the scenario bench's own code (bench/lib/scenarios.ts), so `npm run scenarios` cannot rot. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OwnServer, startOwnServer } from '../../bench/lib/local.js';
import { runScenario, SCENARIOS, scenarioTable } from '../../bench/lib/scenarios.js';

const outage = SCENARIOS.find((s) => s.name.startsWith('Defastra outage'));

describe('scenario bench', () => {
  let server: OwnServer;
  beforeAll(async () => {
    server = await startOwnServer({ env: { RESCREEN_INTERVAL_MS: '0' }, countStore: false });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('counts provisional verdicts in an outage and re-screens them all to final', async () => {
    if (!outage) throw new Error('the outage scenario is missing');
    let t = 0;
    const result = await runScenario(server, outage, 12, () => (t += 5));
    expect(result.signups).toBe(12);
    expect(result.risky).toBe(3);
    expect(result.provisional).toBeGreaterThan(0);
    expect(result.stillPending).toBe(0);
    expect(result.msUntilFinal).toBe(5);
    expect(result.goodBlocked).toBe(0);
    expect(scenarioTable([result])).toHaveLength(3);
  });
});
