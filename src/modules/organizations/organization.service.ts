import { sql, type Kysely } from 'kysely';
import type { Database, OrganizationRow } from '../../db/schema.js';
import { uniqueViolation } from '../../db/errors.js';
import { errors } from '../../lib/errors.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import { authorize } from '../access/policy.js';
import { assertReaches } from '../access/ownership.js';
import type { Principal } from '../access/principal.js';
import { slugify } from '../tenants/tenant.js';
import type { ChangeRecorder } from '../events/outbox.js';
import type { Organization } from './organization.schemas.js';
import { deleteOrganizationUsers } from '../users/user.repository.js';
import { deleteOrganizationApiKeys } from '../credentials/api-key.repository.js';
import { recordKeysGone, type Revocations } from '../credentials/revocations.js';

type OrganizationRecord = OrganizationRow & { tenant_count: number };

function toOrganization(row: OrganizationRecord): Organization {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    tenantCount: row.tenant_count,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function selectOrganizations(db: Kysely<Database>) {
  return db
    .selectFrom('organizations as o')
    .selectAll('o')
    .select((eb) =>
      eb.selectFrom('tenants as t').whereRef('t.organization_id', '=', 'o.id').select(sql<number>`count(*)::int`.as('c')).$asScalar().as('tenant_count'),
    );
}

function rethrowConflict(error: unknown): never {
  if (uniqueViolation(error)) throw errors.conflict('SLUG_OCCUPIED', 'An organization with this slug already exists', 'slug');
  throw error;
}

export const DEFAULT_ORGANIZATION_SLUG = 'default';

/** Creates the `default` organization on first start; returns its id either way. */
export async function ensureDefaultOrganization(db: Kysely<Database>, clock: Clock): Promise<string> {
  const now = clock.now();
  await db
    .insertInto('organizations')
    .values({ id: newId('org', now.getTime()), name: 'Default', slug: DEFAULT_ORGANIZATION_SLUG, created_at: now, updated_at: now })
    .onConflict((oc) => oc.column('slug').doNothing())
    .execute();
  const row = await db.selectFrom('organizations').select('id').where('slug', '=', DEFAULT_ORGANIZATION_SLUG).executeTakeFirstOrThrow();
  return row.id;
}

export function createOrganizationService(deps: {
  db: Kysely<Database>;
  clock: Clock;
  changes: ChangeRecorder;
  revocations: Revocations;
  maxTokenTtlSeconds: number;
}) {
  const { db, clock, changes, revocations } = deps;

  async function load(caller: Principal, id: string): Promise<Organization> {
    const row = (await selectOrganizations(db).where('o.id', '=', id).executeTakeFirst()) as OrganizationRecord | undefined;
    assertReaches(caller, row && { organizationId: row.id, tenantId: null }, 'Organization');
    return toOrganization(row!);
  }

  return {
    async create(caller: Principal, input: { name: string; slug?: string }): Promise<Organization> {
      authorize(caller, 'organization.create');
      const now = clock.now();
      const id = newId('org', now.getTime());
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('organizations')
          .values({ id, name: input.name, slug: input.slug ?? slugify(input.name), created_at: now, updated_at: now })
          .execute()
          .catch(rethrowConflict);
        await changes.record(trx, caller, {
          organizationId: id,
          tenantId: null,
          operation: 'organization.create',
          target: { type: 'organization', id },
          object: input,
        });
      });
      return load(caller, id);
    },
    async list(caller: Principal): Promise<Organization[]> {
      authorize(caller, 'organization.list');
      const rows = (await selectOrganizations(db).orderBy('o.created_at').orderBy('o.id').limit(1000).execute()) as OrganizationRecord[];
      return rows.map(toOrganization);
    },
    async get(caller: Principal, id: string): Promise<Organization> {
      const org = await load(caller, id);
      authorize(caller, 'organization.get');
      return org;
    },
    async me(caller: Principal): Promise<Organization> {
      const org = await load(caller, caller.organizationId);
      authorize(caller, 'organization.me');
      return org;
    },
    async update(caller: Principal, id: string, input: { name?: string; slug?: string }): Promise<Organization> {
      const before = await load(caller, id);
      authorize(caller, 'organization.update');
      const set: { name?: string; slug?: string; updated_at: Date } = { updated_at: clock.now() };
      if (input.name !== undefined) set.name = input.name;
      if (input.slug !== undefined) set.slug = input.slug;
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('organizations').set(set).where('id', '=', id).execute().catch(rethrowConflict);
        await changes.record(trx, caller, {
          organizationId: id,
          tenantId: null,
          operation: 'organization.update',
          target: { type: 'organization', id },
          object: { ...before, ...input },
          previous: before,
        });
      });
      return load(caller, id);
    },
    async remove(caller: Principal, id: string): Promise<void> {
      const org = await load(caller, id);
      authorize(caller, 'organization.delete');
      if (org.slug === DEFAULT_ORGANIZATION_SLUG) {
        throw errors.conflict('ORGANIZATION_IS_DEFAULT', 'The default organization cannot be deleted');
      }
      if (org.tenantCount > 0) {
        throw errors.conflict('ORGANIZATION_HAS_TENANTS', `The organization still has ${org.tenantCount} tenants; delete them first`);
      }
      let keyIds: string[] = [];
      await db.transaction().execute(async (trx) => {
        // Its keys go with it; their unexpired tokens must stop on every node too.
        keyIds = await deleteOrganizationApiKeys(trx, id);
        await recordKeysGone(trx, keyIds, clock.now(), deps.maxTokenTtlSeconds);
        await deleteOrganizationUsers(trx, id);
        await trx.deleteFrom('organizations').where('id', '=', id).execute();
        await changes.record(trx, caller, {
          organizationId: id,
          tenantId: null,
          operation: 'organization.delete',
          target: { type: 'organization', id },
          object: org,
          removed: true,
        });
      });
      // No remembered lookup or token of its keys outlives it on this node.
      for (const keyId of keyIds) revocations.markKeyRevoked(keyId);
    },
  };
}

export type OrganizationService = ReturnType<typeof createOrganizationService>;
