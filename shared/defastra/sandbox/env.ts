/** Reads sandbox settings from environment variables, rejecting bad values with the variable's name. */
import { DEFASTRA_ERROR_TYPES, isDefastraErrorType } from '../errors.js';
import type { SandboxFaultsInput } from './faults.js';

/** The variables `faultsFromEnv` reads. */
export const SANDBOX_FAULT_ENV = [
  'SANDBOX_LATENCY_MS',
  'SANDBOX_LATENCY_JITTER_MS',
  'SANDBOX_ERROR_TYPE',
  'SANDBOX_ERROR_COUNT',
  'SANDBOX_HTTP_5XX',
  'SANDBOX_HTTP_5XX_COUNT',
  'SANDBOX_RESET_MID_RESPONSE',
  'SANDBOX_RESET_COUNT',
  'SANDBOX_RATE_5S',
  'SANDBOX_RATE_1M',
  'SANDBOX_WALLET',
  'SANDBOX_PRICE_PER_CALL',
] as const;

export type Env = Readonly<Record<string, string | undefined>>;

const value = (env: Env, name: string): string | undefined => {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? undefined : raw;
};

const integer = (env: Env, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined => {
  const raw = value(env, name);
  if (raw === undefined) return undefined;
  const parsed = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(parsed >= min && parsed <= max)) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return parsed;
};

const amount = (env: Env, name: string): number | undefined => {
  const raw = value(env, name);
  if (raw === undefined) return undefined;
  const parsed = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isFinite(parsed))
    throw new Error(`${name} must be a decimal amount of 0 or more, got "${raw}"`);
  return parsed;
};

const flag = (env: Env, name: string): boolean | undefined => {
  const raw = value(env, name)?.toLowerCase();
  if (raw === undefined) return undefined;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new Error(`${name} must be true, false, 1 or 0, got "${raw}"`);
};

const errorType = (env: Env, name: string): SandboxFaultsInput['errorType'] => {
  const raw = value(env, name)?.toUpperCase();
  if (raw === undefined) return undefined;
  if (!isDefastraErrorType(raw)) {
    throw new Error(`${name} must be one of ${DEFASTRA_ERROR_TYPES.join(', ')}, got "${raw}"`);
  }
  return raw;
};

/** Sandbox faults from the environment; unset or empty variables leave the default. */
export const faultsFromEnv = (env: Env): SandboxFaultsInput => {
  const entries: Array<[keyof SandboxFaultsInput, unknown]> = [
    ['latencyMs', integer(env, 'SANDBOX_LATENCY_MS', 0, 600_000)],
    ['latencyJitterMs', integer(env, 'SANDBOX_LATENCY_JITTER_MS', 0, 600_000)],
    ['errorType', errorType(env, 'SANDBOX_ERROR_TYPE')],
    ['errorCount', integer(env, 'SANDBOX_ERROR_COUNT', 1)],
    ['http5xx', integer(env, 'SANDBOX_HTTP_5XX', 500, 599)],
    ['http5xxCount', integer(env, 'SANDBOX_HTTP_5XX_COUNT', 1)],
    ['resetMidResponse', flag(env, 'SANDBOX_RESET_MID_RESPONSE')],
    ['resetCount', integer(env, 'SANDBOX_RESET_COUNT', 1)],
    ['walletBalance', amount(env, 'SANDBOX_WALLET')],
    ['pricePerCall', amount(env, 'SANDBOX_PRICE_PER_CALL')],
  ];
  const faults = Object.fromEntries(entries.filter(([, v]) => v !== undefined)) as SandboxFaultsInput;
  const per5s = integer(env, 'SANDBOX_RATE_5S', 1);
  const perMinute = integer(env, 'SANDBOX_RATE_1M', 1);
  if (per5s !== undefined || perMinute !== undefined) {
    faults.rateLimit = {
      ...(per5s === undefined ? {} : { per5s }),
      ...(perMinute === undefined ? {} : { perMinute }),
    };
  }
  return faults;
};

const times = (count: number | undefined): string =>
  count === undefined ? 'every request' : `next ${count} request${count === 1 ? '' : 's'}`;

/**
 * The active faults in words, one entry each, for start-up banners: `latency 3000 ms`,
 * `error INSUFFICIENT_FUNDS (next 2 requests)`, `rate limit 1 per 5 s`. Empty when nothing is changed.
 */
export const describeFaults = (faults: SandboxFaultsInput): string[] => {
  const out: string[] = [];
  const { latencyMs = 0, latencyJitterMs = 0, rateLimit } = faults;
  if (latencyMs > 0 || latencyJitterMs > 0) {
    out.push(
      latencyJitterMs > 0
        ? `latency ${latencyMs} ms + up to ${latencyJitterMs} ms jitter`
        : `latency ${latencyMs} ms`,
    );
  }
  if (faults.errorType) out.push(`error ${faults.errorType} (${times(faults.errorCount)})`);
  if (faults.http5xx) out.push(`HTTP ${faults.http5xx} (${times(faults.http5xxCount)})`);
  if (faults.resetMidResponse) out.push(`reset mid-response (${times(faults.resetCount)})`);
  if (rateLimit?.per5s !== undefined) out.push(`rate limit ${rateLimit.per5s} per 5 s`);
  if (rateLimit?.perMinute !== undefined) out.push(`rate limit ${rateLimit.perMinute} per minute`);
  if (faults.walletBalance !== undefined) out.push(`wallet ${faults.walletBalance}`);
  if (faults.pricePerCall !== undefined) out.push(`price ${faults.pricePerCall} per call`);
  if (faults.encoding) out.push(`encoding ${faults.encoding} only`);
  return out;
};

/** Where `npm run sandbox` listens and which key it accepts: SANDBOX_HOST, SANDBOX_PORT, SANDBOX_API_KEY. */
export const listenFromEnv = (env: Env): { host: string; port: number; apiKeys?: string[] } => {
  const keys = value(env, 'SANDBOX_API_KEY')
    ?.split(',')
    .map((key) => key.trim())
    .filter((key) => key !== '');
  return {
    host: value(env, 'SANDBOX_HOST') ?? '127.0.0.1',
    port: integer(env, 'SANDBOX_PORT', 0, 65_535) ?? 4010,
    ...(keys && keys.length > 0 ? { apiKeys: keys } : {}),
  };
};
