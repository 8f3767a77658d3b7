/**
 * Looks an identifier up: the cached result the prelude read when fresh, else — within the spend cap — one Defastra
 * call shared by concurrent callers in this instance.
 */
import { DefastraError } from '../defastra/errors.js';
import type { CheckOptions, DefastraPort } from '../defastra/types.js';
import type { Telemetry } from '../observability/telemetry.js';
import type { CachedResult, ScreeningReads } from '../store/ports.js';
import { type Lookup, type PreparedIdentifier, toCachedResult } from './identifier.js';

export interface LookupContext {
  defastra: DefastraPort;
  screening: Pick<ScreeningReads, 'putCachedResult'>;
  telemetry: Telemetry;
  now: () => number;
  cacheHours: number;
  call: CheckOptions;
  /** Cached results read by the prelude, by `<kind>:<hash>`. */
  cached: ReadonlyMap<string, CachedResult>;
  /** Cache writes are collected here and awaited with the verdict write (one round trip less). */
  cacheWrites: Array<() => Promise<void>>;
  /** Defastra calls this screening may still start under the spend cap; null = no cap. */
  spend: { remaining: number | null };
  /** What this screening cost: Defastra answers it started (billed) and results it reused. */
  usage: { calls: number; cacheHits: number };
}

/** In-flight calls per Defastra client, by identifier hash and mode: concurrent screenings share one call. */
const inflight = new WeakMap<DefastraPort, Map<string, Promise<CachedResult>>>();

const flightsOf = (defastra: DefastraPort): Map<string, Promise<CachedResult>> => {
  let flights = inflight.get(defastra);
  if (!flights) {
    flights = new Map();
    inflight.set(defastra, flights);
  }
  return flights;
};

const callDefastra = async (
  ctx: LookupContext,
  id: PreparedIdentifier & { normalised: string; hash: string },
) => {
  const started = ctx.now();
  const check = id.kind === 'email' ? ctx.defastra.checkEmail : ctx.defastra.checkPhone;
  const result = await check.call(ctx.defastra, id.normalised, ctx.call);
  const checkedAt = ctx.now();
  ctx.telemetry.defastraLatency(id.kind, checkedAt - started);
  if (result.wallet !== undefined) ctx.telemetry.walletBalance(result.wallet);
  return toCachedResult(result, id, checkedAt);
};

/** Null for identifiers that are absent or invalid; otherwise a result, the Defastra error, or spend-limited. */
export const lookupIdentifier = async (
  ctx: LookupContext,
  id: PreparedIdentifier | null,
): Promise<Lookup | null> => {
  if (!id?.normalised || !id.hash) return null;
  const valid = { ...id, normalised: id.normalised, hash: id.hash };
  if (ctx.cacheHours > 0) {
    const hit = ctx.cached.get(`${id.kind}:${id.hash}`);
    if (hit && hit.checkedAt + ctx.cacheHours * 3_600_000 > ctx.now()) {
      ctx.telemetry.cacheHit(id.kind);
      ctx.usage.cacheHits++;
      return { result: hit, cached: true };
    }
  }
  const flights = flightsOf(ctx.defastra);
  const key = `${id.kind}:${id.hash}:${ctx.call.timeout ?? 'normal'}`;
  const shared = flights.get(key);
  try {
    if (shared) return { result: await shared, cached: true };
    if (ctx.spend.remaining !== null) {
      if (ctx.spend.remaining <= 0) {
        ctx.telemetry.spendLimited();
        return { spendLimited: true };
      }
      ctx.spend.remaining--;
    }
    const flight = callDefastra(ctx, valid);
    flights.set(key, flight);
    try {
      const result = await flight;
      ctx.usage.calls++;
      if (ctx.cacheHours > 0) {
        const expiresAt = Math.ceil((result.checkedAt + ctx.cacheHours * 3_600_000) / 1000);
        ctx.cacheWrites.push(() => ctx.screening.putCachedResult(id.kind, valid.hash, result, expiresAt));
      }
      return { result, cached: false };
    } finally {
      flights.delete(key);
    }
  } catch (error) {
    if (!(error instanceof DefastraError)) throw error;
    if (!shared) ctx.telemetry.defastraError(id.kind, error.type, error.retryable);
    return { error };
  }
};
