/** @import { Notice } from '../app-types.js' */

// Why a single sign-on ended without a session: the callback sends the browser back to the
// sign-in page with `sso_error=CODE` (the codes of src/modules/sso/sso-sign-in.routes.ts).

/** @type {Record<string, string>} */
const MESSAGES = {
  SSO_NOT_CONFIGURED: 'Single sign-on is not set up for this email address (or was just turned off); sign in with your password.',
  SSO_STATE_INVALID: 'This sign-in took too long or was already used; start again with “Continue with SSO”.',
  SSO_BROWSER_MISMATCH: 'This sign-in was started in another browser; start it again in this one.',
  SSO_PROVIDER_ERROR: 'Your identity provider refused the sign-in or is not set up correctly; try again or ask your administrator.',
  SSO_PROVIDER_UNAVAILABLE: 'Your identity provider did not answer; try again in a moment.',
  SSO_TOKEN_INVALID: 'The answer of your identity provider could not be verified; ask your administrator to check the SSO connection.',
  SSO_EMAIL_MISSING: 'Your identity provider did not share your email address; ask your administrator to allow the email claim.',
  SSO_EMAIL_NOT_VERIFIED: 'Your identity provider has not verified your email address; verify it there and try again.',
  SSO_EMAIL_DOMAIN: 'You signed in at your identity provider with an email outside this connection’s domains; sign in there with your work account.',
  SSO_EMAIL_OTHER_TENANT: 'This email belongs to an account of another tenant; sign in with your password or ask your administrator.',
  SSO_IDENTITY_CONFLICT: 'Your account is already linked to another identity at this provider; ask your administrator.',
  SSO_USER_INACTIVE: 'Your account is deactivated; ask your administrator to reactivate it.',
  SSO_TENANT_INACTIVE: 'Your tenant is suspended, so nobody can sign in to it; ask your administrator.',
  SSO_SEATS_FULL: 'Your tenant has no seat left for a new user; ask your administrator to free or add one.',
  UNAVAILABLE: 'Sign-in is unavailable right now; try again in a moment.',
};

/**
 * The sign-in page's message for an `sso_error` code; any other code gets a general one.
 * @param {string} code
 * @returns {Notice}
 */
export function ssoErrorNotice(code) {
  return {
    kind: 'error',
    title: 'Single sign-on didn’t sign you in',
    text: MESSAGES[code] ?? 'The sign-in through your identity provider did not complete; try again or sign in with your password.',
  };
}
