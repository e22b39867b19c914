import { sql, type Kysely } from 'kysely';

// Every node polls for keys rotated since its last look (their older tokens stop with the old
// secret): `updated_at` is set only when a key's secret is rotated.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index api_keys_rotated_idx on api_keys (updated_at) where updated_at is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists api_keys_rotated_idx`.execute(db);
}
