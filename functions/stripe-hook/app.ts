/** Placeholder: `POST /hooks/stripe` arrives with the Stripe issue. */
import type { Hono } from 'hono';
import { createBaseApp } from '../../shared/http/app-base.js';
import type { AppEnv } from '../../shared/http/env.js';
import type { Telemetry } from '../../shared/observability/telemetry.js';
import type { DepsProvider } from '../../shared/runtime/deps.js';

export const createStripeHookApp = (_deps: DepsProvider, telemetry?: Telemetry): Hono<AppEnv> =>
  createBaseApp(telemetry);
