import { sql, type Kysely } from 'kysely';

// The trigram index of tenant search took inserts into GIN's pending list, which every search
// then scans in full until a vacuum merges it: after a few thousand creates, a search cost tens
// of milliseconds. Written straight into the index instead (creates pay a little more), and the
// pending list merged now.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter index tenants_search_trgm_idx set (fastupdate = off)`.execute(db);
  await sql`select gin_clean_pending_list('tenants_search_trgm_idx'::regclass)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter index tenants_search_trgm_idx reset (fastupdate)`.execute(db);
}
