/**
 * Where the policy of the moment comes from: one async function for the active policy, and the runtime that also knows
 * the bundled file and the shadow policy (docs/policy-lifecycle.md), so runtime versions take the file's place.
 */
import type { Policy } from './schema.js';

/** Answers the policy a request runs under. */
export type PolicySource = () => Promise<Policy>;

/** The shadow policy: every screening is also decided under it, and the verdict records what it would have done. */
export interface ShadowPolicy {
  version: string;
  policy: Policy;
}

/** What a screening runs under: the active policy, and the shadow when one is set. */
export interface PolicySet {
  active: Policy;
  shadow: ShadowPolicy | null;
}

/** The policies of the moment, from the bundled file and the runtime versions kept in the store. */
export interface PolicyRuntime {
  /** The bundled policy file: the base version, active until a runtime version exists. */
  readonly file: Policy;
  /** The policies a screening starting now runs under. */
  current(): Promise<PolicySet>;
  /** Reads the store now (after this process changed it), so that the change governs the next screening here. */
  reload(): Promise<PolicySet>;
}

/** A source that always answers the same policy (the policy file). */
export const fixedPolicy =
  (policy: Policy): PolicySource =>
  async () =>
    policy;

/** A runtime with no versions: always the file, never a shadow (tests and tools that have no store). */
export const fixedPolicies = (policy: Policy): PolicyRuntime => {
  const set: PolicySet = { active: policy, shadow: null };
  return { file: policy, current: async () => set, reload: async () => set };
};

/** The `policy` and `policies` deps of a runtime: the active policy is always the runtime's. */
export const policyDeps = (policies: PolicyRuntime): { policy: PolicySource; policies: PolicyRuntime } => ({
  policy: async () => (await policies.current()).active,
  policies,
});
