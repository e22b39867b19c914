import { setCsrfToken } from './api.js';

/** The signed-in person, as `GET /v1/auth/session` describes them. Only the API decides what they may do. */
export const session = { user: null, expiresAt: null };

let expiryTimer = null;

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

export const isAdmin = () => session.user?.role === 'admin' || session.user?.role === 'superadmin';
export const isSuperadmin = () => session.user?.role === 'superadmin';
/** Owners (and admins) manage a tenant; members only read its profile. */
export const canManageTenant = () => session.user?.role !== 'member';
export const homePath = () => (isAdmin() ? '/dashboard/tenants' : `/dashboard/tenants/${session.user.tenantId}`);
