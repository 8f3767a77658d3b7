/** Placeholder: `POST /hooks/auth0` arrives with the Auth0 issue. */
import type { Hono } from 'hono';
import { createBaseApp } from '../../shared/http/app-base.js';
import type { AppEnv } from '../../shared/http/env.js';
import type { Telemetry } from '../../shared/observability/telemetry.js';
import type { DepsProvider } from '../../shared/runtime/deps.js';

export const createAuth0HookApp = (_deps: DepsProvider, telemetry?: Telemetry): Hono<AppEnv> =>
  createBaseApp(telemetry);
