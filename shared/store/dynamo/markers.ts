/**
 * Run-once markers in DynamoDB: one conditional update claims (keeping a lapsed claim's verdict id), and only the
 * lock token's holder completes, releases or lapses it.
 */
import { randomUUID } from 'node:crypto';
import { DeleteItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { isExpiredAt, nowSeconds } from '../../core/time.js';
import { claimedMarker, claimOf, isMarkerClaimable } from '../../markers/state.js';
import { StoreUnavailableError } from '../errors.js';
import type { ClaimRequest, MarkerClaim, MarkerRepository, MarkerScope, WriteBackState } from '../ports.js';
import { isConditionalCheckFailed } from './client.js';
import { itemToMarker, markerToItem, toAttributes } from './codec.js';
import { ATTR, type Item, markerKey, stringAttr } from './keys.js';
import type { DynamoTable } from './table.js';

/** Claim attempts when the marker changes between our write and our read (deleted, or its lock lapsing). */
const CLAIM_ATTEMPTS = 4;

/** The current marker after a lost conditional write: returned with the failure (`ALL_OLD`), else read (dynalite). */
const currentAfterFailure = async (table: DynamoTable, error: unknown, request: ClaimRequest) =>
  (error as { Item?: Item }).Item ?? (await table.get(markerKey(request.scope, request.key)));

/**
 * Takes the marker when it is absent, in progress with a lapsed lock, or (with `reopen`) done with that missing
 * verdict, in one conditional update that keeps the verdict id a lapsed claim reserved (`if_not_exists`): its
 * verdict may be stored already. The updated marker comes back, so the kept id is known without another read.
 */
const takeOver = async (
  table: DynamoTable,
  request: ClaimRequest,
  nowMs: number,
  token: string,
): Promise<Item | undefined> => {
  const marker = claimedMarker(request, nowMs, token);
  const reopen =
    request.reopen === undefined ? '' : ' OR (#state = :done AND #vid = :reopen AND #exp > :nowSec)';
  const output = await table.call('UpdateItem', () =>
    table.client.send(
      new UpdateItemCommand({
        TableName: table.name,
        Key: markerKey(request.scope, request.key),
        UpdateExpression:
          'SET #state = :inProgress, #bh = :bh, #lock = :lock, #token = :token, #exp = :exp, #vid = if_not_exists(#vid, :vid) REMOVE #wb',
        ConditionExpression: `attribute_not_exists(#pk) OR (#state = :inProgress AND #lock < :nowMs AND #exp > :nowSec)${reopen}`,
        ExpressionAttributeNames: {
          '#pk': ATTR.pk,
          '#exp': ATTR.expiresAt,
          '#state': ATTR.state,
          '#lock': ATTR.lockUntil,
          '#token': ATTR.lockToken,
          '#bh': ATTR.bodyHash,
          '#vid': ATTR.verdictId,
          '#wb': ATTR.writeBack,
        },
        ExpressionAttributeValues: toAttributes({
          ':nowSec': nowSeconds(nowMs),
          ':nowMs': nowMs,
          ':inProgress': 'in_progress',
          ':bh': marker.bodyHash,
          ':lock': marker.lockUntil,
          ':token': token,
          ':exp': marker.expiresAt,
          ':vid': request.verdictId,
          ...(request.reopen === undefined ? {} : { ':done': 'done', ':reopen': request.reopen }),
        }),
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    ),
  );
  return output.Attributes;
};

/** Replaces an expired marker (another request, long ago) with a fresh claim: nothing of it is kept. */
const replaceExpired = async (
  table: DynamoTable,
  request: ClaimRequest,
  nowMs: number,
  token: string,
): Promise<void> => {
  await table.call('PutItem', () =>
    table.client.send(
      new PutItemCommand({
        TableName: table.name,
        Item: markerToItem(request.scope, request.key, claimedMarker(request, nowMs, token)),
        ConditionExpression: '#exp <= :nowSec',
        ExpressionAttributeNames: { '#exp': ATTR.expiresAt },
        ExpressionAttributeValues: toAttributes({ ':nowSec': nowSeconds(nowMs) }),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    ),
  );
};

/**
 * Claims the marker (see `takeOver`); an expired one is replaced. On a lost race the current marker is answered,
 * unless it changed into a claimable one meanwhile, in which case the claim is tried again.
 */
const claim = async (table: DynamoTable, request: ClaimRequest): Promise<MarkerClaim> => {
  let lastSeen: Item | null = null;
  for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
    const nowMs = table.now();
    const token = randomUUID();
    try {
      const taken = await takeOver(table, request, nowMs, token);
      const verdictId = stringAttr(taken, ATTR.verdictId) ?? request.verdictId;
      return { state: 'claimed', token, verdictId, resumed: verdictId !== request.verdictId };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const current = await currentAfterFailure(table, error, request);
      if (current === null) continue; // deleted meanwhile: claim again
      lastSeen = current;
      const marker = itemToMarker(current);
      if (isExpiredAt(marker.expiresAt, nowMs)) {
        try {
          await replaceExpired(table, request, nowMs, token);
          return { state: 'claimed', token, verdictId: request.verdictId, resumed: false };
        } catch (putError) {
          if (!isConditionalCheckFailed(putError)) throw putError;
          continue;
        }
      }
      if (!isMarkerClaimable(marker, table.now(), request.reopen)) return claimOf(marker);
    }
  }
  if (lastSeen !== null) return claimOf(itemToMarker(lastSeen));
  throw new StoreUnavailableError('Marker kept changing while claiming it');
};

/** Sets `fields` on the marker while `token` holds it (any holder when null); false when it is not held or gone. */
const updateHeld = async (
  table: DynamoTable,
  scope: MarkerScope,
  key: string,
  token: string | null,
  fields: Record<string, string>,
): Promise<boolean> => {
  const names: Record<string, string> = {};
  const values: Record<string, string> = {};
  const sets = Object.entries(fields).map(([attribute, value], i) => {
    names[`#f${i}`] = attribute;
    values[`:f${i}`] = value;
    return `#f${i} = :f${i}`;
  });
  if (token === null) names['#pk'] = ATTR.pk;
  else {
    names['#token'] = ATTR.lockToken;
    values[':token'] = token;
  }
  try {
    await table.call('UpdateItem', () =>
      table.client.send(
        new UpdateItemCommand({
          TableName: table.name,
          Key: markerKey(scope, key),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: token === null ? 'attribute_exists(#pk)' : '#token = :token',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: toAttributes(values),
        }),
      ),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
};

/** Deletes the marker only while `token` holds it: another caller's claim (after a lapse) is never touched. */
const release = async (table: DynamoTable, scope: MarkerScope, key: string, token: string): Promise<void> => {
  try {
    await table.call('DeleteItem', () =>
      table.client.send(
        new DeleteItemCommand({
          TableName: table.name,
          Key: markerKey(scope, key),
          ConditionExpression: '#token = :token',
          ExpressionAttributeNames: { '#token': ATTR.lockToken },
          ExpressionAttributeValues: toAttributes({ ':token': token }),
        }),
      ),
    );
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
  }
};

/**
 * Makes the marker claimable at once while `token` holds it (lock lapsed, back to in progress, write-back state
 * dropped), keeping its verdict id: the next delivery resumes under it and finds the verdict if it was stored.
 */
const lapse = async (table: DynamoTable, scope: MarkerScope, key: string, token: string): Promise<void> => {
  try {
    await table.call('UpdateItem', () =>
      table.client.send(
        new UpdateItemCommand({
          TableName: table.name,
          Key: markerKey(scope, key),
          UpdateExpression: 'SET #state = :inProgress, #lock = :zero REMOVE #wb',
          ConditionExpression: '#token = :token',
          ExpressionAttributeNames: {
            '#state': ATTR.state,
            '#lock': ATTR.lockUntil,
            '#wb': ATTR.writeBack,
            '#token': ATTR.lockToken,
          },
          ExpressionAttributeValues: toAttributes({
            ':inProgress': 'in_progress',
            ':zero': 0,
            ':token': token,
          }),
        }),
      ),
    );
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
  }
};

/** The marker repository over `table`. */
export const dynamoMarkers = (table: DynamoTable): MarkerRepository => ({
  claim: (request) => claim(table, request),
  complete: (scope, key, token, verdictId, writeBack?: WriteBackState) =>
    updateHeld(table, scope, key, token, {
      [ATTR.state]: 'done',
      [ATTR.verdictId]: verdictId,
      ...(writeBack === undefined ? {} : { [ATTR.writeBack]: writeBack }),
    }),
  // A marker that is gone is left gone.
  setWriteBack: async (scope, key, writeBack) => {
    await updateHeld(table, scope, key, null, { [ATTR.writeBack]: writeBack });
  },
  release: (scope, key, token) => release(table, scope, key, token),
  lapse: (scope, key, token) => lapse(table, scope, key, token),
});
