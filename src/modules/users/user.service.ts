import type { Kysely } from 'kysely';
import type { Database, UserRow } from '../../db/schema.js';
import { errors } from '../../lib/errors.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import { assertMayHandOut, isAdministrator, ranksAtLeast } from '../access/policy.js';
import { belongsTo, resolveOwner, type Owner, type OwnerRef } from '../access/ownership.js';
import type { Principal, Role } from '../access/principal.js';
import { hashPassword, passwordProblem } from './password.js';
import type { ChangeRecorder } from '../events/outbox.js';
import { assertWithinQuota, type QuotaCount } from '../plans/quota.js';
import { enqueueMail } from '../mail/mail.outbox.js';
import { signInLinkMail } from '../mail/mail.templates.js';
import type { SecretBox } from '../../lib/secret-box.js';
import { recordUsersRevoked, type Revocations } from '../credentials/revocations.js';
import { assertRolesExist } from '../roles/role-grants.js';
import type { RoleHolders } from '../roles/role.service.js';
import {
  countOwners,
  countTenantUsers,
  findRoleHolders,
  findUser,
  insertUser,
  listUsers,
  presentUser,
  presentUsers,
  removeRoleFromUsers,
  rethrowEmailConflict,
} from './user.repository.js';
import type { User } from './user.schemas.js';
import type { UserCreateInput, UserPatchInput } from './user.schemas.js';

const TENANT_ROLES = ['owner', 'member'];
const ORGANIZATION_ROLES = ['admin', 'superadmin'];

/** Hashes a password after checking its strength; the field name goes into the error. */
export async function preparePassword(password: string | undefined, field = 'password'): Promise<string | null> {
  if (password === undefined) return null;
  const problem = passwordProblem(password);
  if (problem) throw errors.field(field, 'WEAK_PASSWORD', problem);
  return hashPassword(password);
}

/** Issues one-time sign-in links (the sign-in module); users only ask for them. */
export interface SignInLinks {
  createLink(executor: Kysely<Database>, userId: string): Promise<{ token: string; expiresAt: string }>;
}

/** How sign-in links reach their user when Landlord sends mail; absent: the API hands them out. */
export interface SignInLinkMail {
  secretBox: SecretBox;
  /** The dashboard's sign-in page for a token, as an absolute URL. */
  signInUrl: (token: string) => string;
}

export interface UserServiceDeps {
  db: Kysely<Database>;
  clock: Clock;
  changes: ChangeRecorder;
  signIn: SignInLinks;
  /** Stops a user's session tokens when it is deactivated or deleted, or its permissions change. */
  revocations: Revocations;
  maxTokenTtlSeconds: number;
  /** How sign-in links reach their user when Landlord sends mail; absent: the API hands them out. */
  mail?: SignInLinkMail;
  /** Seats of a tenant held by what is not a user yet (pending invitations), for limits.users. */
  seatsHeld?: (trx: Kysely<Database>, tenantId: string) => Promise<number>;
}

export function createUserService(deps: UserServiceDeps) {
  const { db, clock, changes, signIn, revocations } = deps;

  /** What limits.users counts: the tenant's users and the seats held for those invited. */
  const seatsTaken: QuotaCount = async (trx, tenant) => (await countTenantUsers(trx, tenant.id)) + ((await deps.seatsHeld?.(trx, tenant.id)) ?? 0);

  /**
   * Records, in the transaction, that the users' session tokens issued until now must stop;
   * returns what tells this node's memory once the transaction has committed.
   */
  async function revokeTokens(trx: Kysely<Database>, userIds: string[]): Promise<() => void> {
    if (userIds.length === 0) return () => {};
    const now = clock.now();
    await recordUsersRevoked(trx, userIds, now, deps.maxTokenTtlSeconds);
    return () => revocations.markUsersRevoked(userIds, now);
  }

  /**
   * Checks the custom roles a write gives a user: each must be a role of its organization (422),
   * and the caller must hold every permission of the roles it adds (403). Administrators define
   * the roles, so only Landlord scopes bind them; anyone else must hold the application
   * permissions too.
   */
  async function checkRoles(trx: Kysely<Database>, caller: Principal, owner: Owner, keys: string[] | undefined, current: readonly string[] = []) {
    if (keys === undefined) return;
    await assertRolesExist(trx, owner.organizationId, keys, 'roles');
    const added = [...new Set(keys)].filter((k) => !current.includes(k));
    if (added.length === 0) return;
    const granted = await assertRolesExist(trx, owner.organizationId, added, 'roles');
    assertMayHandOut(caller, { scopes: granted, application: !isAdministrator(caller) }, 'These roles');
  }

  /** A caller manages no user whose base role ranks above its own (a member acting with a role's users:write). */
  function assertMayManage(caller: Principal, user: UserRow) {
    if (!ranksAtLeast(caller, user.role as Role)) throw errors.forbidden(`A ${caller.role} may not manage a ${user.role}`);
  }

  async function loadUser(executor: Kysely<Database>, owner: Owner, userId: string, forUpdate = false): Promise<UserRow> {
    const user = await findUser(executor, userId, forUpdate);
    if (!user || !belongsTo(user, owner)) throw errors.notFound('User not found');
    return user;
  }

  function checkRole(caller: Principal, tenantId: string | null, role: string) {
    const allowed = tenantId ? TENANT_ROLES : ORGANIZATION_ROLES;
    if (!allowed.includes(role)) throw errors.field('role', 'BAD_FORMAT', `must be one of ${allowed.join(', ')}`);
    if (role === 'superadmin' && caller.role !== 'superadmin') throw errors.forbidden('Only a superadmin may create superadmins');
    assertMayHandOut(caller, { role: role as Role, scopes: [] }, 'this role');
  }

  /** Inserts a user inside the caller's transaction (also used by tenant create for its owner). */
  async function insertIn(
    trx: Kysely<Database>,
    owner: Owner,
    input: { email: string; name: string; role: string; passwordHash: string | null; roles?: string[] },
  ): Promise<User> {
    const now = clock.now();
    const row = await insertUser(trx, {
      id: newId('usr', now.getTime()),
      organization_id: owner.organizationId,
      tenant_id: owner.tenantId,
      email: input.email,
      name: input.name,
      role: input.role,
      roles: [...new Set(input.roles ?? [])],
      password_hash: input.passwordHash,
      created_at: now,
      updated_at: now,
    });
    await assertWithinQuota(trx, owner.tenantId, 'users', seatsTaken);
    return presentUser(trx, row);
  }

  /** The users' side of custom roles: the roles module takes a deleted role from its holders through it. */
  const roleHolders: RoleHolders = {
    removeRole: (trx, organizationId, key) => removeRoleFromUsers(trx, organizationId, key, clock.now()),
    holdersOf: findRoleHolders,
    permissionsChanged: revokeTokens,
  };

  return {
    insertIn,
    seatsTaken,
    roleHolders,

    async create(caller: Principal, target: OwnerRef, input: UserCreateInput): Promise<User> {
      const owner = await resolveOwner(db, caller, target, 'user.create');
      const role = input.role ?? (owner.tenantId ? 'member' : 'admin');
      checkRole(caller, owner.tenantId, role);
      const passwordHash = await preparePassword(input.password);
      return db.transaction().execute(async (trx) => {
        if (owner.tenantId && role !== 'owner' && (await countOwners(trx, owner.tenantId)) === 0) {
          throw errors.field('role', 'BAD_FORMAT', 'the first user of a tenant must be its owner');
        }
        await checkRoles(trx, caller, owner, input.roles);
        const user = await insertIn(trx, owner, { email: input.email, name: input.name, role, passwordHash, roles: input.roles });
        await changes.record(trx, caller, {
          ...owner,
          operation: 'user.create',
          target: { type: 'user', id: user.id },
          object: user,
        });
        return user;
      });
    },

    async list(caller: Principal, target: OwnerRef): Promise<User[]> {
      const owner = await resolveOwner(db, caller, target, 'user.list');
      return presentUsers(db, await listUsers(db, owner));
    },

    async get(caller: Principal, target: OwnerRef, userId: string): Promise<User> {
      const owner = await resolveOwner(db, caller, target, 'user.get');
      return presentUser(db, await loadUser(db, owner, userId));
    },

    async update(caller: Principal, target: OwnerRef, userId: string, input: UserPatchInput): Promise<User> {
      const owner = await resolveOwner(db, caller, target, 'user.update');
      if (input.role !== undefined) checkRole(caller, owner.tenantId, input.role);
      const passwordHash = await preparePassword(input.password);
      let after = () => {};
      const updated = await db.transaction().execute(async (trx) => {
        const user = await loadUser(trx, owner, userId, true);
        assertMayManage(caller, user);
        await checkRoles(trx, caller, owner, input.roles, user.roles);
        if (owner.tenantId && user.role === 'owner' && input.role === 'member' && (await countOwners(trx, owner.tenantId, user.id)) === 0) {
          throw errors.conflict('LAST_OWNER', 'A tenant with users keeps at least one owner; make someone else owner first');
        }
        const set: Partial<UserRow> = { updated_at: clock.now() };
        if (input.email !== undefined) set.email = input.email;
        if (input.name !== undefined) set.name = input.name;
        if (input.role !== undefined) set.role = input.role;
        if (input.roles !== undefined) set.roles = [...new Set(input.roles)];
        if (input.isActive !== undefined) set.is_active = input.isActive;
        if (passwordHash !== null) set.password_hash = passwordHash;
        const row = await trx.updateTable('users').set(set).where('id', '=', user.id).returningAll().executeTakeFirstOrThrow().catch(rethrowEmailConflict);
        // A password change or deactivation ends the user's other sessions.
        if (passwordHash !== null || input.isActive === false) await trx.deleteFrom('sessions').where('user_id', '=', user.id).execute();
        const previous = await presentUser(trx, user);
        const next = await presentUser(trx, row);
        // Its session tokens stop when it may no longer sign in, or carry what it no longer holds.
        const changedGrants = next.role !== previous.role || next.permissions.join(' ') !== previous.permissions.join(' ');
        if (passwordHash !== null || input.isActive === false || changedGrants) after = await revokeTokens(trx, [user.id]);
        await changes.record(trx, caller, {
          ...owner,
          operation: 'user.update',
          target: { type: 'user', id: user.id },
          // The audit entry says the password changed, never what it is.
          object: passwordHash !== null ? { ...next, passwordChanged: true } : next,
          previous,
        });
        return next;
      });
      after();
      return updated;
    },

    async remove(caller: Principal, target: OwnerRef, userId: string): Promise<void> {
      const owner = await resolveOwner(db, caller, target, 'user.delete');
      let after = () => {};
      await db.transaction().execute(async (trx) => {
        const user = await loadUser(trx, owner, userId, true);
        assertMayManage(caller, user);
        if (owner.tenantId && user.role === 'owner') {
          const others = (await countTenantUsers(trx, owner.tenantId)) - 1;
          if (others > 0 && (await countOwners(trx, owner.tenantId, user.id)) === 0) {
            throw errors.conflict('LAST_OWNER', 'A tenant with users keeps at least one owner; make someone else owner first');
          }
        }
        // Sessions and sign-in links go with the user (foreign keys cascade).
        await trx.deleteFrom('users').where('id', '=', user.id).execute();
        after = await revokeTokens(trx, [user.id]);
        await changes.record(trx, caller, {
          ...owner,
          operation: 'user.delete',
          removed: true,
          target: { type: 'user', id: user.id },
          object: await presentUser(trx, user),
        });
      });
      after();
    },

    async signInLink(caller: Principal, target: OwnerRef, userId: string) {
      const owner = await resolveOwner(db, caller, target, 'user.sign_in_link');
      const user = await loadUser(db, owner, userId);
      if (!user.is_active) throw errors.conflict('USER_INACTIVE', 'The user is deactivated');
      // The link opens a session with the user's role and permissions: the caller must hold all of them.
      const { permissions } = await presentUser(db, user);
      assertMayHandOut(caller, { role: user.role as Role, scopes: permissions, application: !isAdministrator(caller) }, 'A sign-in link');
      return db.transaction().execute(async (trx): Promise<{ token?: string; sentTo?: string; expiresAt: string }> => {
        const link = await signIn.createLink(trx, user.id);
        await changes.record(trx, caller, {
          ...owner,
          operation: 'user.sign_in_link',
          target: { type: 'user', id: user.id },
          object: { expiresAt: link.expiresAt },
        });
        if (!deps.mail) return link;
        // Mailed to the user in this transaction; the caller never sees the link.
        await enqueueMail(trx, deps.mail.secretBox, clock.now(), {
          organizationId: user.organization_id,
          tenantId: user.tenant_id,
          kind: 'sign_in_link',
          to: user.email,
          ...signInLinkMail({ name: user.name, url: deps.mail.signInUrl(link.token), expiresAt: new Date(link.expiresAt) }),
        });
        return { sentTo: user.email, expiresAt: link.expiresAt };
      });
    },
  };
}

export type UserService = ReturnType<typeof createUserService>;
