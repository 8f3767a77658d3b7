/**
 * Supabase (docs/enforcement.md): the Auth admin API with the project's service role key, `PUT
 * /auth/v1/admin/users/<user id>` with `{ "ban_duration": "876000h" }` (a hundred years) to block, `"none"` to undo.
 * The user id is the hook's `user.id` (the verdict's `subject_ref`).
 */
import { baseUrlOf, type ProviderHttp, send } from '../http.js';
import { type Account, type AccountProvider, EnforcementError, requireSubject } from '../port.js';

export interface SupabaseSettings extends ProviderHttp {
  /** `SUPABASE_URL`: the project URL, e.g. `https://<ref>.supabase.co`. */
  url: string;
  /** `SUPABASE_SERVICE_ROLE_KEY`; null when not set. */
  serviceRoleKey: () => Promise<string | null>;
}

export const BAN_DURATION = '876000h';
const USER_ID = /^[0-9a-fA-F-]{1,64}$/;

export const createSupabaseProvider = (settings: SupabaseSettings): AccountProvider => {
  const base = baseUrlOf(settings.url);
  const setBan = async (account: Account, banDuration: string): Promise<void> => {
    const userId = requireSubject(account, USER_ID);
    const key = await settings.serviceRoleKey();
    if (!key) throw new EnforcementError('not_configured', false);
    await send(settings, `${base}/auth/v1/admin/users/${userId}`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${key}`,
        apikey: key,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify({ ban_duration: banDuration }),
    });
  };
  return {
    block: (account) => setBan(account, BAN_DURATION),
    unblock: (account) => setBan(account, 'none'),
  };
};
