/** The sandbox's per-key rate windows: 5 seconds, then 1 minute, counting accepted requests only. */
import type { RateLimitSettings } from './faults.js';

export type RateLimitType = 'RATE_LIMITED_5_SECONDS' | 'RATE_LIMITED_1_MINUTE';

const FIVE_SECONDS = 5_000;
const ONE_MINUTE = 60_000;

export class RateWindows {
  readonly #hits = new Map<string, number[]>();

  /** Records the request when it fits both windows; otherwise returns the window that refused it. */
  admit(key: string, limits: RateLimitSettings, now: number): RateLimitType | undefined {
    if (!Number.isFinite(limits.per5s) && !Number.isFinite(limits.perMinute)) return undefined;
    const recent = (this.#hits.get(key) ?? []).filter((at) => now - at < ONE_MINUTE);
    this.#hits.set(key, recent);
    if (recent.filter((at) => now - at < FIVE_SECONDS).length >= limits.per5s)
      return 'RATE_LIMITED_5_SECONDS';
    if (recent.length >= limits.perMinute) return 'RATE_LIMITED_1_MINUTE';
    recent.push(now);
    return undefined;
  }

  clear(): void {
    this.#hits.clear();
  }
}
