/** The single-table layout: key and index names shared by the DynamoDB adapter, the local server and the CDK stack. */

export const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expires_at',
} as const;

/** Global secondary indexes: each has a string partition key and a string sort key `<created_at>#<verdict_id>`. */
export const TABLE_INDEXES = {
  byEmail: { name: 'by_email', partitionKey: 'email_pk', sortKey: 'created_sk' },
  byPhone: { name: 'by_phone', partitionKey: 'phone_pk', sortKey: 'created_sk' },
  byDecision: { name: 'by_decision', partitionKey: 'decision_pk', sortKey: 'created_sk' },
} as const;

export const DEFAULT_TABLE_NAME = 'signup-gate';
