import { sql, type Kysely } from 'kysely';

// Nested tenants: a tenant may have a parent in its organization. `ancestor_ids` (root first) is
// kept on every row so a subtree is one indexed lookup (`ancestor_ids @> {id}`) and access checks
// need no recursive query; `depth` is its length.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table tenants add column parent_id text references tenants (id) on delete restrict`.execute(db);
  await sql`alter table tenants add column depth integer not null default 0`.execute(db);
  await sql`alter table tenants add column ancestor_ids text[] not null default '{}'`.execute(db);
  await sql`create index tenants_parent_idx on tenants (parent_id, created_at, id) where parent_id is not null`.execute(db);
  await sql`create index tenants_ancestors_idx on tenants using gin (ancestor_ids)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists tenants_ancestors_idx`.execute(db);
  await sql`drop index if exists tenants_parent_idx`.execute(db);
  await sql`alter table tenants drop column ancestor_ids`.execute(db);
  await sql`alter table tenants drop column depth`.execute(db);
  await sql`alter table tenants drop column parent_id`.execute(db);
}
