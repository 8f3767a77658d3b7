/** Runtime allow and block lists (docs/lists.md): add an entry, filter, remove with a second click to confirm. */
import { useEffect, useState } from 'preact/hooks';
import { describeFailure } from '../api/errors.js';
import { LIST_KINDS, type ListAction, type ListEntry, type ListKind } from '../api/types.js';
import { ActionBadge, Age } from '../components/badges.js';
import { ErrorBox } from '../components/status.js';
import { useApp } from '../context.js';
import { formatDateTime, KIND_LABEL, localInputToIso } from '../format.js';

const PLACEHOLDER: Record<ListKind, string> = {
  email: 'name@example.com',
  email_domain: 'example.com (and its subdomains)',
  phone: '+33 6 12 34 56 78',
  ip: '203.0.113.7',
};

interface Draft {
  kind: ListKind;
  value: string;
  action: ListAction;
  note: string;
  expires: string;
}

const NEW: Draft = { kind: 'email', value: '', action: 'block', note: '', expires: '' };

const AddForm = ({ onAdded }: { onAdded: (entry: ListEntry) => void }) => {
  const { api, notify, target } = useApp();
  const [draft, setDraft] = useState<Draft>(NEW);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const expires = localInputToIso(draft.expires);
      const entry = await api.addListEntry({
        kind: draft.kind,
        value: draft.value.trim(),
        action: draft.action,
        ...(draft.note.trim() ? { note: draft.note.trim() } : {}),
        ...(expires ? { expires_at: expires } : {}),
      });
      notify(
        `${entry.action === 'allow' ? 'Allow' : 'Block'} entry for ${entry.masked} is active.`,
        'success',
      );
      setDraft({ ...NEW, kind: draft.kind, action: draft.action });
      onAdded(entry);
    } catch (e) {
      setError(describeFailure(e, target));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      class="panel add-entry"
      aria-labelledby="add-entry-heading"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <h2 id="add-entry-heading">Add an entry</h2>
      <p class="muted small">
        Applies to every screening that starts after it is added. Values are stored as keyed hashes and shown
        masked.
      </p>
      <div class="form-row">
        <label>
          Kind
          <select
            value={draft.kind}
            onChange={(event) => setDraft({ ...draft, kind: event.currentTarget.value as ListKind })}
          >
            {LIST_KINDS.map((k) => (
              <option key={k} value={k}>
                {KIND_LABEL[k]}
              </option>
            ))}
          </select>
        </label>
        <label class="grow">
          Value
          <input
            required
            autocomplete="off"
            value={draft.value}
            placeholder={PLACEHOLDER[draft.kind]}
            onInput={(event) => setDraft({ ...draft, value: event.currentTarget.value })}
          />
        </label>
        <fieldset class="segmented">
          <legend>Action</legend>
          {(['block', 'allow'] as const).map((action) => (
            <label key={action} class={`seg seg-${action}`}>
              <input
                type="radio"
                name="list-action"
                value={action}
                checked={draft.action === action}
                onChange={() => setDraft({ ...draft, action })}
              />
              <span>{action === 'allow' ? 'Allow' : 'Block'}</span>
            </label>
          ))}
        </fieldset>
      </div>
      <div class="form-row">
        <label class="grow">
          Note <span class="muted">(optional)</span>
          <input
            maxLength={500}
            value={draft.note}
            placeholder="Why? Ticket, case or customer reference"
            onInput={(event) => setDraft({ ...draft, note: event.currentTarget.value })}
          />
        </label>
        <label>
          Expires <span class="muted">(optional)</span>
          <input
            type="datetime-local"
            value={draft.expires}
            onInput={(event) => setDraft({ ...draft, expires: event.currentTarget.value })}
          />
        </label>
        <button type="submit" class="btn btn-primary" disabled={busy || !draft.value.trim()}>
          Add entry
        </button>
      </div>
      {error && <ErrorBox message={error} />}
    </form>
  );
};

const RemoveButton = ({ entry, onRemoved }: { entry: ListEntry; onRemoved: () => void }) => {
  const { api, notify, target } = useApp();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!confirming) {
    return (
      <button
        type="button"
        class="btn btn-quiet btn-small"
        aria-label={`Remove ${entry.action} entry ${entry.masked}`}
        onClick={() => setConfirming(true)}
      >
        Remove
      </button>
    );
  }
  return (
    <span class="confirm">
      <button
        type="button"
        class="btn btn-danger btn-small"
        disabled={busy}
        aria-label={`Confirm removing ${entry.masked}`}
        // biome-ignore lint/a11y/noAutofocus: the second step of a deliberate two-step action
        autoFocus
        onClick={async () => {
          setBusy(true);
          try {
            await api.removeListEntry(entry.entry_id);
            notify(`Removed ${entry.masked} from the ${entry.action} list.`, 'success');
            onRemoved();
          } catch (e) {
            notify(`Not removed: ${describeFailure(e, target)}`, 'error');
            setBusy(false);
            setConfirming(false);
          }
        }}
      >
        Confirm remove
      </button>
      <button type="button" class="btn btn-quiet btn-small" onClick={() => setConfirming(false)}>
        Keep
      </button>
    </span>
  );
};

export const ListsView = () => {
  const { api, target } = useApp();
  const [kind, setKind] = useState<'' | ListKind>('');
  const [action, setAction] = useState<'' | ListAction>('');
  const [text, setText] = useState('');
  const [items, setItems] = useState<ListEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);

  const load = async (more: boolean) => {
    setLoading(true);
    setError(null);
    try {
      const page = await api.lists({
        ...(kind ? { kind } : {}),
        ...(action ? { action } : {}),
        limit: 100,
        ...(more && cursor ? { cursor } : {}),
      });
      setItems(more ? [...items, ...page.items] : page.items);
      setCursor(page.next_cursor);
    } catch (e) {
      setError(describeFailure(e, target));
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    void load(false);
  }, [kind, action]);

  const needle = text.trim().toLowerCase();
  const shown = needle
    ? items.filter((e) => `${e.masked} ${e.note ?? ''} ${e.created_by}`.toLowerCase().includes(needle))
    : items;

  return (
    <div class="page">
      <AddForm
        onAdded={(entry) => setItems([entry, ...items.filter((e) => e.entry_id !== entry.entry_id)])}
      />
      <section class="panel" aria-labelledby="entries-heading">
        <div class="pane-head">
          <h2 id="entries-heading">
            Entries{' '}
            <span class="count">
              {shown.length}
              {cursor ? '+' : ''}
            </span>
          </h2>
          <form
            class="form-row tight"
            aria-label="Filter entries"
            onSubmit={(event) => event.preventDefault()}
          >
            <label class="inline">
              Kind
              <select value={kind} onChange={(event) => setKind(event.currentTarget.value as '' | ListKind)}>
                <option value="">All</option>
                {LIST_KINDS.map((k) => (
                  <option key={k} value={k}>
                    {KIND_LABEL[k]}
                  </option>
                ))}
              </select>
            </label>
            <label class="inline">
              Action
              <select
                value={action}
                onChange={(event) => setAction(event.currentTarget.value as '' | ListAction)}
              >
                <option value="">All</option>
                <option value="allow">Allow</option>
                <option value="block">Block</option>
              </select>
            </label>
            <label class="inline">
              Search
              <input
                type="search"
                value={text}
                placeholder="masked value, note, author"
                onInput={(event) => setText(event.currentTarget.value)}
              />
            </label>
          </form>
        </div>
        {error && <ErrorBox message={error} onRetry={() => void load(false)} />}
        <div class="table-wrap">
          <table class="data entries">
            <caption class="sr-only">List entries</caption>
            <thead>
              <tr>
                <th scope="col">Action</th>
                <th scope="col">Kind</th>
                <th scope="col">Value</th>
                <th scope="col">Note</th>
                <th scope="col">Added</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span class="sr-only">Remove</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((entry) => (
                <tr key={entry.entry_id}>
                  <td class="cell-action">
                    <ActionBadge action={entry.action} />
                  </td>
                  <td class="cell-kind">{KIND_LABEL[entry.kind] ?? entry.kind}</td>
                  <td class="cell-value masked">{entry.masked}</td>
                  <td class="cell-note note-cell">{entry.note ?? <span class="muted">—</span>}</td>
                  <td class="cell-added" data-label="Added">
                    <Age iso={entry.created_at} /> <span class="muted small">by {entry.created_by}</span>
                  </td>
                  <td class="cell-expires" data-label="Expires">
                    {entry.expires_at ? formatDateTime(entry.expires_at) : <span class="muted">never</span>}
                  </td>
                  <td class="cell-remove actions-cell">
                    <RemoveButton
                      entry={entry}
                      onRemoved={() => setItems((all) => all.filter((e) => e.entry_id !== entry.entry_id))}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {!loading && !error && shown.length === 0 && (
          <p class="empty muted">{items.length === 0 ? 'No entries yet.' : 'No entry matches the search.'}</p>
        )}
        {cursor && (
          <button type="button" class="btn btn-quiet more" disabled={loading} onClick={() => void load(true)}>
            Load more
          </button>
        )}
      </section>
    </div>
  );
};
