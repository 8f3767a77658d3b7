/**
 * The rows of `signup-gate label import` (docs/outcomes.md): `label` (fraud or legit) and at least one of `email`,
 * `phone`, `subject_ref`, `source_ref`, optionally a `note`; read by the backfill's reader (CSV or JSON lines).
 */
import { MAX_OUTCOME_NOTE, MAX_REF_LENGTH } from '../../shared/api/outcomes.js';
import { OUTCOME_LABELS, type OutcomeLabel } from '../../shared/core/vocabulary.js';
import type { RowSpec } from '../backfill/rows.js';

export interface LabelRow {
  label: OutcomeLabel;
  email?: string;
  phone?: string;
  subject_ref?: string;
  source_ref?: string;
  note?: string;
}

type Fields = Partial<Record<keyof LabelRow, string>>;

const IDENTIFIERS = ['email', 'phone', 'subject_ref', 'source_ref'] as const;

export const LABEL_ROWS: RowSpec<LabelRow> = {
  aliases: {
    label: ['label', 'outcome'],
    email: ['email'],
    phone: ['phone', 'phone_number'],
    subject_ref: ['subject_ref'],
    source_ref: ['source_ref'],
    note: ['note'],
  },
  maxLength: {
    label: 10,
    email: 320,
    phone: 64,
    subject_ref: MAX_REF_LENGTH,
    source_ref: MAX_REF_LENGTH,
    note: MAX_OUTCOME_NOTE,
  },
  needs: ['label', 'outcome'],
  needsText: 'label',
  finish: (fields: Fields) => {
    const label = fields.label?.toLowerCase();
    if (label === undefined) return 'no label';
    if (!(OUTCOME_LABELS as readonly string[]).includes(label)) return '"label" is neither fraud nor legit';
    if (IDENTIFIERS.every((name) => fields[name] === undefined)) {
      return 'no email, phone, subject_ref or source_ref';
    }
    return { ...fields, label: label as OutcomeLabel };
  },
};

/** The `POST /outcomes` body of a row (the server normalises email and phone as screening does). */
export const labelBody = (row: LabelRow): Record<string, string> => {
  const body: Record<string, string> = { label: row.label };
  for (const name of [...IDENTIFIERS, 'note'] as const) {
    if (row[name] !== undefined) body[name] = row[name];
  }
  return body;
};
