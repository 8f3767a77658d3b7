/**
 * Identities for the benchmarks and the load run. Every generated email and phone is one the sandbox rates
 * `low` (or a chosen level), and a counter plus a run id keeps them distinct across runs and restarts; client
 * IPs come from the benchmarking range.
 */
import { randomBytes } from 'node:crypto';

const RUN = randomBytes(3).toString('hex');
let counter = 0;

/** A never-seen email the sandbox answers with `low`, or the given level through a plus tag. */
export const freshEmail = (level?: 'low' | 'medium' | 'high' | 'extreme'): string => {
  counter += 1;
  return `bench.${RUN}.${counter}${level ? `+${level}` : ''}@example.org`;
};

/**
 * A never-seen French mobile number in E.164 (`+33 6 …`). Its last four digits stay within 1000–8999, out of
 * the sandbox's reserved suffixes (0001–0004 levels, 0901–0917 errors), so it is rated `low` too. Distinct
 * for the first 80 000 numbers of a process.
 */
export const freshPhone = (): string => {
  counter += 1;
  const run = (Number.parseInt(RUN, 16) % 900) + 100;
  const last4 = 1000 + (counter % 8000);
  const middle = Math.floor(counter / 8000) % 10;
  return `+336${run}${middle}${last4}`;
};

let ipCounter = 0;

/**
 * A never-seen client IPv4 address from 198.18.0.0/15, the range set aside for benchmarks (RFC 2544): each
 * screening then has its own IP velocity counter, so velocity is on and counted without any count reaching a
 * threshold. Distinct for the first 131 072 addresses of a process.
 */
export const freshIp = (): string => {
  ipCounter += 1;
  return `198.${18 + ((ipCounter >> 16) & 1)}.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
};
