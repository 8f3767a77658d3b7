/** Every Defastra error type, over real HTTP: the error class it maps to and its retryable flag. */
import { describe, expect, it } from 'vitest';
import type { DefastraClient } from '../../shared/defastra/client.js';
import {
  apiErrorFor,
  DEFASTRA_ERROR_TYPES,
  DefastraAuthError,
  type DefastraErrorType,
  DefastraFundsError,
  DefastraRateLimitError,
  DefastraRequestError,
  DefastraSystemError,
} from '../../shared/defastra/errors.js';
import { SANDBOX_IDENTITIES as ID } from '../../shared/defastra/sandbox/identities.js';
import type { Sandbox } from '../../shared/defastra/sandbox/server.js';
import { failure, useSandboxClient } from './helpers.js';

type ErrorClass =
  | typeof DefastraAuthError
  | typeof DefastraFundsError
  | typeof DefastraRateLimitError
  | typeof DefastraSystemError
  | typeof DefastraRequestError;

/** Reference section 8, written out independently of errors.ts. */
const EXPECTED: Record<DefastraErrorType, [ErrorClass, boolean]> = {
  INSUFFICIENT_FUNDS: [DefastraFundsError, false],
  INVALID_REQUEST_TYPE: [DefastraRequestError, false],
  INVALID_API_KEY: [DefastraAuthError, false],
  NO_KEY: [DefastraAuthError, false],
  INACTIVE_API_KEY: [DefastraAuthError, false],
  INACTIVE_API_ACCESS: [DefastraAuthError, false],
  SYSTEM_ERROR: [DefastraSystemError, true],
  UNHANDLED_EXCEPTION: [DefastraSystemError, true],
  SYSTEM_UNAVAILABLE: [DefastraSystemError, true],
  RATE_LIMITED_5_SECONDS: [DefastraRateLimitError, true],
  RATE_LIMITED_1_MINUTE: [DefastraRateLimitError, true],
  INVALID_REQUEST_TIMEOUT: [DefastraRequestError, false],
  INVALID_REQUEST_PHONE: [DefastraRequestError, false],
  INVALID_REQUEST_EMAIL: [DefastraRequestError, false],
  INVALID_PARAMETER: [DefastraRequestError, false],
  INVALID_LABEL: [DefastraRequestError, false],
  INACTIVE_TEAM_USER: [DefastraAuthError, false],
};

let _sandbox: Sandbox;
let client: DefastraClient;
useSandboxClient(
  (s, c) => {
    _sandbox = s;
    client = c;
  },
  { resetEach: false },
);

describe('every Defastra error type', () => {
  it('the expected table covers exactly the documented types', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...DEFASTRA_ERROR_TYPES].sort());
    expect(DEFASTRA_ERROR_TYPES).toHaveLength(17);
  });

  it.each(DEFASTRA_ERROR_TYPES)('%s over HTTP (email) → its class and retryable flag', async (type) => {
    const [errorClass, retryable] = EXPECTED[type];
    const error = await failure(client.checkEmail(ID.email.errors[type], { retry: false }));
    expect(error).toBeInstanceOf(errorClass);
    expect(error).toMatchObject({ type, retryable, httpStatus: 400 });
  });

  it.each(DEFASTRA_ERROR_TYPES)('%s over HTTP (phone) → its class and retryable flag', async (type) => {
    const [errorClass, retryable] = EXPECTED[type];
    const error = await failure(client.checkPhone(ID.phone.errors[type], { retry: false }));
    expect(error).toBeInstanceOf(errorClass);
    expect(error).toMatchObject({ type, retryable });
  });

  it('an unknown error type is a non-retryable request error', () => {
    const error = apiErrorFor('SOMETHING_NEW', 'new');
    expect(error).toBeInstanceOf(DefastraRequestError);
    expect(error.retryable).toBe(false);
  });

  it('rate-limit errors know their window', () => {
    expect((apiErrorFor('RATE_LIMITED_5_SECONDS', '') as DefastraRateLimitError).windowMs).toBe(5_000);
    expect((apiErrorFor('RATE_LIMITED_1_MINUTE', '') as DefastraRateLimitError).windowMs).toBe(60_000);
  });
});
