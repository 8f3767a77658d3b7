/**
 * The operator API (docs/api.md, docs/lists.md, docs/reviews.md, docs/outcomes.md, docs/policy-lifecycle.md):
 * `POST /screen`, verdicts and their reviews, runtime lists, statistics, what-if replay, outcome labels, decision
 * quality and the policy lifecycle. Locally it checks a bearer token; in AWS the HTTP API has already done IAM auth.
 */
import type { Hono } from 'hono';
import { createBaseApp } from '../../shared/http/app-base.js';
import { operatorAuth } from '../../shared/http/bearer.js';
import type { AppEnv } from '../../shared/http/env.js';
import type { Telemetry } from '../../shared/observability/telemetry.js';
import type { DepsProvider } from '../../shared/runtime/deps.js';
import { listRoutes } from './routes/lists.js';
import { outcomeRoutes } from './routes/outcomes.js';
import { policyRoutes } from './routes/policy.js';
import { replayRoutes } from './routes/replay.js';
import { screenRoutes } from './routes/screen.js';
import { statsRoutes } from './routes/stats.js';
import { verdictRoutes } from './routes/verdicts.js';

/** Builds the operator API app; the local server and the `api` Lambda both run it. */
export const createApiApp = (deps: DepsProvider, telemetry?: Telemetry): Hono<AppEnv> => {
  const app = createBaseApp(telemetry);
  const auth = operatorAuth(deps);
  screenRoutes(app, deps, auth);
  verdictRoutes(app, deps, auth);
  listRoutes(app, deps, auth);
  statsRoutes(app, deps, auth);
  replayRoutes(app, deps, auth);
  outcomeRoutes(app, deps, auth);
  policyRoutes(app, deps, auth);
  return app;
};
