/** The base every app starts from: JSON 404, the error mapper, and the lazy deps in reach of each route. */
import { Hono } from 'hono';
import type { Telemetry } from '../observability/telemetry.js';
import { silentTelemetry } from '../observability/telemetry.js';
import type { AppEnv } from './env.js';
import { errorHandler, notFound } from './errors.js';

/** A Hono app with the contract's 404 and error shapes; the log correlation id reset per request. */
export const createBaseApp = (telemetry: Telemetry = silentTelemetry): Hono<AppEnv> => {
  const app = new Hono<AppEnv>();
  app.use(async (_c, next) => {
    telemetry.setCorrelationId(undefined); // the verdict id of the previous request must not leak into this one
    await next();
  });
  app.notFound(notFound);
  app.onError(errorHandler(() => telemetry));
  return app;
};
