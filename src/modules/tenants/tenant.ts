import { etagOf } from '../../lib/etag.js';
import type { TenantSettings } from '../../db/schema.js';
import type { Tenant } from './tenant.schemas.js';

export const DEFAULT_SETTINGS: TenantSettings = Object.freeze({ timezone: 'UTC', weekStart: 1, locale: 'en' });

const SLUG_BASE_MAX = 56; // leaves room for a "-NNNNNN" suffix within 63 characters

/** "New Company LLC" -> "new-company-llc"; accents are folded, anything else becomes a dash. */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '-')
    .replace(/^[-_]+/, '')
    .slice(0, SLUG_BASE_MAX)
    .replace(/[-_]+$/, '');
  return slug || 'tenant';
}

/** Whether `slug` is `base` or `base` with a numeric suffix, i.e. something we would have derived. */
export function isDerivedSlug(slug: string, base: string): boolean {
  return slug === base || new RegExp(`^${base.replace(/[-_]/g, '\\$&')}-\\d+$`).test(slug);
}

/** The ETag of a tenant as GET returns it. */
export function tenantEtag(tenant: Tenant): string {
  return etagOf(tenant);
}

export function mergeMetadata(
  current: Record<string, string>,
  patch: Record<string, string | null>,
): Record<string, string> {
  const next: Record<string, string> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return next;
}
