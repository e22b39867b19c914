import type { FastifyRequest } from 'fastify';
import { sha256Base64Url } from '../../lib/crypto.js';

/** The cookie a signed-in browser (the dashboard) carries its session in. */
export const SESSION_COOKIE = 'landlord_session';

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      // A value that is not valid percent-encoding is no credential at all (not a 500).
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** The anti-CSRF token that goes with a session: derived from it, so nothing more is stored. */
export function csrfTokenFor(sessionValue: string): string {
  return sha256Base64Url(`csrf:${sessionValue}`).slice(0, 32);
}

/** The Set-Cookie value of a session: httpOnly, SameSite=Lax, Secure behind https. */
export function sessionCookie(value: string, options: { secure: boolean; maxAgeSeconds: number }): string {
  const parts = [`${SESSION_COOKIE}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${options.maxAgeSeconds}`];
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}
