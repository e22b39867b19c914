import { AsyncLocalStorage } from 'node:async_hooks';
import { CompiledQuery, type DatabaseConnection, type Dialect, type DialectAdapter, type Driver, type QueryResult, type TransactionSettings } from 'kysely';

/**
 * Lets one request's writes commit together with something decided only at its end: the stored
 * response of an idempotent POST. Inside a scope, the first transaction's COMMIT is held back; the
 * request's later statements run on that same connection (later transactions as savepoints, plain
 * statements each in a savepoint of their own, so a failing one does not abort the rest), and
 * `finish` writes the last statements and commits, or rolls everything back. A crash at any point
 * leaves either all of it or none.
 *
 * Outside a scope nothing changes. With the embedded store (one connection) a held transaction
 * keeps other requests waiting until it finishes, as any open transaction does there.
 */
export interface RequestScope {
  /** Set once the request wants its commit held (its idempotency key is claimed). */
  hold: boolean;
  held: Held | null;
  /** Work that must wait for the held commit (in-memory state that mirrors the change). */
  afterCommit: (() => void)[];
}

interface Held {
  connection: DatabaseConnection;
  proxy: HeldConnection;
}

const storage = new AsyncLocalStorage<RequestScope>();

/** Runs `fn` (and everything it starts) inside a fresh scope. */
export function runInRequestScope<T>(fn: () => T): T {
  return storage.run({ hold: false, held: null, afterCommit: [] }, fn);
}

/**
 * Runs `fn` once what this request wrote is committed: at once outside a held scope, after the
 * held commit inside one (and never if it rolls back). For in-memory state that mirrors a change,
 * such as a revocation, which must not run ahead of a commit that may still fail.
 */
export function afterCommit(fn: () => void): void {
  const scope = storage.getStore();
  if (scope?.held) scope.afterCommit.push(fn);
  else fn();
}

export const currentRequestScope = (): RequestScope | undefined => storage.getStore();

class HeldConnection implements DatabaseConnection {
  depth = 0;
  private counter = 0;
  constructor(readonly inner: DatabaseConnection) {}

  /** Statements of one request may run side by side (Promise.all); their savepoints must not interleave. */
  private tail: Promise<unknown> = Promise.resolve();

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.depth > 0) return this.inner.executeQuery<R>(query);
    const run = this.tail.then(() => this.inSavepoint<R>(query));
    this.tail = run.catch(() => {});
    return run;
  }

  private async inSavepoint<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const name = `landlord_stmt_${++this.counter}`;
    await this.inner.executeQuery(CompiledQuery.raw(`savepoint ${name}`));
    try {
      const result = await this.inner.executeQuery<R>(query);
      await this.inner.executeQuery(CompiledQuery.raw(`release savepoint ${name}`));
      return result;
    } catch (error) {
      await this.inner.executeQuery(CompiledQuery.raw(`rollback to savepoint ${name}`)).catch(() => {});
      throw error;
    }
  }

  streamQuery<R>(query: CompiledQuery, chunkSize: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }

  savepointName(depth = this.depth) {
    return `landlord_txn_${depth}`;
  }
}

/**
 * One connection at a time, like Kysely's own mutex for single-connection stores, but a held scope
 * re-enters it. First come, first served: a freed lock passes straight to the longest waiter, so a
 * long run of statements (a batch of creates) takes turns with the requests that arrived meanwhile
 * instead of taking the lock back each time. And because the embedded database answers without
 * any I/O, such a run never lets the event loop read new requests: every YIELD_AFTER_MS it steps
 * aside for one turn of the loop.
 */
class Lock {
  private locked = false;
  private readonly waiting: (() => void)[] = [];
  private lastYield = performance.now();

  async obtain() {
    if (performance.now() - this.lastYield > YIELD_AFTER_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      this.lastYield = performance.now();
    }
    if (!this.locked) {
      this.locked = true;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  free() {
    const next = this.waiting.shift();
    // Handed over still locked: nobody can slip in between.
    if (next) next();
    else this.locked = false;
  }
}

const YIELD_AFTER_MS = 5;

/** A closing statement found nothing to change (its row was taken over meanwhile): the request's writes were rolled back. */
export class ClosingStatementError extends Error {
  constructor() {
    super('The closing statement of a held request changed no row');
  }
}

class ScopedDriver implements Driver {
  private readonly lock: Lock | null;
  /** Transactions begun inside a holding scope: their commit may be held. */
  private readonly candidates = new WeakMap<DatabaseConnection, RequestScope>();

  constructor(
    private readonly inner: Driver,
    singleConnection: boolean,
  ) {
    this.lock = singleConnection ? new Lock() : null;
  }

  init() {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const held = storage.getStore()?.held;
    if (held) return held.proxy;
    await this.lock?.obtain();
    try {
      return await this.inner.acquireConnection();
    } catch (error) {
      this.lock?.free();
      throw error;
    }
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    if (connection instanceof HeldConnection) {
      await connection.inner.executeQuery(CompiledQuery.raw(`savepoint ${connection.savepointName(connection.depth + 1)}`));
      connection.depth++;
      return;
    }
    await this.inner.beginTransaction(connection, settings);
    const scope = storage.getStore();
    if (scope?.hold && !scope.held) this.candidates.set(connection, scope);
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    if (connection instanceof HeldConnection) {
      await connection.inner.executeQuery(CompiledQuery.raw(`release savepoint ${connection.savepointName()}`));
      connection.depth--;
      return;
    }
    const scope = this.candidates.get(connection);
    this.candidates.delete(connection);
    if (scope?.hold && !scope.held) {
      scope.held = { connection, proxy: new HeldConnection(connection) };
      return;
    }
    await this.inner.commitTransaction(connection);
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (connection instanceof HeldConnection) {
      await connection.inner.executeQuery(CompiledQuery.raw(`rollback to savepoint ${connection.savepointName()}`));
      connection.depth--;
      return;
    }
    this.candidates.delete(connection);
    await this.inner.rollbackTransaction(connection);
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    if (connection instanceof HeldConnection) return;
    if (storage.getStore()?.held?.connection === connection) return;
    try {
      await this.inner.releaseConnection(connection);
    } finally {
      this.lock?.free();
    }
  }

  /**
   * Runs the closing statements on the held connection (each must change exactly one row, or all
   * is rolled back), then commits (or rolls back) and lets it go.
   */
  async finish(scope: RequestScope, closing: CompiledQuery[], commit: boolean): Promise<void> {
    const held = scope.held;
    scope.hold = false;
    if (!held) return;
    scope.held = null;
    const after = scope.afterCommit.splice(0);
    try {
      if (commit) {
        for (const query of closing) {
          const result = await held.connection.executeQuery(query);
          if (result.numAffectedRows !== 1n) throw new ClosingStatementError();
        }
        await this.inner.commitTransaction(held.connection);
        for (const fn of after) fn();
      } else {
        await this.inner.rollbackTransaction(held.connection);
      }
    } catch (error) {
      await this.inner.rollbackTransaction(held.connection).catch(() => {});
      throw error;
    } finally {
      try {
        await this.inner.releaseConnection(held.connection);
      } finally {
        this.lock?.free();
      }
    }
  }

  destroy() {
    return this.inner.destroy();
  }
}

export interface ScopedDialect extends Dialect {
  /** Ends the scope's held transaction: `closing` then COMMIT, or ROLLBACK. No-op when nothing is held. */
  finish(scope: RequestScope, closing: CompiledQuery[], commit: boolean): Promise<void>;
}

/** Wraps a dialect so that request scopes can hold their commit (see RequestScope). */
export function scopedDialect(inner: Dialect): ScopedDialect {
  let driver: ScopedDriver | null = null;
  const adapter = inner.createAdapter();
  const single = adapter.supportsMultipleConnections === false;
  return {
    // The scoped driver locks single-connection stores itself (it must let a held scope re-enter).
    createAdapter: () => Object.create(adapter, { supportsMultipleConnections: { get: () => true } }) as DialectAdapter,
    createDriver: () => (driver = new ScopedDriver(inner.createDriver(), single)),
    createQueryCompiler: () => inner.createQueryCompiler(),
    createIntrospector: (db) => inner.createIntrospector(db),
    finish: async (scope, closing, commit) => {
      if (driver) await driver.finish(scope, closing, commit);
    },
  };
}
