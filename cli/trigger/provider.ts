/** One provider of `signup-gate trigger` (docs/cli.md): how its event is built and signed, and how its answer reads. */

import type { LocalSecretSetting } from '../local-token.js';
import type { WireVerdict } from '../wire.js';

/** Who signs up: the email and phone the event carries (null when absent). */
export interface TriggerSubject {
  email: string | null;
  phone: string | null;
}

/** What a provider's event is built from: the subject, fresh ids, the clock, the secret and the provider's flags. */
export interface TriggerInput {
  subject: TriggerSubject;
  /** The provider's signing secret (undefined for a route behind the operator's auth). */
  secret: string | undefined;
  nowSec: number;
  /** A client IP for the event, chosen per run so that repeated triggers do not add up in one velocity counter. */
  ip: string;
  /** `--post-login` (Auth0 only). */
  postLogin: boolean;
}

/** The request to send: the path under the target's URL, the exact body, its signature headers. */
export interface TriggerRequest {
  path: string;
  body: string;
  headers: Record<string, string>;
  /** What was sent, in a few words: `pre-user-registration`, `customer.created`. */
  event: string;
  /**
   * How to find the stored verdict when the answer does not carry it (Supabase, Cognito): a source and what the
   * verdict's refs hold.
   */
  find?: { source: WireVerdict['source']; match: (verdict: WireVerdict) => boolean };
}

/** How the provider acts on the answer, and the verdict the answer carries (when it carries one). */
export interface TriggerReading {
  /** In the provider's terms: `the Action lets the sign-up go on`, `Supabase refuses the sign-up: "..."`. */
  effect: string;
  verdict?: WireVerdict;
}

export interface TriggerProvider {
  name: string;
  /** For `--help`: what is built and where it goes. */
  description: string;
  /** The hook secret it is signed with; none for Cognito (its local route takes the operator's bearer token). */
  secret?: LocalSecretSetting;
  build(input: TriggerInput): Promise<TriggerRequest> | TriggerRequest;
  /** Reads an answer of the route; undefined when it is not one of the route's answers (an error to report). */
  read(status: number, body: unknown): TriggerReading | undefined;
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The answer as a verdict when it is one (a `verdict_id` and a `decision`). */
export const verdictIn = (body: unknown): WireVerdict | undefined =>
  isRecord(body) && typeof body.verdict_id === 'string' && typeof body.decision === 'string'
    ? (body as unknown as WireVerdict)
    : undefined;

/** `{"error":{"message":...}}`'s message, or undefined. */
export const errorMessageIn = (body: unknown): string | undefined => {
  const error = isRecord(body) ? body.error : undefined;
  return isRecord(error) && typeof error.message === 'string' ? error.message : undefined;
};
