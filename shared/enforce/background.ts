/**
 * The enforcer on the local change feed (docs/enforcement.md): each change is queued and handled in the background,
 * one at a time per verdict and in the order the verdict changed, never on the request that made the change.
 */

import type { Verdict } from '../core/verdict.js';
import { errorLogFields } from '../observability/error-fields.js';
import type { Telemetry } from '../observability/telemetry.js';
import type { Enforcer } from './enforcer.js';

export interface BackgroundEnforcer {
  /** The change feed's listener: queues the change and returns at once. */
  onChange(before: Verdict | null, after: Verdict): void;
  /** Resolves once every change queued so far has been handled (tests, shutdown). */
  drain(): Promise<void>;
}

export const backgroundEnforcer = (enforcer: Enforcer, telemetry: Telemetry): BackgroundEnforcer => {
  const chains = new Map<string, Promise<void>>();
  return {
    onChange(before, after) {
      const id = after.verdict_id;
      const next = (chains.get(id) ?? Promise.resolve())
        .then(() => enforcer.onChange(before, after))
        .then(
          () => undefined,
          (error: unknown) =>
            telemetry.error('enforcement interrupted', { verdict_id: id, ...errorLogFields(error) }),
        )
        .finally(() => {
          if (chains.get(id) === next) chains.delete(id);
        });
      chains.set(id, next);
    },
    async drain() {
      while (chains.size > 0) await Promise.all([...chains.values()]);
    },
  };
};
