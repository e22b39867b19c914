import { sql, type Kysely } from 'kysely';
import type { Database, SsoConnectionRow } from '../../db/schema.js';
import { errors } from '../../lib/errors.js';
import { tenantUsable } from '../access/owner.repository.js';
import type { SsoConnection } from './sso.schemas.js';

export function toConnection(row: SsoConnectionRow, domains: string[], redirectUri: string): SsoConnection {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    type: 'oidc',
    issuer: row.issuer,
    clientId: row.client_id,
    domains: [...domains].sort(),
    defaultRole: row.default_role as SsoConnection['defaultRole'],
    isEnabled: row.is_enabled,
    redirectUri,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export async function findConnection(db: Kysely<Database>, id: string, forUpdate = false): Promise<SsoConnectionRow | undefined> {
  let q = db.selectFrom('sso_connections').selectAll().where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function domainsOf(db: Kysely<Database>, connectionIds: string[]): Promise<Map<string, string[]>> {
  const byConnection = new Map<string, string[]>(connectionIds.map((id) => [id, []]));
  if (!connectionIds.length) return byConnection;
  const rows = await db.selectFrom('sso_domains').select(['domain', 'connection_id']).where('connection_id', 'in', connectionIds).execute();
  for (const r of rows) byConnection.get(r.connection_id)?.push(r.domain);
  return byConnection;
}

export async function listConnections(db: Kysely<Database>, tenantId: string): Promise<SsoConnectionRow[]> {
  return db.selectFrom('sso_connections').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').orderBy('id').limit(100).execute();
}

export async function countConnections(db: Kysely<Database>, tenantId: string): Promise<number> {
  const row = await db.selectFrom('sso_connections').select(sql<number>`count(*)::int`.as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
  return row.n;
}

/**
 * Makes `domains` the connection's, and only them. A domain another connection holds is 409
 * `DOMAIN_TAKEN` (the primary key decides between two racing claims); a domain some user outside
 * this tenant signs in with is 409 `DOMAIN_IN_USE`: the sign-in page would send that user to
 * this tenant's provider.
 */
export async function claimDomains(trx: Kysely<Database>, connection: { id: string; tenant_id: string }, domains: string[]): Promise<void> {
  const wanted = [...new Set(domains.map((d) => d.toLowerCase()))];
  await trx.deleteFrom('sso_domains').where('connection_id', '=', connection.id).where('domain', 'not in', wanted).execute();
  // A domain held by another connection (even one claimed a moment ago, in a racing transaction) inserts nothing here.
  await trx
    .insertInto('sso_domains')
    .values(wanted.map((domain) => ({ domain, connection_id: connection.id })))
    .onConflict((oc) => oc.column('domain').doNothing())
    .execute();
  const held = new Set((await trx.selectFrom('sso_domains').select('domain').where('connection_id', '=', connection.id).execute()).map((r) => r.domain));
  const taken = wanted.find((domain) => !held.has(domain));
  if (taken) throw errors.conflict('DOMAIN_TAKEN', `${taken} already belongs to another SSO connection`, 'domains');
  const outside = await trx
    .selectFrom('users as u')
    .select(sql<string>`lower(split_part(u.email, '@', 2))`.as('domain'))
    .where(sql<string>`lower(split_part(u.email, '@', 2))`, 'in', wanted)
    .where((eb) => eb.or([eb('u.tenant_id', 'is', null), eb('u.tenant_id', '<>', connection.tenant_id)]))
    .executeTakeFirst();
  if (outside) throw errors.conflict('DOMAIN_IN_USE', `Users outside this tenant sign in with ${outside.domain} addresses`, 'domains');
}

/** The enabled connection of a usable tenant that an email domain (or a connection id) names. */
export async function findUsableConnection(db: Kysely<Database>, by: { domain: string } | { id: string }) {
  let q = db
    .selectFrom('sso_connections as c')
    .innerJoin('tenants as t', 't.id', 'c.tenant_id')
    .selectAll('c')
    .select(tenantUsable('t').as('tenant_usable'))
    .where('c.is_enabled', '=', true);
  q =
    'domain' in by
      ? q.where('c.id', '=', (eb) => eb.selectFrom('sso_domains').select('connection_id').where('domain', '=', by.domain.toLowerCase()))
      : q.where('c.id', '=', by.id);
  return q.executeTakeFirst();
}
