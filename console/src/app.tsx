/** The console's shell: navigation, the current view, toasts, the shortcut help, and the session's end. */
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ApiClient } from './api/client.js';
import type { SessionInfo } from './api/types.js';
import { ShortcutHelp } from './components/shortcut-help.js';
import { type Toast, Toasts } from './components/toasts.js';
import { AppContext, type AppServices, type Tone } from './context.js';
import { useShortcuts } from './keys.js';
import { href, navigate, useRoute, type ViewName } from './router.js';
import { ListsView } from './views/lists.js';
import { OverviewView } from './views/overview.js';
import { QueueView } from './views/queue.js';
import { VerdictsView } from './views/verdicts.js';
import { WhatIfView } from './views/what-if.js';

const NAV: Array<{ view: ViewName; label: string; title: string; key: string }> = [
  { view: 'queue', label: 'Review queue', title: 'Review queue', key: 'q' },
  { view: 'verdicts', label: 'Verdicts', title: 'Verdicts', key: 'v' },
  { view: 'overview', label: 'Overview', title: 'Overview', key: 'o' },
  { view: 'lists', label: 'Lists', title: 'Allow and block lists', key: 'l' },
  { view: 'what-if', label: 'What-if', title: 'What-if: replay a candidate policy', key: 'w' },
];

const PENDING_REFRESH_MS = 60_000;

export const SessionEnded = () => (
  <main class="ended">
    <h1>Your console session has ended</h1>
    <p>
      Run <code>npx signup-gate console</code> again and open the new login link it prints.
    </p>
  </main>
);

export const App = ({
  api,
  info,
  sessionLost,
}: {
  api: ApiClient;
  info: SessionInfo;
  sessionLost: boolean;
}) => {
  const route = useRoute();
  const [pending, setPending] = useState<string>('');
  const [toasts, setToasts] = useState<Toast[]>([]);
  const [help, setHelp] = useState(false);
  const lastToast = useRef(0);
  const heading = useRef<HTMLHeadingElement>(null);
  const firstView = useRef(true);

  const dismiss = useCallback((id: number) => setToasts((all) => all.filter((t) => t.id !== id)), []);
  const notify = useCallback(
    (text: string, tone: Tone = 'info') => {
      const id = ++lastToast.current;
      setToasts((all) => [...all.slice(-2), { id, text, tone }]);
      setTimeout(() => dismiss(id), tone === 'error' ? 9000 : 5000);
    },
    [dismiss],
  );
  const refreshPending = useCallback(() => {
    api.verdicts({ review: 'pending', limit: 100 }).then(
      (page) => setPending(`${page.items.length}${page.next_cursor ? '+' : ''}`),
      () => setPending(''),
    );
  }, [api]);

  useEffect(() => {
    refreshPending();
    const timer = setInterval(refreshPending, PENDING_REFRESH_MS);
    return () => clearInterval(timer);
  }, [refreshPending]);

  // Moving to another view puts focus on its heading, so a screen reader announces where the analyst is.
  useEffect(() => {
    if (firstView.current) {
      firstView.current = false;
      return;
    }
    heading.current?.focus();
  }, [route.view]);

  useEffect(() => {
    document.title = `${(NAV.find((n) => n.view === route.view) ?? NAV[0]!).title} · signup-gate console`;
  }, [route.view]);

  const goPrefix = useRef(0);
  const shortcuts: Record<string, () => boolean | undefined> = {
    '?': () => {
      setHelp(true);
      return true;
    },
    g: () => {
      goPrefix.current = Date.now();
      return true;
    },
  };
  for (const item of NAV) {
    const existing = shortcuts[item.key];
    shortcuts[item.key] = () => {
      if (Date.now() - goPrefix.current < 1500) {
        goPrefix.current = 0;
        navigate(item.view);
        return true;
      }
      return existing ? existing() : false;
    };
  }
  useShortcuts(shortcuts, { capture: true });

  const services: AppServices = useMemo(
    () => ({ api, notify, refreshPending }),
    [api, notify, refreshPending],
  );
  if (sessionLost) return <SessionEnded />;
  const current = NAV.find((n) => n.view === route.view) ?? NAV[0]!;

  return (
    <AppContext.Provider value={services}>
      <div class="shell">
        <a class="skip" href="#main">
          Skip to content
        </a>
        <nav class="sidebar" aria-label="Views">
          <p class="brand">
            signup-gate <span>console</span>
          </p>
          <ul class="nav">
            {NAV.map((item) => (
              <li key={item.view}>
                <a href={href(item.view)} aria-current={item.view === route.view ? 'page' : undefined}>
                  <span>{item.label}</span>
                  {item.view === 'queue' && pending && pending !== '0' && (
                    <span class="nav-count">
                      {pending}
                      <span class="sr-only"> pending</span>
                    </span>
                  )}
                </a>
              </li>
            ))}
          </ul>
          <div class="sidebar-foot">
            <p class="target" title={info.target.url}>
              <span class="target-label">API</span> {info.target.url.replace(/^https?:\/\//, '')}
              <span class="target-auth">
                {info.target.auth === 'sigv4' ? 'AWS SigV4' : 'local bearer token'}
              </span>
            </p>
            <button type="button" class="btn btn-side" onClick={() => setHelp(true)}>
              Shortcuts <kbd>?</kbd>
            </button>
            <button
              type="button"
              class="btn btn-side"
              onClick={() => {
                void api.logout().finally(() => window.location.reload());
              }}
            >
              Sign out
            </button>
          </div>
        </nav>
        <main id="main" class={`main main-${route.view}`}>
          <header class="topbar">
            <h1 ref={heading} tabIndex={-1}>
              {current.title}
            </h1>
          </header>
          {/* Remounting each view on entry keeps its data fresh. */}
          {route.view === 'queue' && <QueueView key="queue" onHelp={() => setHelp(true)} />}
          {route.view === 'verdicts' && <VerdictsView key="verdicts" selectedId={route.id} />}
          {route.view === 'overview' && <OverviewView key="overview" />}
          {route.view === 'lists' && <ListsView key="lists" />}
          {route.view === 'what-if' && <WhatIfView key="what-if" />}
        </main>
        <Toasts toasts={toasts} onDismiss={dismiss} />
        <ShortcutHelp open={help} onClose={() => setHelp(false)} />
      </div>
    </AppContext.Provider>
  );
};
