import { randomUUID } from 'node:crypto';
import type { Config } from '../config.js';
import { rootKeyAtHand } from '../modules/system/keys.js';
import { RemoteError } from './usage.js';

// biome-ignore lint/suspicious/noExplicitAny: the API's JSON, which each command reads a few fields of and prints as it came
export type Json = any;
export type Call = (method: string, path: string, body?: unknown) => Promise<Json>;

/** The server this machine's config starts: its listening address, or `localhost` when it listens on every interface. */
export function localServerUrl(config: Config): string {
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
}

/**
 * The running server's API, for the management commands: `--url` (default this machine's
 * server, `http://localhost:$PORT`) and `--key` (default LANDLORD_ROOT_KEY, else the data dir's root key).
 * A problem answer becomes one line: status, code, detail and the first field errors.
 */
export function apiClient(config: Config, options: { url?: string; key?: string }): Call {
  const base = (options.url ?? localServerUrl(config)).replace(/\/+$/, '');
  const atHand = rootKeyAtHand(config);
  const key = options.key ?? atHand.key;
  if (!key) throw new RemoteError(`No key to call the API with: pass --key, set LANDLORD_ROOT_KEY, or run where ${atHand.file} is`);
  return async (method, path, body) => {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      throw new RemoteError(`Could not reach ${base} (${cause ?? (error as Error).message}); is the server running? (--url)`);
    }
    const text = await res.text();
    const data = text && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text;
    if (!res.ok) {
      const fields = Array.isArray(data?.errors)
        ? data.errors
            .slice(0, 3)
            .map((e: { field: string; message: string }) => ` ${e.field}: ${e.message}.`)
            .join('')
        : '';
      throw new RemoteError(`${res.status} ${data?.code ?? res.statusText}: ${data?.detail ?? text.slice(0, 200)}${fields}`);
    }
    return data;
  };
}

/** Every item of a listing, following `next` links; `onPage` hears how many came so far. */
export async function allPages(call: Call, path: string, limit: number, onPage?: (n: number) => void): Promise<Json[]> {
  const items: Json[] = [];
  let next: string | null = path;
  while (next && items.length < limit) {
    const page = await call('GET', next);
    items.push(...page.results);
    onPage?.(items.length);
    next = page.next ? `${new URL(page.next).pathname}${new URL(page.next).search}` : null;
  }
  return items.slice(0, limit);
}
