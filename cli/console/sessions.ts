/** The console's one-time login codes and browser sessions: random secrets held only in this process's memory. */
import { createHash, randomBytes } from 'node:crypto';
import { safeEqual } from '../../shared/http/secure-compare.js';

/** A login code works once, within this time of being printed (README.md#review-console). */
export const LOGIN_CODE_TTL_MS = 10 * 60_000;
/** A session lasts a working day; the analyst then runs the command again for a new link. */
export const SESSION_TTL_MS = 12 * 60 * 60_000;

export interface Session {
  /** The CSRF token the page sends back in `X-CSRF-Token` on every state-changing call. */
  readonly csrfToken: string;
  readonly expiresAt: number;
}

/** Milliseconds since the epoch; tests inject their own. */
export type Clock = () => number;

const secret = (): string => randomBytes(32).toString('base64url');
/** Maps are keyed by a digest, so a lookup's timing says nothing about the secret itself. */
const key = (value: string): string => createHash('sha256').update(value).digest('base64url');

/** Issues and redeems login codes, and resolves session cookies to sessions. */
export class SessionStore {
  readonly #codes = new Map<string, number>();
  readonly #sessions = new Map<string, Session>();
  readonly #now: Clock;

  constructor(now: Clock = Date.now) {
    this.#now = now;
  }

  /** A fresh login code, valid for `LOGIN_CODE_TTL_MS`, usable once. */
  issueLoginCode(): string {
    this.#prune();
    const code = secret();
    this.#codes.set(key(code), this.#now() + LOGIN_CODE_TTL_MS);
    return code;
  }

  /**
   * Redeems a login code: on success returns a new session id and the session. The code is spent on its
   * first presentation, valid or stale, so it can never be used twice.
   */
  redeem(code: string): { id: string; session: Session } | undefined {
    const k = key(code);
    const expiresAt = this.#codes.get(k);
    if (expiresAt === undefined) return undefined;
    this.#codes.delete(k);
    const now = this.#now();
    if (now >= expiresAt) return undefined;
    const id = secret();
    const session: Session = { csrfToken: secret(), expiresAt: now + SESSION_TTL_MS };
    this.#sessions.set(key(id), session);
    return { id, session };
  }

  /** The live session for a cookie value, or undefined (unknown or expired). */
  session(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const session = this.#sessions.get(key(id));
    if (!session) return undefined;
    if (this.#now() >= session.expiresAt) {
      this.#sessions.delete(key(id));
      return undefined;
    }
    return session;
  }

  /** Ends a session (logout). */
  end(id: string): void {
    this.#sessions.delete(key(id));
  }

  /** True when `token` is this session's CSRF token (constant time). */
  static csrfMatches(session: Session, token: string | undefined): boolean {
    return token !== undefined && token.length > 0 && safeEqual(token, session.csrfToken);
  }

  #prune(): void {
    const now = this.#now();
    for (const [k, expiresAt] of this.#codes) if (now >= expiresAt) this.#codes.delete(k);
    for (const [k, session] of this.#sessions) if (now >= session.expiresAt) this.#sessions.delete(k);
  }
}
