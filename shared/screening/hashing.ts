/** Keyed hashes of normalised identifiers (HMAC-SHA256 with the pepper), so verdicts are findable without raw values. */
import { createHash, createHmac } from 'node:crypto';
import type { CheckKind } from '../defastra/types.js';

export type IdentifierHasher = (kind: CheckKind, normalised: string) => string;

/** Builds the hasher for a pepper. The kind is part of the message, so an email and a phone never collide. */
export const createHasher = (pepper: string): IdentifierHasher => {
  if (pepper.length < 16) throw new Error('the hashing pepper must be at least 16 characters');
  return (kind, normalised) => createHmac('sha256', pepper).update(`${kind}:${normalised}`).digest('hex');
};

/** A derived key for another purpose (e.g. signing cursors), so one secret serves without reuse. */
export const deriveKey = (pepper: string, purpose: string): string =>
  createHmac('sha256', pepper).update(`signup-gate:${purpose}`).digest('hex');

/** Plain SHA-256 of a request body: tells a repeated request from a reused idempotency key. */
export const bodyHash = (body: string): string => createHash('sha256').update(body).digest('base64url');
