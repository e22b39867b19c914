import { sql, type Kysely } from 'kysely';

// Plans and entitlements: an organization's plans (feature flags and limits under a key), and on
// each tenant its plan and its own features and limits, which override the plan's key by key.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table plans (
    organization_id text not null references organizations (id) on delete cascade,
    key text not null,
    name text not null,
    features jsonb not null default '{}',
    limits jsonb not null default '{}',
    created_at timestamptz not null,
    updated_at timestamptz not null,
    primary key (organization_id, key)
  )`.execute(db);
  await sql`alter table tenants add column plan text`.execute(db);
  await sql`alter table tenants add column features jsonb not null default '{}'`.execute(db);
  await sql`alter table tenants add column limits jsonb not null default '{}'`.execute(db);
  // A plan in use cannot be deleted; its tenants name it within their own organization.
  await sql`alter table tenants add constraint tenants_plan_fkey foreign key (organization_id, plan) references plans (organization_id, key) on delete restrict`.execute(
    db,
  );
  await sql`create index tenants_plan_idx on tenants (organization_id, plan) where plan is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists tenants_plan_idx`.execute(db);
  await sql`alter table tenants drop constraint if exists tenants_plan_fkey`.execute(db);
  await sql`alter table tenants drop column limits`.execute(db);
  await sql`alter table tenants drop column features`.execute(db);
  await sql`alter table tenants drop column plan`.execute(db);
  await sql`drop table plans`.execute(db);
}
