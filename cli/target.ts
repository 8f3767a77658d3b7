/** How the CLI and the console reach a signup-gate API: a base URL and a request function that adds the target's auth. */

/** One request to the API; `path` starts with `/` and may carry a query string. */
export interface ApiRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  /** A JSON body, already serialised. */
  body?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * A resolved target. `bearer` for a local server (token from `API_TOKEN` or `DATA_DIR/dev-secrets.json`),
 * `sigv4` for a deployed stack (the AWS SDK's signer and default credential chain). Credentials never leave
 * this object: callers (the console above all) only see responses.
 */
export interface ApiTarget {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  readonly auth: 'bearer' | 'sigv4';
  /** Bearer only: where the token was read (`API_TOKEN` or a dev-secrets path), never the token. */
  readonly tokenFrom?: string;
  /** Sends the request with the target's auth added; resolves with the raw response (any status). */
  request(request: ApiRequest): Promise<Response>;
}
