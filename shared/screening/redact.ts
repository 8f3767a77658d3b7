/** Removes raw identifiers from text Defastra wrote (check details), so nothing stored repeats them. */
import type { Check } from '../defastra/types.js';

const escapeRegExp = (value: string): string => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Replaces every occurrence of the raw values (case-insensitive; phones also as their last 9+ digits)
 * with their masked forms.
 */
export const redactChecks = (checks: Check[], secrets: Array<{ raw: string; masked: string }>): Check[] => {
  const patterns = secrets
    .filter((s) => s.raw.length >= 4)
    .map((s) => ({ re: new RegExp(escapeRegExp(s.raw), 'gi'), masked: s.masked }));
  if (patterns.length === 0) return checks;
  return checks.map((check) => {
    let detail = check.detail;
    for (const { re, masked } of patterns) detail = detail.replace(re, masked);
    return detail === check.detail ? check : { ...check, detail };
  });
};
