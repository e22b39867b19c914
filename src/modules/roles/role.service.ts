import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { uniqueViolation } from '../../db/errors.js';
import { errors, type FieldError } from '../../lib/errors.js';
import type { Clock } from '../../lib/clock.js';
import { authorize, type Action } from '../access/policy.js';
import { resolveOwner } from '../access/ownership.js';
import { isApplicationScope, isManagementScope, type Principal } from '../access/principal.js';
import type { ChangeRecorder } from '../events/outbox.js';
import { findRole, listRoles, toRole } from './role.repository.js';
import type { Role, RoleCreateInput, RolePatchInput } from './role.schemas.js';

/** The users who hold roles (the users module owns them). */
export interface RoleHolders {
  /** Takes the role from every user of the organization holding it; returns their ids. */
  removeRole(trx: Kysely<Database>, organizationId: string, key: string): Promise<string[]>;
  /** The ids of the users holding the role. */
  holdersOf(trx: Kysely<Database>, organizationId: string, key: string): Promise<string[]>;
  /**
   * Their permissions changed: what was issued with the old ones (user tokens) must stop. Called
   * inside the transaction; returns what to do once it has committed.
   */
  permissionsChanged(trx: Kysely<Database>, userIds: string[]): Promise<() => void>;
}

export interface RoleServiceDeps {
  db: Kysely<Database>;
  clock: Clock;
  changes: ChangeRecorder;
  holders: RoleHolders;
}

const notFound = () => errors.notFound('Role not found');

/** Field errors for a role's permissions: Landlord scopes or application permissions, nothing else. */
function checkPermissions(permissions: string[]): string[] {
  const problems: FieldError[] = [];
  permissions.forEach((p, i) => {
    if (!isManagementScope(p) && !isApplicationScope(p)) {
      problems.push({
        field: `permissions.${i}`,
        code: 'BAD_SCOPE',
        message: `"${p.slice(0, 140)}" is neither a Landlord scope nor an application permission`,
      });
    }
  });
  if (problems.length) throw errors.validation(problems);
  return [...new Set(permissions)].sort();
}

/**
 * Custom roles of an organization: named sets of permissions its users hold beside their base
 * role. Administrators define them; admins and owners grant them to users (the users module).
 */
export function createRoleService(deps: RoleServiceDeps) {
  const { db, clock, changes, holders } = deps;

  /** The organization the caller works in: its own, or for a superadmin the one it names. */
  async function organizationOf(caller: Principal, action: Action, organizationId?: string): Promise<string> {
    // Roles belong to organizations, never to a tenant: for a tenant's callers this is a permission question.
    authorize(caller, action);
    return (await resolveOwner(db, caller, { organizationId })).organizationId;
  }

  async function load(executor: Kysely<Database>, organizationId: string, key: string, forUpdate = false) {
    const row = await findRole(executor, organizationId, key, forUpdate);
    if (!row) throw notFound();
    return toRole(row);
  }

  return {
    async list(caller: Principal, organizationId?: string): Promise<Role[]> {
      const org = await organizationOf(caller, 'role.list', organizationId);
      return (await listRoles(db, org)).map(toRole);
    },

    async get(caller: Principal, key: string, organizationId?: string): Promise<Role> {
      const org = await organizationOf(caller, 'role.get', organizationId);
      return load(db, org, key);
    },

    async create(caller: Principal, input: RoleCreateInput): Promise<Role> {
      const org = await organizationOf(caller, 'role.create', input.organizationId);
      const permissions = checkPermissions(input.permissions);
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        await trx
          .insertInto('roles')
          .values({
            organization_id: org,
            key: input.key,
            name: input.name,
            description: input.description ?? null,
            permissions,
            created_at: now,
            updated_at: now,
          })
          .execute()
          .catch((error) => {
            if (uniqueViolation(error)) throw errors.conflict('ROLE_KEY_OCCUPIED', 'A role with this key already exists', 'key');
            throw error;
          });
        const role = await load(trx, org, input.key);
        await changes.record(trx, caller, {
          organizationId: org,
          tenantId: null,
          operation: 'role.create',
          target: { type: 'role', id: role.key },
          object: role,
        });
        return role;
      });
    },

    async update(caller: Principal, key: string, input: RolePatchInput, organizationId?: string): Promise<Role> {
      const org = await organizationOf(caller, 'role.update', organizationId);
      const permissions = input.permissions === undefined ? undefined : checkPermissions(input.permissions);
      let after = () => {};
      const updated = await db.transaction().execute(async (trx) => {
        const current = await load(trx, org, key, true);
        await trx
          .updateTable('roles')
          .set({
            ...(input.name !== undefined ? { name: input.name } : {}),
            ...(input.description !== undefined ? { description: input.description } : {}),
            ...(permissions !== undefined ? { permissions } : {}),
            updated_at: clock.now(),
          })
          .where('organization_id', '=', org)
          .where('key', '=', key)
          .execute();
        const next = await load(trx, org, key);
        // Sessions read the new permissions on their next request; tokens issued with the old ones stop.
        if (permissions !== undefined && permissions.join(' ') !== current.permissions.join(' ')) {
          after = await holders.permissionsChanged(trx, await holders.holdersOf(trx, org, key));
        }
        await changes.record(trx, caller, {
          organizationId: org,
          tenantId: null,
          operation: 'role.update',
          target: { type: 'role', id: key },
          object: next,
          previous: current,
        });
        return next;
      });
      after();
      return updated;
    },

    /** Deletes the role and takes it from every user holding it, in one transaction. */
    async remove(caller: Principal, key: string, organizationId?: string): Promise<void> {
      const org = await organizationOf(caller, 'role.delete', organizationId);
      let after = () => {};
      await db.transaction().execute(async (trx) => {
        const current = await load(trx, org, key, true);
        const held = await holders.removeRole(trx, org, key);
        after = await holders.permissionsChanged(trx, held);
        await trx.deleteFrom('roles').where('organization_id', '=', org).where('key', '=', key).execute();
        await changes.record(trx, caller, {
          organizationId: org,
          tenantId: null,
          operation: 'role.delete',
          target: { type: 'role', id: key },
          object: current,
          removed: true,
        });
      });
      after();
    },
  };
}

export type RoleService = ReturnType<typeof createRoleService>;
