import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../db/schema.js';

type Executor = Kysely<Database> | Transaction<Database>;

export interface SigningKeyRow {
  kid: string;
  public_jwk: Record<string, unknown>;
  private_jwk_sealed: string;
  created_at: Date;
  retired_at: Date | null;
}

// Arbitrary constant: serialises "is there an active key?" checks across nodes starting together.
const SIGNING_KEY_LOCK = 7_460_283_112;

/** Runs `fn` in a transaction holding the signing-key advisory lock (works on PostgreSQL and PGlite). */
export async function withSigningKeyLock<T>(db: Kysely<Database>, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${SIGNING_KEY_LOCK})`.execute(trx);
    return fn(trx);
  });
}

/** Keys that still sign or may still verify: active ones, and those retired after `retiredAfter`. */
export async function listUsableSigningKeys(db: Executor, retiredAfter: Date): Promise<SigningKeyRow[]> {
  return db
    .selectFrom('signing_keys')
    .selectAll()
    .where((eb) => eb.or([eb('retired_at', 'is', null), eb('retired_at', '>', retiredAfter)]))
    .orderBy('created_at', 'desc')
    .orderBy('kid', 'desc')
    .execute();
}

export async function hasActiveSigningKey(db: Executor): Promise<boolean> {
  const row = await db.selectFrom('signing_keys').select('kid').where('retired_at', 'is', null).limit(1).executeTakeFirst();
  return row !== undefined;
}

export async function insertSigningKey(db: Executor, row: { kid: string; public_jwk: object; private_jwk_sealed: string; created_at: Date }) {
  await db
    .insertInto('signing_keys')
    .values({ ...row, public_jwk: JSON.stringify(row.public_jwk), retired_at: null })
    .execute();
}

export async function retireActiveSigningKeys(db: Executor, at: Date): Promise<void> {
  await db.updateTable('signing_keys').set({ retired_at: at }).where('retired_at', 'is', null).execute();
}

/** Keys retired before `before` can no longer verify any unexpired token; nothing needs them. */
export async function deleteSigningKeysRetiredBefore(db: Executor, before: Date): Promise<void> {
  await db.deleteFrom('signing_keys').where('retired_at', 'is not', null).where('retired_at', '<', before).execute();
}

export async function insertRevokedToken(db: Executor, row: { jti: string; revoked_at: Date; expires_at: Date }) {
  await db
    .insertInto('revoked_tokens')
    .values(row)
    .onConflict((oc) => oc.column('jti').doNothing())
    .execute();
}

export async function isTokenRevokedInDb(db: Executor, jti: string): Promise<boolean> {
  const row = await db.selectFrom('revoked_tokens').select('jti').where('jti', '=', jti).executeTakeFirst();
  return row !== undefined;
}
