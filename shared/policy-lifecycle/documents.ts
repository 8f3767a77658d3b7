/**
 * Policy versions as documents (docs/policy-lifecycle.md): a candidate read exactly as a policy file is at start-up, a
 * policy written back out as the effective merged document, the names of versions, and the versions listing's cursor.
 */
import type { PolicyDocument, PolicyVersionAnswer, PolicyVersionSummary } from '../api/policy.js';
import { InvalidInputError } from '../core/errors.js';
import { type Policy, PolicyError, parsePolicy } from '../policy/schema.js';
import { InvalidCursorError } from '../store/errors.js';
import type { StoredPolicyVersion } from '../store/ports.js';

/** `created_by` of the bundled policy file's version. */
export const FILE_AUTHOR = 'file';

/** The name of runtime version `seq` (`r1`, `r2`, …) and of shadow `seq` (`s1`, `s2`, …). */
export const runtimeVersionName = (seq: number): string => `r${seq}`;
export const shadowVersionName = (seq: number): string => `s${seq}`;

/** The number of a runtime version's name, or null when the name is not one (`r0`, `r01`, `default-1`). */
export const runtimeSeqOf = (version: string): number | null => {
  const match = /^r([1-9]\d{0,9})$/.exec(version);
  return match ? Number(match[1]) : null;
};

/** A candidate policy document, merged over the defaults and validated as at start-up; 400 naming the field otherwise. */
export const candidatePolicy = (document: unknown, where = 'body field "policy"'): Policy => {
  try {
    return parsePolicy(document);
  } catch (error) {
    if (error instanceof PolicyError) throw new InvalidInputError(where, error.message);
    throw error;
  }
};

/** The effective merged policy as a document (the defaults filled in, `sources` as written), under `version`. */
export const documentOf = (policy: Policy, version: string = policy.base.version): PolicyDocument =>
  structuredClone({ ...policy.base, version, sources: policy.sources }) as PolicyDocument;

const summaryOf = ({
  version,
  created_at,
  created_by,
  comment,
}: PolicyVersionSummary): PolicyVersionSummary => ({
  version,
  created_at,
  created_by,
  comment,
});

/** A stored version (or shadow) as the routes answer it. */
export const answerOf = (stored: StoredPolicyVersion): PolicyVersionAnswer => ({
  ...summaryOf(stored),
  policy: stored.document,
});

export const summaryOfStored = (stored: Omit<StoredPolicyVersion, 'document'>): PolicyVersionSummary =>
  summaryOf(stored);

/** The bundled file's version: its own `version`, no time of its own, `created_by: "file"`. */
export const fileSummary = (file: Policy): PolicyVersionSummary => ({
  version: file.base.version,
  created_at: null,
  created_by: FILE_AUTHOR,
  comment: null,
});

export const fileAnswer = (file: Policy): PolicyVersionAnswer => ({
  ...fileSummary(file),
  policy: documentOf(file),
});

const CURSOR_PREFIX = 'before:';

/** The versions listing's cursor: the number the next page starts below (not secret: every version is listed). */
export const encodeVersionsCursor = (before: number): string =>
  Buffer.from(`${CURSOR_PREFIX}${before}`).toString('base64url');

export const decodeVersionsCursor = (cursor: string): number => {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^before:([1-9]\d{0,9})$/.exec(text);
  if (!match || Buffer.from(text).toString('base64url') !== cursor) {
    throw new InvalidCursorError('not a versions cursor');
  }
  return Number(match[1]);
};
