/** The review queue: verdicts waiting for a human (review=pending), one at a time, driven from the keyboard. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { describeFailure } from '../api/errors.js';
import type { Verdict } from '../api/types.js';
import { Age, DegradedTag, SourceTag } from '../components/badges.js';
import { type ReviewDraft, ReviewForm } from '../components/review-form.js';
import { ErrorBox } from '../components/status.js';
import { VerdictDetail } from '../components/verdict-detail.js';
import { useApp } from '../context.js';
import { reasonLabel } from '../format.js';
import { useShortcuts } from '../keys.js';

const PAGE = 50;
const EMPTY_DRAFT: ReviewDraft = { note: '', addToList: false };

export const QueueView = ({ onHelp }: { onHelp: () => void }) => {
  const { api, reviews, target } = useApp();
  const [items, setItems] = useState<Verdict[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [index, setIndex] = useState(0);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [draft, setDraft] = useState<ReviewDraft>(EMPTY_DRAFT);
  const noteRef = useRef<HTMLTextAreaElement>(null);
  const listRef = useRef<HTMLOListElement>(null);

  const load = useCallback(
    async (more: boolean) => {
      setLoading(true);
      setError(null);
      try {
        const page = await api.verdicts({
          review: 'pending',
          limit: PAGE,
          ...(more && cursor ? { cursor } : {}),
        });
        setItems((previous) => {
          if (!more) return page.items;
          const seen = new Set(previous.map((v) => v.verdict_id));
          return [...previous, ...page.items.filter((v) => !seen.has(v.verdict_id))];
        });
        setCursor(page.next_cursor);
        if (!more) setIndex(0);
      } catch (e) {
        setError(describeFailure(e, target));
      } finally {
        setLoading(false);
      }
    },
    [api, cursor],
  );
  useEffect(() => {
    void load(false);
  }, []);

  const selected = items[Math.min(index, items.length - 1)];
  const selectedId = selected?.verdict_id;

  /** The note and list choice of a decision that was undone, given back to its verdict. */
  const undoneDraft = useRef<{ id: string; draft: ReviewDraft } | null>(null);

  // A new verdict on screen starts with an empty note (or the one of its undone decision), and its row stays in view.
  useEffect(() => {
    const back = undoneDraft.current;
    undoneDraft.current = null;
    setDraft(back && back.id === selectedId ? back.draft : EMPTY_DRAFT);
    listRef.current?.querySelector('[aria-current="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [selectedId]);

  const move = (delta: number) => setIndex((i) => Math.max(0, Math.min(items.length - 1, i + delta)));

  /**
   * Takes the verdict out of the queue at once and hands the decision to the app, which sends it after a few
   * seconds unless it is undone; undone or refused, the verdict comes back where it was.
   */
  const decide = (outcome: 'approve' | 'reject') => {
    if (!selected) return;
    const at = items.indexOf(selected);
    const who = selected.email?.masked ?? selected.phone?.masked ?? selected.verdict_id;
    const listed = draft.addToList ? `, and ${outcome === 'approve' ? 'allow' : 'block'}-listed` : '';
    const remaining = items.filter((v) => v.verdict_id !== selected.verdict_id);
    setItems(remaining);
    setIndex((i) => Math.min(i, Math.max(0, remaining.length - 1)));
    reviews.schedule(
      selected,
      {
        outcome,
        ...(draft.note.trim() ? { note: draft.note.trim() } : {}),
        ...(draft.addToList ? { add_to_list: true } : {}),
      },
      {
        label: `${outcome === 'approve' ? 'Approved' : 'Rejected'} ${who}${listed}.`,
        onReturned: () => {
          undoneDraft.current = { id: selected.verdict_id, draft };
          setItems((now) =>
            now.some((v) => v.verdict_id === selected.verdict_id)
              ? now
              : [...now.slice(0, at), selected, ...now.slice(at)],
          );
          setIndex(at);
        },
        onSaved: () => {
          if (remaining.length < 5 && cursor) void load(true);
        },
      },
    );
  };

  useShortcuts({
    j: () => move(1),
    ArrowDown: () => move(1),
    k: () => move(-1),
    ArrowUp: () => move(-1),
    a: () => decide('approve'),
    r: () => decide('reject'),
    n: () => noteRef.current?.focus(),
    l: () => setDraft((d) => ({ ...d, addToList: !d.addToList })),
  });

  return (
    <div class="split">
      <section class="pane pane-list" aria-labelledby="queue-heading">
        <div class="pane-head">
          <h2 id="queue-heading">
            Waiting for review{' '}
            <span class="count">
              {items.length}
              {cursor ? '+' : ''}
            </span>
          </h2>
          <button type="button" class="btn btn-quiet" onClick={() => void load(false)} disabled={loading}>
            Refresh
          </button>
        </div>
        {error && <ErrorBox message={error} onRetry={() => void load(false)} />}
        {!error && !loading && items.length === 0 && (
          <div class="empty">
            <p>
              <strong>The queue is empty.</strong>
            </p>
            <p class="muted">Every verdict that needed a human has been reviewed.</p>
          </div>
        )}
        <ol class="queue" ref={listRef} aria-label="Pending verdicts">
          {items.map((v, i) => (
            <li key={v.verdict_id}>
              <button
                type="button"
                class="queue-item"
                aria-current={i === index ? 'true' : undefined}
                onClick={() => setIndex(i)}
              >
                <span class="queue-line">
                  <span class="masked strong">{v.email?.masked ?? v.phone?.masked ?? 'no identifiers'}</span>
                  <Age iso={v.created_at} />
                </span>
                <span class="queue-line small">
                  <span class="muted">{v.email && v.phone ? v.phone.masked : ''}</span>
                  <span>
                    {v.degraded && <DegradedTag />} <SourceTag source={v.source} />
                  </span>
                </span>
                <span class="queue-reasons small">
                  {v.reasons.map((r) => reasonLabel(r.code)).join(' · ')}
                </span>
              </button>
            </li>
          ))}
        </ol>
        {cursor && (
          <button type="button" class="btn btn-quiet more" onClick={() => void load(true)} disabled={loading}>
            Load more
          </button>
        )}
        {loading && <p class="muted pad">Loading…</p>}
      </section>
      <section class="pane pane-detail" aria-label="Selected verdict">
        <div class="pane-scroll">
          {selected ? (
            <VerdictDetail verdict={selected} />
          ) : (
            !loading && <p class="muted pad">Nothing selected.</p>
          )}
        </div>
        <div class="decide-bar">
          {selected && (
            <ReviewForm
              draft={draft}
              onDraft={setDraft}
              onDecide={decide}
              busy={false}
              keyHints
              noteRef={noteRef}
            />
          )}
          <p class="shortcut-bar small">
            <kbd>j</kbd> <kbd>k</kbd> next, previous · <kbd>a</kbd> approve · <kbd>r</kbd> reject ·{' '}
            <kbd>n</kbd> note · <kbd>l</kbd> add to list ·{' '}
            <button type="button" class="linkish" onClick={onHelp}>
              <kbd>?</kbd> all shortcuts
            </button>
          </p>
        </div>
      </section>
    </div>
  );
};
