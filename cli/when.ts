/** Command-line values for times and numbers: ISO 8601 or a relative age (`90m`, `24h`, `7d`, `2w`); whole-number ranges. */
import { InvalidArgumentError } from 'commander';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * `2026-11-01`, `2026-11-01T10:00:00Z`, or a duration such as `7d` (before now; after now with
 * `direction: 'future'`) → an ISO 8601 instant.
 */
export const parseWhen = (
  value: string,
  nowMs = Date.now(),
  direction: 'past' | 'future' = 'past',
): string => {
  const relative = /^(\d{1,6})([mhdw])$/.exec(value.trim());
  if (relative) {
    const [, amount, unit] = relative;
    const offset = Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
    return new Date(direction === 'past' ? nowMs - offset : nowMs + offset).toISOString();
  }
  if (!ISO.test(value.trim()) || Number.isNaN(Date.parse(value))) {
    throw new InvalidArgumentError(
      'expected an ISO 8601 date (2026-11-01, 2026-11-01T10:00:00Z) or a duration (90m, 24h, 7d, 2w)',
    );
  }
  return new Date(value.trim()).toISOString();
};

/** A commander argument parser for a whole number in [min, max]. */
export const wholeNumber =
  (min: number, max: number) =>
  (value: string): number => {
    if (!/^\d+$/.test(value.trim()) || Number(value) < min || Number(value) > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    }
    return Number(value);
  };

/** A commander argument parser for a positive number (fractions allowed), at most `max`. */
export const positiveNumber =
  (max: number) =>
  (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > max) {
      throw new InvalidArgumentError(`expected a number above 0, at most ${max}`);
    }
    return n;
  };
