import { sha256Base64Url } from '../../lib/crypto.js';
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

/** The strong ETag of a tenant representation: a hash of exactly what the client receives. */
export function tenantEtag(tenant: Tenant): string {
  return `"${sha256Base64Url(JSON.stringify(tenant)).slice(0, 27)}"`;
}

/** RFC 9110 If-Match: `*` or a list of entity tags; weak tags never match. */
export function ifMatchSatisfied(header: string | undefined, etag: string): boolean {
  if (header === undefined) return true;
  const trimmed = header.trim();
  if (trimmed === '*') return true;
  return trimmed.split(',').some((tag) => tag.trim() === etag);
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
