/** Hash routes (`#/queue`, `#/verdicts/<id>`…): bookmarkable views with no server round trip. Filters stay out of the URL (they may hold an email). */
import { useEffect, useState } from 'preact/hooks';

export const VIEWS = ['queue', 'verdicts', 'overview', 'lists', 'policy', 'what-if'] as const;
export type ViewName = (typeof VIEWS)[number];

export interface Route {
  view: ViewName;
  /** A verdict id under `#/verdicts/<id>`. */
  id?: string;
}

export const parseHash = (hash: string): Route => {
  const [view, id] = hash.replace(/^#\/?/, '').split('/');
  const known = VIEWS.find((v) => v === view) ?? 'queue';
  return id && known === 'verdicts' && /^[A-Za-z0-9]{1,64}$/.test(id) ? { view: known, id } : { view: known };
};

export const href = (view: ViewName, id?: string): string => `#/${view}${id ? `/${id}` : ''}`;

export const navigate = (view: ViewName, id?: string): void => {
  window.location.hash = href(view, id);
};

export const useRoute = (): Route => {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
};
