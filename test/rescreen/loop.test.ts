/**
 * The local re-screen loop on injected timers: the first run one interval after start, the next one interval after a
 * run ends (never two at once), a failed run reported and the loop going on, stop waiting for a run in progress, and
 * RESCREEN_INTERVAL_MS (default a minute, 0 = off, anything else refused naming the variable).
 */
import { describe, expect, it } from 'vitest';
import { type LoopTimers, startRescreenLoop } from '../../local/rescreen-loop.js';
import { ConfigError, loadLocalConfig } from '../../shared/config/local.js';

/** Timers that fire only when told. */
const manualTimers = () => {
  const pending = new Map<number, { callback: () => void; ms: number }>();
  let next = 0;
  const timers: LoopTimers = {
    setTimeout: (callback, ms) => {
      pending.set(++next, { callback, ms });
      return next;
    },
    clearTimeout: (handle) => pending.delete(handle as number),
  };
  const fire = () => {
    const [[id, timer]] = [...pending.entries()] as [[number, { callback: () => void; ms: number }]];
    pending.delete(id);
    timer.callback();
  };
  return { timers, pending, fire };
};

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('the re-screen loop', () => {
  it('runs one interval after start, then one interval after each run ends', async () => {
    const { timers, pending, fire } = manualTimers();
    let runs = 0;
    let finish: () => void = () => undefined;
    const loop = startRescreenLoop({
      intervalMs: 60_000,
      run: () => {
        runs++;
        return new Promise<void>((resolve) => {
          finish = resolve;
        });
      },
      onError: () => undefined,
      timers,
    });
    expect(loop.active).toBe(true);
    expect(runs).toBe(0);
    expect([...pending.values()].map((t) => t.ms)).toEqual([60_000]);
    fire();
    expect(runs).toBe(1);
    expect(pending.size).toBe(0); // nothing scheduled while the run is in progress
    finish();
    await settle();
    expect(pending.size).toBe(1);
    fire();
    expect(runs).toBe(2);
    // Stopping waits for the run in progress and schedules nothing after it.
    let stopped = false;
    const stopping = loop.stop().then(() => {
      stopped = true;
    });
    await settle();
    expect(stopped).toBe(false);
    finish();
    await stopping;
    expect(pending.size).toBe(0);
  });

  it('reports a failed run and goes on', async () => {
    const { timers, pending, fire } = manualTimers();
    const errors: unknown[] = [];
    const loop = startRescreenLoop({
      intervalMs: 5,
      run: async () => {
        throw new Error('store down');
      },
      onError: (error) => errors.push(error),
      timers,
    });
    fire();
    await settle();
    expect(errors).toHaveLength(1);
    expect(pending.size).toBe(1);
    await loop.stop();
    expect(pending.size).toBe(0);
  });

  it('is off with an interval of 0', async () => {
    const { timers, pending } = manualTimers();
    const loop = startRescreenLoop({
      intervalMs: 0,
      run: async () => undefined,
      onError: () => undefined,
      timers,
    });
    expect(loop.active).toBe(false);
    expect(pending.size).toBe(0);
    await loop.stop();
  });

  it('reads RESCREEN_INTERVAL_MS: a minute by default, 0 turns it off, nonsense is refused by name', () => {
    expect(loadLocalConfig({}).rescreenIntervalMs).toBe(60_000);
    expect(loadLocalConfig({ RESCREEN_INTERVAL_MS: '0' }).rescreenIntervalMs).toBe(0);
    expect(loadLocalConfig({ RESCREEN_INTERVAL_MS: '1500' }).rescreenIntervalMs).toBe(1500);
    for (const bad of ['-1', '1.5', 'soon', '100000000000']) {
      expect(() => loadLocalConfig({ RESCREEN_INTERVAL_MS: bad })).toThrow(ConfigError);
      expect(() => loadLocalConfig({ RESCREEN_INTERVAL_MS: bad })).toThrow(/RESCREEN_INTERVAL_MS/);
    }
  });
});
