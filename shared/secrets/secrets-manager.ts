/** Reads secrets from AWS Secrets Manager with an in-memory cache (max age), and a forced refetch for rotations. */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { errorName } from '../core/errors.js';

export interface SecretReader {
  /** The secret's string value; cached for `maxAgeMs`, refetched when `force` is set. */
  get(secretId: string, options?: { force?: boolean }): Promise<string>;
}

export class SecretUnavailableError extends Error {
  override readonly name = 'SecretUnavailableError';
}

export interface SecretReaderOptions {
  client?: Pick<SecretsManagerClient, 'send'>;
  maxAgeMs?: number;
  now?: () => number;
}

/** A reader that fetches each secret once per `maxAgeMs`; concurrent callers share one request. */
export const createSecretReader = (options: SecretReaderOptions = {}): SecretReader => {
  const client = options.client ?? new SecretsManagerClient({});
  const maxAgeMs = options.maxAgeMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { value: Promise<string>; at: number }>();
  const fetchSecret = async (secretId: string): Promise<string> => {
    try {
      const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
      if (typeof out.SecretString !== 'string' || out.SecretString.length === 0) {
        throw new SecretUnavailableError(`secret ${secretId} has no string value`);
      }
      return out.SecretString;
    } catch (error) {
      if (error instanceof SecretUnavailableError) throw error;
      throw new SecretUnavailableError(`cannot read secret ${secretId}: ${errorName(error)}`, {
        cause: error,
      });
    }
  };
  return {
    get(secretId, { force = false } = {}) {
      const hit = cache.get(secretId);
      if (!force && hit && now() - hit.at < maxAgeMs) return hit.value;
      const value = fetchSecret(secretId);
      cache.set(secretId, { value, at: now() });
      value.catch(() => {
        if (cache.get(secretId)?.value === value) cache.delete(secretId);
      });
      return value;
    },
  };
};
