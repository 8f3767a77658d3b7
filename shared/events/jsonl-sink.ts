/** Local verdict events: appended to `DATA_DIR/events.jsonl`, one JSON object per line, in order, never blocking a request. */
import { appendFile } from 'node:fs/promises';
import { errorName } from '../core/errors.js';
import type { Telemetry } from '../observability/telemetry.js';
import type { VerdictEvent } from './events.js';

export interface EventSink {
  publish(events: readonly VerdictEvent[]): void;
  /** Resolves once every event published so far is written (tests, shutdown). */
  drain(): Promise<void>;
}

/** Appends events to `path`; writes are chained so lines keep their order, and a failed write is logged, not thrown. */
export const jsonlEventSink = (path: string, telemetry: Telemetry): EventSink => {
  let tail: Promise<void> = Promise.resolve();
  return {
    publish(events) {
      if (events.length === 0) return;
      const text = events.map((event) => `${JSON.stringify(event)}\n`).join('');
      tail = tail.then(() =>
        appendFile(path, text, { mode: 0o600 }).catch((error: unknown) => {
          telemetry.warn('could not append verdict events', { error: errorName(error) });
        }),
      );
    },
    drain: () => tail,
  };
};
