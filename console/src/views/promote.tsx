/**
 * What-if's way forward (docs/policy-lifecycle.md): apply the replayed candidate as the active version, after a
 * confirmation naming the version it replaces, or run it as the shadow policy on live traffic.
 */
import { useState } from 'preact/hooks';
import { describeFailure } from '../api/errors.js';
import type { PolicyDocument } from '../api/types.js';
import { useApp } from '../context.js';
import { href } from '../router.js';

export const PromoteCandidate = ({ policy }: { policy: PolicyDocument }) => {
  const { api, notify, target } = useApp();
  /** The active version the operator is asked to replace, once "Apply" was pressed. */
  const [replacing, setReplacing] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const act = async (work: () => Promise<void>, failure: string) => {
    setBusy(true);
    try {
      await work();
    } catch (e) {
      notify(`${failure}: ${describeFailure(e, target)}`, 'error');
    } finally {
      setBusy(false);
      setReplacing(null);
    }
  };

  return (
    <fieldset class="promote">
      <legend class="sr-only">Use this candidate</legend>
      {replacing === null ? (
        <button
          type="button"
          class="btn btn-primary btn-small"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            try {
              setReplacing((await api.policy()).version);
            } catch (e) {
              notify(`Cannot read the active version: ${describeFailure(e, target)}`, 'error');
            } finally {
              setBusy(false);
            }
          }}
        >
          Apply this policy
        </button>
      ) : (
        <span class="confirm">
          <button
            type="button"
            class="btn btn-danger btn-small"
            disabled={busy}
            // biome-ignore lint/a11y/noAutofocus: the second step of a deliberate two-step action
            autoFocus
            onClick={() =>
              act(async () => {
                const created = await api.applyPolicy(policy, replacing, 'applied from the what-if view');
                notify(`${created.version} is active, replacing ${replacing}.`, 'success');
              }, 'Not applied')
            }
          >
            Confirm: replace {replacing} with this policy
          </button>{' '}
          <button type="button" class="btn btn-quiet btn-small" onClick={() => setReplacing(null)}>
            Cancel
          </button>
        </span>
      )}{' '}
      <button
        type="button"
        class="btn btn-quiet btn-small"
        disabled={busy}
        onClick={() =>
          act(async () => {
            const shadow = await api.setShadowPolicy(policy, 'run as shadow from the what-if view');
            notify(`Shadow ${shadow.version} set: new screenings are also decided under it.`, 'success');
          }, 'Shadow not set')
        }
      >
        Run as shadow
      </button>{' '}
      <a class="small" href={href('policy')}>
        Policy versions
      </a>
    </fieldset>
  );
};
