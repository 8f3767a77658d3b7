/**
 * The events AWS hands the deployed functions, built from the synthesised template where it decides their shape:
 * API Gateway v2 (HTTP API, payload 2.0) events routed by the template's routes (route key, path parameters, and the
 * IAM authoriser's context only on AWS_IAM routes), Cognito's pre sign-up event, and DynamoDB stream records.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord, PreSignUpTriggerEvent } from 'aws-lambda';
import { PROJECT_ROOT } from '../../infra/bundling.js';
import { type EventInput, type HttpApiEvent, lambdaEvent } from '../helpers/lambda-events.js';
import { type HttpRoute, selectRoute } from './template.js';

/**
 * The event API Gateway sends for a request: the route it selects must lead to `functionLogicalId` (else the
 * request would never reach this function); the IAM authoriser context is there exactly when that route is
 * AWS_IAM (a SigV4-signed request: an unsigned one gets API Gateway's own 403 and no invocation).
 */
export const gatewayEvent = (
  routes: HttpRoute[],
  functionLogicalId: string,
  input: Omit<EventInput, 'iam' | 'kind'>,
): HttpApiEvent => {
  const route = selectRoute(routes, input.method, input.path);
  if (!route) throw new Error(`no route for ${input.method} ${input.path}: API Gateway answers 404 itself`);
  if (route.functionLogicalId !== functionLogicalId) {
    throw new Error(`${input.method} ${input.path} is routed to ${route.functionLogicalId}`);
  }
  const event = lambdaEvent({
    ...input,
    iam: route.authorizationType === 'AWS_IAM',
  }) as unknown as HttpApiEvent;
  const names = route.routeKey.includes(' ') ? [...route.routeKey.matchAll(/\{([^}+]+)\+?\}/g)] : [];
  const pathParameters: Record<string, string> = {};
  if (names.length > 0) {
    const templateSegments = route.routeKey.split(' ')[1]!.split('/');
    const pathSegments = input.path.split('/');
    templateSegments.forEach((segment, i) => {
      const name = /^\{([^}+]+)\+?\}$/.exec(segment)?.[1];
      if (name) pathParameters[name] = decodeURIComponent(pathSegments[i] ?? '');
    });
  }
  return {
    ...event,
    routeKey: route.routeKey,
    ...(names.length > 0 ? { pathParameters } : {}),
    requestContext: { ...event.requestContext, routeKey: route.routeKey },
  };
};

/** A Lambda proxy result (payload 2.0) with its body decoded. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
  json: any;
}

export const httpAnswer = (result: unknown): HttpAnswer => {
  const r = (result ?? {}) as {
    statusCode?: number;
    headers?: Record<string, string>;
    body?: string;
    isBase64Encoded?: boolean;
  };
  const text = r.isBase64Encoded ? Buffer.from(r.body ?? '', 'base64').toString('utf8') : (r.body ?? '');
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  const headers = Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  return { status: r.statusCode ?? 0, headers, text, json };
};

/** Cognito's documented `PreSignUp_SignUp` event (test fixture) with this user's attributes. */
export const preSignUpEvent = (
  userName: string,
  attributes: Record<string, string>,
): PreSignUpTriggerEvent => {
  const event = JSON.parse(
    readFileSync(join(PROJECT_ROOT, 'test', 'fixtures', 'cognito', 'pre-signup-sign-up.json'), 'utf8'),
  ) as PreSignUpTriggerEvent;
  event.userName = userName;
  event.request.userAttributes = { ...attributes };
  return event;
};

export type Image = Record<string, AttributeValue>;

let sequence = 100_000_000_000_000_000_000n;

/** An image as Lambda's JSON carries it: binary attributes (a verdict's deflated body) as base64 text. */
const asDelivered = (image: Image): Image =>
  Object.fromEntries(
    Object.entries(image).map(([name, value]) => [
      name,
      value.B === undefined
        ? value
        : ({ B: Buffer.from(value.B).toString('base64') } as unknown as AttributeValue),
    ]),
  );

/**
 * A DynamoDB stream record (NEW_AND_OLD_IMAGES) as Lambda delivers it, keys taken from the image. The images are
 * the SDK's AttributeValues as read from the table (the `aws-lambda` types spell the same JSON differently), binary
 * values as base64 text.
 */
export const streamRecord = (
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  images: { newImage?: Image; oldImage?: Image },
  tableArn: string,
): DynamoDBRecord => {
  const image = (images.newImage ?? images.oldImage)!;
  sequence += 1n;
  const record = {
    eventID: sequence.toString(16),
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'eu-west-1',
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      Keys: { pk: image.pk, sk: image.sk },
      ...(images.newImage ? { NewImage: asDelivered(images.newImage) } : {}),
      ...(images.oldImage ? { OldImage: asDelivered(images.oldImage) } : {}),
      SequenceNumber: String(sequence),
      SizeBytes: JSON.stringify(images).length,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    eventSourceARN: `${tableArn}/stream/2026-01-01T00:00:00.000`,
  };
  return record as unknown as DynamoDBRecord;
};
