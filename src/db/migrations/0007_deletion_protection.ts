import { sql, type Kysely } from 'kysely';

// Deletion protection: while set, DELETE of the tenant is refused (409 DELETION_PROTECTED).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table tenants add column deletion_protection boolean not null default false`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table tenants drop column deletion_protection`.execute(db);
}
