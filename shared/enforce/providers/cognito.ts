/**
 * Amazon Cognito (docs/enforcement.md): `AdminDisableUser` to block, `AdminEnableUser` to undo, on the user pool the
 * pre sign-up trigger ran for (kept in the verdict's stored facts) and its `userName` (the verdict's `subject_ref`).
 * Signed with the function's IAM role (in AWS, scoped to the pools); `COGNITO_ENDPOINT` points the client at a
 * stand-in locally. The client's own retries are off: the enforcer retries with backoff.
 */
import {
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  CognitoIdentityProviderClient,
  type CognitoIdentityProviderClientConfig,
} from '@aws-sdk/client-cognito-identity-provider';
import { PROVIDER_TIMEOUT_MS } from '../http.js';
import { type Account, type AccountProvider, EnforcementError, requireSubject } from '../port.js';

export interface CognitoSettings {
  /** `COGNITO_ENDPOINT`: another endpoint than AWS's (a local stand-in). */
  endpoint?: string | undefined;
  /** Credentials other than the default chain's (tests). */
  credentials?: CognitoIdentityProviderClientConfig['credentials'];
  timeoutMs?: number;
}

/** `<region>_<id>`, as Cognito names pools. */
const POOL_ID = /^([a-z]{2}(?:-[a-z]+)+-\d)_[0-9A-Za-z]+$/;
/** Cognito's errors that another try may get past. */
const TRANSIENT = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'InternalErrorException',
  'LimitExceededException',
]);

/** A short code for the error (the SDK's exception name), and whether it is worth another try. */
const failureOf = (error: unknown): EnforcementError => {
  const e = error as { name?: unknown; $fault?: unknown; $metadata?: { httpStatusCode?: unknown } } | null;
  const name = typeof e?.name === 'string' && /^[A-Za-z]{1,64}$/.test(e.name) ? e.name : 'aws_error';
  const answered = typeof e?.$metadata?.httpStatusCode === 'number';
  // No HTTP answer at all: the network, a timeout, credentials that could not be loaded.
  const transient = TRANSIENT.has(name) || e?.$fault === 'server' || !answered;
  return new EnforcementError(name, transient);
};

export const createCognitoProvider = (settings: CognitoSettings = {}): AccountProvider => {
  const clients = new Map<string, CognitoIdentityProviderClient>();
  const clientFor = (region: string): CognitoIdentityProviderClient => {
    let client = clients.get(region);
    if (!client) {
      client = new CognitoIdentityProviderClient({
        region,
        maxAttempts: 1,
        requestHandler: { requestTimeout: settings.timeoutMs ?? PROVIDER_TIMEOUT_MS },
        ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
        ...(settings.credentials ? { credentials: settings.credentials } : {}),
      });
      clients.set(region, client);
    }
    return client;
  };
  const run = async (account: Account, enable: boolean): Promise<void> => {
    const pool = account.userPoolId === null ? null : POOL_ID.exec(account.userPoolId);
    if (!pool) throw new EnforcementError('no_user_pool', false);
    const input = { UserPoolId: pool[0], Username: requireSubject(account) };
    try {
      await clientFor(pool[1]!).send(
        enable ? new AdminEnableUserCommand(input) : new AdminDisableUserCommand(input),
      );
    } catch (error) {
      throw failureOf(error);
    }
  };
  return {
    block: (account) => run(account, false),
    unblock: (account) => run(account, true),
  };
};
