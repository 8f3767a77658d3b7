/** Entry of the console page: fetch the session (CSRF token, target), then render the app in place of the loading line. */
import './styles.css';
import { type ComponentChild, render } from 'preact';
import { useState } from 'preact/hooks';
import { ApiClient, ApiFailure, type Reachability } from './api/client.js';
import { describeFailure } from './api/errors.js';
import type { SessionInfo } from './api/types.js';
import { App, SessionEnded } from './app.js';

const root = document.getElementById('app');

/** The client's events, wired to the rendered app once it exists. */
interface Wiring {
  lost?: () => void;
  reachability?: (state: Reachability) => void;
}

const Root = ({ api, info, wiring }: { api: ApiClient; info: SessionInfo; wiring: Wiring }) => {
  const [sessionLost, setSessionLost] = useState(false);
  const [reachability, setReachability] = useState<Reachability>('up');
  wiring.lost = () => setSessionLost(true);
  wiring.reachability = setReachability;
  return <App api={api} info={info} sessionLost={sessionLost} reachability={reachability} />;
};

/** Replaces the page's "Loading the console…" line (preact would otherwise render beside it). */
const show = (content: ComponentChild, into: HTMLElement) => {
  into.replaceChildren();
  render(content, into);
};

const start = async () => {
  if (!root) return;
  const wiring: Wiring = {};
  const api = new ApiClient({
    onSessionLost: () => wiring.lost?.(),
    onReachable: (state) => wiring.reachability?.(state),
  });
  try {
    const info = await api.session();
    show(<Root api={api} info={info} wiring={wiring} />, root);
  } catch (e) {
    if (e instanceof ApiFailure && e.status === 401) show(<SessionEnded />, root);
    else {
      show(
        <main class="ended">
          <h1>The console could not start</h1>
          <p>{describeFailure(e)}</p>
        </main>,
        root,
      );
    }
  }
};

void start();
