/**
 * Progress of a file run on stderr (backfill, label import): a cli-progress bar on a terminal (done/total, rate,
 * ETA, the counts so far), plain lines elsewhere (every 10% of the rows or 10 s, whichever comes first), never on
 * stdout. A `ProgressView` names the run and says its counts; the backfill's (decisions) is the default.
 */
import { MultiBar, Presets, type SingleBar } from 'cli-progress';

export interface Tally {
  allow: number;
  review: number;
  block: number;
  failed: number;
}

export interface Progress<T = Tally> {
  update(done: number, tally: T): void;
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

/** What a run is called in its plain lines, and how its counts read. */
export interface ProgressView<T> {
  name: string;
  initial: T;
  describe(tally: T): string;
}

/** The backfill's view: decisions so far. */
export const BACKFILL_PROGRESS: ProgressView<Tally> = {
  name: 'backfill',
  initial: { allow: 0, review: 0, block: 0, failed: 0 },
  describe: (t) => `${t.allow} allow, ${t.review} review, ${t.block} block, ${t.failed} failed`,
};

/** One plain progress line. */
export const progressLine = <T = Tally>(
  done: number,
  total: number,
  elapsedMs: number,
  tally: T,
  view: ProgressView<T> = BACKFILL_PROGRESS as unknown as ProgressView<T>,
): string => {
  const rate = elapsedMs > 0 ? done / (elapsedMs / 1000) : 0;
  const eta = rate > 0 ? formatDuration((total - done) / rate) : '?';
  const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
  return `${view.name}: ${done}/${total} (${percent}%), ${rate.toFixed(1)}/s, ETA ${eta}; ${view.describe(tally)}`;
};

const PLAIN_EVERY_MS = 10_000;

export const createProgress = <T = Tally>(
  total: number,
  stream: NodeJS.WriteStream = process.stderr,
  view: ProgressView<T> = BACKFILL_PROGRESS as unknown as ProgressView<T>,
): Progress<T> => {
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
      decisions: view.describe(view.initial),
    });
    return {
      update: (done, tally) => {
        const elapsed = (Date.now() - started) / 1000;
        bar.update(done, {
          rate: (elapsed > 0 ? done / elapsed : 0).toFixed(1),
          decisions: view.describe(tally),
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
      stream.write(`${progressLine(done, total, now - started, tally, view)}\n`);
    },
    log: (line) => stream.write(`${line}\n`),
    stop: () => undefined,
  };
};
