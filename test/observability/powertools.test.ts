/**
 * The Powertools telemetry as it writes to stdout/stderr: valid EMF documents with the expected names,
 * units and dimensions; JSON log lines with correlation id and Lambda context; nothing identifying
 * leaks into logs; `instrument` always flushes. Only the process streams are captured, Powertools
 * itself runs unmodified.
 */
import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DIMENSION, METRIC, METRICS_NAMESPACE } from '../../shared/observability/metric-names.js';
import {
  createPowertoolsTelemetry,
  instrument,
  scrubLogValue,
} from '../../shared/observability/powertools.js';
import { silentTelemetry } from '../../shared/observability/telemetry.js';

// biome-ignore lint/suspicious/noExplicitAny: log and EMF documents are checked field by field
type Json = any;

const RAW_EMAIL = 'jane.doe+signup@example.com';

let out: string[] = [];
let err: string[] = [];
const savedEnv = { ...process.env };

beforeEach(() => {
  out = [];
  err = [];
  for (const key of ['POWERTOOLS_DEV', 'POWERTOOLS_METRICS_DISABLED', 'POWERTOOLS_LOG_LEVEL', 'LOG_LEVEL']) {
    delete process.env[key];
  }
  delete process.env.AWS_LAMBDA_LOG_LEVEL;
  delete process.env.POWERTOOLS_METRICS_NAMESPACE;
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err.push(String(chunk));
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  process.env = { ...savedEnv };
});

const jsonLines = (chunks: string[]): Json[] =>
  chunks
    .join('')
    .split('\n')
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => JSON.parse(line));

/** EMF documents written to stdout. */
const emf = (): Json[] => jsonLines(out).filter((doc) => doc._aws);
/** Log lines (stdout and stderr), EMF excluded. */
const logs = (): Json[] => [...jsonLines(out), ...jsonLines(err)].filter((doc) => !doc._aws);

/** Every metric published, flattened: name, unit, value(s), and the dimensions of its document. */
const published = () =>
  emf().flatMap((doc) => {
    const directive = doc._aws.CloudWatchMetrics[0];
    const dimensionNames: string[] = directive.Dimensions.flat();
    const dimensions = Object.fromEntries(dimensionNames.map((name) => [name, doc[name]]));
    return directive.Metrics.map((m: Json) => ({
      namespace: directive.Namespace,
      name: m.Name,
      unit: m.Unit,
      value: doc[m.Name],
      dimensions,
      dimensionSets: directive.Dimensions,
    }));
  });

const lambdaContext = (name = 'signup-gate-api'): Context =>
  ({
    callbackWaitsForEmptyEventLoop: true,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${name}`,
    memoryLimitInMB: '512',
    awsRequestId: `req-${Math.random().toString(16).slice(2)}`,
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: '2026/11/26/[$LATEST]abc',
    getRemainingTimeInMillis: () => 10_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  }) as Context;

describe('metrics (EMF)', () => {
  it('publishes decisions by source and decision, and a degraded count, in namespace SignupGate', () => {
    const t = createPowertoolsTelemetry('auth0-hook');
    t.decision('auth0', 'block', true);
    t.decision('auth0', 'block', false);
    t.decision('stripe', 'allow', false);
    expect(emf()).toEqual([]); // buffered until flush
    t.flush();

    for (const doc of emf()) {
      expect(doc._aws.Timestamp).toEqual(expect.any(Number));
      expect(doc._aws.CloudWatchMetrics).toHaveLength(1);
      expect(doc._aws.CloudWatchMetrics[0].Namespace).toBe(METRICS_NAMESPACE);
      // No per-function `service` dimension: the three functions add up into the same series.
      expect(doc.service).toBeUndefined();
    }
    const metrics = published();
    const decisions = metrics.filter((m) => m.name === METRIC.decisions);
    expect(decisions).toHaveLength(2);
    expect(decisions).toContainEqual(
      expect.objectContaining({
        unit: 'Count',
        value: [1, 1],
        dimensions: { [DIMENSION.decision]: 'block', [DIMENSION.source]: 'auth0' },
        dimensionSets: [[DIMENSION.decision, DIMENSION.source]],
      }),
    );
    expect(decisions).toContainEqual(
      expect.objectContaining({ value: 1, dimensions: { decision: 'allow', source: 'stripe' } }),
    );
    const degraded = metrics.find((m) => m.name === METRIC.degraded);
    expect(degraded).toMatchObject({ unit: 'Count', value: [1, 0, 0], dimensions: {}, dimensionSets: [] });
  });

  it('publishes Defastra latency by kind, errors by type, cache hits by kind and the wallet gauge', () => {
    const t = createPowertoolsTelemetry('api');
    t.defastraLatency('email', 2710.4);
    t.defastraLatency('phone', 3120);
    t.defastraError('email', 'RATE_LIMITED_5_SECONDS', true);
    t.cacheHit('phone');
    t.walletBalance(42.5);
    t.flush();
    const metrics = published();
    expect(metrics).toContainEqual(
      expect.objectContaining({
        name: METRIC.defastraLatency,
        unit: 'Milliseconds',
        value: 2710.4,
        dimensions: { kind: 'email' },
      }),
    );
    expect(metrics).toContainEqual(
      expect.objectContaining({ name: METRIC.defastraLatency, value: 3120, dimensions: { kind: 'phone' } }),
    );
    expect(metrics).toContainEqual(
      expect.objectContaining({
        name: METRIC.defastraErrors,
        unit: 'Count',
        value: 1,
        dimensions: { error_type: 'RATE_LIMITED_5_SECONDS' },
      }),
    );
    expect(metrics).toContainEqual(
      expect.objectContaining({ name: METRIC.cacheHits, value: 1, dimensions: { kind: 'phone' } }),
    );
    expect(metrics).toContainEqual(
      expect.objectContaining({ name: METRIC.walletBalance, unit: 'None', value: 42.5, dimensions: {} }),
    );
    // A retryable error is not fatal.
    expect(metrics.find((m) => m.name === METRIC.defastraFatalErrors)).toBeUndefined();
  });

  it.each([
    'INSUFFICIENT_FUNDS',
    'INVALID_API_KEY',
    'NO_KEY',
    'INACTIVE_API_KEY',
    'INACTIVE_API_ACCESS',
    'INACTIVE_TEAM_USER',
  ])('counts %s also in the dimension-less DefastraFatalErrors', (type) => {
    const t = createPowertoolsTelemetry('stripe-hook');
    t.defastraError('phone', type, false);
    t.flush();
    const fatal = published().filter((m) => m.name === METRIC.defastraFatalErrors);
    expect(fatal).toEqual([expect.objectContaining({ value: 1, dimensions: {}, dimensionSets: [] })]);
  });

  it('does not count a non-retryable request error as fatal', () => {
    const t = createPowertoolsTelemetry('api');
    t.defastraError('email', 'INVALID_EMAIL', false);
    t.flush();
    expect(published().map((m) => m.name)).toEqual([METRIC.defastraErrors]);
  });

  it('writes nothing on a flush without metrics, and empties the buffer on flush', () => {
    const t = createPowertoolsTelemetry('api');
    t.flush();
    expect(out.join('')).toBe('');
    t.cacheHit('email');
    t.flush();
    t.flush();
    expect(emf()).toHaveLength(1);
  });

  it('takes the namespace from POWERTOOLS_METRICS_NAMESPACE when set', () => {
    process.env.POWERTOOLS_METRICS_NAMESPACE = 'SignupGateStaging';
    const t = createPowertoolsTelemetry('api');
    t.cacheHit('email');
    t.flush();
    expect(emf()[0]._aws.CloudWatchMetrics[0].Namespace).toBe('SignupGateStaging');
  });
});

describe('logs', () => {
  it('writes JSON lines with level, service, message, fields and the correlation id', () => {
    const t = createPowertoolsTelemetry('api', { logLevel: 'INFO' });
    t.debug('hidden at INFO');
    t.setCorrelationId('01JDX3K8Y0Q5W6Z8N2M4P6R8T0');
    t.info('verdict', { decision: 'review', degraded: false });
    t.setCorrelationId(undefined);
    t.warn('after');
    const lines = logs();
    expect(lines.map((l) => l.message)).toEqual(['verdict', 'after']);
    expect(lines[0]).toMatchObject({
      level: 'INFO',
      service: 'api',
      message: 'verdict',
      decision: 'review',
      degraded: false,
      correlation_id: '01JDX3K8Y0Q5W6Z8N2M4P6R8T0',
    });
    expect(lines[0].timestamp).toEqual(expect.any(String));
    expect(lines[1].correlation_id).toBeUndefined();
  });

  it('never writes a raw email, a body or headers, whatever a caller passes', () => {
    const t = createPowertoolsTelemetry('auth0-hook', { logLevel: 'DEBUG' });
    t.info(`screening ${RAW_EMAIL}`, {
      email: RAW_EMAIL,
      phone: '+33612345678',
      body: JSON.stringify({ user: { email: RAW_EMAIL } }),
      headers: { 'x-signup-gate-signature': 't=1,v1=abc' },
      nested: { note: `contact <${RAW_EMAIL}>` },
    });
    t.error('failed', { error: new Error(`upstream rejected ${RAW_EMAIL}`) });
    const text = [...out, ...err].join('');
    expect(text).not.toContain(RAW_EMAIL);
    expect(text).not.toContain('example.com');
    expect(text).not.toContain('+33612345678');
    expect(text).not.toContain('t=1,v1=abc');
    const [first, second] = logs();
    expect(first).toMatchObject({
      message: 'screening [email]',
      email: '[redacted]',
      phone: '[redacted]',
      body: '[redacted]',
      headers: '[redacted]',
      nested: { note: 'contact <[email]>' },
    });
    expect(second.error.message).toBe('upstream rejected [email]');
  });

  it('scrubs values without touching ordinary ones', () => {
    expect(scrubLogValue('decision', 'block')).toBe('block');
    expect(scrubLogValue('masked', 'j***@example.com')).toBe('[email]');
    expect(scrubLogValue('email', null)).toBe(null);
    expect(scrubLogValue('count', 3)).toBe(3);
  });
});

describe('instrument', () => {
  it('adds the Lambda context and cold start to logs, captures ColdStart once, flushes each time', async () => {
    // What Lambda and the stack set; Powertools reads them at construction.
    process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
    process.env.POWERTOOLS_SERVICE_NAME = 'api';
    const t = createPowertoolsTelemetry('api', { logLevel: 'INFO' });
    const handler = instrument(async (event: { n: number }) => {
      t.info('handling', { n: event.n });
      t.decision('api', 'allow', false);
      return { statusCode: 200 };
    }, t);

    await expect(handler({ n: 1 }, lambdaContext())).resolves.toEqual({ statusCode: 200 });
    await handler({ n: 2 }, lambdaContext());

    const [first, second] = logs().filter((l) => l.message === 'handling');
    expect(first).toMatchObject({
      cold_start: true,
      function_name: 'signup-gate-api',
      function_memory_size: '512',
    });
    expect(first.function_request_id).toMatch(/^req-/);
    expect(second.cold_start).toBe(false);

    const metrics = published();
    const coldStarts = metrics.filter((m) => m.name === 'ColdStart');
    expect(coldStarts).toEqual([
      expect.objectContaining({ value: 1, dimensions: { service: 'api', function_name: 'signup-gate-api' } }),
    ]);
    expect(metrics.filter((m) => m.name === METRIC.decisions)).toHaveLength(2);
  });

  it('flushes metrics and logs the error by name and message when the handler throws', async () => {
    const t = createPowertoolsTelemetry('stripe-hook', { logLevel: 'INFO' });
    const handler = instrument(async () => {
      t.defastraError('email', 'INSUFFICIENT_FUNDS', false);
      throw new TypeError(`boom for ${RAW_EMAIL}`);
    }, t);

    await expect(handler({}, lambdaContext('signup-gate-stripe-hook'))).rejects.toThrow(TypeError);
    expect(published().map((m) => m.name)).toEqual(
      expect.arrayContaining([METRIC.defastraErrors, METRIC.defastraFatalErrors]),
    );
    const failure = logs().find((l) => l.message === 'unhandled error');
    expect(failure).toMatchObject({
      level: 'ERROR',
      error_name: 'TypeError',
      error_message: 'boom for [email]',
    });
  });

  it('clears the previous invocation’s correlation id', async () => {
    const t = createPowertoolsTelemetry('api', { logLevel: 'INFO' });
    const handler = instrument(async (event: { id?: string }) => {
      if (event.id) t.setCorrelationId(event.id);
      t.info('done');
    }, t);
    await handler({ id: '01JDX3K8Y0Q5W6Z8N2M4P6R8T0' }, lambdaContext());
    await handler({}, lambdaContext());
    const [first, second] = logs().filter((l) => l.message === 'done');
    expect(first.correlation_id).toBe('01JDX3K8Y0Q5W6Z8N2M4P6R8T0');
    expect(second.correlation_id).toBeUndefined();
  });

  it('also wraps a plain Telemetry, flushing it after each call', async () => {
    const flush = vi.fn();
    const handler = instrument(async () => 'ok', { ...silentTelemetry, flush });
    await expect(handler({}, lambdaContext())).resolves.toBe('ok');
    expect(flush).toHaveBeenCalledTimes(1);
  });
});
