/**
 * The stored form of a verdict's body (the verdict without its review): its JSON, deflated with a preset dictionary
 * of the verdict's own field names and usual values, behind a one-byte format tag, as a binary attribute. A typical
 * email-only verdict goes from about 1.25 KB of JSON to about 0.45 KB, so its item stays under 1 KB: one write unit in
 * the table and one in each index it enters, instead of two (docs/capacity.md). Items written before hold the JSON as
 * text and read as before; a stream record's image carries the bytes as base64 text, also read here.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** The format tag of a deflated body (the first byte); another tag is an error, never guessed at. */
const DEFLATED_V1 = 1;

/**
 * The preset dictionary of format 1: text that verdicts repeat, most frequent last (DEFLATE finds the nearest match
 * first). Never change it: the bodies written with it could no longer be read. A new dictionary is a new format tag.
 */
const DICTIONARY_V1 = Buffer.from(
  [
    'PHONE_DISPOSABLE","PHONE_CARRIER","PHONE_IS_BLACKLISTED","PHONE_OS","PHONE_TYPE","PHONE_DATA_BREACH",',
    '"PHONE_CONSISTENCY","PHONE_BLACKMARKET_PRESENCE","EMAIL_BLACKLISTED","EMAIL_POSITION_CONSISTENCY",',
    '"EMAIL_MAIN_PROVIDER","EMAIL_ALIAS","EMAIL_DOMAIN","EMAIL_DATA_BREACH","EMAIL_ONLINE_VELOCITY",',
    '"EMAIL_NAME_CONSISTENCY","EMAIL_DELIVERABILITY","EMAIL_DISPOSABLE",',
    '{"code":"allowlist","message":"","code":"blocklist","code":"velocity","code":"spend_limit",',
    '"code":"email_risk","message":"email risk_level ","code":"phone_risk","message":"phone risk_level ",',
    '"code":"defastra_error","invalid":true,"listed":"block","listed":"allow","error":{"type":"',
    '{"verdict_id":"01","created_at":"20","source":"api","source":"auth0","source":"stripe",',
    '"source_ref":null,"subject_ref":null,"decision":"review","decision":"block","decision":"allow",',
    '"reasons":[],"degraded":false,"phone":{"masked":"+',
    '","risk_level":"low","risk_score":0,"request_id":"","cached":false,"checks":[{"code":"',
    '","result_type":"neutral","detail":"The ","result_type":"risk","detail":"',
    '"},{"code":"EMAIL_","result_type":"trust","detail":"',
    '"}]},"phone":null,"policy_version":"default-1","action":"allow","mode":"enforce",',
    '"rescreen":null,"provisional_decision":null,"rescreened_at":null,"enforcement":null,"shadow":null,',
    '"outcome":null}',
  ].join(''),
);

/** The body attribute of a verdict item. */
export const encodeVerdictBody = (body: Record<string, unknown>): AttributeValue => {
  const deflated = deflateRawSync(JSON.stringify(body), { dictionary: DICTIONARY_V1 });
  const bytes = new Uint8Array(deflated.length + 1);
  bytes[0] = DEFLATED_V1;
  bytes.set(deflated, 1);
  return { B: bytes };
};

/**
 * The JSON text of a verdict item's body: a deflated binary body (bytes from the SDK, base64 text from a stream
 * record), or the text itself for items written before; undefined when the item has no body.
 */
export const verdictBodyText = (value: AttributeValue | undefined): string | undefined => {
  if (value === undefined) return undefined;
  if ('S' in value && typeof value.S === 'string') return value.S;
  if (!('B' in value) || value.B === undefined) return undefined;
  const raw: unknown = value.B;
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'base64') : Buffer.from(value.B);
  if (bytes[0] !== DEFLATED_V1) throw new Error(`Stored verdict body has an unknown format (${bytes[0]})`);
  return inflateRawSync(bytes.subarray(1), { dictionary: DICTIONARY_V1 }).toString('utf8');
};
