/** errorName never throws on what was thrown, and every domain error code has its one HTTP answer. */
import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  errorName,
  InvalidInputError,
  NotFoundError,
  VersionConflictError,
} from '../../shared/core/errors.js';
import { fromDomain } from '../../shared/http/errors.js';
import { IdempotencyKeyReusedError, InProgressError } from '../../shared/markers/errors.js';
import { InvalidCursorError, StoreUnavailableError } from '../../shared/store/errors.js';

describe('errorName', () => {
  it('names errors, and anything else without one as unknown', () => {
    expect(errorName(new TypeError('x'))).toBe('TypeError');
    expect(errorName(new StoreUnavailableError('down'))).toBe('StoreUnavailableError');
    expect(errorName({ name: 'ThrottlingException' })).toBe('ThrottlingException');
    for (const value of [undefined, null, 'text', 42, { name: 5 }, { name: '' }]) {
      expect(errorName(value)).toBe('unknown');
    }
  });
});

describe('domain errors as the contract answers them', () => {
  it.each([
    [new NotFoundError('no verdict with this id'), 404, 'not_found', 'no verdict with this id', {}],
    [new ConflictError('changed meanwhile'), 409, 'conflict', 'changed meanwhile', {}],
    [new VersionConflictError('r3 is active'), 409, 'version_conflict', 'r3 is active', {}],
    [
      new InvalidInputError('query', 'until must be after since'),
      400,
      'invalid_request',
      'query: until must be after since',
      {},
    ],
    [
      new InvalidCursorError('bad signature'),
      400,
      'invalid_request',
      'cursor is not valid for this query',
      {},
    ],
    [
      new StoreUnavailableError('DynamoDB PutItem failed'),
      503,
      'store_unavailable',
      'the verdict store is unavailable; nothing was stored, try again shortly',
      { 'Retry-After': '5' },
    ],
    [new InProgressError('retry shortly'), 409, 'in_progress', 'retry shortly', { 'Retry-After': '2' }],
    [new IdempotencyKeyReusedError('other body'), 422, 'idempotency_key_reused', 'other body', {}],
  ])('%s', (error, status, code, message, headers) => {
    const answer = fromDomain(error);
    expect([answer.status, answer.code, answer.message, answer.headers]).toEqual([
      status,
      code,
      message,
      headers,
    ]);
  });
});
