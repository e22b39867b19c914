import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Dashboard sessions: only the SHA-256 of the cookie value is stored.
  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .execute();
  await sql`create index sessions_user_idx on sessions (user_id)`.execute(db);

  // One-time sign-in links: single use, short-lived, hashed.
  await db.schema
    .createTable('sign_in_links')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .execute();

  // Ed25519 keys that sign access tokens; private keys are stored encrypted.
  await db.schema
    .createTable('signing_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('public_jwk', 'jsonb', (c) => c.notNull())
    .addColumn('private_jwk_sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('retired_at', 'timestamptz')
    .execute();

  // Revoked access tokens (by jti) until they would have expired anyway.
  await db.schema
    .createTable('revoked_tokens')
    .addColumn('jti', 'text', (c) => c.primaryKey())
    .addColumn('revoked_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create index revoked_tokens_revoked_idx on revoked_tokens (revoked_at)`.execute(db);

  // Failed sign-ins per account and per address, for slowing down and locking out guessing.
  await db.schema
    .createTable('login_throttle')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('window_start', 'timestamptz', (c) => c.notNull())
    .addColumn('locked_until', 'timestamptz')
    .execute();

  // Key rotation: the previous secret keeps working until the grace period ends.
  await db.schema
    .alterTable('api_keys')
    .addColumn('previous_secret_hash', 'text')
    .addColumn('previous_expires_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz')
    .execute();
  await sql`create unique index api_keys_previous_secret_key on api_keys (previous_secret_hash) where previous_secret_hash is not null`.execute(db);
  await sql`create index api_keys_revoked_idx on api_keys (revoked_at) where revoked_at is not null`.execute(db);
  await sql`create index users_org_idx on users (organization_id, created_at)`.execute(db);
  await sql`create index tenants_updated_idx on tenants (updated_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists tenants_updated_idx`.execute(db);
  await sql`drop index if exists users_org_idx`.execute(db);
  await sql`drop index if exists api_keys_revoked_idx`.execute(db);
  await sql`drop index if exists api_keys_previous_secret_key`.execute(db);
  await db.schema.alterTable('api_keys').dropColumn('previous_secret_hash').dropColumn('previous_expires_at').dropColumn('updated_at').execute();
  for (const table of ['login_throttle', 'revoked_tokens', 'signing_keys', 'sign_in_links', 'sessions']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
