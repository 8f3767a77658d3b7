/** What every view reaches: the API client, the status line (toasts), review decisions with undo, and the pending count. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ApiClient } from './api/client.js';
import type { DeferredReviews } from './reviews.js';

export type Tone = 'info' | 'success' | 'error';

/** A button in a toast (Undo), with the key that does the same. */
export interface ToastAction {
  label: string;
  key?: string;
  run: () => void;
}

export interface ToastOptions {
  action?: ToastAction;
  /** How long it stays; null = until dismissed or replaced. Default: 5 s, 9 s for an error. */
  ms?: number | null;
}

/** Shows a short message in the status line (read out by screen readers); returns its id. */
export type Notify = (text: string, tone?: Tone, options?: ToastOptions) => number;

export interface AppServices {
  api: ApiClient;
  notify: Notify;
  /** Review decisions, sent after a few seconds unless undone. */
  reviews: DeferredReviews;
  /** Recounts the pending reviews shown in the navigation. */
  refreshPending: () => void;
  /** The API's address, for messages about it. */
  target: string;
}

export const AppContext = createContext<AppServices | null>(null);

export const useApp = (): AppServices => {
  const services = useContext(AppContext);
  if (!services) throw new Error('useApp outside the app');
  return services;
};
