/** Run-once markers in DynamoDB: one conditional put claims, and only the lock token's holder completes or releases. */
import { randomUUID } from 'node:crypto';
import { DeleteItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { nowSeconds } from '../../core/time.js';
import { claimedMarker, claimOf, isMarkerClaimable } from '../../markers/state.js';
import { StoreUnavailableError } from '../errors.js';
import type { ClaimRequest, MarkerClaim, MarkerRepository, MarkerScope, WriteBackState } from '../ports.js';
import { isConditionalCheckFailed } from './client.js';
import { itemToMarker, markerToItem, toAttributes } from './codec.js';
import { ATTR, type Item, markerKey } from './keys.js';
import type { DynamoTable } from './table.js';

/** Claim attempts when the marker changes between our put and our read (deleted, or its lock lapsing). */
const CLAIM_ATTEMPTS = 4;

/**
 * One conditional put takes the marker when it is absent, expired, or in progress with a lapsed lock. On a lost race
 * the current marker comes back with the failure (`ALL_OLD`), or, where the server does not return it (dynalite),
 * from a consistent read.
 */
const claim = async (table: DynamoTable, request: ClaimRequest): Promise<MarkerClaim> => {
  let lastSeen: Item | null = null;
  for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
    const nowMs = table.now();
    const token = randomUUID();
    try {
      await table.call('PutItem', () =>
        table.client.send(
          new PutItemCommand({
            TableName: table.name,
            Item: markerToItem(request.scope, request.key, claimedMarker(request, nowMs, token)),
            ConditionExpression:
              'attribute_not_exists(#pk) OR #exp <= :nowSec OR (#state = :inProgress AND #lock < :nowMs)',
            ExpressionAttributeNames: {
              '#pk': ATTR.pk,
              '#exp': ATTR.expiresAt,
              '#state': ATTR.state,
              '#lock': ATTR.lockUntil,
            },
            ExpressionAttributeValues: toAttributes({
              ':nowSec': nowSeconds(nowMs),
              ':nowMs': nowMs,
              ':inProgress': 'in_progress',
            }),
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
        if (!isMarkerClaimable(marker, table.now())) return claimOf(marker);
      }
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
});
