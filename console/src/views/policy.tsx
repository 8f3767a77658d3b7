/**
 * The policy at runtime (docs/policy-lifecycle.md): the active version, the shadow if one is set, the audit trail
 * with authors and comments, a side-by-side diff between any two versions, and rollback after a confirmation.
 */
import { useEffect, useState } from 'preact/hooks';
import { diffValue, policyDiff } from '../../../shared/policy-lifecycle/diff.js';
import { describeFailure } from '../api/errors.js';
import type { PolicyVersionAnswer, PolicyVersionSummary } from '../api/types.js';
import { ErrorBox } from '../components/status.js';
import { useApp } from '../context.js';
import { formatDateTime } from '../format.js';
import { href } from '../router.js';

/** The audit trail read at most this deep (100 versions a page). */
const HISTORY_PAGES = 5;

const Author = ({ v }: { v: PolicyVersionSummary }) => (
  <>
    {v.created_at ? <time dateTime={v.created_at}>{formatDateTime(v.created_at)}</time> : 'bundled file'}
    {' · '}
    <span class="masked" title={v.created_by}>
      {v.created_by}
    </span>
  </>
);

const Active = ({
  active,
  shadow,
  onCleared,
}: {
  active: PolicyVersionAnswer;
  shadow: PolicyVersionAnswer | null;
  onCleared: () => void;
}) => {
  const { api, notify, target } = useApp();
  const [busy, setBusy] = useState(false);
  const mode = active.policy.mode === 'monitor' ? 'monitor' : 'enforce';
  return (
    <section class="panel" aria-labelledby="active-heading">
      <h2 id="active-heading">
        Active version <code>{active.version}</code>{' '}
        <span class={`tag ${mode === 'monitor' ? 'tag-warn' : ''}`}>{mode}</span>
      </h2>
      <p class="small">
        <Author v={active} />
        {active.comment && <> · {active.comment}</>}
      </p>
      {shadow ? (
        <p class="small">
          Shadow <code>{shadow.version}</code> (<Author v={shadow} />
          {shadow.comment && <> · {shadow.comment}</>}): every screening is also decided under it, never
          enforced; the overview shows how decisions would move.{' '}
          <button
            type="button"
            class="btn btn-quiet btn-small"
            disabled={busy}
            onClick={async () => {
              setBusy(true);
              try {
                await api.clearShadowPolicy();
                notify(`Shadow ${shadow.version} cleared.`, 'success');
                onCleared();
              } catch (e) {
                notify(`Not cleared: ${describeFailure(e, target)}`, 'error');
              } finally {
                setBusy(false);
              }
            }}
          >
            Clear shadow
          </button>
        </p>
      ) : (
        <p class="muted small">
          No shadow policy. Try a candidate on past verdicts in <a href={href('what-if')}>What-if</a>, then
          run it as a shadow or apply it.
        </p>
      )}
    </section>
  );
};

const RollbackButton = ({
  version,
  active,
  onDone,
}: {
  version: string;
  active: string;
  onDone: () => void;
}) => {
  const { api, notify, target } = useApp();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!confirming) {
    return (
      <button type="button" class="btn btn-quiet btn-small" onClick={() => setConfirming(true)}>
        Roll back to {version}
      </button>
    );
  }
  return (
    <span class="confirm">
      <button
        type="button"
        class="btn btn-danger btn-small"
        disabled={busy}
        // biome-ignore lint/a11y/noAutofocus: the second step of a deliberate two-step action
        autoFocus
        onClick={async () => {
          setBusy(true);
          try {
            const created = await api.rollbackPolicy(version);
            notify(`${created.version} is active: the policy of ${version}, replacing ${active}.`, 'success');
            onDone();
          } catch (e) {
            notify(`Not rolled back: ${describeFailure(e, target)}`, 'error');
            setBusy(false);
            setConfirming(false);
          }
        }}
      >
        Confirm: replace {active} with {version}
      </button>{' '}
      <button type="button" class="btn btn-quiet btn-small" onClick={() => setConfirming(false)}>
        Cancel
      </button>
    </span>
  );
};

const Diff = ({ versions }: { versions: PolicyVersionSummary[] }) => {
  const { api, target } = useApp();
  const [from, setFrom] = useState(versions[1]?.version ?? versions[0]?.version ?? '');
  const [to, setTo] = useState(versions[0]?.version ?? '');
  const [docs, setDocs] = useState<[PolicyVersionAnswer, PolicyVersionAnswer] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!from || !to) return;
    let stale = false;
    Promise.all([api.policyVersion(from), api.policyVersion(to)]).then(
      (pair) => {
        if (!stale) {
          setDocs(pair);
          setError(null);
        }
      },
      (e: unknown) => {
        if (!stale) setError(describeFailure(e, target));
      },
    );
    return () => {
      stale = true;
    };
  }, [api, target, from, to]);
  const changes = docs ? policyDiff(docs[0].policy, docs[1].policy) : [];
  const picker = (label: string, value: string, set: (v: string) => void) => (
    <label>
      {label}
      <select value={value} onChange={(event) => set(event.currentTarget.value)}>
        {versions.map((v) => (
          <option key={v.version} value={v.version}>
            {v.version}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <section class="panel" aria-labelledby="diff-heading">
      <h2 id="diff-heading">Compare versions</h2>
      <div class="form-row">
        {picker('From', from, setFrom)}
        {picker('To', to, setTo)}
      </div>
      {error && <ErrorBox message={error} />}
      {docs &&
        (changes.length === 0 ? (
          <p class="muted">
            No difference between {docs[0].version} and {docs[1].version}.
          </p>
        ) : (
          <table class="data compact policy-diff">
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">{docs[0].version}</th>
                <th scope="col">{docs[1].version}</th>
              </tr>
            </thead>
            <tbody>
              {changes.map((c) => (
                <tr key={c.path}>
                  <th scope="row">
                    <code>{c.path}</code>
                  </th>
                  <td>
                    <code class="before">{diffValue(c.before)}</code>
                  </td>
                  <td>
                    <code class="after">{diffValue(c.after)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
    </section>
  );
};

export const PolicyView = () => {
  const { api, target } = useApp();
  const [active, setActive] = useState<PolicyVersionAnswer | null>(null);
  const [shadow, setShadow] = useState<PolicyVersionAnswer | null>(null);
  const [versions, setVersions] = useState<PolicyVersionSummary[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  const reload = () => setGeneration((g) => g + 1);

  useEffect(() => {
    let stale = false;
    const load = async () => {
      const [current, currentShadow] = await Promise.all([api.policy(), api.shadowPolicy()]);
      const trail: PolicyVersionSummary[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < HISTORY_PAGES; page++) {
        const batch = await api.policyVersions({ limit: 100, ...(cursor ? { cursor } : {}) });
        trail.push(...batch.items);
        if (!batch.next_cursor) break;
        cursor = batch.next_cursor;
      }
      if (stale) return;
      setActive(current);
      setShadow(currentShadow);
      setVersions(trail);
      setError(null);
    };
    load().catch((e: unknown) => {
      if (!stale) setError(describeFailure(e, target));
    });
    return () => {
      stale = true;
    };
  }, [api, target, generation]);

  if (error) return <ErrorBox message={error} onRetry={reload} />;
  if (!active) return <p class="muted">Loading the policy…</p>;
  return (
    <div class="policy">
      <Active active={active} shadow={shadow} onCleared={reload} />
      <section class="panel" aria-labelledby="history-heading">
        <h2 id="history-heading">History</h2>
        <table class="data compact">
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Created</th>
              <th scope="col">Comment</th>
              <th scope="col">
                <span class="sr-only">Rollback</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {versions.map((v) => (
              <tr key={v.version}>
                <td>
                  <code>{v.version}</code>
                  {v.version === active.version && (
                    <>
                      {' '}
                      <span class="tag">active</span>
                    </>
                  )}
                </td>
                <td>
                  <Author v={v} />
                </td>
                <td>{v.comment ?? <span class="muted">—</span>}</td>
                <td>
                  {v.version !== active.version && (
                    <RollbackButton
                      key={`${v.version}-${generation}`}
                      version={v.version}
                      active={active.version}
                      onDone={reload}
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {versions.length > 0 && <Diff key={generation} versions={versions} />}
    </div>
  );
};
