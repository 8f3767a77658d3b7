/**
 * What several trigger modules share: HMAC hex, a secret setting, provider-style ids, reading an answer that
 * carries the verdict.
 */
import { createHmac } from 'node:crypto';
import type { LocalSecretSetting } from '../local-token.js';
import { isRecord, type TriggerReading, verdictIn } from './provider.js';
import { randomId } from './subject.js';

export const hmacHex = (secret: string, text: string): string =>
  createHmac('sha256', secret).update(text, 'utf8').digest('hex');

export const setting = (
  env: string,
  field: string,
  what: string,
  separator: 'comma' | 'space' = 'comma',
): LocalSecretSetting => ({ env, field, what, separator });

/** A ULID-like id (26 upper-case characters), as WorkOS and Paddle ids end. */
export const ulidLike = (): string => randomId(26, '0123456789ABCDEFGHJKMNPQRSTVWXYZ');

/** An answer carrying the verdict (Paddle, Clerk, Firebase): the effect follows its action. */
export const readVerdict =
  (effect: (action: string, body: Record<string, unknown>) => string) =>
  (status: number, body: unknown): TriggerReading | undefined => {
    if (status !== 200 || !isRecord(body)) return undefined;
    if (body.ignored === true) return { effect: `not screened (${String(body.event_type)})` };
    const verdict = verdictIn(body);
    return verdict ? { effect: effect(verdict.action ?? verdict.decision, body), verdict } : undefined;
  };
