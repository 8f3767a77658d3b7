/** The keyed hashes a verdict's references are found by (docs/outcomes.md): computed at screening, and at labelling. */
import type { RefHashes } from '../core/verdict.js';
import type { KeyedHasher } from '../core/vocabulary.js';

/** The keyed hashes of a screening's references, as the caller gave them; none when it gave none. */
export const refHashesOf = (
  hash: KeyedHasher,
  refs: { subjectRef?: string | null | undefined; sourceRef?: string | null | undefined },
): RefHashes | undefined => {
  const subject = refs.subjectRef ? hash('subject_ref', refs.subjectRef) : null;
  const source = refs.sourceRef ? hash('source_ref', refs.sourceRef) : null;
  return subject === null && source === null ? undefined : { subject_ref: subject, source_ref: source };
};
