/** Idempotency and event markers in DynamoDB: one conditional put claims, and only the lock token's holder completes or releases. */
import { randomUUID } from 'node:crypto';
import { DeleteItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { isConditionalCheckFailed } from '../client.js';
import { StoreUnavailableError } from '../errors.js';
import {
  ATTR,
  type Item,
  isMarkerClaimable,
  itemToMarker,
  markerKey,
  markerToClaim,
  markerToItem,
  n,
  nowSeconds,
  s,
} from '../items.js';
import type { ClaimRequest, MarkerClaim, MarkerRepository, MarkerScope, WriteBackState } from '../ports.js';
import type { DynamoTable } from './table.js';

/** Claim attempts when the marker changes between our put and our read (deleted, or its lock lapsing). */
const CLAIM_ATTEMPTS = 4;

/**
 * One conditional put takes the marker when it is absent, expired, or in progress with a lapsed lock. On a lost race
 * the current marker comes back with the failure (`ALL_OLD`), or, where the server does not return it (dynalite),
 * from a consistent read.
 */
export const claimMarker = async (table: DynamoTable, request: ClaimRequest): Promise<MarkerClaim> => {
  let lastSeen: Item | null = null;
  for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
    const nowMs = table.now();
    const token = randomUUID();
    try {
      await table.call('PutItem', () =>
        table.client.send(
          new PutItemCommand({
            TableName: table.name,
            Item: markerToItem(request, nowMs, token),
            ConditionExpression:
              'attribute_not_exists(#pk) OR #exp <= :nowSec OR (#state = :inProgress AND #lock < :nowMs)',
            ExpressionAttributeNames: {
              '#pk': ATTR.pk,
              '#exp': ATTR.expiresAt,
              '#state': ATTR.state,
              '#lock': ATTR.lockUntil,
            },
            ExpressionAttributeValues: {
              ':nowSec': n(nowSeconds(nowMs)),
              ':nowMs': n(nowMs),
              ':inProgress': s('in_progress'),
            },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      return { state: 'claimed', token };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const current =
        (error as { Item?: Item }).Item ?? (await table.get(markerKey(request.scope, request.key)));
      if (current !== null) {
        lastSeen = current;
        const marker = itemToMarker(current);
        if (!isMarkerClaimable(marker, table.now())) return markerToClaim(marker);
      }
    }
  }
  if (lastSeen !== null) return markerToClaim(itemToMarker(lastSeen));
  throw new StoreUnavailableError('Marker kept changing while claiming it');
};

/** An update that applies only while `token` holds the marker; false when it no longer does. */
const updateHeld = async (
  table: DynamoTable,
  scope: MarkerScope,
  key: string,
  condition: { token: string } | null,
  update: string,
  names: Record<string, string>,
  values: Item,
): Promise<boolean> => {
  try {
    await table.call('UpdateItem', () =>
      table.client.send(
        new UpdateItemCommand({
          TableName: table.name,
          Key: markerKey(scope, key),
          UpdateExpression: update,
          ConditionExpression: condition ? '#token = :token' : 'attribute_exists(#pk)',
          ExpressionAttributeNames: {
            ...names,
            ...(condition ? { '#token': ATTR.lockToken } : { '#pk': ATTR.pk }),
          },
          ExpressionAttributeValues: { ...values, ...(condition ? { ':token': s(condition.token) } : {}) },
        }),
      ),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
};

export const completeMarker = (
  table: DynamoTable,
  scope: MarkerScope,
  key: string,
  token: string,
  verdictId: string,
  writeBack?: WriteBackState,
): Promise<boolean> => {
  const names: Record<string, string> = { '#state': ATTR.state, '#vid': ATTR.verdictId };
  const values: Item = { ':done': s('done'), ':vid': s(verdictId) };
  let update = 'SET #state = :done, #vid = :vid';
  if (writeBack !== undefined) {
    names['#wb'] = ATTR.writeBack;
    values[':wb'] = s(writeBack);
    update += ', #wb = :wb';
  }
  return updateHeld(table, scope, key, { token }, update, names, values);
};

/** Records the write-back state of a done marker. A marker that is gone is left gone. */
export const setWriteBack = async (
  table: DynamoTable,
  scope: MarkerScope,
  key: string,
  writeBack: WriteBackState,
): Promise<void> => {
  await updateHeld(
    table,
    scope,
    key,
    null,
    'SET #wb = :wb',
    { '#wb': ATTR.writeBack },
    { ':wb': s(writeBack) },
  );
};

/** Deletes the marker only while `token` holds it: another caller's claim (after a lapse) is never touched. */
export const releaseMarker = async (
  table: DynamoTable,
  scope: MarkerScope,
  key: string,
  token: string,
): Promise<void> => {
  try {
    await table.call('DeleteItem', () =>
      table.client.send(
        new DeleteItemCommand({
          TableName: table.name,
          Key: markerKey(scope, key),
          ConditionExpression: '#token = :token',
          ExpressionAttributeNames: { '#token': ATTR.lockToken },
          ExpressionAttributeValues: { ':token': s(token) },
        }),
      ),
    );
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
  }
};

/** The marker repository over `table`. */
export const dynamoMarkers = (table: DynamoTable): MarkerRepository => ({
  claim: (request) => claimMarker(table, request),
  complete: (scope, key, token, verdictId, writeBack) =>
    completeMarker(table, scope, key, token, verdictId, writeBack),
  setWriteBack: (scope, key, writeBack) => setWriteBack(table, scope, key, writeBack),
  release: (scope, key, token) => releaseMarker(table, scope, key, token),
});
