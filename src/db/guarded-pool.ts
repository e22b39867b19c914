import { createHash } from 'node:crypto';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import pg from 'pg';
import { DATABASE_DOWN, isConnectionFailure } from './errors.js';

export interface DbTimeouts {
  /** Waiting for a pool slot or a new connection. */
  connectMs: number;
  /** Server side: PostgreSQL cancels a statement running longer. */
  statementMs: number;
  /** Server side: a session idle inside an open transaction is ended (a stuck request cannot hold locks). */
  idleInTransactionMs: number;
}

export const DEFAULT_DB_TIMEOUTS: DbTimeouts = { connectMs: 2000, statementMs: 3000, idleInTransactionMs: 10_000 };

/** The timeouts with the operator's statement timeout (`LANDLORD_DB_STATEMENT_TIMEOUT`). */
export function dbTimeouts(statementMs: number): DbTimeouts {
  return { ...DEFAULT_DB_TIMEOUTS, statementMs, idleInTransactionMs: Math.max(DEFAULT_DB_TIMEOUTS.idleInTransactionMs, statementMs * 2) };
}

/** How long past the statement timeout the client waits for any answer before it calls the connection dead. */
const READ_GRACE_MS = 1000;
const PROBE_EVERY_MS = 500;

export interface PoolHealth {
  /** True from the first connection failure until a probe reaches the database again. */
  readonly down: boolean;
  readonly total: number;
  readonly idle: number;
  readonly waiting: number;
}

export interface GuardedPool {
  /** What Kysely's PostgresDialect is given. */
  readonly pool: PostgresPool;
  health(): PoolHealth;
}

interface Guarded {
  broken: boolean;
  facade: PostgresPoolClient;
}

/**
 * A pg pool that a failing database cannot take down with it, and that answers fast while it is away.
 *
 * - Every client has an error listener for its whole life: pg emits `error` on a checked-out client
 *   whose connection drops, and an unheard `error` event ends the process.
 * - Each statement has a server-side timeout and a client-side read timeout a little longer: a
 *   stalled network never answers, so only the client can notice.
 * - A client that saw a connection failure is destroyed on release instead of going back to the pool,
 *   and fails any further statement at once (a rollback after a timeout must not wait again).
 * - After a connection failure the pool is "down": acquiring fails at once (503 without waiting)
 *   while a probe every 500 ms tries the database; the first probe that succeeds brings it back.
 */
/**
 * Statements are prepared once per connection and executed by name from then on: PostgreSQL
 * parses and plans them once instead of on every request. The name is a digest of the text, so
 * one text has one name on every connection; the few texts that vary (an `in` list of a length)
 * are bounded by the queries the application has. Statements without parameters (BEGIN, COMMIT,
 * several statements in one text) keep the simple protocol.
 */
const names = new Map<string, string>();
const MAX_NAMES = 5_000;
const LIKE = /\blike\b/i;
function statementName(sql: string): string | undefined {
  // A LIKE pattern decides its plan (the trigram index, or none): a generic plan made without
  // seeing it scans the table, so such statements are planned each time.
  if (LIKE.test(sql)) return undefined;
  let name = names.get(sql);
  if (name === undefined) {
    if (names.size >= MAX_NAMES) return undefined;
    name = `l${createHash('sha1').update(sql).digest('base64url').slice(0, 20)}`;
    names.set(sql, name);
  }
  return name;
}

/** PostgreSQL refuses a prepared statement whose table changed shape since it was prepared (0A000). */
const isStalePlan = (error: unknown) =>
  (error as { code?: string }).code === '0A000' && /cached plan must not change result type/.test((error as Error).message ?? '');

export function createGuardedPool(connectionString: string, max: number, timeouts: DbTimeouts = DEFAULT_DB_TIMEOUTS): GuardedPool {
  const pool = new pg.Pool({
    connectionString,
    max,
    connectionTimeoutMillis: timeouts.connectMs,
    statement_timeout: timeouts.statementMs,
    idle_in_transaction_session_timeout: timeouts.idleInTransactionMs,
    keepAlive: true,
  });
  const readTimeoutMs = timeouts.statementMs + READ_GRACE_MS;
  const guarded = new WeakMap<pg.PoolClient, Guarded>();
  let down = false;
  // biome-ignore lint/correctness/noUnusedVariables: read by `??=` below (one probe at a time)
  let probing: Promise<void> | null = null;
  let ended = false;

  // An idle client's connection dropping is reported here; the pool has already discarded it.
  pool.on('error', () => markDown());
  pool.on('connect', (client) => {
    client.on('error', () => {
      const g = guarded.get(client as pg.PoolClient);
      if (g) g.broken = true;
      markDown();
    });
  });

  function markDown() {
    if (ended) return;
    down = true;
    probing ??= probe().finally(() => {
      probing = null;
      // Marked down again while the last probe was finishing: probe again.
      if (down && !ended) markDown();
    });
  }

  async function probe(): Promise<void> {
    while (down && !ended) {
      await new Promise((r) => setTimeout(r, PROBE_EVERY_MS).unref());
      if (ended) return;
      let client: pg.PoolClient | null = null;
      try {
        client = await pool.connect();
        await client.query({ text: 'select 1', query_timeout: readTimeoutMs } as pg.QueryConfig);
        client.release();
        down = false;
      } catch (error) {
        client?.release(error as Error);
      }
    }
  }

  function guard(client: pg.PoolClient): Guarded {
    const known = guarded.get(client);
    if (known) return known;
    const state: Guarded = {
      broken: false,
      facade: {
        query: (async (sql: string, parameters: unknown[]) => {
          if (state.broken) throw Object.assign(new Error('Connection terminated: discarded after a connection failure'), { code: DATABASE_DOWN });
          try {
            return await client.query({
              name: parameters.length ? statementName(sql) : undefined,
              text: sql,
              values: parameters,
              query_timeout: readTimeoutMs,
            } as pg.QueryConfig);
          } catch (error) {
            if (isConnectionFailure(error)) {
              state.broken = true;
              markDown();
            } else if (isStalePlan(error)) {
              // Another node migrated a table this connection had a statement prepared on: the
              // connection goes when released, and the statement runs once more unprepared. Inside
              // a transaction that fails too (it is already aborted) and the request is answered
              // 503, as for a connection lost; its retry gets a fresh connection.
              state.broken = true;
              return await client.query({ text: sql, values: parameters, query_timeout: readTimeoutMs } as pg.QueryConfig);
            }
            throw error;
          }
        }) as unknown as PostgresPoolClient['query'],
        release: () => {
          // `true` destroys the client: its connection is in an unknown state.
          client.release(state.broken ? true : undefined);
        },
      },
    };
    // Kysely reads the backend pid from here to cancel queries.
    Object.defineProperty(state.facade, 'processID', { get: () => (client as unknown as { processID?: number }).processID });
    guarded.set(client, state);
    return state;
  }

  const unavailable = () => Object.assign(new Error('The database is unreachable'), { code: DATABASE_DOWN });

  return {
    pool: {
      options: pool.options,
      async connect() {
        if (down) throw unavailable();
        let client: pg.PoolClient;
        try {
          client = await pool.connect();
        } catch (error) {
          // (A wait for a free connection that runs out is a busy pool, not a connection failure.)
          if (isConnectionFailure(error)) markDown();
          throw error;
        }
        if (down) {
          client.release();
          throw unavailable();
        }
        return guard(client).facade;
      },
      end: async () => {
        ended = true;
        await pool.end();
      },
    },
    health: () => ({ down, total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
  };
}
