import { sql, type Kysely } from 'kysely';

// Superadmins list across organizations: the ordering indexes of 0001 all start with
// organization_id, so without these a deep cursor page sorts the whole table.
const GLOBAL_ORDER_INDEXES = {
  tenants_created_idx: '(created_at, id)',
  tenants_name_idx: '(name, id)',
  tenants_slug_idx: '(slug, id)',
};

export async function up(db: Kysely<any>): Promise<void> {
  for (const [name, columns] of Object.entries(GLOBAL_ORDER_INDEXES)) {
    await sql.raw(`create index ${name} on tenants ${columns}`).execute(db);
  }
  // Picking a free slug suffix searches `slug like 'base-%'`; a pattern index serves it under any collation.
  await sql`create index tenants_org_slug_pattern_idx on tenants (organization_id, slug text_pattern_ops)`.execute(db);
  // tenants_updated_idx (0002) covers updated_at; make it serve updated_at ordering too.
  await sql`drop index if exists tenants_updated_idx`.execute(db);
  await sql`create index tenants_updated_idx on tenants (updated_at, id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists tenants_updated_idx`.execute(db);
  await sql`create index tenants_updated_idx on tenants (updated_at)`.execute(db);
  await sql`drop index if exists tenants_org_slug_pattern_idx`.execute(db);
  for (const name of Object.keys(GLOBAL_ORDER_INDEXES)) await sql.raw(`drop index if exists ${name}`).execute(db);
}
