/** Sandbox behaviour switches (latency, forced errors, 5xx, resets, rate limits, wallet) and their counters. */
import type { DefastraErrorType } from '../errors.js';

export interface RateLimitSettings {
  /** Accepted requests per API key within any 5 s window (Infinity = no limit). */
  per5s: number;
  /** Accepted requests per API key within any 60 s window (Infinity = no limit). */
  perMinute: number;
}

/** Response encodings the sandbox can use. */
export type SandboxEncoding = 'br' | 'gzip' | 'deflate' | 'identity';

/**
 * Every switch. The `*Count` fields limit a fault to the next N requests (undefined = every request);
 * once used up, the fault switches itself off.
 */
export interface SandboxFaults {
  /** Fixed delay added before answering, in ms. */
  latencyMs: number;
  /** Random extra delay, 0 to this many ms. */
  latencyJitterMs: number;
  /** Answer this Defastra error to every request, before any other check (never debits). */
  errorType?: DefastraErrorType;
  errorCount?: number;
  /** The `error_message` of a forced error, instead of the usual one (tests of what is stored and shown). */
  errorMessage?: string;
  /** The `detail` of every check in a successful answer, instead of the fixture's (same purpose). */
  checkDetail?: string;
  /** Answer this HTTP status (500-599) with an HTML body, like a proxy in front of Defastra. */
  http5xx?: number;
  http5xxCount?: number;
  /** Send the headers and half the body, then destroy the socket (the call is still debited). */
  resetMidResponse: boolean;
  resetCount?: number;
  rateLimit: RateLimitSettings;
  /** Wallet balance; setting it also resets the running balance to this value. */
  walletBalance: number;
  /** Debited per successful call. */
  pricePerCall: number;
  /** Use only this encoding when the client accepts it (default: the best the client accepts, br first). */
  encoding?: SandboxEncoding;
}

/** What `setFaults` and `startSandbox({ faults })` accept: any subset, rate limits field by field. */
export type SandboxFaultsInput = Partial<Omit<SandboxFaults, 'rateLimit'>> & {
  rateLimit?: Partial<RateLimitSettings>;
};

export const DEFAULT_FAULTS: Readonly<SandboxFaults> = {
  latencyMs: 0,
  latencyJitterMs: 0,
  resetMidResponse: false,
  rateLimit: { per5s: Number.POSITIVE_INFINITY, perMinute: Number.POSITIVE_INFINITY },
  walletBalance: 10_000,
  pricePerCall: 0.05,
};

/** Merges a partial input over current faults. */
export const mergeFaults = (current: SandboxFaults, input: SandboxFaultsInput): SandboxFaults => ({
  ...current,
  ...input,
  rateLimit: { ...current.rateLimit, ...input.rateLimit },
});

/** Holds the current faults and consumes the counted ones request by request. */
export class FaultState {
  #faults: SandboxFaults;

  constructor(
    private readonly base: SandboxFaultsInput = {},
    private readonly random: () => number = Math.random,
  ) {
    this.#faults = mergeFaults({ ...DEFAULT_FAULTS }, base);
  }

  get current(): Readonly<SandboxFaults> {
    return this.#faults;
  }

  set(input: SandboxFaultsInput): void {
    this.#faults = mergeFaults(this.#faults, input);
  }

  /** Back to the start-up faults (the options given to startSandbox). */
  clear(): void {
    this.#faults = mergeFaults({ ...DEFAULT_FAULTS }, this.base);
  }

  /** Delay to add to this request, in ms. */
  latency(): number {
    const { latencyMs, latencyJitterMs } = this.#faults;
    return latencyMs + Math.floor(this.random() * latencyJitterMs);
  }

  /** The HTTP status to fake for this request, if any. */
  take5xx(): number | undefined {
    const { http5xx } = this.#faults;
    if (http5xx === undefined) return undefined;
    return this.#consume('http5xxCount', { http5xx: undefined }) ? http5xx : undefined;
  }

  /** The Defastra error to force on this request, if any. */
  takeErrorType(): DefastraErrorType | undefined {
    const { errorType } = this.#faults;
    if (errorType === undefined) return undefined;
    return this.#consume('errorCount', { errorType: undefined }) ? errorType : undefined;
  }

  /** Whether to cut this response in the middle. */
  takeReset(): boolean {
    return this.#faults.resetMidResponse && this.#consume('resetCount', { resetMidResponse: false });
  }

  /** Uses one unit of a counted fault; switches the fault off with `off` once none are left. */
  #consume(countKey: 'errorCount' | 'http5xxCount' | 'resetCount', off: SandboxFaultsInput): boolean {
    const count = this.#faults[countKey];
    if (count === undefined) return true;
    if (count > 1) {
      this.set({ [countKey]: count - 1 });
      return true;
    }
    this.set({ ...off, [countKey]: undefined });
    return count === 1;
  }
}
