/** A target reached with `Authorization: Bearer <token>`: the local server (see docs/cli.md, Target and auth). */
import type { ApiRequest, ApiTarget } from './target.js';

/** `tokenFrom` says where the token was read (`API_TOKEN` or a file path), for the hint of a refused token. */
export const createBearerTarget = (url: string, token: string, tokenFrom?: string): ApiTarget => ({
  url,
  auth: 'bearer',
  ...(tokenFrom ? { tokenFrom } : {}),
  request: (request: ApiRequest) =>
    fetch(`${url}${request.path}`, {
      method: request.method,
      headers: { ...request.headers, authorization: `Bearer ${token}` },
      ...(request.body === undefined ? {} : { body: request.body }),
      ...(request.signal ? { signal: request.signal } : {}),
    }),
});
