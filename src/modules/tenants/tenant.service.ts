import type { Kysely } from 'kysely';
import type { Database, NewTenantRow } from '../../db/schema.js';
import { uniqueViolation } from '../../db/errors.js';
import { AppError, errors, type FieldError } from '../../http/errors.js';
import { validateBody } from '../../http/validation.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import { ADMIN_ONLY_TENANT_FIELDS, authorize } from '../access/policy.js';
import { assertReaches, resolveOwner } from '../access/ownership.js';
import type { Principal } from '../access/principal.js';
import type { ApiKeyService } from '../credentials/api-key.service.js';
import type { WebhookService } from '../webhooks/webhook.service.js';
import { toWebhook } from '../webhooks/webhook.repository.js';
import { toUser } from '../users/user.repository.js';
import { toApiKeyView } from '../credentials/api-key.service.js';
import { recordKeysGone, type Revocations } from '../access/revocations.js';
import type { SignInService } from '../auth/sign-in.service.js';
import { preparePassword, type UserService } from '../users/user.service.js';
import { ifMatchSatisfied } from '../../lib/etag.js';
import { DEFAULT_SETTINGS, isDerivedSlug, mergeMetadata, slugify, tenantEtag } from './tenant.js';
import {
  countUsers,
  deleteTenantCascade,
  findTenantById,
  insertTenant,
  slugsLike,
  toTenant,
  updateTenantRow,
} from './tenant.repository.js';
import {
  TenantCreateBody,
  type Tenant,
  type TenantCreateInput,
  type TenantPatchInput,
  type TenantPutInput,
} from './tenant.schemas.js';
import { createTenantQueries } from './tenant.queries.js';
import { recordChange } from '../events/outbox.js';
import type { EventType } from '../events/event-types.js';

export interface TenantServiceDeps {
  db: Kysely<Database>;
  clock: Clock;
  publicUrl: string;
  apiKeys: ApiKeyService;
  webhooks: WebhookService;
  revocations: Revocations;
  users: UserService;
  signIn: SignInService;
  maxTokenTtlSeconds: number;
}

export interface CreatedTenant extends Tenant {
  dashboardUrl: string;
  apiKey?: { id: string; secret: string; scopes: string[] };
  signInUrl?: string;
  webhook?: { id: string; url: string; events: string[]; secret: string };
}

interface PreparedCreate {
  organizationId: string;
  ownerPasswordHash: string | null;
}

const CONSTRAINT_ERRORS: Record<string, { code: string; field: string; message: string }> = {
  tenants_org_name_key: { code: 'NAME_OCCUPIED', field: 'name', message: 'A tenant with this name already exists' },
  tenants_org_slug_key: { code: 'SLUG_OCCUPIED', field: 'slug', message: 'A tenant with this slug already exists' },
  tenants_org_external_id_key: {
    code: 'EXTERNAL_ID_OCCUPIED',
    field: 'externalId',
    message: 'A tenant with this externalId already exists',
  },
};

/** Maps a violated unique constraint of the tenants table to its 409; rethrows anything else. */
function rethrowConflict(error: unknown): never {
  const constraint = uniqueViolation(error);
  const mapped = constraint ? CONSTRAINT_ERRORS[constraint] : undefined;
  if (mapped) throw errors.conflict(mapped.code, mapped.message, mapped.field);
  throw error;
}

export interface BatchResult {
  status: number;
  tenant?: CreatedTenant;
  error?: AppError;
}

const NOT_YET: Record<string, string> = {
};

export function createTenantService(deps: TenantServiceDeps) {
  const { db, clock, publicUrl, apiKeys, revocations, users, signIn, webhooks } = deps;
  const queries = createTenantQueries({ db, publicUrl });

  const dashboardUrl = (id: string) => `${publicUrl}/dashboard/tenants/${id}`;

  async function load(caller: Principal, id: string, executor: Kysely<Database> = db, forUpdate = false) {
    const row = await findTenantById(executor, id, forUpdate);
    assertReaches(caller, row && { organizationId: row.organization_id, tenantId: row.id }, 'Tenant');
    return toTenant(row!);
  }

  async function nextFreeSlug(executor: Kysely<Database>, organizationId: string, name: string): Promise<string> {
    const base = slugify(name);
    // Most names are new: one unique-index probe settles it before any prefix search.
    const exact = await executor.selectFrom('tenants').select('id').where('organization_id', '=', organizationId).where('slug', '=', base).executeTakeFirst();
    if (!exact) return base;
    const taken = new Set(await slugsLike(executor, organizationId, base));
    for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
  }

  /** Everything that can be checked or computed before the transaction (password hashing is slow). */
  async function prepareCreate(caller: Principal, input: TenantCreateInput, field = ''): Promise<PreparedCreate> {
    authorize(caller, 'tenants.create');
    const at = (name: string) => (field ? `${field}.${name}` : name);
    const unsupported: FieldError[] = Object.keys(NOT_YET)
      .filter((k) => (input as Record<string, unknown>)[k] !== undefined)
      .map((k) => ({ field: at(k), code: 'NOT_SUPPORTED', message: NOT_YET[k] }));
    if (input.owner && input.ownerId) {
      unsupported.push({ field: at('ownerId'), code: 'BAD_FORMAT', message: 'give either owner or ownerId, not both' });
    }
    if (unsupported.length) throw errors.validation(unsupported);
    const { organizationId } = await resolveOwner(db, caller, { organizationId: input.organizationId });
    const ownerPasswordHash = await preparePassword(input.owner?.password, at('owner.password'));
    return { organizationId, ownerPasswordHash };
  }

  /** Creates the tenant and the extras it asked for inside the caller's transaction. */
  async function createIn(trx: Kysely<Database>, caller: Principal, prepared: PreparedCreate, input: TenantCreateInput) {
    const { organizationId } = prepared;
    const now = clock.now();
    const id = newId('tnt', now.getTime());
    const slug = input.slug ?? (await nextFreeSlug(trx, organizationId, input.name));
    const row: NewTenantRow = {
      id,
      organization_id: organizationId,
      name: input.name,
      slug,
      external_id: input.externalId ?? null,
      display_name: input.displayName ?? input.name,
      email: input.email ?? null,
      url: input.url ?? null,
      description: input.description ?? null,
      is_active: input.isActive ?? true,
      legal_entities: JSON.stringify(input.legalEntities ?? []),
      settings: JSON.stringify({ ...DEFAULT_SETTINGS, ...input.settings }),
      metadata: JSON.stringify(input.metadata ?? {}),
      created_at: now,
      updated_at: now,
    };
    await insertTenant(trx, row).catch(rethrowConflict);
    // Subscribed before the tenant's events are recorded, so the endpoint receives this tenant.created too.
    const webhook = input.webhook && (await webhooks.createIn(trx, caller, { organizationId, tenantId: id }, input.webhook, 'webhook'));
    let signInUrl: string | undefined;
    let owner: Awaited<ReturnType<UserService['insertIn']>> | undefined;
    if (input.owner) {
      owner = await users.insertIn(trx, { organizationId, tenantId: id }, {
        email: input.owner.email,
        name: input.owner.name ?? input.owner.email.slice(0, input.owner.email.lastIndexOf('@')).slice(0, 200),
        role: 'owner',
        passwordHash: prepared.ownerPasswordHash,
      });
      signInUrl = (await signIn.createLink(trx, owner.id)).url;
    } else if (input.ownerId) {
      // An existing user of the organization who has no tenant yet becomes this tenant's owner.
      const moved = await trx
        .updateTable('users')
        .set({ tenant_id: id, role: 'owner', updated_at: now })
        .where('id', '=', input.ownerId)
        .where('organization_id', '=', organizationId)
        .where('tenant_id', 'is', null)
        .where('role', '!=', 'superadmin')
        .returning('id')
        .executeTakeFirst();
      if (!moved) throw errors.field('ownerId', 'BAD_FORMAT', 'must be a user of this organization who has no tenant yet');
    }
    const created: CreatedTenant = { ...toTenant((await findTenantById(trx, id))!), dashboardUrl: dashboardUrl(id) };
    if (signInUrl) created.signInUrl = signInUrl;
    const { dashboardUrl: _url, signInUrl: _link, ...tenant } = created;
    await recordChange(trx, clock, caller, {
      organizationId,
      tenantId: id,
      action: 'tenant.create',
      target: { type: 'tenant', id },
      events: ['tenant.created'],
      object: tenant,
    });
    if (owner) {
      await recordChange(trx, clock, caller, {
        organizationId,
        tenantId: id,
        action: 'user.create',
        target: { type: 'user', id: owner.id },
        events: ['user.created'],
        object: owner,
      });
    }
    if (input.apiKey) {
      const key = await apiKeys.issue(trx, caller, { organizationId, tenantId: id }, input.apiKey, 'apiKey');
      created.apiKey = { id: key.id, secret: key.secret, scopes: key.scopes };
    }
    if (webhook) created.webhook = { id: webhook.id, url: webhook.url, events: webhook.events, secret: webhook.secret };
    return created;
  }

  async function createOne(caller: Principal, input: TenantCreateInput): Promise<CreatedTenant> {
    const prepared = await prepareCreate(caller, input);
    // A derived slug can lose a race with a concurrent create; pick the next suffix and retry.
    for (let attempt = 0; ; attempt++) {
      try {
        return await db.transaction().execute((trx) => createIn(trx, caller, prepared, input));
      } catch (error) {
        const slugRace = error instanceof AppError && error.code === 'SLUG_OCCUPIED' && input.slug === undefined;
        if (!slugRace || attempt >= 5) throw error;
      }
    }
  }

  async function write(
    caller: Principal,
    id: string,
    ifMatch: string | undefined,
    action: string,
    build: (current: Tenant, trx: Kysely<Database>) => Promise<Partial<NewTenantRow>>,
  ): Promise<Tenant> {
    const updated = await db.transaction().execute(async (trx) => {
      // Visibility before permission: another tenant's resource is 404, never 403.
      const current = await load(caller, id, trx, true);
      authorize(caller, 'tenants.update');
      if (!ifMatchSatisfied(ifMatch, tenantEtag(current))) throw errors.preconditionFailed();
      const set = await build(current, trx);
      await updateTenantRow(trx, id, { ...set, updated_at: clock.now() }).catch(rethrowConflict);
      const next = toTenant((await findTenantById(trx, id))!);
      const events: EventType[] = ['tenant.updated'];
      if (current.isActive !== next.isActive) events.push(next.isActive ? 'tenant.reactivated' : 'tenant.deactivated');
      await recordChange(trx, clock, caller, {
        organizationId: next.organizationId,
        tenantId: id,
        action,
        target: { type: 'tenant', id },
        events,
        object: next,
        previous: current,
      });
      return next;
    });
    // Tokens are checked against memory; this node knows at once, the others within a poll.
    revocations.markTenantActive(id, updated.isActive);
    return updated;
  }

  function checkOwnerFields(caller: Principal, current: Tenant, input: Record<string, unknown>) {
    if (caller.role === 'superadmin' || caller.role === 'admin') return;
    const currentValues = current as unknown as Record<string, unknown>;
    const same = (a: unknown, b: unknown) => (typeof a === 'object' && a !== null ? sameMetadata(a as Metadata, b as Metadata) : a === b);
    const changed = ADMIN_ONLY_TENANT_FIELDS.filter((f) => input[f] !== undefined && !same(input[f], currentValues[f]));
    if (changed.length) throw errors.forbidden(`Only administrators may change ${changed.join(', ')}`);
  }

  type Metadata = Record<string, string>;
  function sameMetadata(a: Metadata, b: Metadata | undefined): boolean {
    const keys = Object.keys(a);
    return !!b && keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && b[k] === a[k]);
  }

  function checkMetadataSize(metadata: Record<string, string>) {
    if (Object.keys(metadata).length > 50) {
      throw errors.field('metadata', 'BAD_METADATA', 'must have at most 50 keys after the change');
    }
  }

  return {
    ...queries,

    create: createOne,

    async batch(caller: Principal, items: unknown[], atomic: boolean): Promise<BatchResult[]> {
      authorize(caller, 'tenants.create');
      const results: { status: number; tenant?: CreatedTenant; error?: AppError }[] = [];
      const invalid = items.map((item, i) => validateBody(TenantCreateBody, item, `items.${i}`));
      if (atomic) {
        const firstBad = invalid.findIndex((e) => e.length > 0);
        if (firstBad >= 0) {
          return items.map((_, i) => ({ status: i === firstBad ? 422 : 424, error: i === firstBad ? errors.validation(invalid[i]) : rolledBack() }));
        }
        let failed = -1;
        try {
          const prepared: PreparedCreate[] = [];
          for (failed = 0; failed < items.length; failed++) prepared.push(await prepareCreate(caller, items[failed] as TenantCreateInput, `items.${failed}`));
          // One transaction for the whole batch: a failure or a crash leaves none of it behind.
          const created = await db.transaction().execute(async (trx) => {
            const out: CreatedTenant[] = [];
            for (let i = 0; i < items.length; i++) {
              failed = i;
              const input = items[i] as TenantCreateInput;
              out.push(await createIn(trx, caller, prepared[i], input));
            }
            return out;
          });
          return created.map((tenant) => ({ status: 201, tenant }));
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          return items.map((_, j) => (j === failed ? { status: error.status, error } : { status: 424, error: rolledBack() }));
        }
      }
      for (let i = 0; i < items.length; i++) {
        if (invalid[i].length) {
          results.push({ status: 422, error: errors.validation(invalid[i]) });
          continue;
        }
        try {
          results.push({ status: 201, tenant: await createOne(caller, items[i] as TenantCreateInput) });
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          results.push({ status: error.status, error });
        }
      }
      return results;
    },

    async get(caller: Principal, id: string): Promise<Tenant> {
      const tenant = await load(caller, id);
      authorize(caller, 'tenants.read');
      return tenant;
    },

    async me(caller: Principal): Promise<Tenant> {
      authorize(caller, 'tenants.read');
      if (!caller.tenantId) throw errors.notFound('No tenant assigned');
      return load(caller, caller.tenantId);
    },

    replace(caller: Principal, id: string, input: TenantPutInput, ifMatch?: string) {
      return write(caller, id, ifMatch, 'tenant.replace', async (current, trx) => {
        checkOwnerFields(caller, current, { isActive: true, externalId: null, ...input, metadata: input.metadata ?? {} });
        const base = slugify(input.name);
        const slug =
          input.slug ?? (isDerivedSlug(current.slug, base) ? current.slug : await nextFreeSlug(trx, current.organizationId, input.name));
        return {
          name: input.name,
          slug,
          external_id: input.externalId ?? null,
          display_name: input.displayName ?? input.name,
          email: input.email ?? null,
          url: input.url ?? null,
          description: input.description ?? null,
          is_active: input.isActive ?? true,
          legal_entities: JSON.stringify(input.legalEntities ?? []),
          settings: JSON.stringify({ ...DEFAULT_SETTINGS, ...input.settings }),
          metadata: JSON.stringify(input.metadata ?? {}),
        };
      });
    },

    update(caller: Principal, id: string, input: TenantPatchInput, ifMatch?: string) {
      return write(caller, id, ifMatch, 'tenant.update', async (current) => {
        checkOwnerFields(caller, current, { ...input, metadata: input.metadata === undefined ? undefined : mergeMetadata(current.metadata, input.metadata) });
        const set: Partial<NewTenantRow> = {};
        if (input.name !== undefined) set.name = input.name;
        if (input.slug !== undefined) set.slug = input.slug;
        if (input.externalId !== undefined) set.external_id = input.externalId;
        if (input.displayName !== undefined) set.display_name = input.displayName;
        if (input.email !== undefined) set.email = input.email;
        if (input.url !== undefined) set.url = input.url;
        if (input.description !== undefined) set.description = input.description;
        if (input.isActive !== undefined) set.is_active = input.isActive;
        if (input.legalEntities !== undefined) set.legal_entities = JSON.stringify(input.legalEntities);
        if (input.settings !== undefined) set.settings = JSON.stringify({ ...current.settings, ...input.settings });
        if (input.metadata !== undefined) {
          const metadata = mergeMetadata(current.metadata, input.metadata);
          checkMetadataSize(metadata);
          set.metadata = JSON.stringify(metadata);
        }
        return set;
      });
    },

    async remove(caller: Principal, id: string, force: boolean, ifMatch?: string): Promise<void> {
      let keyIds: string[] = [];
      await db.transaction().execute(async (trx) => {
        const current = await load(caller, id, trx, true);
        authorize(caller, 'tenants.delete');
        if (!ifMatchSatisfied(ifMatch, tenantEtag(current))) throw errors.preconditionFailed();
        const users = await countUsers(trx, id);
        if (users > 0 && !force) {
          throw errors.conflict(
            'TENANT_HAS_USERS',
            `The tenant still has ${users} user${users === 1 ? '' : 's'}; delete them first or pass ?force=true`,
          );
        }
        // Its keys go with it; their unexpired tokens must stop on every node too.
        keyIds = (await trx.selectFrom('api_keys').select('id').where('tenant_id', '=', id).execute()).map((k) => k.id);
        await recordKeysGone(trx, keyIds, clock.now(), deps.maxTokenTtlSeconds);
        await deleteTenantCascade(trx, id);
        await recordChange(trx, clock, caller, {
          organizationId: current.organizationId,
          tenantId: id,
          action: 'tenant.delete',
          removed: true,
          target: { type: 'tenant', id },
          events: ['tenant.deleted'],
          object: current,
        });
      });
      // Its keys are gone; make sure no remembered lookup or token outlives it on this node.
      revocations.markTenantActive(id, false);
      for (const keyId of keyIds) revocations.markKeyRevoked(keyId);
    },

    async export(caller: Principal, id: string) {
      const tenant = await load(caller, id);
      authorize(caller, 'tenants.export');
      // The same views the users, API keys and webhooks endpoints give; their mappers leave hashes and secrets out.
      const [users, keys, hooks] = await Promise.all([
        db.selectFrom('users').selectAll().where('tenant_id', '=', id).orderBy('created_at').execute(),
        db.selectFrom('api_keys').selectAll().where('tenant_id', '=', id).where('revoked_at', 'is', null).orderBy('created_at').execute(),
        db.selectFrom('webhooks').selectAll().where('tenant_id', '=', id).orderBy('created_at').execute(),
      ]);
      const now = clock.now();
      return {
        exportedAt: now.toISOString(),
        tenant,
        users: users.map(toUser),
        apiKeys: keys.map(toApiKeyView),
        webhooks: hooks.map((h) => toWebhook(h, now)),
      };
    },
  };

  function rolledBack() {
    return new AppError(424, 'BATCH_ROLLED_BACK', 'Not created: another item of this atomic batch failed');
  }
}

export type TenantService = ReturnType<typeof createTenantService>;
