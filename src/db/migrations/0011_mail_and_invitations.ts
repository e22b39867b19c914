import { sql, type Kysely } from 'kysely';

// The mail outbox (mails are rows written in the transaction that asks for them, sent by the
// worker), tenant invitations and password resets.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table mails (
    id text primary key,
    organization_id text,
    tenant_id text,
    kind text not null,
    to_address text not null,
    -- Subject and bodies, sealed: the link in them is a secret.
    content_sealed text not null,
    status text not null default 'pending',
    attempts integer not null default 0,
    next_attempt_at timestamptz not null,
    locked_until timestamptz,
    last_error text,
    created_at timestamptz not null,
    sent_at timestamptz
  )`.execute(db);
  await sql`create index mails_due_idx on mails (next_attempt_at) where status in ('pending', 'sending')`.execute(db);
  await sql`create table invitations (
    id text primary key,
    organization_id text not null references organizations (id) on delete cascade,
    tenant_id text not null references tenants (id) on delete cascade,
    email text not null,
    role text not null,
    roles text[] not null default '{}',
    token_hash text not null unique,
    expires_at timestamptz not null,
    accepted_at timestamptz,
    revoked_at timestamptz,
    user_id text,
    created_at timestamptz not null,
    updated_at timestamptz not null
  )`.execute(db);
  await sql`create index invitations_tenant_idx on invitations (tenant_id, created_at, id)`.execute(db);
  await sql`create table password_resets (
    token_hash text primary key,
    user_id text not null references users (id) on delete cascade,
    created_at timestamptz not null,
    expires_at timestamptz not null,
    used_at timestamptz
  )`.execute(db);
  await sql`create index password_resets_user_idx on password_resets (user_id, created_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table password_resets`.execute(db);
  await sql`drop table invitations`.execute(db);
  await sql`drop table mails`.execute(db);
}
