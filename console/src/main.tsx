/** Entry of the console page: fetch the session (CSRF token, target), then render the app. */
import './styles.css';
import { render } from 'preact';
import { useState } from 'preact/hooks';
import { ApiClient, ApiFailure } from './api/client.js';
import type { SessionInfo } from './api/types.js';
import { App, SessionEnded } from './app.js';

const root = document.getElementById('app');

const Root = ({ api, info, lost }: { api: ApiClient; info: SessionInfo; lost: { set?: () => void } }) => {
  const [sessionLost, setSessionLost] = useState(false);
  lost.set = () => setSessionLost(true);
  return <App api={api} info={info} sessionLost={sessionLost} />;
};

const start = async () => {
  if (!root) return;
  const lost: { set?: () => void } = {};
  const api = new ApiClient(() => lost.set?.());
  try {
    const info = await api.session();
    render(<Root api={api} info={info} lost={lost} />, root);
  } catch (e) {
    if (e instanceof ApiFailure && e.status === 401) render(<SessionEnded />, root);
    else {
      root.textContent = `The console could not start: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
};

void start();
