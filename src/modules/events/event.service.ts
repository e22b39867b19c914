import { sql, type Kysely, type SqlBool } from 'kysely';
import type { Database } from '../../db/schema.js';
import { errors } from '../../lib/errors.js';
import { decodeCursor, encodeCursor, type PageLink } from '../../lib/pagination.js';
import { authorize } from '../access/policy.js';
import { listScope } from '../access/ownership.js';
import { inSubtree } from '../access/owner.repository.js';
import type { Principal } from '../access/principal.js';
import type { EventQuery, EventView } from './event.schemas.js';

/** A position in the stream: a transaction id and the event's place in it. */
const DIGITS = /^\d{1,20}$/;
const encode = (txid: string, position: number) => encodeCursor({ x: txid, p: position });

function decode(cursor: string): { txid: string; position: number } {
  const read = (v: Record<string, unknown>) =>
    typeof v.x === 'string' && DIGITS.test(v.x) && Number.isSafeInteger(v.p) && (v.p as number) >= 0 ? { txid: v.x, position: v.p as number } : null;
  // Consumers keep their position; one stored before positions were JSON (`<txid>:<position>`) still reads.
  const legacy = /^(\d{1,20}):(\d{1,20})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const found = legacy ? { txid: legacy[1], position: Number(legacy[2]) } : decodeCursor(cursor, read);
  if (!found) throw errors.field('after', 'BAD_FORMAT', 'is not a cursor returned by this API');
  return found;
}

export function createEventService(deps: { db: Kysely<Database> }) {
  const { db } = deps;
  return {
    /**
     * The event stream, oldest first. Only events of transactions older than every running one
     * are shown, so following `next` never skips an event that commits late.
     */
    async list(caller: Principal, query: EventQuery): Promise<{ results: EventView[]; next: PageLink | null }> {
      authorize(caller, 'event.list');
      const limit = query.limit ?? 100;
      const scope = listScope(caller, query.organizationId);
      const conditions: ReturnType<typeof sql<SqlBool>>[] = [sql<SqlBool>`txid < pg_snapshot_xmin(pg_current_snapshot())`];
      const organizationId = scope.organizationId;
      if (organizationId) conditions.push(sql<SqlBool>`organization_id = ${organizationId}`);
      if (scope.tenantId) conditions.push(inSubtree('tenant_id', scope.tenantId));
      if (query.tenantId) conditions.push(sql<SqlBool>`tenant_id = ${query.tenantId}`);
      if (query.type) {
        const types = query.type
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean);
        conditions.push(sql<SqlBool>`type in (${sql.join(types)})`);
      }
      if (query.after) {
        const c = decode(query.after);
        conditions.push(sql<SqlBool>`(txid, position) > (${c.txid}::xid8, ${c.position})`);
      }
      const rows = await db
        .selectFrom('events')
        .select(['id', 'type', 'sequence', 'created_at', 'organization_id', 'tenant_id', 'data', sql<string>`txid::text`.as('tx'), 'position'])
        .where(sql<SqlBool>`${sql.join(conditions, sql` and `)}`)
        .orderBy(sql`txid`)
        .orderBy('position')
        .limit(limit)
        .execute();
      const results = rows.map((r) => ({
        id: r.id,
        type: r.type,
        sequence: Number(r.sequence),
        createdAt: r.created_at.toISOString(),
        organizationId: r.organization_id,
        tenantId: r.tenant_id,
        data: r.data as EventView['data'],
      }));
      const last = rows.at(-1);
      const after = last ? encode(last.tx, Number(last.position)) : query.after;
      return { results, next: after ? { after } : null };
    },
  };
}

export type EventService = ReturnType<typeof createEventService>;
