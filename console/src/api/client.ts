/** The page's only way out: same-origin calls to the console server, which forwards them with the target's auth. */
import type {
  ListEntry,
  NewListEntry,
  Page,
  PolicyDocument,
  PolicyVersionAnswer,
  PolicyVersionSummary,
  QualityAnswer,
  ReplayRequest,
  ReplayResult,
  ReviewRequest,
  SessionInfo,
  Stats,
  Verdict,
  VerdictFilters,
} from './types.js';

/** An error answer from the API (or the console server), with the contract's code and message. */
export class ApiFailure extends Error {
  override readonly name = 'ApiFailure';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** What the rest of the page learns from every call. */
export interface ClientEvents {
  /** The console session is gone (401 from the console server itself). */
  onSessionLost: () => void;
  /**
   * Whether the API behind the console answers: `api_down` when the console server could not reach it,
   * `console_down` when the console server itself is gone, `up` again on the next answer from the API.
   */
  onReachable: (state: Reachability) => void;
}

export type Reachability = 'up' | 'api_down' | 'console_down';

/** Answers that mean the API (or the console server) is not there, rather than refusing something. */
const UNREACHABLE: Record<string, Reachability> = {
  upstream_unavailable: 'api_down',
  console_unreachable: 'console_down',
};

const query = (params: Record<string, string | number | undefined>): string => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
};

export class ApiClient {
  #csrf = '';
  constructor(private readonly events: ClientEvents) {}

  async #call<T>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    body?: unknown,
    /** Lets the request outlive the page (a review sent as the tab closes). */
    keepalive = false,
  ): Promise<T> {
    try {
      const answer = await this.#send<T>(method, path, body, keepalive);
      if (path !== '/session' && path !== '/logout') this.events.onReachable('up');
      return answer;
    } catch (error) {
      if (error instanceof ApiFailure) {
        const down = UNREACHABLE[error.code];
        if (down) this.events.onReachable(down);
        else if (error.status !== 401) this.events.onReachable('up');
      }
      throw error;
    }
  }

  async #send<T>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    body: unknown,
    keepalive: boolean,
  ): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (method !== 'GET') headers['X-CSRF-Token'] = this.#csrf;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`/api${path}`, {
        method,
        headers,
        credentials: 'same-origin',
        ...(keepalive ? { keepalive } : {}),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      throw new ApiFailure(
        0,
        'console_unreachable',
        'The console server does not answer. Is it still running?',
      );
    }
    if (response.status === 204) return undefined as T;
    const data: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      const error = (data as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
      const code = typeof error?.code === 'string' ? error.code : 'http_error';
      const message = typeof error?.message === 'string' ? error.message : `HTTP ${response.status}`;
      if (response.status === 401) this.events.onSessionLost();
      throw new ApiFailure(response.status, code, message);
    }
    return data as T;
  }

  async session(): Promise<SessionInfo> {
    const info = await this.#call<SessionInfo>('GET', '/session');
    this.#csrf = info.csrf_token;
    return info;
  }

  logout = () => this.#call<void>('POST', '/logout');

  verdicts = (filters: VerdictFilters) =>
    this.#call<Page<Verdict>>('GET', `/verdicts${query({ ...filters })}`);

  verdict = (id: string) => this.#call<Verdict>('GET', `/verdicts/${encodeURIComponent(id)}`);

  review = (id: string, request: ReviewRequest, options: { keepalive?: boolean } = {}) =>
    this.#call<Verdict>(
      'POST',
      `/verdicts/${encodeURIComponent(id)}/review`,
      request,
      options.keepalive === true,
    );

  lists = (filters: { kind?: string; action?: string; limit?: number; cursor?: string }) =>
    this.#call<Page<ListEntry>>('GET', `/lists${query(filters)}`);

  addListEntry = (entry: NewListEntry) => this.#call<ListEntry>('POST', '/lists', entry);

  removeListEntry = (entryId: string) => this.#call<void>('DELETE', `/lists/${encodeURIComponent(entryId)}`);

  stats = (params: { since?: string; until?: string; bucket?: 'hour' | 'day' }) =>
    this.#call<Stats>('GET', `/stats${query(params)}`);

  quality = (params: { since?: string; until?: string; bucket?: 'day' | 'week' }) =>
    this.#call<QualityAnswer>('GET', `/quality${query(params)}`);

  replay = (request: ReplayRequest) => this.#call<ReplayResult>('POST', '/replay', request);

  policy = () => this.#call<PolicyVersionAnswer>('GET', '/policy');

  policyVersions = (params: { limit?: number; cursor?: string }) =>
    this.#call<Page<PolicyVersionSummary>>('GET', `/policy/versions${query(params)}`);

  policyVersion = (version: string) =>
    this.#call<PolicyVersionAnswer>('GET', `/policy/versions/${encodeURIComponent(version)}`);

  /** A new active version; `expectedVersion` is the one the operator saw (another one active → 409). */
  applyPolicy = (policy: PolicyDocument, expectedVersion: string, comment?: string) =>
    this.#call<PolicyVersionAnswer>('PUT', '/policy', {
      policy,
      expected_version: expectedVersion,
      ...(comment ? { comment } : {}),
    });

  rollbackPolicy = (version: string) =>
    this.#call<PolicyVersionAnswer>('POST', '/policy/rollback', { version });

  /** The shadow policy, or null when none is set. */
  shadowPolicy = async (): Promise<PolicyVersionAnswer | null> => {
    try {
      return await this.#call<PolicyVersionAnswer>('GET', '/policy/shadow');
    } catch (error) {
      if (error instanceof ApiFailure && error.status === 404) return null;
      throw error;
    }
  };

  setShadowPolicy = (policy: PolicyDocument, comment?: string) =>
    this.#call<PolicyVersionAnswer>('PUT', '/policy/shadow', { policy, ...(comment ? { comment } : {}) });

  clearShadowPolicy = () => this.#call<void>('DELETE', '/policy/shadow');
}
