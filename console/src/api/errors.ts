/**
 * Failures in the analyst's words: the API's and the console server's error answers (`body field "value":
 * not a valid ip; ...`, `upstream_unavailable`, HTTP statuses) turned into sentences that say what went wrong
 * and what to do. Field names and status codes never reach the page.
 */
import { ApiFailure } from './client.js';

/** What each list kind's value must be, as the add form asks for it. */
const VALUE_OF_KIND: Record<string, string> = {
  email: 'an email address, like name@example.com',
  email_domain: 'a domain, like example.com',
  phone: 'a phone number with its country code, like +33 6 12 34 56 78',
  ip: 'an IPv4 or IPv6 address, like 203.0.113.7',
};

const KIND_NAME: Record<string, string> = {
  email: 'email address',
  email_domain: 'email domain',
  phone: 'phone number',
  ip: 'IP address',
};

/** The fields an analyst fills in, by the names the page shows. */
const FIELD_LABEL: Record<string, string> = {
  value: 'value',
  note: 'note',
  expires_at: 'expiry date',
  kind: 'kind',
  action: 'action',
  outcome: 'decision',
  email: 'email',
  phone: 'phone',
  since: 'start of the period',
  until: 'end of the period',
  source: 'source',
  policy: 'candidate policy',
};

const sentence = (text: string): string => {
  const trimmed = text.trim().replace(/[.;:]+$/, '');
  return `${trimmed.charAt(0).toUpperCase()}${trimmed.slice(1)}.`;
};

/** A 400 `invalid_request`: `<where> field "<name>": <detail>` or `<where>: <detail>`, in words. */
const invalidRequest = (message: string): string => {
  const field = /^(?:body|query) field "([^"]+)": (.*)$/s.exec(message);
  if (!field) {
    const whole = /^(?:body|query): (.*)$/s.exec(message);
    return whole ? sentence(whole[1]!) : 'The API refused this request: check what you entered.';
  }
  const [, name, detail] = field as unknown as [string, string, string];
  const kind = /^not a valid (email_domain|email|phone|ip)\b/.exec(detail)?.[1];
  if (name === 'value' && kind) {
    return `That is not a valid ${KIND_NAME[kind]}: enter ${VALUE_OF_KIND[kind]}.`;
  }
  if (name === 'expires_at' && /future/.test(detail)) return 'The expiry date must be in the future.';
  if (name === 'email') return 'That is not a valid email address.';
  if (name === 'phone')
    return 'That is not a valid phone number: include the country code, like +33 6 12 34 56 78.';
  if (name === 'note' || /\btoo (big|long)\b|<=\s*\d+ characters/i.test(detail)) {
    return `The ${FIELD_LABEL[name] ?? 'text'} is too long.`;
  }
  // A candidate policy names the setting that is wrong: that path is the analyst's own text.
  if (name === 'policy') return `The candidate policy is not valid: ${detail.replace(/\.$/, '')}.`;
  const label = FIELD_LABEL[name.split('.')[0] ?? ''];
  return label
    ? `Check the ${label}: the API did not accept it.`
    : 'The API refused this request: check what you entered.';
};

/**
 * A failure as one or two sentences for the page. `target` is the API's address, shown when it cannot be
 * reached. Anything that is not an ApiFailure is a bug in the page: said plainly, without its details.
 */
export const describeFailure = (error: unknown, target?: string): string => {
  if (!(error instanceof ApiFailure)) return 'Something went wrong in the page. Reload it and try again.';
  const api = target ? `The signup-gate API at ${target}` : 'The signup-gate API';
  switch (error.code) {
    case 'console_unreachable':
      return 'The console has stopped. Run npx signup-gate console again and open the new login link.';
    case 'upstream_unavailable':
      return `${api} does not answer. Is npm start (or your deployed stack) running?`;
    case 'upstream_unauthorized':
      return `${api} refused the console's credentials. Restart the console with the API token (API_TOKEN or DATA_DIR) or AWS profile that the API accepts.`;
    case 'bad_upstream_response':
      return `${api} answered something the console cannot read. Check the --url the console was started with.`;
    case 'csrf_failed':
      return 'The console refused this change as it did not come from this page. Reload the page and try again.';
    case 'unauthorized':
      return 'Your console session has ended.';
    case 'invalid_request':
      return invalidRequest(error.message);
    case 'payload_too_large':
      return 'That is too large to send (at most 256 KiB).';
    case 'in_progress':
      return 'Another change to this is in progress. Try again in a moment.';
    case 'store_unavailable':
      return 'The verdict store is not available right now. Try again in a moment.';
    default:
      break;
  }
  if (error.status === 404) return 'Not found: it may have been removed or may have expired.';
  if (error.status === 429) return 'Too many requests right now. Wait a moment and try again.';
  if (error.status >= 500)
    return 'The API failed on this request. Try again; if it keeps failing, look at its log.';
  if (error.status === 400) return 'The API refused this request: check what you entered.';
  return `The API refused this request (HTTP ${error.status}).`;
};
