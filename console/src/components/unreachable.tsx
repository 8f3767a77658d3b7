/** What the main area shows while the API (or the console server itself) does not answer, instead of empty views. */
import type { Reachability } from '../api/client.js';

export const Unreachable = ({
  state,
  target,
  checking,
  onRetry,
}: {
  state: Exclude<Reachability, 'up'>;
  target: string;
  checking: boolean;
  onRetry: () => void;
}) => (
  <section class="unreachable" role="alert" aria-labelledby="unreachable-title">
    {state === 'api_down' ? (
      <>
        <h2 id="unreachable-title">The API is unreachable</h2>
        <p>
          The console is running, but the signup-gate API at <code>{target}</code> does not answer, so there
          is nothing to show yet.
        </p>
        <ul>
          <li>
            On this machine: is <code>npm start</code> running in the signup-gate project?
          </li>
          <li>A deployed stack: check that it is up and that this machine can reach it.</li>
        </ul>
        <p class="muted">
          The console tries again every few seconds and shows your views as soon as it answers.
        </p>
      </>
    ) : (
      <>
        <h2 id="unreachable-title">The console has stopped</h2>
        <p>
          This page cannot reach the console server that served it. Run <code>npx signup-gate console</code>{' '}
          again and open the new login link it prints.
        </p>
      </>
    )}
    <button type="button" class="btn btn-primary" onClick={onRetry} disabled={checking}>
      {checking ? 'Checking…' : 'Try again'}
    </button>
  </section>
);
