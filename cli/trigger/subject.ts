/**
 * Who a trigger signs up: `--email` / `--phone` as given, else a fresh sandbox identity that yields the decision of
 * `--decision-hint` under the default policy (docs/sandbox.md): any address is `low` (allow), a `+medium` tag
 * `medium` (review), a `+high` tag `high` (block). The mailbox is new on every run, so repeated triggers never add
 * up to a velocity decision.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { Decision } from '../../shared/core/levels.js';
import type { TriggerSubject } from './provider.js';

const TAG: Record<Decision, string> = { allow: '', review: '+medium', block: '+high' };

export const hintedSubject = (hint: Decision): TriggerSubject => ({
  email: `trigger-${randomBytes(4).toString('hex')}${TAG[hint]}@example.com`,
  phone: null,
});

/** A client IP from the documentation ranges (RFC 5737), new on every run. */
export const documentationIp = (): string => {
  const nets = ['192.0.2', '198.51.100', '203.0.113'];
  return `${nets[randomInt(nets.length)]}.${randomInt(1, 255)}`;
};

/** A random id of `length` characters from `alphabet` (provider ids: Auth0 transactions, Stripe objects). */
export const randomId = (
  length: number,
  alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
): string => Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');
