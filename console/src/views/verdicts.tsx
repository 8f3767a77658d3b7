/** Every stored verdict: the filters of docs/api.md, pages by cursor, and a detail panel with the review form. */
import { useEffect, useState } from 'preact/hooks';
import type { ReviewFilter } from '../../../shared/core/vocabulary.js';
import { describeFailure } from '../api/errors.js';
import {
  DECISIONS,
  type Decision,
  SOURCES,
  type Source,
  type Verdict,
  type VerdictFilters,
} from '../api/types.js';
import { Age, DecisionBadge, DegradedTag, ReviewTag, SourceTag } from '../components/badges.js';
import { type ReviewDraft, ReviewForm } from '../components/review-form.js';
import { ErrorBox } from '../components/status.js';
import { VerdictDetail } from '../components/verdict-detail.js';
import { useApp } from '../context.js';
import { DECISION_LABEL, reasonLabel, SOURCE_LABEL } from '../format.js';
import { href, navigate } from '../router.js';

interface FilterDraft {
  email: string;
  phone: string;
  decision: '' | Decision;
  source: '' | Source;
  review: '' | ReviewFilter;
  since: string;
  until: string;
}

/** Local midnight of a `date` input's day (plus `days`), as an ISO instant: "To" includes its whole day. */
const dayStart = (value: string, days = 0): string | undefined => {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return undefined;
  return new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + days).toISOString();
};

const NO_FILTERS: FilterDraft = {
  email: '',
  phone: '',
  decision: '',
  source: '',
  review: '',
  since: '',
  until: '',
};

const toQuery = (f: FilterDraft, limit: number): VerdictFilters => {
  const q: VerdictFilters = { limit };
  if (f.email.trim()) q.email = f.email.trim();
  if (f.phone.trim()) q.phone = f.phone.trim();
  if (f.decision) q.decision = f.decision;
  if (f.source) q.source = f.source;
  if (f.review) q.review = f.review;
  const since = dayStart(f.since);
  const until = dayStart(f.until, 1);
  if (since) q.since = since;
  if (until) q.until = until;
  return q;
};

/**
 * The review form of the detail panel; a verdict can be reviewed again (the later review replaces the earlier).
 * The decision is sent after a few seconds unless undone (see reviews.ts).
 */
const ReviewPanel = ({ verdict, onReviewed }: { verdict: Verdict; onReviewed: (v: Verdict) => void }) => {
  const { reviews } = useApp();
  const [draft, setDraft] = useState<ReviewDraft>({ note: '', addToList: false });
  const [waiting, setWaiting] = useState(false);
  return (
    <ReviewForm
      draft={draft}
      onDraft={setDraft}
      busy={waiting}
      onDecide={(outcome) => {
        const sent = draft;
        setWaiting(true);
        setDraft({ note: '', addToList: false });
        const who = verdict.email?.masked ?? verdict.phone?.masked ?? verdict.verdict_id;
        reviews.schedule(
          verdict,
          {
            outcome,
            ...(sent.note.trim() ? { note: sent.note.trim() } : {}),
            ...(sent.addToList ? { add_to_list: true } : {}),
          },
          {
            label: `${outcome === 'approve' ? 'Approved' : 'Rejected'} ${who}.`,
            onSaved: (updated) => {
              setWaiting(false);
              onReviewed(updated);
            },
            onReturned: () => {
              setWaiting(false);
              setDraft(sent);
            },
          },
        );
      }}
    />
  );
};

export const VerdictsView = ({ selectedId }: { selectedId?: string | undefined }) => {
  const { api, target } = useApp();
  const [draft, setDraft] = useState<FilterDraft>(NO_FILTERS);
  const [applied, setApplied] = useState<FilterDraft>(NO_FILTERS);
  const [limit, setLimit] = useState(20);
  /** Cursors of the pages seen so far: `cursors[n]` opens page n (page 0 has none). */
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const [pageIndex, setPageIndex] = useState(0);
  const [items, setItems] = useState<Verdict[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [detail, setDetail] = useState<Verdict | null>(null);
  const [detailError, setDetailError] = useState<string | null>(null);

  const load = async () => {
    setLoading(true);
    setError(null);
    try {
      const cursor = cursors[pageIndex];
      const page = await api.verdicts({ ...toQuery(applied, limit), ...(cursor ? { cursor } : {}) });
      setItems(page.items);
      setNext(page.next_cursor);
    } catch (e) {
      setError(describeFailure(e, target));
      setItems([]);
      setNext(null);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    void load();
  }, [applied, limit, pageIndex, cursors]);

  // The detail follows the URL (#/verdicts/<id>): from the list, or straight from a what-if link.
  useEffect(() => {
    setDetailError(null);
    if (!selectedId) {
      setDetail(null);
      return;
    }
    const inList = items.find((v) => v.verdict_id === selectedId);
    if (inList) {
      setDetail(inList);
      return;
    }
    let live = true;
    api.verdict(selectedId).then(
      (v) => live && setDetail(v),
      (e) => live && setDetailError(describeFailure(e, target)),
    );
    return () => {
      live = false;
    };
  }, [selectedId, items, api]);

  const apply = (filters: FilterDraft) => {
    setApplied(filters);
    setCursors([undefined]);
    setPageIndex(0);
  };

  const field = <K extends keyof FilterDraft>(key: K) => ({
    value: draft[key],
    onInput: (event: { currentTarget: { value: string } }) =>
      setDraft({ ...draft, [key]: event.currentTarget.value as FilterDraft[K] }),
  });

  return (
    <div class={`split split-wide${selectedId ? ' with-detail' : ''}`}>
      <section class="pane pane-list" aria-labelledby="verdicts-heading">
        <h2 id="verdicts-heading" class="sr-only">
          Verdicts
        </h2>
        <form
          class="filters"
          aria-label="Filter verdicts"
          onSubmit={(event) => {
            event.preventDefault();
            apply(draft);
          }}
        >
          <label>
            Email
            <input type="search" autocomplete="off" placeholder="exact address" {...field('email')} />
          </label>
          <label>
            Phone
            <input type="search" autocomplete="off" placeholder="+33…" {...field('phone')} />
          </label>
          <label>
            Decision
            <select {...field('decision')}>
              <option value="">Any</option>
              {DECISIONS.map((d) => (
                <option key={d} value={d}>
                  {DECISION_LABEL[d]}
                </option>
              ))}
            </select>
          </label>
          <label>
            Source
            <select {...field('source')}>
              <option value="">Any</option>
              {SOURCES.map((s) => (
                <option key={s} value={s}>
                  {SOURCE_LABEL[s]}
                </option>
              ))}
            </select>
          </label>
          <label>
            Review
            <select {...field('review')}>
              <option value="">Any</option>
              <option value="pending">Pending</option>
              <option value="approved">Approved</option>
              <option value="rejected">Rejected</option>
            </select>
          </label>
          <label>
            From
            <input type="date" {...field('since')} />
          </label>
          <label>
            To <span class="muted">(inclusive)</span>
            <input type="date" {...field('until')} />
          </label>
          <div class="filter-actions">
            <button type="submit" class="btn btn-primary">
              Apply
            </button>
            <button
              type="button"
              class="btn btn-quiet"
              onClick={() => {
                setDraft(NO_FILTERS);
                apply(NO_FILTERS);
              }}
            >
              Reset
            </button>
          </div>
        </form>
        {error && <ErrorBox message={error} onRetry={() => void load()} />}
        <div class="table-wrap">
          <table class="data verdicts" aria-busy={loading}>
            <caption class="sr-only">Verdicts, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Screened</th>
                <th scope="col">Decision</th>
                <th scope="col">Email, phone</th>
                <th scope="col" class="col-source">
                  Source
                </th>
                <th scope="col" class="col-reasons">
                  Reasons
                </th>
                <th scope="col">Review</th>
              </tr>
            </thead>
            <tbody>
              {items.map((v) => (
                <tr
                  key={v.verdict_id}
                  aria-current={v.verdict_id === selectedId ? 'true' : undefined}
                  onClick={() => navigate('verdicts', v.verdict_id)}
                >
                  <td>
                    <a href={href('verdicts', v.verdict_id)} aria-label={`Open verdict ${v.verdict_id}`}>
                      <Age iso={v.created_at} />
                    </a>
                  </td>
                  <td>
                    <DecisionBadge decision={v.decision} /> {v.degraded && <DegradedTag />}
                  </td>
                  <td>
                    <span class="masked">{v.email?.masked ?? v.phone?.masked ?? '—'}</span>
                    {v.email && v.phone && <span class="masked ident-sub">{v.phone.masked}</span>}
                  </td>
                  <td class="col-source">
                    <SourceTag source={v.source} />
                  </td>
                  <td class="col-reasons small">
                    {v.reasons.map((r) => reasonLabel(r.code)).join(', ') || '—'}
                  </td>
                  <td>
                    <ReviewTag review={v.review} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {!loading && !error && items.length === 0 && (
            <p class="empty muted">No verdict matches these filters.</p>
          )}
        </div>
        <nav class="pager" aria-label="Pages">
          <button
            type="button"
            class="btn btn-quiet"
            disabled={pageIndex === 0 || loading}
            onClick={() => setPageIndex(pageIndex - 1)}
          >
            ← Newer
          </button>
          <span class="muted">Page {pageIndex + 1}</span>
          <button
            type="button"
            class="btn btn-quiet"
            disabled={!next || loading}
            onClick={() => {
              if (!next) return;
              setCursors([...cursors.slice(0, pageIndex + 1), next]);
              setPageIndex(pageIndex + 1);
            }}
          >
            Older →
          </button>
          <label class="inline">
            Per page
            <select
              value={String(limit)}
              onChange={(event) => {
                setLimit(Number(event.currentTarget.value));
                setCursors([undefined]);
                setPageIndex(0);
              }}
            >
              <option value="20">20</option>
              <option value="50">50</option>
              <option value="100">100</option>
            </select>
          </label>
        </nav>
      </section>
      {selectedId && (
        <section class="pane pane-detail" aria-label="Verdict detail">
          <div class="pane-scroll">
            {detailError && <ErrorBox message={detailError} />}
            {detail ? (
              <>
                <p class="pane-close">
                  <a href={href('verdicts')}>Close</a>
                </p>
                <VerdictDetail verdict={detail}>
                  <ReviewPanel
                    key={detail.verdict_id}
                    verdict={detail}
                    onReviewed={(updated) => {
                      // Sent a few seconds later: the panel may show another verdict by then.
                      setDetail((shown) => (shown?.verdict_id === updated.verdict_id ? updated : shown));
                      setItems((all) => all.map((v) => (v.verdict_id === updated.verdict_id ? updated : v)));
                    }}
                  />
                </VerdictDetail>
              </>
            ) : (
              !detailError && <p class="muted pad">Loading…</p>
            )}
          </div>
        </section>
      )}
    </div>
  );
};
