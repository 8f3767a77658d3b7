/**
 * What changes between two policy documents (docs/policy-lifecycle.md): every leaf whose value differs, by its dotted
 * path (`thresholds.email.review`), objects compared key by key, lists and scalars as whole values. The `version` key
 * names the document, so it is left out. Pure: the CLI and the console both use it.
 */

/** One key whose value differs; `undefined` on a side means the key is absent there. */
export interface PolicyChange {
  path: string;
  before: unknown;
  after: unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

const walk = (before: unknown, after: unknown, path: string, changes: PolicyChange[]): void => {
  if (isObject(before) && isObject(after)) {
    const keys = [...Object.keys(before), ...Object.keys(after).filter((key) => !(key in before))];
    for (const key of keys) walk(before[key], after[key], path ? `${path}.${key}` : key, changes);
    return;
  }
  if (!same(before, after)) changes.push({ path, before, after });
};

/** The changes from `before` to `after`, in the order their keys appear (`before`'s first). */
export const policyDiff = (
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): PolicyChange[] => {
  const { version: _b, ...from } = before;
  const { version: _a, ...to } = after;
  const changes: PolicyChange[] = [];
  walk(from, to, '', changes);
  return changes;
};

/** A value as a diff shows it: JSON, or `(absent)`. */
export const diffValue = (value: unknown): string =>
  value === undefined ? '(absent)' : JSON.stringify(value);
