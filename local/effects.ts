/**
 * What happens off the request path locally, as the table's stream drives it in AWS: each verdict change the store's
 * change feed reports publishes its events (DATA_DIR/events.jsonl) and, for a new verdict its screening did not count,
 * adds its statistics counters. Counter writes queue and go out merged (one update per counter item), like a stream
 * batch. `drain()` resolves once everything reported so far is done (tests, shutdown).
 */
import type { Decision } from '../shared/core/levels.js';
import type { VerdictChangeListener } from '../shared/events/change-feed.js';
import { eventsFor } from '../shared/events/events.js';
import type { EventSink } from '../shared/events/jsonl-sink.js';
import type { Telemetry } from '../shared/observability/telemetry.js';
import { recordIncrements, uncountedIncrement } from '../shared/stats/off-path.js';
import type { CounterRepository, StatsIncrement } from '../shared/store/ports.js';

export interface LocalEffects {
  /** The change feed's listener. */
  onChange: VerdictChangeListener;
  /** Resolves once every effect of the changes reported so far is done. */
  drain(): Promise<void>;
}

export interface LocalEffectsOptions {
  events: EventSink;
  /** Decisions whose new verdicts publish `Verdict Created`. */
  publish: readonly Decision[];
  counters: Pick<CounterRepository, 'record'>;
  telemetry: Telemetry;
}

export const localEffects = ({ events, publish, counters, telemetry }: LocalEffectsOptions): LocalEffects => {
  const queued: StatsIncrement[] = [];
  let flushing: Promise<void> | null = null;
  const flush = async (): Promise<void> => {
    while (queued.length > 0) {
      const failed = await recordIncrements(counters, queued.splice(0));
      if (failed.size > 0) {
        telemetry.storeWriteFailed('stats');
        telemetry.warn('statistics counters not written', { verdicts: failed.size });
      }
    }
    flushing = null;
  };
  return {
    onChange(before, after, created) {
      events.publish(eventsFor(before, after, publish));
      const increment = created && uncountedIncrement(created);
      if (!increment) return;
      queued.push(increment);
      flushing ??= flush();
    },
    async drain() {
      while (flushing) await flushing;
      await events.drain();
    },
  };
};
