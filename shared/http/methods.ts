/** Routing helpers: a 405 with an `Allow` header for every method a path does not take. */
import type { Hono } from 'hono';
import type { AppEnv } from './env.js';
import { ApiError } from './errors.js';

/** Registers the catch-all 405 for `path`; call after the path's real routes. */
export const allowOnly = (app: Hono<AppEnv>, path: string, methods: string[]): void => {
  const allow = methods.join(', ');
  app.all(path, () => {
    throw new ApiError(405, 'method_not_allowed', `use ${allow} on this route`, { Allow: allow });
  });
};
