/**
 * Clerk (docs/enforcement.md): the Backend API with the instance's secret key, `POST /v1/users/<id>/ban` to block and
 * `/unban` to undo. The user id is the `user.created` event's `data.id` (the verdict's `subject_ref`).
 */
import { baseUrlOf, type ProviderHttp, send } from '../http.js';
import { type Account, type AccountProvider, EnforcementError, requireSubject } from '../port.js';

export interface ClerkSettings extends ProviderHttp {
  /** `CLERK_API_BASE_URL`, default `https://api.clerk.com`. */
  baseUrl?: string;
  /** `CLERK_SECRET_KEY` (`sk_...`); null when not set. */
  secretKey: () => Promise<string | null>;
}

export const DEFAULT_CLERK_API_BASE_URL = 'https://api.clerk.com';
const USER_ID = /^[A-Za-z0-9_]{1,128}$/;

export const createClerkProvider = (settings: ClerkSettings): AccountProvider => {
  const base = baseUrlOf(settings.baseUrl ?? DEFAULT_CLERK_API_BASE_URL);
  const post = async (account: Account, step: 'ban' | 'unban'): Promise<void> => {
    const userId = requireSubject(account, USER_ID);
    const key = await settings.secretKey();
    if (!key) throw new EnforcementError('not_configured', false);
    await send(settings, `${base}/v1/users/${userId}/${step}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, accept: 'application/json' },
    });
  };
  return {
    block: (account) => post(account, 'ban'),
    unblock: (account) => post(account, 'unban'),
  };
};
