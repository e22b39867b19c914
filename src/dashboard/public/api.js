// The dashboard's only way to the server: the public JSON API, with the httpOnly session cookie
// and, on every state-changing call, the session's X-CSRF-Token.

/** @import { FieldError, Problem, SessionInfo } from './types.js' */

/**
 * Query parameters; an empty, null or undefined value leaves the parameter out.
 * @typedef {Record<string, string | number | boolean | null | undefined>} Query
 */

/**
 * @typedef {object} RequestOptions
 * @property {unknown} [body] Sent as JSON.
 * @property {Query} [query]
 * @property {string | null} [ifMatch] The ETag the change is based on.
 * @property {AbortSignal} [signal]
 */

/** @type {string | null} */
let csrfToken = null;
/** @type {(detail: string | undefined) => void} */
let onSessionEnded = () => {};

/** @param {string | null} token */
export function setCsrfToken(token) {
  csrfToken = token;
}

/**
 * Called once when any API call answers 401: the session is gone (expired, signed out, deactivated).
 * @param {(detail: string | undefined) => void} handler Gets the problem's detail.
 */
export function onUnauthorized(handler) {
  onSessionEnded = handler;
}

export class ApiError extends Error {
  /**
   * @param {number} status The HTTP status; 0 when the server could not be reached.
   * @param {Partial<Problem>} [problem]
   */
  constructor(status, problem = {}) {
    super(problem.detail || problem.title || `Request failed (${status})`);
    this.status = status;
    this.code = problem.code ?? 'UNKNOWN';
    this.title = problem.title ?? 'Something went wrong';
    this.detail = problem.detail ?? this.message;
    /** @type {FieldError[]} */
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
    this.requestId = problem.requestId ?? null;
  }
}

/** Thrown after a 401 has sent the app back to sign-in; views ignore it. */
export class SessionEndedError extends ApiError {}

/**
 * The HTTP status behind a caught error; undefined for anything that is not the API's answer.
 * @param {unknown} error
 */
export const statusOf = (error) => (error instanceof ApiError ? error.status : undefined);

/**
 * What to tell the person about a caught error: the API's detail, or the message of anything else.
 * @param {unknown} error
 * @returns {string}
 */
export const messageOf = (error) => (error instanceof ApiError ? error.detail : error instanceof Error ? error.message : String(error));

/**
 * Whether a caught error is an aborted request (the page moved on) rather than a failure.
 * @param {unknown} error
 */
export const isAbortError = (error) => typeof error === 'object' && error !== null && 'name' in error && error.name === 'AbortError';

/**
 * The same-origin path of an API link (`next`/`previous` are absolute URLs built from the public URL).
 * @param {string} link
 */
export function apiPath(link) {
  const url = new URL(link, location.origin);
  return url.pathname + url.search;
}

/**
 * @param {string} path
 * @param {Query} [query]
 */
export function withQuery(path, query = {}) {
  const url = new URL(path, location.origin);
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') url.searchParams.delete(key);
    else url.searchParams.set(key, String(value));
  }
  return url.pathname + url.search;
}

/**
 * Makes a request and returns {data, etag}. Errors are ApiError with the problem's detail and field errors.
 * `T` is the response body as the route's schema describes it; the caller names it (with a `@type`
 * on what it assigns the result to), and nothing checks it at run time.
 * @template [T=unknown]
 * @param {'GET' | 'HEAD' | 'POST' | 'PATCH' | 'DELETE'} method
 * @param {string} path
 * @param {RequestOptions} [options]
 * @returns {Promise<{ data: T, etag: string | null }>}
 */
export async function request(method, path, { body, query, ifMatch, signal } = {}) {
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['x-csrf-token'] = csrfToken;
  if (ifMatch) headers['if-match'] = ifMatch;
  let response;
  try {
    response = await fetch(query ? withQuery(path, query) : path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
      signal,
    });
  } catch (error) {
    if (isAbortError(error)) throw error;
    throw new ApiError(0, { code: 'NETWORK', title: 'Network error', detail: 'The server could not be reached. Check your connection and try again.' });
  }
  const text = response.status === 204 ? '' : await response.text();
  /** @type {unknown} */
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    // An error answer's body is a Problem (RFC 9457); anything else is described by its status.
    /** @type {Partial<Problem>} */
    const problem = data && typeof data === 'object' ? data : { detail: `The server answered ${response.status}` };
    if (response.status === 401 && !path.startsWith('/v1/auth/')) {
      onSessionEnded(problem.detail);
      throw new SessionEndedError(401, problem);
    }
    if (response.status === 429 && response.headers.get('retry-after')) {
      problem.detail = `${problem.detail ?? 'Too many requests.'} Try again in ${response.headers.get('retry-after')} seconds.`;
    }
    throw new ApiError(response.status, problem);
  }
  return { data: /** @type {T} */ (data), etag: response.headers.get('etag') };
}

/**
 * @param {'GET' | 'POST' | 'PATCH' | 'DELETE'} method
 */
const call =
  (method) =>
  /**
   * @template [T=unknown]
   * @param {string} path @param {RequestOptions} [options]
   * @returns {Promise<T>}
   */
  async (path, options) => {
    /** @type {{ data: T }} */
    const { data } = await request(method, path, options);
    return data;
  };

/** @typedef {Omit<RequestOptions, 'body' | 'query'>} CallOptions */

// Each answers the response body; `T` is named by the caller, as for `request`.
export const api = {
  /** @template [T=unknown] @param {string} path @param {Query} [query] @param {CallOptions} [options] @returns {Promise<T>} */
  get: (path, query, options = {}) => call('GET')(path, { ...options, query }),
  /** @template [T=unknown] @param {string} path @param {unknown} [body] @param {CallOptions} [options] @returns {Promise<T>} */
  post: (path, body, options = {}) => call('POST')(path, { ...options, body }),
  /** @template [T=unknown] @param {string} path @param {unknown} [body] @param {CallOptions} [options] @returns {Promise<T>} */
  patch: (path, body, options = {}) => call('PATCH')(path, { ...options, body }),
  /** @template [T=unknown] @param {string} path @param {CallOptions} [options] @returns {Promise<T>} */
  del: (path, options = {}) => call('DELETE')(path, options),
};

// Sign-in endpoints: those that start a session answer with its CSRF token.
export const auth = {
  /** @returns {Promise<SessionInfo>} */
  session: () => api.get('/v1/auth/session'),
  /** @param {string} email @param {string} password @returns {Promise<SessionInfo>} */
  login: (email, password) => api.post('/v1/auth/login', { email, password }),
  /** @param {string} token @returns {Promise<SessionInfo>} */
  consumeLink: (token) => api.post('/v1/auth/sign-in-links/consume', { token }),
  /** @param {string} token @param {string} name @param {string} password @returns {Promise<SessionInfo>} */
  acceptInvitation: (token, name, password) => api.post('/v1/auth/invitations/accept', { token, name, password }),
  /** Always 202, whether or not the email has an account. @param {string} email */
  requestPasswordReset: (email) => api.post('/v1/auth/password-reset', { email }),
  /** @param {string} token @param {string} password @returns {Promise<SessionInfo>} */
  resetPassword: (token, password) => api.post('/v1/auth/password-reset/confirm', { token, password }),
  logout: () => api.post('/v1/auth/logout'),
  /**
   * Whether the email's domain signs in through its tenant's identity provider.
   * @param {string} email @param {CallOptions} [options] @returns {Promise<{ sso: boolean }>}
   */
  ssoLookup: (email, options) => api.get('/v1/auth/sso/lookup', { email }, options),
};
