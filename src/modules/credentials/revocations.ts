import { sql, type Kysely, type SqlBool } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { isSecretInForce, secretsInForce, type SecretsInForce } from './api-key.js';
import { afterCommit } from '../../db/request-transaction.js';
import { tenantUsable } from '../access/owner.repository.js';

/**
 * What makes an otherwise valid access token unusable: a revoked token id, a revoked API key,
 * a suspended or deleted tenant. Tokens are verified without touching the database, so these facts are
 * kept in memory and refreshed from the database on a short interval; that is how a change made
 * on one node reaches every other node within a second. The node that makes a change also
 * records it at once.
 */
export interface Revocations {
  isTokenRevoked(jti: string): boolean;
  isKeyRevoked(keyId: string): boolean;
  /** Whether a token of this key, minted with the secret `fingerprint`, outlived that secret (rotated, grace over). */
  isRotatedOut(keyId: string, fingerprint: string | undefined, issuedAtSeconds: number): boolean;
  isTenantInactive(tenantId: string): boolean;
  /** Whether a user token issued at `issuedAtSeconds` predates the user's last revocation (deactivated, deleted, permissions changed). */
  isUserRevoked(userId: string, issuedAtSeconds: number): boolean;
  markTokenRevoked(jti: string): void;
  markKeyRevoked(keyId: string): void;
  /** The key's secret was replaced at `at`; tokens of the old secret work until `graceUntil` (or not at all). */
  markKeyRotated(keyId: string, rotation: KeyRotation): void;
  markTenantActive(tenantId: string, active: boolean): void;
  /** Tokens issued to these users until `at` stop (after `recordUsersRevoked` in the transaction). */
  markUsersRevoked(userIds: readonly string[], at: Date): void;
  /** Loads the current state; call once before serving. */
  start(): Promise<void>;
  refresh(): Promise<void>;
  stop(): void;
}

/** A rotation: when it happened, and the secrets in force since. */
export interface KeyRotation extends SecretsInForce {
  at: Date;
}

export const REVOCATION_POLL_MS = 500;
/** Rows may become visible a little after their timestamp (a commit held to the end of its request, a slow COMMIT). */
const OVERLAP_MS = 10_000;
const KEY_PREFIX = 'key:';
const USER_PREFIX = 'user:';

/**
 * Records, in the caller's transaction, that tokens of these keys must stop although the key rows
 * are about to be deleted (a deleted tenant or organization takes its keys with it).
 */
export async function recordKeysGone(trx: Kysely<Database>, keyIds: string[], now: Date, maxTokenTtlSeconds: number): Promise<void> {
  if (keyIds.length === 0) return;
  const expiresAt = new Date(now.getTime() + maxTokenTtlSeconds * 1000);
  await trx
    .insertInto('revoked_tokens')
    .values(keyIds.map((id) => ({ jti: `${KEY_PREFIX}${id}`, revoked_at: now, expires_at: expiresAt })))
    .onConflict((oc) => oc.column('jti').doNothing())
    .execute();
}

/**
 * Records, in the caller's transaction, that every token issued to these users until `now` must
 * stop: the user was deactivated or deleted, or what its tokens carry changed. Tokens issued
 * afterwards are good again (a reactivated user asks for a new one).
 */
export async function recordUsersRevoked(trx: Kysely<Database>, userIds: readonly string[], now: Date, maxTokenTtlSeconds: number): Promise<void> {
  if (userIds.length === 0) return;
  const expiresAt = new Date(now.getTime() + maxTokenTtlSeconds * 1000);
  await trx
    .insertInto('revoked_tokens')
    .values([...new Set(userIds)].map((id) => ({ jti: `${USER_PREFIX}${id}`, revoked_at: now, expires_at: expiresAt })))
    .onConflict((oc) => oc.column('jti').doUpdateSet({ revoked_at: now, expires_at: expiresAt }))
    .execute();
}

/** When the user's tokens were last revoked, read from the database (introspection trusts no node's memory). */
export async function findUserRevokedAt(db: Kysely<Database>, userId: string): Promise<Date | null> {
  const row = await db.selectFrom('revoked_tokens').select('revoked_at').where('jti', '=', `${USER_PREFIX}${userId}`).executeTakeFirst();
  return row?.revoked_at ?? null;
}

/** Whether a token issued at `issuedAtSeconds` (whole seconds, rounded down) was issued no later than a revocation at `at`. */
export const issuedBy = (issuedAtSeconds: number, at: Date | null | undefined): boolean => !!at && issuedAtSeconds * 1000 <= at.getTime();

export function createRevocations(deps: {
  db: Kysely<Database>;
  clock: Clock;
  maxTokenTtlSeconds: number;
  /** 0 turns polling off: with the embedded database this process is the only writer, and marks changes itself. */
  pollMs?: number;
}): Revocations {
  const { db, clock } = deps;
  const tokens = new Set<string>();
  const keys = new Set<string>();
  /** Key id → its last rotation. */
  const rotations = new Map<string, KeyRotation>();
  const noteRotation = (id: string, rotation: KeyRotation) => {
    const known = rotations.get(id);
    if (!known || known.at.getTime() <= rotation.at.getTime()) rotations.set(id, rotation);
  };
  const inactiveTenants = new Set<string>();
  /** User id → its last revocation: its tokens issued until then stop. */
  const revokedUsers = new Map<string, Date>();
  const noteUser = (id: string, at: Date) => {
    const known = revokedUsers.get(id);
    if (!known || known.getTime() < at.getTime()) revokedUsers.set(id, at);
  };
  let since = new Date(0);
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;

  async function load(initial: boolean) {
    // Overlap the window a little so a row committed just before `since` is not missed.
    const from = initial ? new Date(0) : new Date(since.getTime() - OVERLAP_MS);
    const now = clock.now();
    const tokenFloor = new Date(now.getTime() - deps.maxTokenTtlSeconds * 1000);
    const [revokedTokens, revokedKeys, tenants, rotatedKeys] = await Promise.all([
      db.selectFrom('revoked_tokens').select(['jti', 'revoked_at']).where('revoked_at', '>=', from).where('expires_at', '>', now).execute(),
      db
        .selectFrom('api_keys')
        .select('id')
        .where('revoked_at', 'is not', null)
        .where('revoked_at', '>=', initial ? tokenFloor : from)
        .execute(),
      // Tenants whose credentials are refused (at start), or whose state may have changed since the
      // last look, with their descendants: a suspended ancestor locks out its whole subtree.
      initial
        ? db
            .selectFrom('tenants as t')
            .select(['t.id', tenantUsable('t').as('usable')])
            .where((eb) =>
              eb.or([
                eb('t.is_active', '=', false),
                eb('t.deleted_at', 'is not', null),
                sql<SqlBool>`t.ancestor_ids && array(select a.id from tenants a where not a.is_active or a.deleted_at is not null)`,
              ]),
            )
            .execute()
        : db
            .selectFrom('tenants as t')
            .select(['t.id', tenantUsable('t').as('usable')])
            .where((eb) =>
              eb.or([
                eb('t.updated_at', '>=', from),
                eb('t.status_changed_at', '>=', from),
                sql<SqlBool>`t.ancestor_ids && array(select a.id from tenants a where a.status_changed_at >= ${from})`,
              ]),
            )
            .execute(),
      db
        .selectFrom('api_keys')
        .select(['id', 'updated_at', 'secret_hash', 'previous_secret_hash', 'previous_expires_at'])
        .where('updated_at', 'is not', null)
        // A grace period may outlast the token lifetime: such a rotation still matters.
        .where((eb) => (initial ? eb.or([eb('updated_at', '>=', tokenFloor), eb('previous_expires_at', '>=', tokenFloor)]) : eb('updated_at', '>=', from)))
        .execute(),
    ]);
    for (const r of rotatedKeys) {
      noteRotation(r.id, { at: r.updated_at!, ...secretsInForce(r) });
    }
    for (const r of revokedTokens) {
      // `key:<id>` rows stand for every token of a key that no longer exists (its tenant was deleted).
      if (r.jti.startsWith(KEY_PREFIX)) keys.add(r.jti.slice(KEY_PREFIX.length));
      else if (r.jti.startsWith(USER_PREFIX)) noteUser(r.jti.slice(USER_PREFIX.length), r.revoked_at);
      else tokens.add(r.jti);
    }
    for (const r of revokedKeys) keys.add(r.id);
    for (const t of tenants) {
      if (t.usable) inactiveTenants.delete(t.id);
      else inactiveTenants.add(t.id);
    }
    since = now;
  }

  const refresh = async () => {
    running ??= load(false).finally(() => {
      running = null;
    });
    return running;
  };

  return {
    isTokenRevoked: (jti) => tokens.has(jti),
    isKeyRevoked: (id) => keys.has(id),
    isRotatedOut(id, fingerprint, issuedAtSeconds) {
      const r = rotations.get(id);
      if (!r) return false;
      const now = clock.now();
      // A token minted before tokens named their secret counts as one of the previous secret when older than the rotation.
      if (fingerprint === undefined) return issuedAtSeconds * 1000 < r.at.getTime() && !isSecretInForce(r.previous ?? '', r, now);
      return !isSecretInForce(fingerprint, r, now);
    },
    markKeyRotated: (id, rotation) => afterCommit(() => noteRotation(id, rotation)),
    isTenantInactive: (id) => inactiveTenants.has(id),
    isUserRevoked: (id, issuedAtSeconds) => issuedBy(issuedAtSeconds, revokedUsers.get(id)),
    markUsersRevoked: (ids, at) =>
      afterCommit(() => {
        for (const id of ids) noteUser(id, at);
      }),
    // Inside a request whose commit is held, these wait for it: memory must not run ahead of a commit that may still fail.
    markTokenRevoked: (jti) => afterCommit(() => void tokens.add(jti)),
    markKeyRevoked: (id) => afterCommit(() => void keys.add(id)),
    markTenantActive: (id, active) => afterCommit(() => void (active ? inactiveTenants.delete(id) : inactiveTenants.add(id))),
    async start() {
      await load(true);
      const every = deps.pollMs ?? REVOCATION_POLL_MS;
      if (every <= 0) return;
      timer = setInterval(() => {
        refresh().catch(() => {});
      }, every);
      timer.unref();
    },
    refresh,
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
