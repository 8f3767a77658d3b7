/** `GET|POST /lists`, `DELETE /lists/{entry_id}`: runtime allow and block entries as the API takes and shows them. */
import { LIST_ACTIONS, LIST_KINDS, type ListAction, type ListKind } from '../core/vocabulary.js';
import * as z from '../validation/zod.js';
import { cursorParam, isoDate, limitParam, type Page } from './common.js';

/** A runtime list entry as the API shows it: never the raw value, `masked` for display. */
export interface ListEntry {
  entry_id: string;
  kind: ListKind;
  action: ListAction;
  masked: string;
  note: string | null;
  created_at: string;
  created_by: string;
  expires_at: string | null;
}

/** The answer of `GET /lists`. */
export type ListEntryPage = Page<ListEntry>;

export const listEntryBody = z.strictObject({
  kind: z.enum(LIST_KINDS),
  value: z.string().check(z.minLength(1), z.maxLength(320)),
  action: z.enum(LIST_ACTIONS),
  note: z.optional(z.nullable(z.string().check(z.maxLength(500)))),
  expires_at: z.optional(z.nullable(isoDate)),
});
export type ListEntryBody = z.input<typeof listEntryBody>;

export const listsQuery = z.strictObject({
  kind: z.optional(z.enum(LIST_KINDS)),
  action: z.optional(z.enum(LIST_ACTIONS)),
  limit: z.optional(limitParam),
  cursor: z.optional(cursorParam),
});
