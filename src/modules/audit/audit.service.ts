import { sql, type Kysely, type SqlBool } from 'kysely';
import type { Database } from '../../db/schema.js';
import { errors } from '../../lib/errors.js';
import { decodeCursor, encodeCursor, type PageLink } from '../../lib/pagination.js';

const AUDIT_ID = /^aud_[0-9a-z]{26}$/;
import { authorize } from '../access/policy.js';
import { listScope } from '../access/ownership.js';
import { inSubtree } from '../access/owner.repository.js';
import type { Principal } from '../access/principal.js';
import type { AuditEntry, AuditQuery } from './audit.schemas.js';

/**
 * The `action` filter: a value ending in `.` (`tenant.`) matches every action that starts with it,
 * any other value that action only. LIKE's wildcards and escape in the prefix match themselves.
 */
function actionMatches(action: string) {
  if (!action.endsWith('.')) return sql<SqlBool>`action = ${action}`;
  const prefix = action.replace(/[\\%_]/g, '\\$&');
  return sql<SqlBool>`action like ${`${prefix}%`} escape '\\'`;
}

export function createAuditService(deps: { db: Kysely<Database> }) {
  const { db } = deps;
  return {
    /** Newest first; admins read their organization, owners their tenant, superadmins everything. */
    async list(caller: Principal, query: AuditQuery): Promise<{ results: AuditEntry[]; next: PageLink | null }> {
      authorize(caller, 'audit.list');
      const limit = query.limit ?? 50;
      const scope = listScope(caller, query.organizationId);
      let q = db.selectFrom('audit_logs').selectAll();
      const organizationId = scope.organizationId;
      if (organizationId) q = q.where('organization_id', '=', organizationId);
      if (scope.tenantId) q = q.where(inSubtree('tenant_id', scope.tenantId));
      if (query.tenantId) q = q.where('tenant_id', '=', query.tenantId);
      if (query.actorId) q = q.where('actor_id', '=', query.actorId);
      if (query.action) q = q.where(actionMatches(query.action));
      if (query.from) q = q.where('occurred_at', '>=', new Date(query.from));
      if (query.to) q = q.where('occurred_at', '<', new Date(query.to));
      if (query.cursor) {
        const at = decodeCursor(query.cursor, (v) =>
          typeof v.t === 'string' && !Number.isNaN(Date.parse(v.t)) && typeof v.i === 'string' && AUDIT_ID.test(v.i)
            ? { occurredAt: new Date(v.t), id: v.i }
            : null,
        );
        if (!at) throw errors.field('cursor', 'BAD_FORMAT', 'is not a cursor returned by this API');
        q = q.where(sql<SqlBool>`(occurred_at, id) < (${at.occurredAt}, ${at.id})`);
      }
      const rows = await q
        .orderBy('occurred_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      const page = rows.slice(0, limit);
      const results = page.map((r) => ({
        id: r.id,
        occurredAt: r.occurred_at.toISOString(),
        organizationId: r.organization_id,
        tenantId: r.tenant_id,
        actor: { type: r.actor_type, id: r.actor_id },
        credentialId: r.credential_id,
        action: r.action,
        target: r.target_type && r.target_id ? { type: r.target_type, id: r.target_id } : null,
        ip: r.ip,
        userAgent: r.user_agent,
        requestId: r.request_id,
        changes: r.changes,
      }));
      const last = page.at(-1);
      // Newest first, so the next page is what lies before the last entry of this one.
      const next = rows.length > limit && last ? { cursor: encodeCursor({ t: last.occurred_at.toISOString(), i: last.id }) } : null;
      return { results, next };
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
