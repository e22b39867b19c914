import { sql, type Kysely } from 'kysely';

// Tenant lifecycle: a suspension may carry its reason; DELETE schedules a purge instead of
// removing at once (`deleted_at`, `purge_at`), so a deleted tenant can be restored until then.
// Status is derived: pending deletion while `deleted_at` is set, else active or suspended by
// `is_active`, which a deletion leaves as it was so a restore brings back the same state.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table tenants add column suspended_reason text`.execute(db);
  await sql`alter table tenants add column deleted_at timestamptz`.execute(db);
  await sql`alter table tenants add column purge_at timestamptz`.execute(db);
  // When the tenant's status last changed (suspension, deletion, restore): how other nodes learn
  // that its credentials stop or work again, without touching the `updated_at` clients see.
  await sql`alter table tenants add column status_changed_at timestamptz`.execute(db);
  await sql`create index tenants_status_changed_idx on tenants (status_changed_at) where status_changed_at is not null`.execute(db);
  // The purge worker's queue: only deleted tenants, in the order they fall due.
  await sql`create index tenants_purge_idx on tenants (purge_at) where deleted_at is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists tenants_purge_idx`.execute(db);
  await sql`drop index if exists tenants_status_changed_idx`.execute(db);
  await sql`alter table tenants drop column status_changed_at`.execute(db);
  await sql`alter table tenants drop column purge_at`.execute(db);
  await sql`alter table tenants drop column deleted_at`.execute(db);
  await sql`alter table tenants drop column suspended_reason`.execute(db);
}
