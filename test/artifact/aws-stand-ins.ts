/**
 * Local stand-ins for the two AWS services that cannot run here and that the functions call besides DynamoDB
 * (dynalite stands in for that one): Secrets Manager (`secretsmanager.GetSecretValue`) and EventBridge
 * (`AWSEvents.PutEvents`). Both speak the AWS JSON 1.1 protocol the SDK v3 clients use, on 127.0.0.1; the
 * functions reach them through `AWS_ENDPOINT_URL_SECRETS_MANAGER` and `AWS_ENDPOINT_URL_EVENTBRIDGE`. Each call
 * is recorded with the access key id of its SigV4 signature, so a test can tell which container made it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AwsCall {
  target: string;
  /** The access key id the request was signed with (`Credential=<id>/...`). */
  accessKeyId: string;
  input: Record<string, unknown>;
}

export interface JsonServiceStandIn {
  endpoint: string;
  calls: AwsCall[];
  close(): Promise<void>;
}

class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

type Operation = (input: Record<string, unknown>) => unknown;

const accessKeyOf = (authorization: string | undefined): string =>
  /Credential=([^/,\s]+)\//.exec(authorization ?? '')?.[1] ?? '';

/** An AWS JSON 1.1 service on 127.0.0.1: `X-Amz-Target: <prefix>.<Operation>`, JSON in, JSON out. */
const startJsonService = async (
  prefix: string,
  operations: Record<string, Operation>,
): Promise<JsonServiceStandIn> => {
  const calls: AwsCall[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const send = (status: number, body: unknown, errorType?: string) => {
        response.writeHead(status, {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-requestid': `req-${calls.length}`,
          ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
        });
        response.end(JSON.stringify(body));
      };
      const target = String(request.headers['x-amz-target'] ?? '');
      const [service, name] = target.split('.');
      try {
        if (request.method !== 'POST' || service !== prefix || !name || !operations[name]) {
          throw new AwsError('UnknownOperationException', `unknown operation ${target}`);
        }
        if (!String(request.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ')) {
          throw new AwsError('MissingAuthenticationTokenException', 'request is not signed');
        }
        const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
        calls.push({ target: name, accessKeyId: accessKeyOf(request.headers.authorization), input });
        send(200, operations[name](input));
      } catch (error) {
        const failure =
          error instanceof AwsError ? error : new AwsError('InternalServiceError', String(error), 500);
        send(failure.status, { __type: failure.type, message: failure.message }, failure.type);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

export interface SecretsStandIn extends JsonServiceStandIn {
  /** GetSecretValue calls for `arn` made with `accessKeyId`. */
  reads(arn: string, accessKeyId?: string): number;
  /** The value held for `arn`. */
  valueOf(arn: string): string;
}

/** Secrets Manager holding `values` (secret ARN → SecretString); any other id is ResourceNotFoundException. */
export const startSecretsManager = async (values: Record<string, string>): Promise<SecretsStandIn> => {
  const service = await startJsonService('secretsmanager', {
    GetSecretValue: (input) => {
      const arn = String(input.SecretId ?? '');
      const value = values[arn];
      if (value === undefined) {
        throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
      }
      const name = arn.split(':secret:')[1]?.replace(/-[A-Za-z0-9]{6}$/, '') ?? arn;
      return {
        ARN: arn,
        Name: name,
        SecretString: value,
        VersionId: '00000000-0000-4000-8000-000000000001',
        VersionStages: ['AWSCURRENT'],
        CreatedDate: 1_767_225_600,
      };
    },
  });
  return {
    ...service,
    valueOf: (arn) => {
      const value = values[arn];
      if (value === undefined) throw new Error(`no secret ${arn}`);
      return value;
    },
    reads: (arn, accessKeyId) =>
      service.calls.filter(
        (call) =>
          call.input.SecretId === arn && (accessKeyId === undefined || call.accessKeyId === accessKeyId),
      ).length,
  };
};

export interface PutEntry {
  EventBusName?: string;
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Time?: number | string;
}

export interface EventBridgeStandIn extends JsonServiceStandIn {
  /** Every entry put, in order. */
  entries(): PutEntry[];
}

/** EventBridge accepting every PutEvents entry (at most 10 per call, as the real service). */
export const startEventBridge = async (): Promise<EventBridgeStandIn> => {
  let next = 0;
  const service = await startJsonService('AWSEvents', {
    PutEvents: (input) => {
      const entries = (input.Entries ?? []) as PutEntry[];
      if (entries.length === 0 || entries.length > 10) {
        throw new AwsError('ValidationException', 'Entries must hold 1 to 10 entries');
      }
      return {
        FailedEntryCount: 0,
        Entries: entries.map(() => ({
          EventId: `00000000-0000-4000-8000-${String(++next).padStart(12, '0')}`,
        })),
      };
    },
  });
  return {
    ...service,
    entries: () => service.calls.flatMap((call) => (call.input.Entries ?? []) as PutEntry[]),
  };
};
