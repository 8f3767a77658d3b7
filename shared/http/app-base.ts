/** The base every app starts from: JSON 404, the error mapper, a per-request access log line, and the reset correlation id. */
import { Hono } from 'hono';
import type { Telemetry } from '../observability/telemetry.js';
import { silentTelemetry } from '../observability/telemetry.js';
import type { AppEnv } from './env.js';
import { errorHandler, notFound } from './errors.js';

/**
 * A Hono app with the contract's 404 and error shapes. Each request ends with one `request` log line: method,
 * route pattern (never the path: it may hold an id or a query with an email), status, duration and verdict id.
 */
export const createBaseApp = (telemetry: Telemetry = silentTelemetry): Hono<AppEnv> => {
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    telemetry.setCorrelationId(undefined); // the verdict id of the previous request must not leak into this one
    const started = performance.now();
    await next();
    const verdictId = c.get('verdictId');
    telemetry.info('request', {
      method: c.req.method,
      route: c.req.routePath,
      status: c.res.status,
      duration_ms: Math.round((performance.now() - started) * 10) / 10,
      ...(verdictId ? { verdict_id: verdictId } : {}),
    });
  });
  app.notFound(notFound);
  app.onError(errorHandler(() => telemetry));
  return app;
};
