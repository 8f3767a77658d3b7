/** The `npm start` banner: where the server listens, which Defastra it calls (and whether that costs money). */
import { DEFAULT_DEFASTRA_BASE_URL, isLiveDefastraUrl } from '../shared/config/local.js';
import type { LocalServer } from './server.js';

const isLoopback = (url: string): boolean => {
  if (!URL.canParse(url)) return false;
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
};

/** The Defastra line: always the URL, and plainly whether real (billed) checks are made. */
export const defastraLine = (info: LocalServer['info']): string => {
  const url = info.defastraUrl;
  if (info.mode === 'sandbox') {
    return `Defastra: built-in sandbox at ${url}, no real checks (set DEFASTRA_API_KEY to call the real API)`;
  }
  if (isLiveDefastraUrl(url)) {
    return `Defastra: LIVE API at ${url} (DEFASTRA_API_KEY is set: every check is real and billed)`;
  }
  if (isLoopback(url)) {
    return `Defastra: ${url} from DEFASTRA_BASE_URL, a server on this machine (e.g. npm run sandbox), not the live API`;
  }
  return `Defastra: ${url} from DEFASTRA_BASE_URL, not the live API ${DEFAULT_DEFASTRA_BASE_URL}`;
};

/** The start-up lines, never a secret. */
export const bannerLines = (server: Pick<LocalServer, 'url' | 'info'>): string[] => {
  const { info, url } = server;
  return [
    `signup-gate listening on ${url}`,
    `  ${defastraLine(info)}`,
    ...(info.sandboxFaults.length > 0 ? [`  faults:   ${info.sandboxFaults.join(', ')}`] : []),
    ...(info.ignored.length > 0 ? [`  ignored:  ${info.ignored.join(', ')}`] : []),
    `  store:    ${info.store}, data in ${info.dataDir}`,
    `  secrets:  ${info.secretsFile} (API token, hook secrets, hashing pepper)`,
    `  policy:   ${info.policy}`,
    `  events:   ${info.eventsFile} (verdict events, one JSON object per line)`,
    `  try:      curl -s ${url}/health`,
    '  stop:     Ctrl-C (or kill the npm start process)',
  ];
};
