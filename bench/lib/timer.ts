/** Clocks and bounds for the load loops: a monotonic clock, a deadline, a bounded sleep. */

/** Monotonic milliseconds (fractional). */
export const nowMs = (): number => performance.now();

/** Times one async call; resolves with its value and how long it took, in ms. */
export const timed = async <T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> => {
  const started = nowMs();
  const value = await work();
  return { value, ms: nowMs() - started };
};

/** A point in time after which loops stop; every load loop checks one, so none runs unbounded. */
export class Deadline {
  readonly #end: number;
  constructor(ms: number) {
    this.#end = nowMs() + ms;
  }
  get passed(): boolean {
    return nowMs() >= this.#end;
  }
  get remainingMs(): number {
    return Math.max(0, this.#end - nowMs());
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
