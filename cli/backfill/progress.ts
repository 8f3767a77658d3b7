/**
 * Backfill progress on stderr: a cli-progress bar on a terminal (done/total, rate, ETA, decisions so far),
 * plain lines elsewhere (every 10% of the rows or 10 s, whichever comes first), never on stdout.
 */
import { MultiBar, Presets, type SingleBar } from 'cli-progress';

export interface Tally {
  allow: number;
  review: number;
  block: number;
  failed: number;
}

export interface Progress {
  update(done: number, tally: Tally): void;
  /** A line above the bar (or a plain line). */
  log(line: string): void;
  stop(): void;
}

/** `12s`, `4m05s`, `1h02m`. */
export const formatDuration = (seconds: number): string => {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
};

const decisions = (t: Tally) => `${t.allow} allow, ${t.review} review, ${t.block} block, ${t.failed} failed`;

/** One plain progress line. */
export const progressLine = (done: number, total: number, elapsedMs: number, tally: Tally): string => {
  const rate = elapsedMs > 0 ? done / (elapsedMs / 1000) : 0;
  const eta = rate > 0 ? formatDuration((total - done) / rate) : '?';
  const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
  return `backfill: ${done}/${total} (${percent}%), ${rate.toFixed(1)}/s, ETA ${eta}; ${decisions(tally)}`;
};

const PLAIN_EVERY_MS = 10_000;

export const createProgress = (total: number, stream: NodeJS.WriteStream = process.stderr): Progress => {
  const started = Date.now();
  if (stream.isTTY) {
    const bars = new MultiBar(
      {
        stream,
        format: '{bar} {value}/{total} | {rate}/s | ETA {eta_formatted} | {decisions}',
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 50,
      },
      Presets.shades_classic,
    );
    const bar: SingleBar = bars.create(total, 0, {
      rate: '0.0',
      decisions: decisions({ allow: 0, review: 0, block: 0, failed: 0 }),
    });
    return {
      update: (done, tally) => {
        const elapsed = (Date.now() - started) / 1000;
        bar.update(done, {
          rate: (elapsed > 0 ? done / elapsed : 0).toFixed(1),
          decisions: decisions(tally),
        });
      },
      log: (line) => bars.log(`${line}\n`),
      stop: () => {
        bars.update(); // flushes lines logged since the last redraw
        bars.stop();
      },
    };
  }
  let lastAt = started;
  let lastDone = 0;
  const step = Math.max(1, Math.ceil(total / 10));
  return {
    update: (done, tally) => {
      const now = Date.now();
      if (done < total && done - lastDone < step && now - lastAt < PLAIN_EVERY_MS) return;
      if (done === lastDone) return;
      lastAt = now;
      lastDone = done;
      stream.write(`${progressLine(done, total, now - started, tally)}\n`);
    },
    log: (line) => stream.write(`${line}\n`),
    stop: () => undefined,
  };
};
