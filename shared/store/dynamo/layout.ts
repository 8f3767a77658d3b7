/** The single-table layout: key and index names of the DynamoDB adapter, read by the local server and the CDK stack too. */

export const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expires_at',
} as const;

/**
 * Global secondary indexes, each with a string partition key and (but `by_due`) the sort key `<created_at>#<verdict_id>`.
 * `by_time`, `by_decision` and `by_review` partition keys carry a shard suffix (see shards.ts): a wave of
 * verdicts spreads over all shards instead of landing on one partition, and listings merge the shards.
 */
export const TABLE_INDEXES = {
  byEmail: { name: 'by_email', partitionKey: 'email_pk', sortKey: 'created_sk' },
  byPhone: { name: 'by_phone', partitionKey: 'phone_pk', sortKey: 'created_sk' },
  byTime: { name: 'by_time', partitionKey: 'time_pk', sortKey: 'created_sk' },
  byDecision: { name: 'by_decision', partitionKey: 'decision_pk', sortKey: 'created_sk' },
  byReview: { name: 'by_review', partitionKey: 'review_pk', sortKey: 'created_sk' },
  /** Pending re-screens only (a sparse index): partition `RQ#<shard>`, sort key `<due at>#<verdict_id>`. */
  byDue: { name: 'by_due', partitionKey: 'due_pk', sortKey: 'due_sk' },
} as const;

export const DEFAULT_TABLE_NAME = 'signup-gate';
