/** DynamoDB client factory with short network timeouts, and the translation of SDK failures into store errors. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { StoreUnavailableError } from '../errors.js';

export interface DynamoClientOptions {
  /** A DynamoDB-compatible endpoint (dynalite, DynamoDB Local); unset in AWS. */
  endpoint?: string;
  /** Defaults to `AWS_REGION`, else `local` when an endpoint is set; unset lets the SDK resolve it. */
  region?: string;
  /** Defaults to static dummy credentials when an endpoint is set (local servers ignore them), else the SDK chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Attempts per call, first included (SDK default 3). */
  maxAttempts?: number;
  /** Time allowed to open a connection, in ms (default 1000). */
  connectionTimeoutMs?: number;
  /** Time allowed for a whole request and response, in ms (default 3000). */
  requestTimeoutMs?: number;
  /** Appended to the SDK's user agent, e.g. to tell one client's calls from another's at a local endpoint. */
  userAgent?: string;
}

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * A client whose calls fail fast instead of hanging. Keep-alive is the SDK v3 default. The handler is given as
 * options (the SDK builds its own NodeHttpHandler from them) so we need not import a transitive package.
 */
export const createDynamoClient = (options: DynamoClientOptions = {}): DynamoDBClient => {
  const { endpoint } = options;
  const region = options.region ?? process.env.AWS_REGION ?? (endpoint ? 'local' : undefined);
  const credentials = options.credentials ?? (endpoint ? LOCAL_CREDENTIALS : undefined);
  return new DynamoDBClient({
    ...(endpoint ? { endpoint } : {}),
    ...(region ? { region } : {}),
    ...(credentials ? { credentials } : {}),
    ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
    ...(options.userAgent ? { customUserAgent: options.userAgent } : {}),
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? 1000,
      requestTimeout: options.requestTimeoutMs ?? 3000,
      throwOnRequestTimeout: true,
    },
  });
};

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/** Service errors that mean "the store is not usable right now" although DynamoDB reports them as 4xx. */
const UNAVAILABLE_SERVICE_ERRORS = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'ResourceNotFoundException',
  'AccessDeniedException',
  'UnrecognizedClientException',
  'ExpiredTokenException',
  'InvalidSignatureException',
  'MissingAuthenticationTokenException',
]);

export const isConditionalCheckFailed = (error: unknown): boolean =>
  typeof error === 'object' &&
  error !== null &&
  (error as SdkErrorShape).name === 'ConditionalCheckFailedException';

/**
 * Whether a failure means the store is unavailable: network errors and timeouts (no HTTP status), 5xx and
 * server faults, throttling, a missing table, credentials. Other client faults (e.g. ValidationException) are
 * our own bugs and stay as they are.
 */
export const isUnavailableError = (error: unknown): boolean => {
  if (typeof error !== 'object' || error === null) return false;
  const shape = error as SdkErrorShape;
  const status = shape.$metadata?.httpStatusCode;
  if (typeof status !== 'number') return true;
  if (status >= 500 || shape.$fault === 'server') return true;
  return typeof shape.name === 'string' && UNAVAILABLE_SERVICE_ERRORS.has(shape.name);
};

/** Wraps availability failures in StoreUnavailableError (cause kept); returns anything else unchanged. */
export const toStoreError = (error: unknown, operation: string): unknown => {
  if (error instanceof StoreUnavailableError || !isUnavailableError(error)) return error;
  const shape = error as SdkErrorShape;
  const name = typeof shape.name === 'string' ? shape.name : 'Error';
  const code = typeof shape.code === 'string' ? ` (${shape.code})` : '';
  return new StoreUnavailableError(`DynamoDB ${operation} failed: ${name}${code}`, { cause: error });
};
