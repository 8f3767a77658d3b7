/**
 * The console's shell: navigation (a menu on narrow screens), the current view, the status line, review
 * decisions with undo, the shortcut help, the "API unreachable" state, and the session's end.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ApiClient, Reachability } from './api/client.js';
import type { SessionInfo } from './api/types.js';
import { ShortcutHelp } from './components/shortcut-help.js';
import { type Toast, Toasts } from './components/toasts.js';
import { Unreachable } from './components/unreachable.js';
import { AppContext, type AppServices, type Notify } from './context.js';
import { useShortcuts } from './keys.js';
import { useDeferredReviews } from './reviews.js';
import { href, navigate, useRoute } from './router.js';
import { entryOf, NAV } from './views/registry.js';

const PENDING_REFRESH_MS = 60_000;
/** While the API does not answer, how often the console asks again. */
const RECHECK_MS = 4_000;

export const SessionEnded = () => (
  <main class="ended">
    <p class="brand-line">
      signup-gate <span class="brand-sub">console</span>
    </p>
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
  reachability,
}: {
  api: ApiClient;
  info: SessionInfo;
  sessionLost: boolean;
  reachability: Reachability;
}) => {
  const route = useRoute();
  const [pending, setPending] = useState<string>('');
  const [toasts, setToasts] = useState<Toast[]>([]);
  const [help, setHelp] = useState(false);
  const [menuOpen, setMenuOpen] = useState(false);
  const [checking, setChecking] = useState(false);
  const lastToast = useRef(0);
  const heading = useRef<HTMLHeadingElement>(null);
  const shownView = useRef(route.view);
  const target = info.target.url;

  const dismiss = useCallback((id: number) => setToasts((all) => all.filter((t) => t.id !== id)), []);
  const notify: Notify = useCallback(
    (text, tone = 'info', options = {}) => {
      const id = ++lastToast.current;
      // One line of status: a new message replaces the previous one.
      setToasts([{ id, text, tone, action: options.action }]);
      const ms = options.ms === undefined ? (tone === 'error' ? 9000 : 5000) : options.ms;
      if (ms !== null) setTimeout(() => dismiss(id), ms);
      return id;
    },
    [dismiss],
  );
  const refreshPending = useCallback(() => {
    api.verdicts({ review: 'pending', limit: 100 }).then(
      (page) => setPending(`${page.items.length}${page.next_cursor ? '+' : ''}`),
      () => setPending(''),
    );
  }, [api]);
  const reviews = useDeferredReviews(api, notify, dismiss, refreshPending, target);

  useEffect(() => {
    refreshPending();
    const timer = setInterval(refreshPending, PENDING_REFRESH_MS);
    return () => clearInterval(timer);
  }, [refreshPending]);

  // Another view: the waiting review decision is sent, the status line cleared, the menu closed, and focus put
  // on the new heading so that a screen reader announces where the analyst is.
  useEffect(() => {
    if (shownView.current === route.view) return;
    shownView.current = route.view;
    reviews.flush();
    setToasts([]);
    setMenuOpen(false);
    heading.current?.focus();
  }, [route.view, reviews]);

  const current = entryOf(route.view);
  useEffect(() => {
    document.title = `${current.title} · signup-gate console`;
  }, [current]);

  /** Asks the API again (any cheap read): an answer brings the views back. */
  const recheck = useCallback(() => {
    setChecking(true);
    api
      .verdicts({ review: 'pending', limit: 1 })
      .then(refreshPending, () => undefined)
      .finally(() => setChecking(false));
  }, [api, refreshPending]);
  useEffect(() => {
    if (reachability !== 'api_down') return;
    const timer = setInterval(recheck, RECHECK_MS);
    return () => clearInterval(timer);
  }, [reachability, recheck]);

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
    u: () => reviews.undo(),
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
    () => ({ api, notify, reviews, refreshPending, target }),
    [api, notify, reviews, refreshPending, target],
  );
  if (sessionLost) return <SessionEnded />;
  const down = reachability !== 'up';

  return (
    <AppContext.Provider value={services}>
      <div class={`shell${menuOpen ? ' menu-open' : ''}`}>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <nav class="sidebar" aria-label="Views">
          <div class="sidebar-head">
            <p class="brand">
              signup-gate <span>console</span>
            </p>
            <button
              type="button"
              class="btn btn-side menu-toggle"
              aria-expanded={menuOpen}
              aria-controls="nav-menu"
              onClick={() => setMenuOpen(!menuOpen)}
            >
              {menuOpen ? 'Close' : 'Menu'}
            </button>
          </div>
          <div class="nav-menu" id="nav-menu">
            <ul class="nav">
              {NAV.map((item) => (
                <li key={item.view}>
                  <a
                    href={href(item.view)}
                    aria-current={item.view === route.view ? 'page' : undefined}
                    onClick={() => setMenuOpen(false)}
                  >
                    <span>{item.label}</span>
                    {item.view === 'queue' && pending && pending !== '0' && !down && (
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
              <p class="target" title={target}>
                <span class="target-label">API</span> {target.replace(/^https?:\/\//, '')}
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
                  reviews.flush();
                  void api.logout().finally(() => window.location.reload());
                }}
              >
                Sign out
              </button>
            </div>
          </div>
        </nav>
        <main id="main" class={`main${current.panes && !down ? ' main-panes' : ''}`}>
          <header class="topbar">
            <h1 ref={heading} tabIndex={-1}>
              {current.title}
            </h1>
            <Toasts toasts={toasts} onDismiss={dismiss} />
          </header>
          {down ? (
            <Unreachable state={reachability} target={target} checking={checking} onRetry={recheck} />
          ) : (
            // Remounting each view on entry keeps its data fresh.
            <div class="view" key={route.view}>
              {current.render({ route, openHelp: () => setHelp(true) })}
            </div>
          )}
        </main>
        <ShortcutHelp open={help} onClose={() => setHelp(false)} views={NAV} />
      </div>
    </AppContext.Provider>
  );
};
