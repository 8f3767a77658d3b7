/**
 * Runtime policy versions and the shadow policy in DynamoDB: one item per version in the `POLICY` partition (sorted by
 * number, appended with a conditional put, never changed or deleted) and one shadow item. Reading what screenings run
 * under is one round trip: the newest version (a one-item Query) beside the shadow item (GetItem), both consistent.
 */
import { PutItemCommand, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { PolicyHead, PolicyVersionRepository, StoredPolicyVersion } from '../ports.js';
import { isConditionalCheckFailed } from './client.js';
import { toAttributes } from './codec.js';
import {
  ATTR,
  type Item,
  POLICY_PARTITION,
  POLICY_VERSION_SK,
  policyShadowKey,
  policyVersionKey,
  policyVersionSortKey,
} from './keys.js';
import type { DynamoTable } from './table.js';

/** The attributes of a version item besides the keys (the document is JSON text, exactly as written). */
const FIELD = {
  seq: 'seq',
  version: 'version',
  document: 'document',
  createdAt: 'created_at',
  createdBy: 'created_by',
  comment: 'comment',
} as const;

const versionFields = (version: StoredPolicyVersion): Record<string, unknown> => ({
  [FIELD.seq]: version.seq,
  [FIELD.version]: version.version,
  [FIELD.document]: JSON.stringify(version.document),
  [FIELD.createdAt]: version.created_at,
  [FIELD.createdBy]: version.created_by,
  [FIELD.comment]: version.comment ?? undefined,
});

const infoOf = (fields: Record<string, unknown>): Omit<StoredPolicyVersion, 'document'> => {
  const { seq, version } = fields;
  if (typeof seq !== 'number' || typeof version !== 'string') {
    throw new Error('a stored policy version has no number or name');
  }
  return {
    seq,
    version,
    created_at: String(fields[FIELD.createdAt] ?? ''),
    created_by: String(fields[FIELD.createdBy] ?? ''),
    comment: typeof fields[FIELD.comment] === 'string' ? (fields[FIELD.comment] as string) : null,
  };
};

const versionOf = (item: Item): StoredPolicyVersion => {
  const fields = unmarshall(item);
  const document: unknown = JSON.parse(String(fields[FIELD.document]));
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new Error('a stored policy version has no policy document');
  }
  return { ...infoOf(fields), document: document as Record<string, unknown> };
};

/** The newest version: the last item of the partition's version range. */
const newestVersion = async (table: DynamoTable): Promise<StoredPolicyVersion | null> => {
  const output = await table.call('Query', () =>
    table.client.send(
      new QueryCommand({
        TableName: table.name,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': ATTR.pk, '#sk': ATTR.sk },
        ExpressionAttributeValues: toAttributes({
          ':pk': POLICY_PARTITION,
          ':prefix': POLICY_VERSION_SK.prefix,
        }),
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    ),
  );
  const item = output.Items?.[0];
  return item ? versionOf(item) : null;
};

const head = async (table: DynamoTable): Promise<PolicyHead> => {
  const [active, shadowItem] = await Promise.all([newestVersion(table), table.get(policyShadowKey())]);
  if (shadowItem === null) return { active, shadow: null, shadowSeq: 0 };
  const fields = unmarshall(shadowItem);
  const shadowSeq = typeof fields[FIELD.seq] === 'number' ? (fields[FIELD.seq] as number) : 0;
  return { active, shadow: FIELD.document in fields ? versionOf(shadowItem) : null, shadowSeq };
};

/** Versions below `before`, newest first, without their documents (a listing is the audit trail, not the policies). */
const list = async (
  table: DynamoTable,
  { before, limit }: { before?: number; limit: number },
): Promise<Array<Omit<StoredPolicyVersion, 'document'>>> => {
  if (before !== undefined && before <= 1) return [];
  const upper = before === undefined ? `${POLICY_VERSION_SK.prefix}~` : policyVersionSortKey(before - 1);
  const output = await table.call('Query', () =>
    table.client.send(
      new QueryCommand({
        TableName: table.name,
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
        ExpressionAttributeNames: {
          '#pk': ATTR.pk,
          '#sk': ATTR.sk,
          '#seq': FIELD.seq,
          '#version': FIELD.version,
          '#at': FIELD.createdAt,
          '#by': FIELD.createdBy,
          '#comment': FIELD.comment,
        },
        ExpressionAttributeValues: toAttributes({
          ':pk': POLICY_PARTITION,
          ':from': POLICY_VERSION_SK.prefix,
          ':to': upper,
        }),
        ProjectionExpression: '#seq, #version, #at, #by, #comment',
        ScanIndexForward: false,
        Limit: limit,
        ConsistentRead: true,
      }),
    ),
  );
  return (output.Items ?? []).map((item) => infoOf(unmarshall(item)));
};

/** Puts `item` under `condition`; false when the condition failed. */
const putIf = async (
  table: DynamoTable,
  item: Item,
  condition: string,
  names: Record<string, string>,
  values?: Record<string, unknown>,
): Promise<boolean> => {
  try {
    await table.call('PutItem', () =>
      table.client.send(
        new PutItemCommand({
          TableName: table.name,
          Item: item,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ...(values ? { ExpressionAttributeValues: toAttributes(values) } : {}),
        }),
      ),
    );
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
};

/** The policy version repository over `table`. */
export const dynamoPolicies = (table: DynamoTable): PolicyVersionRepository => ({
  head: () => head(table),
  append: (version) =>
    putIf(
      table,
      { ...policyVersionKey(version.seq), ...toAttributes(versionFields(version)) },
      'attribute_not_exists(#pk)',
      { '#pk': ATTR.pk },
    ),
  async get(seq) {
    const item = await table.get(policyVersionKey(seq));
    return item === null ? null : versionOf(item);
  },
  list: (query) => list(table, query),
  putShadow: (shadow) =>
    putIf(
      table,
      { ...policyShadowKey(), ...toAttributes(versionFields(shadow)) },
      shadow.seq === 1 ? 'attribute_not_exists(#pk)' : '#seq = :previous',
      shadow.seq === 1 ? { '#pk': ATTR.pk } : { '#seq': FIELD.seq },
      shadow.seq === 1 ? undefined : { ':previous': shadow.seq - 1 },
    ),
  async clearShadow() {
    try {
      await table.call('UpdateItem', () =>
        table.client.send(
          new UpdateItemCommand({
            TableName: table.name,
            Key: policyShadowKey(),
            UpdateExpression: 'REMOVE #document, #version, #at, #by, #comment',
            ConditionExpression: 'attribute_exists(#document)',
            ExpressionAttributeNames: {
              '#document': FIELD.document,
              '#version': FIELD.version,
              '#at': FIELD.createdAt,
              '#by': FIELD.createdBy,
              '#comment': FIELD.comment,
            },
          }),
        ),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  },
});
