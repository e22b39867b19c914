import { sql, type Kysely } from 'kysely';

// Custom roles: named sets of permissions (Landlord scopes and the platform's own application
// permissions) an organization defines, and on each user the keys of the roles it holds beside its
// base role. A user's roles are plain keys: deleting a role removes it from its holders in the same
// transaction, so no foreign key is needed (and an array column cannot carry one).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table roles (
    organization_id text not null references organizations (id) on delete cascade,
    key text not null,
    name text not null,
    description text,
    permissions text[] not null default '{}',
    created_at timestamptz not null,
    updated_at timestamptz not null,
    primary key (organization_id, key)
  )`.execute(db);
  await sql`alter table users add column roles text[] not null default '{}'`.execute(db);
  // Deleting a role finds its holders in the organization through this index.
  await sql`create index users_roles_idx on users using gin (roles)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists users_roles_idx`.execute(db);
  await sql`alter table users drop column roles`.execute(db);
  await sql`drop table roles`.execute(db);
}
