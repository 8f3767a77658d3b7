/** A target reached with `Authorization: Bearer <token>`: the local server (docs/api.md). */
import type { ApiRequest, ApiTarget } from './target.js';

export const createBearerTarget = (url: string, token: string): ApiTarget => ({
  url,
  auth: 'bearer',
  request: (request: ApiRequest) =>
    fetch(`${url}${request.path}`, {
      method: request.method,
      headers: { ...request.headers, authorization: `Bearer ${token}` },
      ...(request.body === undefined ? {} : { body: request.body }),
      ...(request.signal ? { signal: request.signal } : {}),
    }),
});
