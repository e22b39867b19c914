/**
 * Landlord's TypeScript SDK: the API's types, generated from its OpenAPI document by
 * openapi-typescript (`schema.d.ts`, `npm run sdk`), called through openapi-fetch, with a thin
 * layer over them: an `Idempotency-Key` on every POST unless one is given, problems thrown as
 * typed `LandlordProblem`s, async iteration over every page of a listing, and `verifyWebhook`,
 * which checks a delivery's Standard Webhooks signature and returns the typed event.
 */
import createClient, { type Client } from 'openapi-fetch';
import { Webhook } from 'standardwebhooks';
import type { components, paths } from './schema.js';

export type { components, paths } from './schema.js';
export type Schemas = components['schemas'];
export type Problem = Schemas['Problem'];
/** Any event Landlord delivers to a webhook (and lists at `GET /v1/events`), told apart by `type`. */
export type WebhookEvent = Schemas['WebhookEvent'];

/** An error answer of the API (`application/problem+json`): its status, stable `code` and field errors. */
export class LandlordProblem extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly errors: Problem['errors'];
  readonly requestId: string | undefined;

  constructor(status: number, problem: Partial<Problem>) {
    super(`${status} ${problem.code ?? 'ERROR'}: ${problem.detail ?? problem.title ?? 'request failed'}`);
    this.name = 'LandlordProblem';
    this.status = status;
    this.code = problem.code ?? 'ERROR';
    this.detail = problem.detail ?? '';
    this.errors = problem.errors;
    this.requestId = problem.requestId;
  }
}

type GetPath = { [P in keyof paths]: paths[P] extends { get: unknown } ? P : never }[keyof paths];
type GetOk<P extends GetPath> = paths[P] extends { get: { responses: { 200: { content: { 'application/json': infer B } } } } } ? B : never;
/** The GET paths that answer pages: `{results, next}`. */
export type ListPath = { [P in GetPath]: GetOk<P> extends { results: unknown[]; next?: string | null } ? P : never }[GetPath];
export type ItemOf<P extends ListPath> = GetOk<P> extends { results: (infer I)[] } ? I : never;
type GetInit<P extends GetPath> = paths[P] extends { get: { parameters: infer Params } } ? { params?: Params } : never;

export interface LandlordOptions {
  /** Where Landlord runs, such as `https://landlord.example.com`. */
  baseUrl: string;
  /** An API key secret (`lk_…`) or the root key. */
  apiKey: string;
  /** A fetch of your own (a proxy agent, retries, tracing). */
  fetch?: typeof globalThis.fetch;
}

export interface Landlord {
  /** The typed client: `api.GET('/v1/tenants/{id}', { params: { path: { id } } })`, answering `{ data, error, response }`. */
  api: Client<paths>;
  /** The body of a call that succeeded; a problem answer is thrown as a LandlordProblem. */
  unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T>;
  /** Every item of a listing, page after page, following `next`. */
  all<P extends ListPath>(path: P, init?: GetInit<P>): AsyncGenerator<ItemOf<P>>;
}

export function createLandlord(options: LandlordOptions): Landlord {
  const api = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    headers: { authorization: `Bearer ${options.apiKey}` },
    fetch: options.fetch,
  });
  api.use({
    onRequest({ request }) {
      // Retrying a POST with the same key never does it twice.
      if (request.method === 'POST' && !request.headers.has('idempotency-key')) request.headers.set('idempotency-key', crypto.randomUUID());
      return request;
    },
  });

  async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
    const { data, error, response } = await call;
    if (!response.ok) throw new LandlordProblem(response.status, (error ?? {}) as Partial<Problem>);
    return data as T;
  }

  async function* all<P extends ListPath>(path: P, init?: GetInit<P>): AsyncGenerator<ItemOf<P>> {
    const params = (init?.params ?? {}) as { path?: Record<string, unknown>; query?: Record<string, unknown> };
    let query: Record<string, unknown> | undefined = params.query;
    for (;;) {
      // biome-ignore lint/suspicious/noExplicitAny: openapi-fetch's overloads cannot be chosen from a path type parameter
      const page = (await unwrap((api.GET as any)(path, { params: { ...params, query } }))) as { results: ItemOf<P>[]; next?: string | null };
      yield* page.results;
      if (!page.next || page.results.length === 0) return;
      // The next page is exactly what `next` says: its query, whatever the listing's cursor is called.
      query = Object.fromEntries(new URL(page.next).searchParams);
    }
  }

  return { api, unwrap, all };
}

/**
 * Checks a webhook delivery (the raw body exactly as received, its headers and the endpoint's
 * `whsec_…` secret, or either secret during a rotation) and returns the typed event. Throws when
 * the signature does not match or the timestamp is more than five minutes off.
 */
export function verifyWebhook(body: string, headers: Headers | Record<string, string | string[] | undefined>, secret: string): WebhookEvent {
  const get = (name: string) => {
    const value = headers instanceof Headers ? headers.get(name) : (headers[name] ?? headers[name.toLowerCase()]);
    return Array.isArray(value) ? value[0] : (value ?? '');
  };
  const signed = { 'webhook-id': get('webhook-id'), 'webhook-timestamp': get('webhook-timestamp'), 'webhook-signature': get('webhook-signature') };
  return new Webhook(secret).verify(body, signed) as WebhookEvent;
}
