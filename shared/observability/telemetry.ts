/** The telemetry port: what the use cases report (logs and metrics), with a silent default for tests. */

import type { Decision, Source } from '../core/levels.js';
import type { IdentifierKind } from '../core/vocabulary.js';

/** Structured log fields. Never put a raw email, phone number or secret here. */
export type LogFields = Record<string, unknown>;

/** What one re-screen run reports. */
export interface RescreenRunMetrics {
  due: number;
  /** Seconds the longest-waiting due item had waited past its due time; 0 when none was due. */
  backlogAgeSec: number;
  done: number;
  rescheduled: number;
  gaveUp: number;
}

export interface Telemetry {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** Sets the correlation id (the verdict id) for the log lines that follow. */
  setCorrelationId(id: string | undefined): void;

  decision(source: Source, decision: Decision, degraded: boolean): void;
  defastraLatency(kind: IdentifierKind, ms: number): void;
  defastraError(kind: IdentifierKind, type: string, retryable: boolean): void;
  cacheHit(kind: IdentifierKind): void;
  walletBalance(balance: number): void;
  /** A velocity key reached its review or block threshold (docs/waves.md). */
  velocity(key: string, decision: 'review' | 'block'): void;
  /** An identifier was not checked because the hourly Defastra spend cap was reached. */
  spendLimited(): void;
  /** A store write that must not fail a screening did fail (`velocity`, `cache`, `stats`, `marker`). */
  storeWriteFailed(what: 'velocity' | 'cache' | 'stats' | 'marker' | 'rescreen'): void;
  /** A Stripe write-back failed: `permanent` (4xx, alarmed) or transient (Stripe retries the event). */
  writeBackFailed(permanent: boolean): void;
  /** A re-screen run (docs/rescreen.md): what it found due, how long the oldest had waited, and how each attempt ended. */
  rescreenRun(run: RescreenRunMetrics): void;
  /** An operator changed the active policy version or the shadow policy (docs/policy-lifecycle.md). */
  policyChanged(what: 'active' | 'shadow'): void;
  /** An enforcement at the provider ended `failed` (docs/enforcement.md; alarmed). */
  enforcementFailed(source: Source): void;
  /** Sends buffered metrics (EMF); called once at the end of each request. */
  flush(): void;
}

const noop = (): void => {};

/** A telemetry that drops everything: the default in unit tests. */
export const silentTelemetry: Telemetry = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  setCorrelationId: noop,
  decision: noop,
  defastraLatency: noop,
  defastraError: noop,
  cacheHit: noop,
  walletBalance: noop,
  velocity: noop,
  spendLimited: noop,
  rescreenRun: noop,
  storeWriteFailed: noop,
  writeBackFailed: noop,
  policyChanged: noop,
  enforcementFailed: noop,
  flush: noop,
};
