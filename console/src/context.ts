/** What every view reaches: the API client, the toast line, and the pending-review count in the sidebar. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ApiClient } from './api/client.js';

export type Tone = 'info' | 'success' | 'error';

export interface AppServices {
  api: ApiClient;
  /** Shows a short message in the status area (read out by screen readers). */
  notify: (text: string, tone?: Tone) => void;
  /** Recounts the pending reviews shown in the navigation. */
  refreshPending: () => void;
}

export const AppContext = createContext<AppServices | null>(null);

export const useApp = (): AppServices => {
  const services = useContext(AppContext);
  if (!services) throw new Error('useApp outside the app');
  return services;
};
