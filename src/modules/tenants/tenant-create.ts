import type { Kysely } from 'kysely';
import type { Database, NewTenantRow } from '../../db/schema.js';
import { AppError, errors, type FieldError } from '../../lib/errors.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import { authorize } from '../access/policy.js';
import { resolveOwner } from '../access/ownership.js';
import type { Principal } from '../access/principal.js';
import type { ApiKeyService } from '../credentials/api-key.service.js';
import type { SignInService } from '../auth/sign-in.service.js';
import type { ChangeRecorder } from '../events/outbox.js';
import type { Revocations } from '../credentials/revocations.js';
import { assertWithinQuota } from '../plans/quota.js';
import { adoptAsTenantOwner } from '../users/user.repository.js';
import { preparePassword, type UserService } from '../users/user.service.js';
import type { WebhookService } from '../webhooks/webhook.service.js';
import { fullColumns, slugify } from './tenant.js';
import { placeUnder, subtreeStates } from './tenant-hierarchy.js';
import { findTenantById, insertTenant, insertTenantIfSlugFree, slugsLike, toTenant, type TenantRecord } from './tenant.repository.js';
import type { Tenant, TenantCreateInput } from './tenant.schemas.js';

export interface TenantCreateDeps {
  db: Kysely<Database>;
  clock: Clock;
  changes: ChangeRecorder;
  apiKeys: ApiKeyService;
  webhooks: WebhookService;
  users: UserService;
  signIn: SignInService;
  revocations: Revocations;
}

/** What a create returns beside the tenant, once: the secrets of the extras it asked for. */
export interface TenantExtras {
  apiKey?: { id: string; secret: string; scopes: string[] };
  /** The new owner's one-time sign-in token (the route makes it a link). */
  signInToken?: string;
  webhook?: { id: string; url: string; events: string[]; secret: string };
}

export interface CreatedTenant {
  tenant: Tenant;
  extras: TenantExtras;
}

/** A batch item as the route validated it: a create body, or the field errors it had. */
export type BatchItem = { input: TenantCreateInput } | { invalid: FieldError[] };
export type BatchOutcome = { created: CreatedTenant } | { error: AppError };

interface Prepared {
  organizationId: string;
  ownerPasswordHash: string | null;
}

/** A failure of one item of an atomic batch, with its position. */
class ItemFailure extends Error {
  constructor(
    readonly index: number,
    readonly error: unknown,
  ) {
    super('batch item failed');
  }
}

const rolledBack = () => errors.rolledBack('Not created: another item of this atomic batch failed');

/** The slug derived from `name`, or its first free numeric suffix (`base-2`, …) when it is taken. */
export async function nextFreeSlug(executor: Kysely<Database>, organizationId: string, name: string): Promise<string> {
  const base = slugify(name);
  const taken = new Set(await slugsLike(executor, organizationId, base));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/**
 * Inserts the tenant. Without a slug, the one derived from the name, or its first free numeric
 * suffix when taken: most names are new, so the insert itself finds out (one statement).
 */
async function insertWithSlug(trx: Kysely<Database>, row: Omit<NewTenantRow, 'slug'>, slug: string | undefined, name: string): Promise<TenantRecord> {
  if (slug !== undefined) return insertTenant(trx, { ...row, slug });
  const base = slugify(name);
  const inserted = await insertTenantIfSlugFree(trx, { ...row, slug: base });
  return inserted ?? insertTenant(trx, { ...row, slug: await nextFreeSlug(trx, row.organization_id, name) });
}

/** Creating tenants, one or a batch, with the owner, API key and webhook they may ask for in the same transaction. */
export function createTenantCreation(deps: TenantCreateDeps) {
  const { db, clock, changes, apiKeys, users, signIn, webhooks, revocations } = deps;

  /** Everything that can be checked or computed before the transaction (password hashing is slow). */
  async function prepare(caller: Principal, input: TenantCreateInput, field = ''): Promise<Prepared> {
    authorize(caller, 'tenant.create');
    const at = (name: string) => (field ? `${field}.${name}` : name);
    if (input.owner && input.ownerId) throw errors.field(at('ownerId'), 'BAD_FORMAT', 'give either owner or ownerId, not both');
    const { organizationId } = await resolveOwner(db, caller, { organizationId: input.organizationId });
    const ownerPasswordHash = await preparePassword(input.owner?.password, at('owner.password'));
    return { organizationId, ownerPasswordHash };
  }

  /** Creates the tenant and the extras it asked for inside the caller's transaction. */
  async function createIn(trx: Kysely<Database>, caller: Principal, prepared: Prepared, input: TenantCreateInput): Promise<CreatedTenant> {
    const { organizationId } = prepared;
    const now = clock.now();
    const id = newId('tnt', now.getTime());
    const owner = { organizationId, tenantId: id };
    const placement = await placeUnder(trx, organizationId, input.parentId ?? null);
    const inserted = await insertWithSlug(
      trx,
      { id, organization_id: organizationId, ...fullColumns(input), ...placement, created_at: now, updated_at: now },
      input.slug,
      input.name,
    );
    // A tenant created inactive, or under a suspended parent: its keys and tokens are refused from
    // the start, as after a deactivation. (Marked before the commit: if it rolls back, the id never exists.)
    if (!inserted.is_active || (placement.parent_id && (await subtreeStates(trx, id)).some((s) => !s.usable))) revocations.markTenantActive(id, false);
    const extras: TenantExtras = {};
    // Subscribed before the tenant's events are recorded, so the endpoint receives this tenant.created too.
    const webhook = input.webhook && (await webhooks.createIn(trx, caller, owner, input.webhook, 'webhook'));
    const ownerUser =
      input.owner &&
      (await users.insertIn(trx, owner, {
        email: input.owner.email,
        name: input.owner.name ?? input.owner.email.slice(0, input.owner.email.lastIndexOf('@')).slice(0, 200),
        role: 'owner',
        passwordHash: prepared.ownerPasswordHash,
      }));
    if (ownerUser) extras.signInToken = (await signIn.createLink(trx, ownerUser.id)).token;
    if (input.ownerId && !(await adoptAsTenantOwner(trx, input.ownerId, owner, now))) {
      throw errors.field('ownerId', 'BAD_FORMAT', 'must be a user of this organization who has no tenant yet');
    }
    if (input.ownerId) await assertWithinQuota(trx, id, 'users', users.seatsTaken);
    // Owners change the tenant's user summary: read it back then; otherwise it is as inserted.
    const tenant = toTenant(ownerUser || input.ownerId ? (await findTenantById(trx, id))! : inserted);
    await changes.record(trx, caller, { ...owner, operation: 'tenant.create', target: { type: 'tenant', id }, object: tenant });
    if (ownerUser) {
      await changes.record(trx, caller, {
        ...owner,
        operation: 'user.create',
        target: { type: 'user', id: ownerUser.id },
        object: ownerUser,
      });
    }
    if (input.apiKey) {
      const key = await apiKeys.issue(trx, caller, owner, input.apiKey, 'apiKey');
      extras.apiKey = { id: key.id, secret: key.secret, scopes: key.scopes };
    }
    if (webhook) extras.webhook = { id: webhook.id, url: webhook.url, events: webhook.events, secret: webhook.secret };
    return { tenant, extras };
  }

  async function create(caller: Principal, input: TenantCreateInput): Promise<CreatedTenant> {
    const prepared = await prepare(caller, input);
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

  /** One transaction for the whole batch: a failure or a crash leaves none of it behind. */
  async function createAll(caller: Principal, inputs: TenantCreateInput[]): Promise<BatchOutcome[]> {
    const step = <T>(index: number, run: () => Promise<T>) => run().catch((error: unknown) => Promise.reject(new ItemFailure(index, error)));
    try {
      const prepared: Prepared[] = [];
      for (const [i, input] of inputs.entries()) prepared.push(await step(i, () => prepare(caller, input, `items.${i}`)));
      const created = await db.transaction().execute(async (trx) => {
        const out: CreatedTenant[] = [];
        for (const [i, input] of inputs.entries()) out.push(await step(i, () => createIn(trx, caller, prepared[i], input)));
        return out;
      });
      return created.map((c) => ({ created: c }));
    } catch (failure) {
      const error = failure instanceof ItemFailure ? failure.error : failure;
      if (!(failure instanceof ItemFailure) || !(error instanceof AppError)) throw error;
      return inputs.map((_, i) => ({ error: i === failure.index ? error : rolledBack() }));
    }
  }

  async function settle(caller: Principal, input: TenantCreateInput): Promise<BatchOutcome> {
    try {
      return { created: await create(caller, input) };
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      return { error };
    }
  }

  return {
    create,

    /** Outcomes in input order. Atomic: all are created or none, the failing item carries its error and the others 424. */
    async batch(caller: Principal, items: BatchItem[], atomic: boolean): Promise<BatchOutcome[]> {
      authorize(caller, 'tenant.batch_create');
      if (atomic) {
        const firstBad = items.findIndex((item) => 'invalid' in item);
        if (firstBad >= 0) {
          return items.map((item, i) => ({ error: i === firstBad && 'invalid' in item ? errors.validation(item.invalid) : rolledBack() }));
        }
        return createAll(
          caller,
          items.map((item) => (item as { input: TenantCreateInput }).input),
        );
      }
      const outcomes: BatchOutcome[] = [];
      for (const item of items) outcomes.push('invalid' in item ? { error: errors.validation(item.invalid) } : await settle(caller, item.input));
      return outcomes;
    },
  };
}
