/** Approve or reject a verdict, with a note and the add-to-list option: a controlled form the queue drives by keyboard. */
import type { Ref } from 'preact';
import type { ReviewOutcome } from '../api/types.js';

export interface ReviewDraft {
  note: string;
  addToList: boolean;
}

export interface ReviewFormProps {
  draft: ReviewDraft;
  onDraft: (draft: ReviewDraft) => void;
  onDecide: (outcome: ReviewOutcome) => void;
  busy: boolean;
  /** Show the a / r / n / l key hints (the queue has those shortcuts). */
  keyHints?: boolean;
  noteRef?: Ref<HTMLTextAreaElement>;
}

export const ReviewForm = ({ draft, onDraft, onDecide, busy, keyHints, noteRef }: ReviewFormProps) => (
  <form
    class="review-form"
    aria-label="Review this verdict"
    onSubmit={(event) => {
      event.preventDefault();
    }}
  >
    <label class="review-note-field">
      Note <span class="muted">(optional)</span> {keyHints && <kbd>n</kbd>}
      <textarea
        ref={noteRef}
        rows={2}
        maxLength={500}
        value={draft.note}
        placeholder="Why? e.g. matches a known customer"
        onInput={(event) => onDraft({ ...draft, note: event.currentTarget.value })}
        onKeyDown={(event) => {
          if (event.key === 'Escape') event.currentTarget.blur();
        }}
      />
    </label>
    <label class="check">
      <input
        type="checkbox"
        checked={draft.addToList}
        onChange={(event) => onDraft({ ...draft, addToList: event.currentTarget.checked })}
      />
      <span>
        Add the email and phone to the allow list (approve) or block list (reject)
        {keyHints && (
          <>
            {' '}
            <kbd>l</kbd>
          </>
        )}
      </span>
    </label>
    <div class="actions">
      <button type="button" class="btn btn-approve" disabled={busy} onClick={() => onDecide('approve')}>
        Approve{keyHints && <kbd>a</kbd>}
      </button>
      <button type="button" class="btn btn-reject" disabled={busy} onClick={() => onDecide('reject')}>
        Reject{keyHints && <kbd>r</kbd>}
      </button>
    </div>
  </form>
);
