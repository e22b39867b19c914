import { auth } from '../api.js';

const LOOKS_LIKE_EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** How long typing pauses before the domain is looked up. */
const DEBOUNCE_MS = 300;

/**
 * Where "Continue with SSO" sends the whole window: the API redirects it on to the provider.
 * @param {string} email
 */
export const ssoStartPath = (email) => `/v1/auth/sso/start?email=${encodeURIComponent(email)}`;

/**
 * Asks the API whether the typed email's domain signs in through an identity provider: when typing
 * pauses, and at once when the field changes. `onChange` hears each change of the answer for what
 * the field holds now. Answers are kept per domain; a failed lookup counts as no SSO (the password
 * still works) and is asked again next time.
 * @param {HTMLInputElement} input
 * @param {(sso: boolean) => void} onChange
 * @param {AbortSignal} signal The page's: nothing is asked or changed once it has moved on.
 */
export function watchSso(input, onChange, signal) {
  /** @type {Map<string, Promise<boolean>>} */
  const known = new Map();
  /** @type {number | undefined} */
  let timer;
  let offered = false;

  /** @param {string} email */
  function ask(email) {
    const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
    let answer = known.get(domain);
    if (!answer) {
      answer = auth.ssoLookup(email, { signal }).then(
        (r) => r.sso === true,
        () => {
          known.delete(domain);
          return false;
        },
      );
      known.set(domain, answer);
    }
    return answer;
  }

  /** Whether the email in the field now signs in through SSO; shows or hides the offer to match. */
  async function check() {
    clearTimeout(timer);
    const email = input.value.trim();
    const sso = LOOKS_LIKE_EMAIL.test(email) && (await ask(email));
    const current = input.value.trim() === email;
    if (current && !signal.aborted && sso !== offered) {
      offered = sso;
      onChange(sso);
    }
    return current && sso;
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(check, DEBOUNCE_MS);
  });
  input.addEventListener('change', check);
  signal.addEventListener('abort', () => clearTimeout(timer));
  if (input.value) check();
  return { check };
}
