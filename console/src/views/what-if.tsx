/** What-if: a candidate policy replayed over stored verdicts (POST /replay) — the transition table and what would change. */
import { useState } from 'preact/hooks';
import { describeFailure } from '../api/errors.js';
import {
  DECISIONS,
  type Decision,
  type ReplayResult,
  SOURCES,
  type Source,
  type Verdict,
  type VerdictFilters,
} from '../api/types.js';
import { Age, DecisionBadge, SourceTag } from '../components/badges.js';
import { ErrorBox } from '../components/status.js';
import { useApp } from '../context.js';
import { DECISION_LABEL, formatCount, localInputToIso, SOURCE_LABEL } from '../format.js';
import { href } from '../router.js';
import { PromoteCandidate } from './promote.js';

const EXAMPLE = `{
  "thresholds": {
    "email": { "review": "medium", "block": "high" },
    "phone": { "review": "medium", "block": "high" }
  }
}
`;

const MAX_ITEMS_SHOWN = 200;
/** Pages of GET /verdicts read to put a face (masked email, source, time) on the changed verdicts. */
const ENRICH_PAGES = 5;

/** Parses the candidate, or says where it is broken. */
const parsePolicy = (text: string): { policy: Record<string, unknown> } | { error: string } => {
  if (!text.trim()) return { error: 'Paste or load a policy first.' };
  try {
    const policy: unknown = JSON.parse(text);
    if (typeof policy !== 'object' || policy === null || Array.isArray(policy)) {
      return { error: 'A policy is a JSON object, e.g. { "thresholds": { … } }.' };
    }
    return { policy: policy as Record<string, unknown> };
  } catch (e) {
    return { error: `Not valid JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
};

type OutcomeTable = NonNullable<ReplayResult['outcomes']>;

/** Known frauds and good users in an outcome table, and how many are caught (review or block) and blocked. */
const knownOf = (table: OutcomeTable) => {
  const sum = (label: 'fraud' | 'legit') => DECISIONS.reduce((n, d) => n + (table[d]?.[label] ?? 0), 0);
  return {
    frauds: sum('fraud'),
    caught: (table.review?.fraud ?? 0) + (table.block?.fraud ?? 0),
    good: sum('legit'),
    blocked: table.block?.legit ?? 0,
  };
};

const partOf = (part: number, whole: number): string =>
  whole === 0 ? '–' : `${formatCount(part)} of ${formatCount(whole)} (${Math.round((part / whole) * 100)}%)`;

/** The labelled verdicts (docs/outcomes.md) as decided and under the candidate: frauds caught, good users blocked. */
const KnownOutcomes = ({ result }: { result: ReplayResult }) => {
  if (!result.outcomes) return null;
  const candidate = knownOf(result.outcomes);
  const current = result.current ? knownOf(result.current.outcomes) : null;
  if (candidate.frauds + candidate.good === 0) {
    return (
      <p class="muted small known-outcomes">
        No labelled verdicts among them: label outcomes (reviews, the label command, Stripe fraud reports) to
        see what the candidate would catch.
      </p>
    );
  }
  return (
    <table class="data known-outcomes" aria-label="Known outcomes">
      <thead>
        <tr>
          <th scope="col">Labelled verdicts</th>
          {current && <th scope="col">As decided</th>}
          <th scope="col">Candidate</th>
        </tr>
      </thead>
      <tbody>
        <tr>
          <th scope="row">Known frauds caught</th>
          {current && <td>{partOf(current.caught, current.frauds)}</td>}
          <td>
            <strong>{partOf(candidate.caught, candidate.frauds)}</strong>
          </td>
        </tr>
        <tr>
          <th scope="row">Known good users blocked</th>
          {current && <td>{partOf(current.blocked, current.good)}</td>}
          <td>
            <strong>{partOf(candidate.blocked, candidate.good)}</strong>
          </td>
        </tr>
      </tbody>
    </table>
  );
};

/** An unresolved entry as the API reports it (`{ verdict_id, from, why }`), or a bare verdict id. */
const describeUnresolved = (entry: unknown): { id: string | null; from: Decision | null; why: string } => {
  if (typeof entry === 'string') return { id: entry, from: null, why: '' };
  if (typeof entry !== 'object' || entry === null) return { id: null, from: null, why: String(entry) };
  const record = entry as Record<string, unknown>;
  const id = typeof record.verdict_id === 'string' ? record.verdict_id : null;
  const from = DECISIONS.find((d) => d === record.from) ?? null;
  const why = [record.why, record.reason, record.message].find((v): v is string => typeof v === 'string');
  return { id, from, why: why ?? '' };
};

const Transitions = ({
  result,
  filter,
  onFilter,
}: {
  result: ReplayResult;
  filter: [Decision, Decision] | null;
  onFilter: (f: [Decision, Decision] | null) => void;
}) => (
  <table class="data matrix">
    <caption>
      Current decision (rows) → decision under the candidate (columns). Select a changed cell to list its
      verdicts.
    </caption>
    <thead>
      <tr>
        <th scope="col">Now \ Candidate</th>
        {DECISIONS.map((to) => (
          <th key={to} scope="col">
            <DecisionBadge decision={to} />
          </th>
        ))}
      </tr>
    </thead>
    <tbody>
      {DECISIONS.map((from) => (
        <tr key={from}>
          <th scope="row">
            <DecisionBadge decision={from} />
          </th>
          {DECISIONS.map((to) => {
            const n = result.transitions[from]?.[to] ?? 0;
            const changed = from !== to && n > 0;
            const active = filter !== null && filter[0] === from && filter[1] === to;
            return (
              <td key={to} class={`num ${from === to ? 'same' : changed ? 'changed' : ''}`}>
                {changed ? (
                  <button
                    type="button"
                    class="cell-button"
                    aria-pressed={active}
                    aria-label={`${formatCount(n)} from ${DECISION_LABEL[from]} to ${DECISION_LABEL[to]}`}
                    onClick={() => onFilter(active ? null : [from, to])}
                  >
                    {formatCount(n)}
                  </button>
                ) : (
                  formatCount(n)
                )}
              </td>
            );
          })}
        </tr>
      ))}
    </tbody>
  </table>
);

export const WhatIfView = () => {
  const { api, target } = useApp();
  const [text, setText] = useState(EXAMPLE);
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const [source, setSource] = useState<'' | Source>('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<ReplayResult | null>(null);
  const [filter, setFilter] = useState<[Decision, Decision] | null>(null);
  const [known, setKnown] = useState<Map<string, Verdict>>(new Map());
  /** The policy the result was replayed under: what "Apply" and "Run as shadow" send. */
  const [replayed, setReplayed] = useState<Record<string, unknown> | null>(null);

  /** Best effort: finds the changed verdicts among the newest of the range, to show who they are. */
  const enrich = async (answer: ReplayResult, range: VerdictFilters) => {
    const wanted = new Set([
      ...answer.items
        .filter((i) => i.from !== i.to)
        .slice(0, MAX_ITEMS_SHOWN)
        .map((i) => i.verdict_id),
      ...(answer.unresolved ?? [])
        .slice(0, MAX_ITEMS_SHOWN)
        .map((u) => describeUnresolved(u).id)
        .filter((id): id is string => id !== null),
    ]);
    const found = new Map<string, Verdict>();
    let cursor: string | undefined;
    try {
      for (let page = 0; page < ENRICH_PAGES && found.size < wanted.size; page++) {
        const batch = await api.verdicts({ ...range, limit: 100, ...(cursor ? { cursor } : {}) });
        for (const v of batch.items) if (wanted.has(v.verdict_id)) found.set(v.verdict_id, v);
        if (!batch.next_cursor) break;
        cursor = batch.next_cursor;
      }
    } catch {
      // the ids alone still identify the verdicts
    }
    setKnown(found);
  };

  const run = async () => {
    const parsed = parsePolicy(text);
    if ('error' in parsed) {
      setError(parsed.error);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const s = localInputToIso(since);
      const u = localInputToIso(until);
      const range = { ...(s ? { since: s } : {}), ...(u ? { until: u } : {}), ...(source ? { source } : {}) };
      const answer = await api.replay({ policy: parsed.policy, ...range });
      setKnown(new Map());
      setResult(answer);
      setReplayed(parsed.policy);
      setFilter(null);
      void enrich(answer, range);
    } catch (e) {
      setError(describeFailure(e, target));
      setResult(null);
    } finally {
      setBusy(false);
    }
  };

  const items = result
    ? result.items.filter((i) => i.from !== i.to && (!filter || (i.from === filter[0] && i.to === filter[1])))
    : [];
  const unresolved = Array.isArray(result?.unresolved) ? result.unresolved : [];

  return (
    <div class="whatif">
      <form
        class="panel whatif-form"
        aria-labelledby="candidate-heading"
        onSubmit={(event) => {
          event.preventDefault();
          void run();
        }}
      >
        <h2 id="candidate-heading">Candidate policy</h2>
        <p class="muted small">
          Stored verdicts are decided again under this policy (merged over the defaults, as at start-up), from
          their recorded risk levels. No Defastra call is made and nothing is changed.
        </p>
        <label for="policy-text">Policy JSON</label>
        <textarea
          id="policy-text"
          class="code"
          rows={14}
          spellcheck={false}
          value={text}
          onInput={(event) => setText(event.currentTarget.value)}
        />
        <label class="file">
          Or load a file
          <input
            type="file"
            accept=".json,application/json"
            onChange={async (event) => {
              const file = event.currentTarget.files?.[0];
              if (file) setText(await file.text());
            }}
          />
        </label>
        <div class="form-row">
          <label>
            Since <span class="muted">(default: 7 days ago)</span>
            <input
              type="datetime-local"
              value={since}
              onInput={(event) => setSince(event.currentTarget.value)}
            />
          </label>
          <label>
            Until <span class="muted">(default: now)</span>
            <input
              type="datetime-local"
              value={until}
              onInput={(event) => setUntil(event.currentTarget.value)}
            />
          </label>
          <label>
            Source
            <select value={source} onChange={(event) => setSource(event.currentTarget.value as '' | Source)}>
              <option value="">All</option>
              {SOURCES.map((s) => (
                <option key={s} value={s}>
                  {SOURCE_LABEL[s]}
                </option>
              ))}
            </select>
          </label>
        </div>
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? 'Replaying…' : 'Run what-if'}
        </button>
        {error && <ErrorBox message={error} />}
      </form>
      <section class="panel whatif-result" aria-labelledby="result-heading" aria-live="polite">
        <h2 id="result-heading">Result</h2>
        {!result && <p class="muted">Run a candidate to see how decisions would move.</p>}
        {result && (
          <>
            <p class="summary">
              <strong>{formatCount(result.changed)}</strong> of {formatCount(result.total)} verdicts would
              change
              {unresolved.length > 0 && (
                <span class="muted">· {formatCount(unresolved.length)} could not be decided again</span>
              )}
              {result.truncated && (
                <span class="tag tag-warn">only the first {formatCount(result.total)} were replayed</span>
              )}
            </p>
            <KnownOutcomes result={result} />
            <Transitions result={result} filter={filter} onFilter={setFilter} />
            {replayed && <PromoteCandidate policy={replayed} />}
            {unresolved.length > 0 && (
              <section class="callout callout-warn unresolved" aria-labelledby="unresolved-heading">
                <h3 id="unresolved-heading">Could not be decided again ({formatCount(unresolved.length)})</h3>
                <p class="small">These verdicts are left out of the table above.</p>
                <ul class="plain">
                  {unresolved.slice(0, MAX_ITEMS_SHOWN).map((entry, i) => {
                    const { id, from, why } = describeUnresolved(entry);
                    const v = id ? known.get(id) : undefined;
                    return (
                      <li key={id ?? i}>
                        {from && <DecisionBadge decision={from} />}{' '}
                        {id && (
                          <a class="masked" href={href('verdicts', id)} title={`Verdict ${id}`}>
                            {v?.email?.masked ?? v?.phone?.masked ?? id}
                          </a>
                        )}{' '}
                        <span>{why}</span>
                      </li>
                    );
                  })}
                </ul>
              </section>
            )}
            <h3>
              Verdicts that would change
              {filter && (
                <span class="muted">
                  {' '}
                  ({DECISION_LABEL[filter[0]]} → {DECISION_LABEL[filter[1]]}){' '}
                  <button type="button" class="linkish" onClick={() => setFilter(null)}>
                    show all
                  </button>
                </span>
              )}
            </h3>
            {items.length === 0 ? (
              <p class="muted">None.</p>
            ) : (
              <table class="data compact">
                <thead>
                  <tr>
                    <th scope="col">Signup</th>
                    <th scope="col">Screened</th>
                    <th scope="col">Source</th>
                    <th scope="col">Now</th>
                    <th scope="col">Candidate</th>
                  </tr>
                </thead>
                <tbody>
                  {items.slice(0, MAX_ITEMS_SHOWN).map((item) => {
                    const v = known.get(item.verdict_id);
                    return (
                      <tr key={item.verdict_id}>
                        <td>
                          <a
                            class="masked"
                            href={href('verdicts', item.verdict_id)}
                            title={`Verdict ${item.verdict_id}`}
                          >
                            {v?.email?.masked ?? v?.phone?.masked ?? item.verdict_id}
                          </a>
                        </td>
                        <td>{v ? <Age iso={v.created_at} /> : <span class="muted">—</span>}</td>
                        <td>{v ? <SourceTag source={v.source} /> : <span class="muted">—</span>}</td>
                        <td>
                          <DecisionBadge decision={item.from} />
                        </td>
                        <td>
                          <DecisionBadge decision={item.to} />
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            )}
            {items.length > MAX_ITEMS_SHOWN && (
              <p class="muted small">
                Showing {MAX_ITEMS_SHOWN} of {formatCount(items.length)}; the CLI's <code>replay --json</code>{' '}
                gives them all.
              </p>
            )}
          </>
        )}
      </section>
    </div>
  );
};
