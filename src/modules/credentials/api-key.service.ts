import type { Kysely } from 'kysely';
import type { ApiKeyRow, Database } from '../../db/schema.js';
import { errors, type FieldError } from '../../lib/errors.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import { assertMayHandOut, authorize, scopesBeyond } from '../access/policy.js';
import { belongsTo, resolveOwner, type Owner, type OwnerRef } from '../access/ownership.js';
import { MANAGEMENT_SCOPES, defaultScopes, isApplicationScope, type Principal, type Role } from '../access/principal.js';
import { afterCommit } from '../../db/request-transaction.js';
import type { Revocations } from './revocations.js';
import type { KeyCache } from './key-cache.js';
import { generateSecret, secretsInForce } from './api-key.js';
import type { ChangeRecorder } from '../events/outbox.js';
import { assertWithinQuota } from '../plans/quota.js';
import { countKeysInForce, findApiKey, insertApiKey, listApiKeys, revokeApiKey } from './api-key.repository.js';
import type { ApiKey, ApiKeyCreateInput } from './api-key.schemas.js';

export function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    organizationId: row.organization_id,
    tenantId: row.tenant_id,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at ? row.expires_at.toISOString() : null,
    lastUsedAt: row.last_used_at ? row.last_used_at.toISOString() : null,
  };
}

/** Field errors for a requested scope list: known management scopes the caller holds, or application scopes. */
export function checkScopes(requested: string[], holder: Role, caller: Principal, field: string): FieldError[] {
  const out: FieldError[] = [];
  const allowed = new Set(defaultScopes(holder));
  requested.forEach((scope, i) => {
    const management = (MANAGEMENT_SCOPES as readonly string[]).includes(scope);
    if (management && (!allowed.has(scope) || scopesBeyond(caller, [scope]).length)) {
      out.push({ field: `${field}.${i}`, code: 'BAD_SCOPE', message: `"${scope}" cannot be granted here` });
    } else if (!management && !isApplicationScope(scope)) {
      out.push({ field: `${field}.${i}`, code: 'BAD_SCOPE', message: `"${scope}" is not a valid scope` });
    }
  });
  return out;
}

export function createApiKeyService(deps: { db: Kysely<Database>; clock: Clock; changes: ChangeRecorder; revocations: Revocations; keyCache: KeyCache }) {
  const { db, clock, changes, revocations, keyCache } = deps;

  /** Issues a key inside the caller's transaction; returns the view plus the one-time secret. */
  async function issue(trx: Kysely<Database>, caller: Principal, owner: Owner, input: ApiKeyCreateInput, field = ''): Promise<ApiKey & { secret: string }> {
    const holder: Role = owner.tenantId ? 'owner' : 'admin';
    assertMayHandOut(caller, { role: holder, scopes: [] }, 'An API key');
    const scopes = input.scopes ? [...new Set(input.scopes)] : defaultScopes(holder).filter((s) => caller.role === 'superadmin' || caller.scopes.has(s));
    const fieldErrors = checkScopes(scopes, holder, caller, field ? `${field}.scopes` : 'scopes');
    const now = clock.now();
    const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
    if (expiresAt && expiresAt.getTime() <= now.getTime()) {
      fieldErrors.push({ field: field ? `${field}.expiresAt` : 'expiresAt', code: 'BAD_FORMAT', message: 'must be in the future' });
    }
    if (fieldErrors.length) throw errors.validation(fieldErrors);
    const { secret, hash, prefix } = generateSecret();
    const row = await insertApiKey(trx, {
      id: newId('key'),
      organization_id: owner.organizationId,
      tenant_id: owner.tenantId,
      name: input.name ?? 'Default key',
      prefix,
      secret_hash: hash,
      scopes,
      created_at: now,
      expires_at: expiresAt,
    });
    const view = toApiKey(row);
    await changes.record(trx, caller, {
      ...owner,
      operation: 'api_key.create',
      target: { type: 'api_key', id: view.id },
      object: view,
    });
    await assertWithinQuota(trx, owner.tenantId, 'apiKeys', (t, tenant) => countKeysInForce(t, tenant, now));
    return { ...view, secret };
  }

  return {
    issue,
    async create(caller: Principal, target: OwnerRef, input: ApiKeyCreateInput) {
      const owner = await resolveOwner(db, caller, target, 'api_key.create');
      return db.transaction().execute((trx) => issue(trx, caller, owner, input));
    },
    async list(caller: Principal, target: OwnerRef) {
      const owner = await resolveOwner(db, caller, target, 'api_key.list');
      return (await listApiKeys(db, owner.organizationId, owner.tenantId)).map(toApiKey);
    },
    /** A new secret for the same key; the old one keeps working for `gracePeriodSeconds`. */
    async rotate(caller: Principal, target: OwnerRef, keyId: string, gracePeriodSeconds: number) {
      const owner = await resolveOwner(db, caller, target);
      const key = await findApiKey(db, keyId);
      if (!key || !belongsTo(key, owner)) {
        throw errors.notFound('API key not found');
      }
      authorize(caller, 'api_key.rotate');
      // A key acts as an owner (or admin): a member holding api_keys:write through a custom role may not obtain one.
      assertMayHandOut(caller, { role: key.tenant_id ? 'owner' : 'admin', scopes: key.scopes }, 'A new secret for this key');
      const now = clock.now();
      const { secret, hash, prefix } = generateSecret();
      const row = await db.transaction().execute(async (trx) => {
        const updated = await trx
          .updateTable('api_keys')
          .set({
            secret_hash: hash,
            prefix,
            previous_secret_hash: gracePeriodSeconds > 0 ? key.secret_hash : null,
            previous_expires_at: gracePeriodSeconds > 0 ? new Date(now.getTime() + gracePeriodSeconds * 1000) : null,
            updated_at: now,
          })
          .where('id', '=', key.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        await changes.record(trx, caller, {
          ...owner,
          operation: 'api_key.rotate',
          target: { type: 'api_key', id: key.id },
          object: { ...toApiKey(updated), gracePeriodSeconds },
          previous: toApiKey(key),
        });
        return updated;
      });
      // Forgotten once the rotation is committed (at once, unless the request holds its commit for
      // an idempotency key): a lookup before the commit would remember the old row again.
      afterCommit(() => keyCache.forgetKey(key.id));
      revocations.markKeyRotated(key.id, { at: now, ...secretsInForce(row) });
      return { ...toApiKey(row), secret };
    },
    async revoke(caller: Principal, target: OwnerRef, keyId: string) {
      const owner = await resolveOwner(db, caller, target);
      const key = await findApiKey(db, keyId);
      if (!key || !belongsTo(key, owner)) {
        throw errors.notFound('API key not found');
      }
      authorize(caller, 'api_key.revoke');
      await db.transaction().execute(async (trx) => {
        await revokeApiKey(trx, key.id, clock.now());
        await changes.record(trx, caller, {
          ...owner,
          operation: 'api_key.revoke',
          removed: true,
          target: { type: 'api_key', id: key.id },
          object: toApiKey(key),
        });
      });
      revocations.markKeyRevoked(key.id);
      keyCache.forgetKey(key.id);
    },
  };
}

export type ApiKeyService = ReturnType<typeof createApiKeyService>;
