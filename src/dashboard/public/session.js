import { setCsrfToken } from './api.js';

/** @import { SessionInfo, User } from './types.js' */

/**
 * The signed-in person, as `GET /v1/auth/session` describes them. Only the API decides what they may do.
 * @type {{ user: User | null, expiresAt: string | null }}
 */
export const session = { user: null, expiresAt: null };

/** @type {number | undefined} */
let expiryTimer;

/**
 * @param {SessionInfo} data
 * @param {() => void} onExpired
 */
export function startSession({ user, expiresAt, csrfToken }, onExpired) {
  session.user = user;
  session.expiresAt = expiresAt;
  setCsrfToken(csrfToken);
  clearTimeout(expiryTimer);
  const ms = new Date(expiresAt).getTime() - Date.now();
  if (ms > 0 && ms < 2 ** 31 - 1) expiryTimer = setTimeout(onExpired, ms);
}

export function clearSession() {
  session.user = null;
  session.expiresAt = null;
  setCsrfToken(null);
  clearTimeout(expiryTimer);
}

/** The signed-in user, for code that only runs in a session (a page, the app frame). */
export function currentUser() {
  if (!session.user) throw new Error('Nobody is signed in');
  return session.user;
}

export const isAdmin = () => session.user?.role === 'admin' || session.user?.role === 'superadmin';
export const isSuperadmin = () => session.user?.role === 'superadmin';
/** Owners (and admins) manage a tenant; members only read its profile. */
export const canManageTenant = () => session.user?.role !== 'member';
export const homePath = () => (isAdmin() ? '/dashboard/tenants' : `/dashboard/tenants/${currentUser().tenantId}`);
