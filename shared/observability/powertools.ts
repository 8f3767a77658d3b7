/**
 * The Lambda telemetry: Powertools Logger (JSON lines, correlation id = verdict id, Lambda context and
 * cold start on every line) and Powertools Metrics (EMF in namespace SignupGate, see metric-names.ts).
 *
 * Metrics with different dimensions cannot share one EMF document, so the telemetry buffers each
 * observation and `flush()` writes one document per dimension set. `instrument()` wraps a Lambda
 * handler so that every invocation starts with fresh log keys and always ends with a flush.
 *
 * Nothing here logs an event, a body or a header. As a second line of defence, log values under
 * identifier-like keys are dropped and anything shaped like an email address is masked.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { errorLogFields } from './error-fields.js';
import { DIMENSION, FATAL_DEFASTRA_ERROR_TYPES, METRIC, METRICS_NAMESPACE } from './metric-names.js';
import type { LogFields, Telemetry } from './telemetry.js';

type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];
type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** A telemetry that also knows the Lambda invocation lifecycle (what `instrument` drives). */
export interface LambdaTelemetry extends Telemetry {
  /** Resets per-request log keys, adds the Lambda context to the logger, records the cold start. */
  startInvocation(context: Context): void;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

export interface PowertoolsTelemetryOptions {
  /** Defaults to `POWERTOOLS_METRICS_NAMESPACE`, then `SignupGate`. */
  namespace?: string;
  /** Defaults to `POWERTOOLS_LOG_LEVEL` / `LOG_LEVEL` (Powertools' own lookup), then INFO. */
  logLevel?: LogLevel;
}

/** Keys whose values may be raw request data or identifiers: never written, whatever they hold. */
const DROPPED_KEYS = new Set([
  'body',
  'rawBody',
  'raw_body',
  'headers',
  'multiValueHeaders',
  'event',
  'email',
  'phone',
  'phone_number',
  'authorization',
  'cookie',
]);
/** Bounded repetitions keep the scan linear on long values. */
const EMAIL_PATTERN = /[^\s@"'<>(),;:]{1,64}@[^\s@"'<>(),;:]{1,253}\.[a-z]{2,63}/gi;

/** The Logger's JSON replacer: drops identifier-like keys and masks email-shaped text anywhere. */
export const scrubLogValue = (key: string, value: unknown): unknown => {
  if (key !== '' && DROPPED_KEYS.has(key) && value !== undefined && value !== null) return '[redacted]';
  if (typeof value === 'string' && value.includes('@')) return value.replace(EMAIL_PATTERN, '[email]');
  return value;
};

interface Observation {
  name: string;
  unit: Unit;
  value: number;
}

/** Buffered observations, grouped by their dimension set (key = JSON of the sorted dimensions). */
class MetricBuffer {
  readonly #groups = new Map<string, { dimensions: Record<string, string>; observations: Observation[] }>();

  add(name: string, unit: Unit, value: number, dimensions: Record<string, string> = {}): void {
    const sorted = Object.fromEntries(Object.entries(dimensions).sort(([a], [b]) => a.localeCompare(b)));
    const key = JSON.stringify(sorted);
    let group = this.#groups.get(key);
    if (!group) {
      group = { dimensions: sorted, observations: [] };
      this.#groups.set(key, group);
    }
    group.observations.push({ name, unit, value });
  }

  /** Writes one EMF document per dimension set through Powertools, then empties the buffer. */
  publish(metrics: Metrics): void {
    const groups = [...this.#groups.values()];
    this.#groups.clear();
    for (const { dimensions, observations } of groups) {
      for (const [name, value] of Object.entries(dimensions)) metrics.addDimension(name, value);
      for (const { name, unit, value } of observations) metrics.addMetric(name, unit, value);
      metrics.publishStoredMetrics();
    }
  }
}

/**
 * Builds the telemetry of one Lambda function. Metrics carry only the dimensions listed in
 * metric-names.ts (Powertools' default `service` dimension is removed), so the three functions add
 * up into the same series and alarms need no per-function dimension.
 */
export const createPowertoolsTelemetry = (
  serviceName: string,
  options: PowertoolsTelemetryOptions = {},
): LambdaTelemetry => {
  const logger = new Logger({
    serviceName,
    ...(options.logLevel ? { logLevel: options.logLevel } : {}),
    jsonReplacerFn: scrubLogValue,
  });
  const metrics = new Metrics({
    serviceName,
    namespace: options.namespace ?? (process.env.POWERTOOLS_METRICS_NAMESPACE || METRICS_NAMESPACE),
    logger,
  });
  metrics.clearDefaultDimensions();
  const buffer = new MetricBuffer();

  const log =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, fields?: LogFields): void => {
      if (fields) logger[level](message, fields);
      else logger[level](message);
    };

  return {
    logger,
    metrics,
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    setCorrelationId(id) {
      if (id === undefined) logger.removeKeys(['correlation_id']);
      else logger.setCorrelationId(id);
    },
    decision(source, decision, degraded) {
      buffer.add(METRIC.decisions, MetricUnit.Count, 1, {
        [DIMENSION.source]: source,
        [DIMENSION.decision]: decision,
      });
      buffer.add(METRIC.degraded, MetricUnit.Count, degraded ? 1 : 0);
    },
    defastraLatency(kind, ms) {
      buffer.add(METRIC.defastraLatency, MetricUnit.Milliseconds, Math.max(0, ms), {
        [DIMENSION.kind]: kind,
      });
    },
    defastraError(_kind, type, _retryable) {
      // A dimension is never free text: an error_type that is not one of Defastra's codes is counted as UNKNOWN.
      const errorType = /^[A-Z0-9_]{1,64}$/.test(type) ? type : 'UNKNOWN';
      buffer.add(METRIC.defastraErrors, MetricUnit.Count, 1, { [DIMENSION.errorType]: errorType });
      if (FATAL_DEFASTRA_ERROR_TYPES.has(type)) buffer.add(METRIC.defastraFatalErrors, MetricUnit.Count, 1);
    },
    cacheHit(kind) {
      buffer.add(METRIC.cacheHits, MetricUnit.Count, 1, { [DIMENSION.kind]: kind });
    },
    walletBalance(balance) {
      if (Number.isFinite(balance)) buffer.add(METRIC.walletBalance, MetricUnit.NoUnit, balance);
    },
    velocity(key, decision) {
      buffer.add(METRIC.velocityHits, MetricUnit.Count, 1, {
        [DIMENSION.velocityKey]: key,
        [DIMENSION.decision]: decision,
      });
    },
    spendLimited() {
      buffer.add(METRIC.spendLimited, MetricUnit.Count, 1);
    },
    storeWriteFailed(what) {
      buffer.add(METRIC.storeWriteFailures, MetricUnit.Count, 1, { [DIMENSION.what]: what });
    },
    writeBackFailed(permanent) {
      buffer.add(METRIC.writeBackFailures, MetricUnit.Count, 1, {
        [DIMENSION.failure]: permanent ? 'permanent' : 'transient',
      });
    },
    rescreenRun(run) {
      buffer.add(METRIC.rescreenDue, MetricUnit.Count, run.due);
      buffer.add(METRIC.rescreenBacklogAge, MetricUnit.Seconds, Math.max(0, run.backlogAgeSec));
      const outcomes = { done: run.done, rescheduled: run.rescheduled, gave_up: run.gaveUp };
      for (const [outcome, count] of Object.entries(outcomes)) {
        buffer.add(METRIC.rescreens, MetricUnit.Count, count, { [DIMENSION.outcome]: outcome });
      }
    },
    policyChanged(what) {
      buffer.add(METRIC.policyChanges, MetricUnit.Count, 1, { [DIMENSION.policy]: what });
    },
    enforcementFailed() {
      buffer.add(METRIC.enforcementFailures, MetricUnit.Count, 1);
    },
    flush() {
      buffer.publish(metrics);
    },
    startInvocation(context) {
      logger.resetKeys();
      logger.addContext(context);
      metrics.captureColdStartMetric(context.functionName);
    },
  };
};

const isLambdaTelemetry = (telemetry: Telemetry): telemetry is LambdaTelemetry =>
  typeof (telemetry as Partial<LambdaTelemetry>).startInvocation === 'function';

/**
 * Wraps a Lambda handler: Lambda context on the logger and the cold-start metric before the call,
 * metrics always published after it (also when it throws). An error escaping the handler is logged
 * by name and redacted message (error-fields.ts), then rethrown.
 */
export const instrument = <E, R>(
  handler: (event: E, context: Context) => Promise<R>,
  telemetry: Telemetry,
): ((event: E, context: Context) => Promise<R>) => {
  return async (event, context) => {
    if (isLambdaTelemetry(telemetry)) telemetry.startInvocation(context);
    try {
      return await handler(event, context);
    } catch (error) {
      telemetry.error('unhandled error', errorLogFields(error));
      throw error;
    } finally {
      telemetry.flush();
    }
  };
};
