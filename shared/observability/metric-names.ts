/**
 * The EMF metric vocabulary: one namespace, the metric names and their dimensions. The Powertools
 * telemetry emits them and the CDK stack builds alarms and the dashboard on them, so both import
 * the names from here and cannot drift apart.
 */

/** CloudWatch namespace of every custom metric (`POWERTOOLS_METRICS_NAMESPACE` in the functions). */
export const METRICS_NAMESPACE = 'SignupGate';

export const METRIC = {
  /** Count per verdict; dimensions `source`, `decision`. */
  decisions: 'Decisions',
  /** 1 for a degraded verdict, 0 otherwise (Sum = degraded verdicts, Average = degraded share); no dimensions. */
  degraded: 'Degraded',
  /** Milliseconds per Defastra call that answered; dimension `kind` (`email` | `phone`). */
  defastraLatency: 'DefastraLatency',
  /** Count per failed Defastra call; dimension `error_type`. */
  defastraErrors: 'DefastraErrors',
  /** Count of account-level Defastra failures (see FATAL_DEFASTRA_ERROR_TYPES); no dimensions, for one simple alarm. */
  defastraFatalErrors: 'DefastraFatalErrors',
  /** Count of reused cached Defastra results; dimension `kind`. */
  cacheHits: 'CacheHits',
  /** Gauge: the Defastra wallet balance reported with each answer; no dimensions (alarm on Minimum). */
  walletBalance: 'WalletBalance',
  /** Count per velocity threshold reached; dimensions `velocity_key`, `decision`. */
  velocityHits: 'VelocityHits',
  /** Count of identifiers not checked because the spend cap was reached; no dimensions (alarmed). */
  spendLimited: 'SpendLimited',
  /** Count of store writes that failed without failing the screening; dimension `what`. */
  storeWriteFailures: 'StoreWriteFailures',
  /** Count of failed Stripe write-backs; dimension `failure` (`permanent` is alarmed, `transient` is retried by Stripe). */
  writeBackFailures: 'WriteBackFailures',
  /** Count per finished or rescheduled re-screen attempt; dimension `outcome` (`done`, `rescheduled`, `gave_up`). */
  rescreens: 'Rescreens',
  /** Gauge per re-screen run: seconds the longest-waiting due re-screen has waited past its due time (0: none due). */
  rescreenBacklogAge: 'RescreenBacklogAge',
  /** Gauge per re-screen run: due re-screens found at its start (at most the run's size). */
  rescreenDue: 'RescreenDue',
  /** Count of policy changes made through the api function; dimension `policy` (`active` or `shadow`). */
  policyChanges: 'PolicyChanges',
  /** Count of enforcements at a provider that ended failed; no dimensions (alarmed), the source is in the log line. */
  enforcementFailures: 'EnforcementFailures',
} as const;

export const DIMENSION = {
  source: 'source',
  decision: 'decision',
  kind: 'kind',
  errorType: 'error_type',
  velocityKey: 'velocity_key',
  what: 'what',
  failure: 'failure',
  outcome: 'outcome',
  policy: 'policy',
} as const;

/** Defastra error types that mean we are sending too much: alarmed together (a flood, or a limit too low). */
export const RATE_LIMIT_ERROR_TYPES = ['RATE_LIMITED_5_SECONDS', 'RATE_LIMITED_1_MINUTE'] as const;

/**
 * Defastra error types that no retry or later request will fix: the key, the account or the wallet
 * needs an operator. Each one also counts in `DefastraFatalErrors`.
 */
export const FATAL_DEFASTRA_ERROR_TYPES: ReadonlySet<string> = new Set([
  'INSUFFICIENT_FUNDS',
  'INVALID_API_KEY',
  'NO_KEY',
  'INACTIVE_API_KEY',
  'INACTIVE_API_ACCESS',
  'INACTIVE_TEAM_USER',
]);
