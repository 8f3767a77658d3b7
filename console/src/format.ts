/** How values read on screen: dates in the analyst's time zone, counts, shares and the API's codes as words. */

import type { ListKind } from '../../shared/core/vocabulary.js';
import type { Decision, Source } from './api/types.js';

const dateTime = new Intl.DateTimeFormat(undefined, {
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
});
const dateTimeWithYear = new Intl.DateTimeFormat(undefined, {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const fullDateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const dayOnly = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
const dayWithYear = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
const integer = new Intl.NumberFormat();

/** Whether `date` falls in the current year (in the analyst's time zone): then the year goes without saying. */
const thisYear = (date: Date, now: number): boolean => date.getFullYear() === new Date(now).getFullYear();

/** "30 Nov, 02:09" this year, "1 Jan 2030, 00:00" in any other (the analyst's locale decides the order). */
export const formatDateTime = (iso: string, now: number = Date.now()): string => {
  const date = new Date(iso);
  return (thisYear(date, now) ? dateTime : dateTimeWithYear).format(date);
};
export const formatFullDateTime = (iso: string): string => fullDateTime.format(new Date(iso));
/** "30 Nov" this year, "30 Nov 2025" in any other. */
export const formatDay = (iso: string, now: number = Date.now()): string => {
  const date = new Date(iso);
  return (thisYear(date, now) ? dayOnly : dayWithYear).format(date);
};
export const formatCount = (n: number): string => integer.format(n);

/** `0.123` → `12.3%`; `—` when there is nothing to divide. */
export const formatShare = (part: number, whole: number): string =>
  whole > 0 ? `${((100 * part) / whole).toFixed(part === whole || part === 0 ? 0 : 1)}%` : '—';

/** "just now", "4 min ago", "3 h ago", "2 days ago", then the date. */
export const formatAge = (iso: string, now: number = Date.now()): string => {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  if (days < 7) return `${days} day${days === 1 ? '' : 's'} ago`;
  return formatDateTime(iso, now);
};

export const DECISION_LABEL: Record<Decision, string> = { allow: 'Allow', review: 'Review', block: 'Block' };

export const SOURCE_LABEL: Record<Source, string> = {
  auth0: 'Auth0',
  stripe: 'Stripe',
  api: 'API',
  cognito: 'Cognito',
  supabase: 'Supabase',
  okta: 'Okta',
  kratos: 'Ory Kratos',
  paddle: 'Paddle',
  clerk: 'Clerk',
  firebase: 'Firebase',
  workos: 'WorkOS',
};

export const KIND_LABEL: Record<ListKind, string> = {
  email: 'Email',
  email_domain: 'Email domain',
  phone: 'Phone',
  ip: 'IP address',
};

const REASON_LABEL: Record<string, string> = {
  allowlist: 'Allow list',
  blocklist: 'Block list',
  email_risk: 'Email risk',
  phone_risk: 'Phone risk',
  defastra_error: 'Defastra error',
  invalid_email: 'Invalid email',
  invalid_phone: 'Invalid phone',
  no_identifiers: 'No identifiers',
  velocity: 'Velocity',
  spend_limit: 'Spend limit',
};

export const reasonLabel = (code: string): string => REASON_LABEL[code] ?? code.replace(/_/g, ' ');

/** A `datetime-local` input's value (local time, no zone) as an ISO instant; undefined when empty or invalid. */
export const localInputToIso = (value: string): string | undefined => {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
};
