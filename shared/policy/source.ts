/** Where the policy of the moment comes from: one async function, so runtime policy versions can take the file's place. */
import type { Policy } from './schema.js';

/** Answers the policy a request runs under. */
export type PolicySource = () => Promise<Policy>;

/** A source that always answers the same policy (the policy file). */
export const fixedPolicy =
  (policy: Policy): PolicySource =>
  async () =>
    policy;
