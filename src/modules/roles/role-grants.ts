import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { errors } from '../../lib/errors.js';
import { findRolesByKeys } from './role.repository.js';

/**
 * Checks, inside the caller's transaction, that every key names a custom role of the
 * organization (422 `ROLE_NOT_FOUND` on `field.i` otherwise), and returns the permissions those
 * roles grant. The roles stay locked until the transaction ends, so none of them can be deleted
 * before the grant commits. For users, invitations and anything else that hands out roles.
 */
export async function assertRolesExist(trx: Kysely<Database>, organizationId: string, keys: readonly string[], field = 'roles'): Promise<string[]> {
  const unique = [...new Set(keys)];
  const found = await findRolesByKeys(trx, organizationId, unique, true);
  const known = new Set(found.map((r) => r.key));
  const missing = keys.flatMap((key, i) =>
    known.has(key) ? [] : [{ field: `${field}.${i}`, code: 'ROLE_NOT_FOUND', message: `"${key}" is not a role of this organization` }],
  );
  if (missing.length) throw errors.validation(missing);
  return [...new Set(found.flatMap((r) => r.permissions))].sort();
}
