/** Constant-time comparisons for tokens and signatures. */
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** True when `a` equals `b`; time does not depend on where they differ nor on their lengths. */
export const safeEqual = (a: string, b: string): boolean => timingSafeEqual(digest(a), digest(b));

/** True when `candidate` equals any of `expected`; every entry is compared, so timing reveals nothing. */
export const safeEqualAny = (candidate: string, expected: readonly string[]): boolean => {
  let match = false;
  for (const value of expected) match = safeEqual(candidate, value) || match;
  return match;
};
