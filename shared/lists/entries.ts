/** Runtime list entries (docs/lists.md): a raw value normalised as screening does, stored only as a keyed hash (domains plain). */
import { ulid } from 'ulid';
import type { ListEntry } from '../api/lists.js';
import type { KeyedHasher, ListAction, ListKind } from '../core/vocabulary.js';
import {
  maskEmail,
  maskIp,
  maskPhone,
  normaliseDomain,
  normaliseEmail,
  normaliseIp,
  normalisePhone,
} from '../policy/identifiers.js';
import type { ListRepository, StoredListEntry } from '../store/ports.js';

export interface NewListEntry {
  kind: ListKind;
  action: ListAction;
  note: string | null;
  /** ISO 8601, or null for an entry that never expires. */
  expiresAt: string | null;
  createdBy: string;
}

/** The value of an entry as it is stored and looked up, with its display form; null when the value is not valid. */
export const listValueOf = (
  kind: ListKind,
  raw: string,
  hash: KeyedHasher,
  defaultCountryCode: string | null,
): { valueKey: string; masked: string } | null => {
  switch (kind) {
    case 'email': {
      const email = normaliseEmail(raw);
      return email === null ? null : { valueKey: hash('email', email), masked: maskEmail(email) };
    }
    case 'phone': {
      const phone = normalisePhone(raw, defaultCountryCode);
      return phone === null ? null : { valueKey: hash('phone', phone), masked: maskPhone(phone) };
    }
    case 'ip': {
      const ip = normaliseIp(raw);
      return ip === null ? null : { valueKey: hash('ip', ip), masked: maskIp(ip) };
    }
    case 'email_domain': {
      const domain = normaliseDomain(raw);
      return domain === null ? null : { valueKey: domain, masked: domain };
    }
  }
};

/** Stores an entry for an already computed value key (a raw value's, or a stored verdict's hash). */
export const createListEntry = async (
  lists: Pick<ListRepository, 'put'>,
  value: { valueKey: string; masked: string },
  input: NewListEntry,
  nowMs: number,
): Promise<{ entry: ListEntry; created: boolean }> => {
  const entry: ListEntry = {
    entry_id: ulid(nowMs),
    kind: input.kind,
    action: input.action,
    masked: value.masked,
    note: input.note,
    created_at: new Date(nowMs).toISOString(),
    created_by: input.createdBy,
    expires_at: input.expiresAt,
  };
  const stored: StoredListEntry = { entry, valueKey: value.valueKey };
  const expiresAtSec = input.expiresAt === null ? null : Math.ceil(Date.parse(input.expiresAt) / 1000);
  return lists.put(stored, expiresAtSec);
};
