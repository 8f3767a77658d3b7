/** Item <-> record mapping for the single table: key shapes, attribute marshalling and expiry rules. */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { CheckKind } from '../defastra/types.js';
import type { Decision } from '../policy/levels.js';
import type { Verdict, VerdictRecord } from '../screening/verdict.js';
import type { CachedResult, ClaimRequest, MarkerClaim, MarkerScope, WriteBackState } from './port.js';
import { TABLE_INDEXES, TABLE_KEYS } from './table.js';

export type Item = Record<string, AttributeValue>;

/** Attribute names: the keys come from `table.ts` (the CDK stack uses them), the rest are the adapter's own. */
export const ATTR = {
  pk: TABLE_KEYS.partitionKey,
  sk: TABLE_KEYS.sortKey,
  expiresAt: TABLE_KEYS.ttlAttribute,
  emailPk: TABLE_INDEXES.byEmail.partitionKey,
  phonePk: TABLE_INDEXES.byPhone.partitionKey,
  decisionPk: TABLE_INDEXES.byDecision.partitionKey,
  createdSk: TABLE_INDEXES.byDecision.sortKey,
  body: 'body',
  source: 'source',
  decision: 'decision',
  state: 'state',
  bodyHash: 'body_hash',
  lockUntil: 'lock_until',
  verdictId: 'verdict_id',
  writeBack: 'write_back',
} as const;

const SORT_VALUE = { verdict: 'V', marker: 'M', cache: 'C' } as const;

const s = (value: string): AttributeValue => ({ S: value });
const n = (value: number): AttributeValue => ({ N: String(value) });

/** The string value of an attribute, or undefined when absent or not a string. */
export const readString = (item: Item, name: string): string | undefined => {
  const value = item[name];
  return value !== undefined && 'S' in value ? value.S : undefined;
};

/** The numeric value of an attribute, or undefined when absent or not a number. */
export const readNumber = (item: Item, name: string): number | undefined => {
  const value = item[name];
  if (value === undefined || !('N' in value) || value.N === undefined) return undefined;
  const parsed = Number(value.N);
  return Number.isFinite(parsed) ? parsed : undefined;
};

/** Epoch seconds at or before which an item counts as gone (TTL deletion is lazy; we expire on read). */
export const nowSeconds = (nowMs: number): number => Math.floor(nowMs / 1000);

/** True when `expiresAt` (epoch seconds) is at or before `nowMs`. */
export const isExpiredAt = (expiresAt: number | undefined, nowMs: number): boolean =>
  expiresAt !== undefined && expiresAt <= nowSeconds(nowMs);

export const isExpiredItem = (item: Item, nowMs: number): boolean =>
  isExpiredAt(readNumber(item, ATTR.expiresAt), nowMs);

/** An ISO 8601 date normalised to `toISOString()` form, so that string order is time order. */
export const toInstant = (value: string, field: string): string => {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new RangeError(`${field} is not a valid ISO 8601 date`);
  return new Date(ms).toISOString();
};

// Partition values of the three indexes.
export const emailPartition = (emailHash: string): string => `E#${emailHash}`;
export const phonePartition = (phoneHash: string): string => `P#${phoneHash}`;
export const decisionPartition = (decision: Decision): string => `D#${decision}`;

/** `<created_at ISO>#<verdict_id>`: unique per verdict, sorts by time then id. */
export const createdSortKey = (verdict: Verdict): string => {
  const ms = Date.parse(verdict.created_at);
  const instant = Number.isFinite(ms) ? new Date(ms).toISOString() : verdict.created_at;
  return `${instant}#${verdict.verdict_id}`;
};

export const verdictKey = (verdictId: string): Item => ({
  [ATTR.pk]: s(`V#${verdictId}`),
  [ATTR.sk]: s(SORT_VALUE.verdict),
});

export const markerKey = (scope: MarkerScope, key: string): Item => ({
  [ATTR.pk]: s(`M#${scope}#${key}`),
  [ATTR.sk]: s(SORT_VALUE.marker),
});

export const cacheKey = (kind: CheckKind, hash: string): Item => ({
  [ATTR.pk]: s(`C#${kind}#${hash}`),
  [ATTR.sk]: s(SORT_VALUE.cache),
});

/** The stored form of a verdict: the verdict as JSON plus the index attributes (hashes only, never raw values). */
export const verdictToItem = (record: VerdictRecord): Item => {
  const { verdict } = record;
  const item: Item = {
    ...verdictKey(verdict.verdict_id),
    [ATTR.body]: s(JSON.stringify(verdict)),
    [ATTR.decisionPk]: s(decisionPartition(verdict.decision)),
    [ATTR.createdSk]: s(createdSortKey(verdict)),
    [ATTR.source]: s(verdict.source),
    [ATTR.decision]: s(verdict.decision),
    [ATTR.expiresAt]: n(record.expiresAt),
  };
  if (record.emailHash) item[ATTR.emailPk] = s(emailPartition(record.emailHash));
  if (record.phoneHash) item[ATTR.phonePk] = s(phonePartition(record.phoneHash));
  return item;
};

const parseBody = (item: Item): Record<string, unknown> => {
  const body = readString(item, ATTR.body);
  const parsed: unknown = body === undefined ? undefined : JSON.parse(body);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`Stored item ${readString(item, ATTR.pk) ?? '?'} has no valid body`);
  }
  return parsed as Record<string, unknown>;
};

export const itemToVerdict = (item: Item): Verdict => {
  const body = parseBody(item);
  if (typeof body.verdict_id !== 'string') throw new Error('Stored verdict has no verdict_id');
  return body as unknown as Verdict;
};

export const cachedToItem = (
  kind: CheckKind,
  hash: string,
  result: CachedResult,
  expiresAt: number,
): Item => ({
  ...cacheKey(kind, hash),
  [ATTR.body]: s(JSON.stringify(result)),
  [ATTR.expiresAt]: n(expiresAt),
});

export const itemToCached = (item: Item): CachedResult => {
  const body = parseBody(item);
  if (typeof body.riskLevel !== 'string') throw new Error('Stored cache entry has no riskLevel');
  return body as unknown as CachedResult;
};

/** A fresh in-progress marker, locked until `nowMs + lockMs`. */
export const markerToItem = (request: ClaimRequest, nowMs: number): Item => ({
  ...markerKey(request.scope, request.key),
  [ATTR.state]: s('in_progress'),
  [ATTR.bodyHash]: s(request.bodyHash),
  [ATTR.lockUntil]: n(nowMs + request.lockMs),
  [ATTR.expiresAt]: n(request.expiresAt),
});

const WRITE_BACK_STATES: readonly WriteBackState[] = ['none', 'pending', 'done'];
const isWriteBackState = (value: string | undefined): value is WriteBackState =>
  value !== undefined && (WRITE_BACK_STATES as readonly string[]).includes(value);

/** The plain fields of a stored marker, shared by both adapters. */
export interface MarkerFields {
  state: 'in_progress' | 'done';
  bodyHash: string;
  lockUntil: number;
  expiresAt: number | undefined;
  verdictId: string | undefined;
  writeBack: WriteBackState | undefined;
}

export const itemToMarker = (item: Item): MarkerFields => {
  const writeBack = readString(item, ATTR.writeBack);
  return {
    state: readString(item, ATTR.state) === 'done' ? 'done' : 'in_progress',
    bodyHash: readString(item, ATTR.bodyHash) ?? '',
    lockUntil: readNumber(item, ATTR.lockUntil) ?? 0,
    expiresAt: readNumber(item, ATTR.expiresAt),
    verdictId: readString(item, ATTR.verdictId),
    writeBack: isWriteBackState(writeBack) ? writeBack : undefined,
  };
};

/** Whether a new claim may take this marker over: expired by TTL, or in progress with a lapsed lock. */
export const isMarkerClaimable = (marker: MarkerFields, nowMs: number): boolean =>
  isExpiredAt(marker.expiresAt, nowMs) || (marker.state === 'in_progress' && marker.lockUntil < nowMs);

/** What a losing claim reports about the marker that beat it. */
export const markerToClaim = (marker: MarkerFields): MarkerClaim => {
  if (marker.state === 'done') {
    const claim: MarkerClaim = {
      state: 'done',
      bodyHash: marker.bodyHash,
      verdictId: marker.verdictId ?? '',
    };
    if (marker.writeBack !== undefined) claim.writeBack = marker.writeBack;
    return claim;
  }
  return { state: 'in_progress', bodyHash: marker.bodyHash };
};
