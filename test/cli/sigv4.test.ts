/**
 * The SigV4 path, without an AWS account: the built CLI signs its requests with the AWS SDK's signer and
 * the default credential chain (fixed credentials through the environment); a local HTTP server stands in
 * for API Gateway and verifies each signature independently of the client, by re-signing the request it
 * received on the wire (method, path, query, signed headers, body) with `SignatureV4` and the same fixed
 * credentials, then comparing the Authorization headers. A second stand-in plays CloudFormation's
 * DescribeStacks (reached through AWS_ENDPOINT_URL_CLOUDFORMATION) for `--stack`. AWS itself is the only
 * thing mocked here, because it cannot run locally.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLocalUrl, regionFromUrl } from '../../cli/resolve-target.js';
import { cliEnv, ensureCliBuilt, jsonOf, runCli } from './run-cli.js';

const ACCESS_KEY = 'AKIAIOSFODNN7EXAMPLE';
const SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const REGION = 'eu-west-1';

interface Received {
  method: string;
  path: string;
  authorization: string | undefined;
  verified: boolean;
  /** The same check with one byte of the body changed: must fail, or the body would not be covered. */
  tamperedVerified: boolean;
  body: string;
}

const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/** Re-signs the request as received and says whether its Authorization header is the one we compute. */
const verifySignature = async (req: IncomingMessage, body: string, port: number): Promise<boolean> => {
  const authorization = req.headers.authorization ?? '';
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=[0-9a-f]{64}$/.exec(
      authorization,
    );
  const amzDate = req.headers['x-amz-date'];
  if (!match || typeof amzDate !== 'string') return false;
  const [, keyId, , region, service, signedHeaderList] = match;
  if (keyId !== ACCESS_KEY || region !== REGION || service !== 'execute-api') return false;
  // The signer sends the payload hash as a header: it must be the hash of the body that arrived.
  const payloadHash = req.headers['x-amz-content-sha256'];
  if (payloadHash !== undefined && payloadHash !== createHash('sha256').update(body).digest('hex'))
    return false;
  const headers: Record<string, string> = {};
  for (const name of signedHeaderList!.split(';')) {
    const value = req.headers[name];
    if (value === undefined) return false;
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = value;
  const signingDate = new Date(
    amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'),
  );
  const signer = new SignatureV4({
    service: 'execute-api',
    region: REGION,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
    sha256: Sha256,
  });
  const expected = await signer.sign(
    {
      method: req.method ?? 'GET',
      protocol: 'http:',
      hostname: url.hostname,
      port,
      path: url.pathname,
      query,
      headers,
      ...(body ? { body } : {}),
    },
    { signingDate },
  );
  return expected.headers.authorization === authorization;
};

const VERDICT = {
  verdict_id: '01JDX3K8Y0Q5W6Z8N2M4P6R8T0',
  created_at: '2026-11-26T05:00:00.000Z',
  source: 'api',
  source_ref: 'user-42',
  decision: 'review',
  reasons: [{ code: 'email_risk', message: 'email risk_level medium reaches the review threshold (medium)' }],
  degraded: false,
  email: {
    masked: 'j***@example.org',
    risk_level: 'medium',
    risk_score: 12,
    request_id: 'R1',
    cached: false,
    checks: [],
  },
  phone: null,
  policy_version: 'default-1',
};

let api: Server;
let apiPort: number;
let cfn: Server;
let cfnUrl: string;
const received: Received[] = [];
const cfnCalls: string[] = [];

const listen = (server: Server) =>
  new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );

beforeAll(async () => {
  await ensureCliBuilt();
  api = createServer(async (req, res) => {
    const body = await readBody(req);
    const verified = await verifySignature(req, body, apiPort);
    const tamperedVerified = body ? await verifySignature(req, `${body} `, apiPort) : false;
    received.push({
      method: req.method ?? '',
      path: req.url ?? '',
      authorization: req.headers.authorization,
      verified,
      tamperedVerified,
      body,
    });
    res.setHeader('content-type', 'application/json');
    if (!verified) {
      res.writeHead(403).end(JSON.stringify({ message: 'Forbidden' }));
      return;
    }
    if (req.method === 'GET' && req.url?.startsWith('/verdicts?')) {
      res.writeHead(200).end(JSON.stringify({ items: [VERDICT], next_cursor: null }));
    } else if (req.method === 'GET' && req.url === `/verdicts/${VERDICT.verdict_id}`) {
      res.writeHead(200).end(JSON.stringify(VERDICT));
    } else if (req.method === 'POST' && req.url === '/screen') {
      res.writeHead(200).end(JSON.stringify(VERDICT));
    } else {
      res.writeHead(404).end(JSON.stringify({ error: { code: 'not_found', message: 'no such route' } }));
    }
  });
  apiPort = await listen(api);
  cfn = createServer(async (req, res) => {
    const form = new URLSearchParams(await readBody(req));
    cfnCalls.push(
      `${form.get('Action')} ${form.get('StackName')} ${req.headers.authorization?.includes(`/${REGION}/cloudformation/`) ? 'signed' : 'unsigned'}`,
    );
    res.setHeader('content-type', 'text/xml');
    if (form.get('StackName') !== 'SignupGate') {
      res
        .writeHead(400)
        .end(
          `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${form.get('StackName')} does not exist</Message></Error><RequestId>r1</RequestId></ErrorResponse>`,
        );
      return;
    }
    res.writeHead(200).end(
      `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member>
<StackName>SignupGate</StackName><StackId>arn:aws:cloudformation:${REGION}:123456789012:stack/SignupGate/1</StackId>
<CreationTime>2026-11-01T00:00:00Z</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus>
<Outputs><member><OutputKey>TableName</OutputKey><OutputValue>t</OutputValue></member>
<member><OutputKey>ApiUrl</OutputKey><OutputValue>http://127.0.0.1:${apiPort}/</OutputValue></member></Outputs>
</member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>r2</RequestId></ResponseMetadata></DescribeStacksResponse>`,
    );
  });
  cfnUrl = `http://127.0.0.1:${await listen(cfn)}`;
});

afterAll(async () => {
  await new Promise((resolve) => api?.close(resolve));
  await new Promise((resolve) => cfn?.close(resolve));
});

const awsEnv = (extra: Record<string, string | undefined> = {}) =>
  cliEnv({ AWS_ACCESS_KEY_ID: ACCESS_KEY, AWS_SECRET_ACCESS_KEY: SECRET_KEY, AWS_REGION: REGION, ...extra });

describe('signup-gate over SigV4', () => {
  it('signs GET requests with a query, and the stand-in verifies the signature', async () => {
    received.length = 0;
    const result = await runCli(
      [
        'verdicts',
        'list',
        '--decision',
        'review',
        '--limit',
        '5',
        '--url',
        `http://127.0.0.1:${apiPort}`,
        '--auth',
        'sigv4',
        '--json',
      ],
      { env: awsEnv() },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(jsonOf(result)).toEqual({ items: [VERDICT], next_cursor: null });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      method: 'GET',
      path: '/verdicts?decision=review&limit=5',
      verified: true,
    });
    expect(received[0]!.authorization).toContain(`Credential=${ACCESS_KEY}/`);
    expect(received[0]!.authorization).toContain(`/${REGION}/execute-api/aws4_request`);
  });

  it('signs the body of a POST (a changed body would not verify)', async () => {
    received.length = 0;
    const result = await runCli(
      [
        'screen',
        '--email',
        'jane.doe@example.org',
        '--reference',
        'user-42',
        '--url',
        `http://127.0.0.1:${apiPort}`,
        '--auth',
        'sigv4',
      ],
      { env: awsEnv() },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('j***@example.org');
    expect(received[0]).toMatchObject({
      method: 'POST',
      path: '/screen',
      verified: true,
      tamperedVerified: false,
    });
    expect(JSON.parse(received[0]!.body)).toEqual({ email: 'jane.doe@example.org', reference: 'user-42' });
    expect(received[0]!.authorization).toMatch(/SignedHeaders=[^,]*content-type[^,]*host/);
  });

  it('fails with one line when the credentials are wrong (the stand-in answers 403 like API Gateway)', async () => {
    received.length = 0;
    const result = await runCli(
      ['verdicts', 'get', VERDICT.verdict_id, '--url', `http://127.0.0.1:${apiPort}`, '--auth', 'sigv4'],
      {
        env: awsEnv({ AWS_SECRET_ACCESS_KEY: 'not-the-secret' }),
      },
    );
    expect(received[0]?.verified).toBe(false);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^signup-gate: 403 http_403: Forbidden \(IAM refused the signed request/);
    expect(result.stderr).not.toContain('not-the-secret');
  });

  it('fails with one line when the standard chain finds no credentials', async () => {
    const result = await runCli(
      ['verdicts', 'list', '--url', `http://127.0.0.1:${apiPort}`, '--auth', 'sigv4'],
      {
        env: cliEnv({ AWS_REGION: REGION }),
      },
    );
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(/^signup-gate: no AWS credentials found by the standard chain/);
  });

  it('resolves --stack through DescribeStacks and signs for the region the stack is in', async () => {
    received.length = 0;
    cfnCalls.length = 0;
    const result = await runCli(['verdicts', 'get', VERDICT.verdict_id, '--stack', 'SignupGate', '--json'], {
      env: awsEnv({ AWS_ENDPOINT_URL_CLOUDFORMATION: cfnUrl }),
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(jsonOf(result)).toEqual(VERDICT);
    expect(cfnCalls).toEqual(['DescribeStacks SignupGate signed']);
    // The ApiUrl output is a loopback URL here, yet a stack always means SigV4.
    expect(received[0]).toMatchObject({ path: `/verdicts/${VERDICT.verdict_id}`, verified: true });
  });

  it('names the stack when it does not exist', async () => {
    const result = await runCli(['stats', '--stack', 'Nope'], {
      env: awsEnv({ AWS_ENDPOINT_URL_CLOUDFORMATION: cfnUrl }),
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      'signup-gate: stack Nope: ValidationError: Stack with id Nope does not exist',
    );
  });
});

describe('target rules', () => {
  it('treats loopback names as local and anything else as deployed', () => {
    for (const url of [
      'http://127.0.0.1:3000',
      'http://localhost:3000',
      'http://[::1]:3000',
      'http://app.localhost',
    ])
      expect(isLocalUrl(new URL(url))).toBe(true);
    for (const url of [
      'https://abc123.execute-api.eu-west-1.amazonaws.com',
      'http://10.0.0.5:3000',
      'https://gate.example.com',
    ])
      expect(isLocalUrl(new URL(url))).toBe(false);
  });

  it('reads the region from an API Gateway host name', () => {
    expect(regionFromUrl(new URL('https://abc123.execute-api.eu-west-1.amazonaws.com/'))).toBe('eu-west-1');
    expect(regionFromUrl(new URL('https://abc.execute-api.cn-north-1.amazonaws.com.cn'))).toBe('cn-north-1');
    expect(regionFromUrl(new URL('https://gate.example.com'))).toBeUndefined();
  });
});
