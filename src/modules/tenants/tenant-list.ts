import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { errors } from '../../lib/errors.js';
import { decodeCursor, encodeCursor, readKeyset, type PageLink } from '../../lib/pagination.js';
import { authorize, isAdministrator } from '../access/policy.js';
import { listScope } from '../access/ownership.js';
import type { Principal } from '../access/principal.js';
import { countTenants, listTenantRows, toTenant, type Keyset, type SortColumn, type TenantFilter } from './tenant.repository.js';
import { TENANT_ORDERINGS, type Tenant, type TenantListQueryInput } from './tenant.schemas.js';

// A Map, not an object: `ordering=toString` must not find Object.prototype.toString.
const ORDERING = new Map<string, SortColumn>(Object.entries(TENANT_ORDERINGS));

export interface TenantPage {
  count: number | null;
  next: PageLink | null;
  previous: PageLink | null;
  results: Tenant[];
}

function sortValue(tenant: Tenant, column: SortColumn): string {
  switch (column) {
    case 'name':
      return tenant.name;
    case 'slug':
      return tenant.slug;
    case 'created_at':
      return tenant.createdAt;
    case 'updated_at':
      return tenant.updatedAt;
  }
}

/** `metadata[plan]=pro` query parameters as `{plan: "pro"}`. */
function metadataFilter(query: Record<string, unknown>): Record<string, string> | undefined {
  // No prototype, so a `metadata[__proto__]` parameter is an ordinary key like any other.
  const out: Record<string, string> = Object.create(null);
  for (const [key, value] of Object.entries(query)) {
    const match = /^metadata\[(.{1,40})\]$/.exec(key);
    if (match) out[match[1]] = Array.isArray(value) ? String(value[0]) : String(value);
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * The count beside what the page itself shows: a page with nothing after it knows the exact
 * number, and an estimate is never below the rows already seen. The planner's estimate can be
 * far off (statistics from before a mass delete), so this is what keeps a short listing exact.
 */
function consistentCount(count: number | null, seen: number, more: boolean): number | null {
  if (count === null) return null;
  return more ? Math.max(count, seen + 1) : seen;
}

/** Listing tenants: filters, orderings, cursor and offset pages. */
export function createTenantList(deps: { db: Kysely<Database> }) {
  const { db } = deps;

  return {
    async list(caller: Principal, query: TenantListQueryInput & Record<string, unknown>): Promise<TenantPage> {
      authorize(caller, 'tenant.list');
      const limit = query.limit ?? query.pageSize ?? query.page_size ?? 20;
      const orderingParam = query.ordering ?? '-createdAt';
      const descending = orderingParam.startsWith('-');
      const column = ORDERING.get(descending ? orderingParam.slice(1) : orderingParam);
      if (!column) {
        throw errors.field('ordering', 'BAD_FORMAT', 'must be one of name, slug, createdAt, updatedAt (optionally prefixed with -)');
      }
      const ordering = `${descending ? '-' : ''}${column}`;
      const scope = listScope(caller, query.organizationId);
      // Deleted tenants are for administrators, who may restore them; nobody else sees them.
      if (query.status === 'pending_deletion' && !isAdministrator(caller)) return { count: 0, next: null, previous: null, results: [] };
      const filter: TenantFilter = {
        ...scope,
        status: query.status,
        search: query.search?.trim() || undefined,
        isActive: query.isActive ?? query.is_active,
        externalId: query.externalId,
        parentId: query.parentId,
        ancestorId: query.ancestorId,
        plan: query.plan,
        metadata: metadataFilter(query),
        createdAfter: query.createdAfter ? new Date(query.createdAfter) : undefined,
        createdBefore: query.createdBefore ? new Date(query.createdBefore) : undefined,
      };
      // Counting is a scan of every match: done for the first page (unless count=false) and for
      // later pages only when asked with count=true, so deep pages stay as cheap as the first.
      const withCount = query.count ?? (query.cursor === undefined && (query.page === undefined || query.page === 1));

      if (query.page !== undefined && query.cursor === undefined) {
        const offset = (query.page - 1) * limit;
        const [rows, count] = await Promise.all([
          listTenantRows(db, filter, { column, descending }, { limit: limit + 1, offset }),
          withCount ? countTenants(db, filter) : Promise.resolve(null),
        ]);
        const hasNext = rows.length > limit;
        return {
          // A page past the end has seen nothing of the rows before it.
          count: rows.length === 0 && offset > 0 ? count : consistentCount(count, offset + Math.min(rows.length, limit), hasNext),
          next: hasNext ? { page: String(query.page + 1) } : null,
          previous: query.page > 1 ? { page: String(query.page - 1) } : null,
          results: rows.slice(0, limit).map(toTenant),
        };
      }

      let keyset: Keyset | undefined;
      if (query.cursor !== undefined) {
        const cursor = decodeCursor(query.cursor, readKeyset);
        if (!cursor) throw errors.field('cursor', 'BAD_FORMAT', 'is not a cursor returned by this API');
        if (cursor.o !== ordering) throw errors.field('cursor', 'BAD_FORMAT', 'was made for a different ordering');
        keyset = { value: cursor.v, id: cursor.i, after: cursor.a };
      }
      const [rows, count] = await Promise.all([
        listTenantRows(db, filter, { column, descending }, { limit: limit + 1, keyset }),
        withCount ? countTenants(db, filter) : Promise.resolve(null),
      ]);
      const more = rows.length > limit;
      const page = rows.slice(0, limit).map(toTenant);
      const backwards = keyset !== undefined && !keyset.after;
      if (backwards) page.reverse();
      const first = page[0];
      const last = page.at(-1);
      const cursorFor = (t: Tenant, after: boolean) => encodeCursor({ o: ordering, v: sortValue(t, column), i: t.id, a: after });
      const hasNext = backwards ? true : more;
      const hasPrevious = backwards ? more : keyset !== undefined;
      return {
        // Only the first page knows how many rows come before it (none).
        count: keyset === undefined ? consistentCount(count, page.length, more) : count,
        next: hasNext && last ? { cursor: cursorFor(last, true), page: undefined } : null,
        previous: hasPrevious && first ? { cursor: cursorFor(first, false), page: undefined } : null,
        results: page,
      };
    },
  };
}
