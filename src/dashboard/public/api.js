// The dashboard's only way to the server: the public JSON API, with the httpOnly session cookie
// and, on every state-changing call, the session's X-CSRF-Token.

let csrfToken = null;
let onSessionEnded = () => {};

export function setCsrfToken(token) {
  csrfToken = token;
}

/** Called once when any API call answers 401: the session is gone (expired, signed out, deactivated). */
export function onUnauthorized(handler) {
  onSessionEnded = handler;
}

export class ApiError extends Error {
  constructor(status, problem = {}) {
    super(problem.detail || problem.title || `Request failed (${status})`);
    this.status = status;
    this.code = problem.code ?? 'UNKNOWN';
    this.title = problem.title ?? 'Something went wrong';
    this.detail = problem.detail ?? this.message;
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
    this.requestId = problem.requestId ?? null;
  }
}

/** Thrown after a 401 has sent the app back to sign-in; views ignore it. */
export class SessionEndedError extends ApiError {}

/** The same-origin path of an API link (`next`/`previous` are absolute URLs built from the public URL). */
export function apiPath(link) {
  const url = new URL(link, location.origin);
  return url.pathname + url.search;
}

export function withQuery(path, query = {}) {
  const url = new URL(path, location.origin);
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') url.searchParams.delete(key);
    else url.searchParams.set(key, String(value));
  }
  return url.pathname + url.search;
}

/** Makes a request and returns {data, etag}. Errors are ApiError with the problem's detail and field errors. */
export async function request(method, path, { body, query, ifMatch, signal } = {}) {
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
    if (error.name === 'AbortError') throw error;
    throw new ApiError(0, { code: 'NETWORK', title: 'Network error', detail: 'The server could not be reached. Check your connection and try again.' });
  }
  const text = response.status === 204 ? '' : await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
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
  return { data, etag: response.headers.get('etag') };
}

const call = (method) => async (path, options) => (await request(method, path, options)).data;

export const api = {
  get: (path, query, options = {}) => call('GET')(path, { ...options, query }),
  post: (path, body, options = {}) => call('POST')(path, { ...options, body }),
  patch: (path, body, options = {}) => call('PATCH')(path, { ...options, body }),
  del: (path, options = {}) => call('DELETE')(path, options),
};

// Sign-in endpoints: they answer with the session's CSRF token.
export const auth = {
  session: () => api.get('/v1/auth/session'),
  login: (email, password) => api.post('/v1/auth/login', { email, password }),
  consumeLink: (token) => api.post('/v1/auth/sign-in-links/consume', { token }),
  logout: () => api.post('/v1/auth/logout'),
};
