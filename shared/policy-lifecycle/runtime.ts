/**
 * The policy runtime of one process (docs/policy-lifecycle.md, "How a change reaches every instance"): the active
 * version and the shadow, read from the store and kept for a bounded age so that a screening adds no store round trip.
 *
 * - Younger than `refreshAfterMs`: served as is.
 * - Between `refreshAfterMs` and `maxAgeMs`: served as is, and one read starts in the background (off the request's
 *   path) to replace it.
 * - `maxAgeMs` or older (a cold start, an instance idle for a while): the screening waits for a read.
 *
 * Ages count from when a read was sent, so whatever a screening is given was read after any change that returned more
 * than `maxAgeMs` before the screening started: with the default 30 s, a change governs every instance within 30 s.
 * This process's own changes call `reload()`, so here they govern the very next screening.
 */
import { errorName } from '../core/errors.js';
import type { Telemetry } from '../observability/telemetry.js';
import { type Policy, PolicyError, parsePolicy } from '../policy/schema.js';
import type { PolicyRuntime, PolicySet } from '../policy/source.js';
import type { PolicyHead, PolicyVersionRepository, StoredPolicyVersion } from '../store/ports.js';

/** A read older than this is replaced in the background. */
export const POLICY_REFRESH_AFTER_MS = 10_000;
/** A read this old is never served: the bound within which a change reaches every instance. */
export const POLICY_MAX_AGE_MS = 30_000;

export interface RuntimePolicyOptions {
  /** The bundled policy file: active until a runtime version exists. */
  file: Policy;
  versions: Pick<PolicyVersionRepository, 'head'>;
  now: () => number;
  telemetry: Telemetry;
  refreshAfterMs?: number;
  maxAgeMs?: number;
}

interface Read {
  /** When the read was sent (epoch ms). */
  sentAt: number;
  result: Promise<PolicySet>;
}

export const runtimePolicies = (options: RuntimePolicyOptions): PolicyRuntime => {
  const { file, versions, now, telemetry } = options;
  const refreshAfterMs = options.refreshAfterMs ?? POLICY_REFRESH_AFTER_MS;
  const maxAgeMs = options.maxAgeMs ?? POLICY_MAX_AGE_MS;
  let held: { set: PolicySet; sentAt: number } | undefined;
  let inFlight: Read | undefined;
  /** Parsed versions by name (versions never change), so a refresh that finds nothing new reuses the same objects. */
  let parsed = new Map<string, Policy>();

  /** A stored version as a policy; an invalid one (stored by an older release, say) is reported and skipped. */
  const policyOf = (stored: StoredPolicyVersion, next: Map<string, Policy>): Policy | null => {
    let policy = parsed.get(stored.version);
    if (!policy) {
      try {
        policy = parsePolicy(stored.document);
      } catch (error) {
        if (!(error instanceof PolicyError)) throw error;
        telemetry.error('stored policy version is not a valid policy; it is not used', {
          version: stored.version,
          field: error.field,
        });
        return null;
      }
    }
    next.set(stored.version, policy);
    return policy;
  };

  const setOf = (head: PolicyHead): PolicySet => {
    const next = new Map<string, Policy>();
    const active = head.active ? policyOf(head.active, next) : file;
    const shadow = head.shadow ? policyOf(head.shadow, next) : null;
    parsed = next;
    return {
      active: active ?? held?.set.active ?? file,
      shadow: head.shadow && shadow ? { version: head.shadow.version, policy: shadow } : null,
    };
  };

  const read = (): Read => {
    const sentAt = now();
    const result = versions.head().then((head) => {
      // A read sent earlier than the one held (a reload overtook it) must not replace it.
      if (held && sentAt < held.sentAt) return held.set;
      const set = setOf(head);
      if (held && held.set.active !== set.active) {
        telemetry.info('policy version in use', { version: set.active.base.version });
      }
      held = { set, sentAt };
      return set;
    });
    const entry: Read = { sentAt, result };
    inFlight = entry;
    const settled = () => {
      if (inFlight === entry) inFlight = undefined;
    };
    result.then(settled, settled);
    return entry;
  };

  return {
    file,
    async current() {
      const at = now();
      if (held && at - held.sentAt < refreshAfterMs) return held.set;
      if (held && at - held.sentAt < maxAgeMs) {
        if (!inFlight) {
          read().result.catch((error: unknown) =>
            telemetry.warn('policy versions could not be read; the last ones read stay in use', {
              error: errorName(error),
            }),
          );
        }
        return held.set;
      }
      // Too old to serve: wait for a read sent within the bound (one already under way, or a new one).
      const pending = inFlight && at - inFlight.sentAt < maxAgeMs ? inFlight : read();
      try {
        return await pending.result;
      } catch (error) {
        if (!held) throw error;
        telemetry.warn('policy versions could not be read; the last ones read stay in use', {
          error: errorName(error),
          age_ms: at - held.sentAt,
        });
        return held.set;
      }
    },
    reload: () => read().result,
  };
};
