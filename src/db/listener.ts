import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { DbTimeouts } from './guarded-pool.js';

/** What a listener tells its owner. */
export interface ListenHandlers {
  /**
   * A notification arrived, or some may have been missed: listening began, resumed after an
   * outage, or just stopped working. Called often; it should be cheap.
   */
  wake(): void;
  /** Listening failed (once per outage, not per reconnect attempt); the error carries no secret of the connection string. */
  down?(error: ListenError): void;
  /** Listening again after `down`. */
  up?(): void;
}

export interface ListenError {
  code?: string;
  message: string;
}

export interface Listener {
  /** Whether notifications are arriving now (false before the first LISTEN and while reconnecting). */
  readonly live: boolean;
  close(): Promise<void>;
}

export type Listen = (channel: string, handlers: ListenHandlers) => Listener;

const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 5000;
/** An idle connection to a vanished host is never told: a ping this often finds it dead. */
const PING_EVERY_MS = 5000;
const CLOSE_WAIT_MS = 1000;

const noop = () => {};

/** The error's code and message, with the connection string's password (if any) blanked out. */
function describe(error: unknown, connectionString: string | null): ListenError {
  const e = error as { code?: unknown; message?: unknown } | null;
  let message = typeof e?.message === 'string' ? e.message : String(error);
  if (connectionString) {
    let password = '';
    try {
      password = new URL(connectionString).password;
    } catch {
      // not a URL: nothing to pick out, so leave out the message rather than risk it
      message = 'listening for notifications failed';
    }
    message = message.replaceAll(connectionString, '<DATABASE_URL>');
    if (password) {
      for (const form of new Set([password, decodeURIComponent(password)])) message = message.replaceAll(form, '***');
    }
  }
  return { ...(typeof e?.code === 'string' ? { code: e.code } : {}), message };
}

/**
 * LISTEN on a PostgreSQL connection of its own, outside the query pool (a pooled connection is
 * shared and may be dropped at any time). A lost connection never reaches the process: the client
 * has an error listener for its whole life, and is replaced with backoff (250 ms doubling to 5 s)
 * until LISTEN works again. A ping every few seconds finds a connection that died silently.
 */
export function listenOnPostgres(connectionString: string, timeouts: DbTimeouts, channel: string, handlers: ListenHandlers): Listener {
  let client: pg.Client | null = null;
  let live = false;
  let closed = false;
  let failures = 0;
  let outage = false;
  let retry: NodeJS.Timeout | null = null;
  let ping: NodeJS.Timeout | null = null;
  const queryTimeoutMs = timeouts.statementMs + 1000;

  /**
   * Ends the connection; one to a vanished host never answers the goodbye, so after a moment its
   * socket is destroyed rather than left half-open until the kernel gives up.
   */
  const end = async (c: pg.Client) => {
    const ended = await Promise.race([
      c.end().then(
        () => true,
        () => true,
      ),
      new Promise<boolean>((r) => setTimeout(() => r(false), CLOSE_WAIT_MS).unref()),
    ]);
    if (!ended) (c as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  };

  async function connect(): Promise<void> {
    retry = null;
    if (closed) return;
    const c = new pg.Client({ connectionString, connectionTimeoutMillis: timeouts.connectMs, keepAlive: true });
    client = c;
    c.on('error', (error) => lost(c, error));
    c.on('end', () => lost(c, new Error('Connection terminated')));
    c.on('notification', (n) => {
      if (n.channel === channel) handlers.wake();
    });
    try {
      await c.connect();
      await c.query({ text: `listen ${c.escapeIdentifier(channel)}`, query_timeout: queryTimeoutMs } as pg.QueryConfig);
    } catch (error) {
      lost(c, error);
      return;
    }
    if (client !== c) return; // closed, or lost while LISTEN was answered
    live = true;
    failures = 0;
    if (outage) {
      outage = false;
      handlers.up?.();
    }
    ping = setInterval(() => {
      c.query({ text: 'select 1', query_timeout: queryTimeoutMs } as pg.QueryConfig).catch((error) => lost(c, error));
    }, PING_EVERY_MS);
    ping.unref();
    handlers.wake();
  }

  function lost(c: pg.Client, error: unknown): void {
    if (client !== c) return; // a replaced client's last words
    client = null;
    if (ping) clearInterval(ping);
    ping = null;
    void end(c);
    const wasLive = live;
    live = false;
    if (closed) return;
    if (!outage) {
      outage = true;
      handlers.down?.(describe(error, connectionString));
    }
    if (wasLive) handlers.wake();
    retry = setTimeout(connect, Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** failures++));
    retry.unref();
  }

  void connect();
  return {
    get live() {
      return live;
    },
    async close() {
      closed = true;
      live = false;
      if (retry) clearTimeout(retry);
      if (ping) clearInterval(ping);
      const c = client;
      client = null;
      if (c) await end(c);
    },
  };
}

/** LISTEN on the embedded database: its one connection is in this process and cannot be lost. */
export function listenOnPglite(pglite: PGlite, channel: string, handlers: ListenHandlers): Listener {
  let live = false;
  let closed = false;
  const subscribed = pglite
    .listen(channel, () => handlers.wake())
    .then(
      (unsubscribe) => {
        if (!closed) {
          live = true;
          handlers.wake();
        }
        return unsubscribe;
      },
      (error) => {
        handlers.down?.(describe(error, null));
        return null;
      },
    );
  return {
    get live() {
      return live;
    },
    async close() {
      closed = true;
      live = false;
      const unsubscribe = await subscribed;
      await unsubscribe?.().catch(noop);
    },
  };
}
