import { sql, type Kysely } from 'kysely';

// Enterprise single sign-on: a tenant's connections to its identity providers (OIDC today; the
// `type` column leaves room for SAML), the email domains each one claims (one connection per
// domain in the deployment, by primary key), the identities a provider vouched for (linked to a
// user once, then found by subject), and the sign-ins under way (state, nonce and PKCE verifier,
// bound to the browser that started them, spent once).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table sso_connections (
    id text primary key,
    organization_id text not null references organizations (id) on delete cascade,
    tenant_id text not null references tenants (id) on delete cascade,
    type text not null,
    issuer text not null,
    client_id text not null,
    client_secret_sealed text not null,
    default_role text not null,
    is_enabled boolean not null default true,
    created_at timestamptz not null,
    updated_at timestamptz not null
  )`.execute(db);
  await sql`create index sso_connections_tenant_idx on sso_connections (tenant_id, created_at, id)`.execute(db);
  await sql`create table sso_domains (
    domain text primary key,
    connection_id text not null references sso_connections (id) on delete cascade
  )`.execute(db);
  await sql`create index sso_domains_connection_idx on sso_domains (connection_id)`.execute(db);
  await sql`create table sso_identities (
    connection_id text not null references sso_connections (id) on delete cascade,
    subject text not null,
    user_id text not null references users (id) on delete cascade,
    created_at timestamptz not null,
    last_sign_in_at timestamptz not null,
    primary key (connection_id, subject)
  )`.execute(db);
  await sql`create index sso_identities_user_idx on sso_identities (user_id)`.execute(db);
  await sql`create table sso_attempts (
    state_hash text primary key,
    connection_id text not null references sso_connections (id) on delete cascade,
    browser_hash text not null,
    nonce text not null,
    code_verifier_sealed text not null,
    created_at timestamptz not null,
    expires_at timestamptz not null
  )`.execute(db);
  await sql`create index sso_attempts_expiry_idx on sso_attempts (expires_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table sso_attempts`.execute(db);
  await sql`drop table sso_identities`.execute(db);
  await sql`drop table sso_domains`.execute(db);
  await sql`drop table sso_connections`.execute(db);
}
