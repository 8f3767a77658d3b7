/**
 * Keyed hashes (HMAC-SHA256 with the pepper) of identifiers, so verdicts are findable without raw values, and of
 * request bodies (kind `request_body`), so someone who reads the table cannot confirm a guessed body offline.
 */
import { createHmac } from 'node:crypto';
import type { KeyedHasher } from '../core/vocabulary.js';

/** Builds the hasher for a pepper. The kind is part of the message, so an email and a phone never collide. */
export const createHasher = (pepper: string): KeyedHasher => {
  if (pepper.length < 16) throw new Error('the hashing pepper must be at least 16 characters');
  return (kind, normalised) => createHmac('sha256', pepper).update(`${kind}:${normalised}`).digest('hex');
};

/** A derived key for another purpose (e.g. signing cursors), so one secret serves without reuse. */
export const deriveKey = (pepper: string, purpose: string): string =>
  createHmac('sha256', pepper).update(`signup-gate:${purpose}`).digest('hex');
