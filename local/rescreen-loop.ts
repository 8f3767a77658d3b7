/**
 * The local server's re-screen loop (docs/rescreen.md): one run every interval, the first one interval after start,
 * never two at once; stopping waits for a run in progress. Timers are injectable, so tests never wait for real.
 */

export interface LoopTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: LoopTimers = {
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    handle.unref(); // the loop never keeps the process alive on its own
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface RescreenLoopOptions {
  /** Milliseconds between the end of one run and the start of the next; 0 (or less) = no loop. */
  intervalMs: number;
  run: () => Promise<unknown>;
  /** Told about a run that failed; the loop goes on. */
  onError: (error: unknown) => void;
  timers?: LoopTimers;
}

export interface RescreenLoop {
  /** Whether runs are scheduled (false when the interval turned it off). */
  active: boolean;
  stop(): Promise<void>;
}

export const startRescreenLoop = (options: RescreenLoopOptions): RescreenLoop => {
  if (options.intervalMs <= 0) return { active: false, stop: async () => undefined };
  const timers = options.timers ?? realTimers;
  let stopped = false;
  let handle: unknown;
  let running: Promise<void> | null = null;
  const schedule = () => {
    handle = timers.setTimeout(tick, options.intervalMs);
  };
  const tick = () => {
    running = options
      .run()
      .then(
        () => undefined,
        (error: unknown) => options.onError(error),
      )
      .finally(() => {
        running = null;
        if (!stopped) schedule();
      });
  };
  schedule();
  return {
    active: true,
    async stop() {
      stopped = true;
      timers.clearTimeout(handle);
      await running;
    },
  };
};
