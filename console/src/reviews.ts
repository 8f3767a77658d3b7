/**
 * Review decisions with an undo: a decision is sent UNDO_MS after it is made, unless the analyst takes it
 * back first (the toast's Undo button, or `u`). One decision waits at a time: the next decision, leaving
 * the view, signing out or closing the tab sends the waiting one at once.
 */
import { useCallback, useEffect, useMemo, useRef } from 'preact/hooks';
import type { ApiClient } from './api/client.js';
import { describeFailure } from './api/errors.js';
import type { ReviewRequest, Verdict } from './api/types.js';
import type { Notify } from './context.js';
import { UNDO_MS } from './undo-window.js';

export { UNDO_MS };

export interface ReviewCallbacks {
  /** What the toast says, e.g. "Approved o***@example.org." */
  label: string;
  /** The API recorded the review: its updated verdict. */
  onSaved?: (updated: Verdict) => void;
  /** Undone before it was sent, or refused by the API: the verdict is back as it was. */
  onReturned?: () => void;
}

export interface DeferredReviews {
  /** Sends any waiting decision, then holds this one for UNDO_MS. */
  schedule: (verdict: Verdict, request: ReviewRequest, callbacks: ReviewCallbacks) => void;
  /** Takes back the waiting decision; false when there is none. */
  undo: () => boolean;
  /** Sends the waiting decision now (`keepalive` when the page is going away). */
  flush: (keepalive?: boolean) => void;
}

interface Waiting {
  verdict: Verdict;
  request: ReviewRequest;
  callbacks: ReviewCallbacks;
  timer: ReturnType<typeof setTimeout>;
  toast: number;
}

export const useDeferredReviews = (
  api: ApiClient,
  notify: Notify,
  dismiss: (id: number) => void,
  afterSave: () => void,
  target: string,
): DeferredReviews => {
  const waiting = useRef<Waiting | null>(null);

  const send = useCallback(
    (keepalive = false) => {
      const item = waiting.current;
      if (!item) return;
      waiting.current = null;
      clearTimeout(item.timer);
      dismiss(item.toast);
      api.review(item.verdict.verdict_id, item.request, { keepalive }).then(
        (updated) => {
          item.callbacks.onSaved?.(updated);
          afterSave();
        },
        (error: unknown) => {
          item.callbacks.onReturned?.();
          notify(`Not saved: ${item.callbacks.label} ${describeFailure(error, target)}`, 'error');
        },
      );
    },
    [api, notify, dismiss, afterSave, target],
  );

  const undo = useCallback((): boolean => {
    const item = waiting.current;
    if (!item) return false;
    waiting.current = null;
    clearTimeout(item.timer);
    dismiss(item.toast);
    item.callbacks.onReturned?.();
    notify('Undone: nothing was sent.', 'info');
    return true;
  }, [notify, dismiss]);

  const schedule = useCallback(
    (verdict: Verdict, request: ReviewRequest, callbacks: ReviewCallbacks) => {
      send();
      const toast = notify(callbacks.label, 'success', {
        action: { label: 'Undo', key: 'u', run: () => undo() },
        ms: null,
      });
      waiting.current = { verdict, request, callbacks, toast, timer: setTimeout(() => send(), UNDO_MS) };
    },
    [send, undo, notify],
  );

  // Closing the tab or leaving the page sends the waiting decision rather than losing it.
  useEffect(() => {
    const away = () => send(true);
    window.addEventListener('pagehide', away);
    return () => window.removeEventListener('pagehide', away);
  }, [send]);

  return useMemo(() => ({ schedule, undo, flush: send }), [schedule, undo, send]);
};
