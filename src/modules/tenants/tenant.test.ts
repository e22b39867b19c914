import { describe, it } from 'node:test';
import { expect } from 'expect';
import { adminOnlyChanges, fullColumns, isDerivedSlug, patchColumns, slugify, statusChange } from './tenant.js';
import type { Tenant } from './tenant.schemas.js';

const current = {
  id: 'tnt_1',
  name: 'Contoso',
  slug: 'contoso',
  externalId: 'crm-1',
  isActive: true,
  settings: { timezone: 'UTC', weekStart: 1, locale: 'en' },
  metadata: { plan: 'pro', region: 'eu' },
} as unknown as Tenant;

describe('tenant rules', () => {
  it('derives slugs from names: accents folded, anything else a dash, never empty', () => {
    expect(slugify('New Company LLC')).toBe('new-company-llc');
    expect(slugify('Société Générale')).toBe('societe-generale');
    expect(slugify('--- !!! ---')).toBe('tenant');
    expect(slugify('x'.repeat(100))).toHaveLength(56);
    expect(isDerivedSlug('contoso-12', 'contoso')).toBe(true);
    expect(isDerivedSlug('contoso-ltd', 'contoso')).toBe(false);
  });

  it('resets every absent optional field on a full write', () => {
    expect(fullColumns({ name: 'Fabrikam' })).toEqual({
      name: 'Fabrikam',
      external_id: null,
      parent_id: null,
      display_name: 'Fabrikam',
      email: null,
      url: null,
      description: null,
      is_active: true,
      suspended_reason: null,
      deletion_protection: false,
      plan: null,
      features: '{}',
      limits: '{}',
      legal_entities: '[]',
      settings: JSON.stringify({ timezone: 'UTC', weekStart: 1, locale: 'en' }),
      metadata: '{}',
    });
  });

  it('changes on PATCH only what is named, merging settings and metadata (null removes a key)', () => {
    expect(patchColumns(current, { description: 'hello' })).toEqual({ description: 'hello' });
    const set = patchColumns(current, { settings: { locale: 'de' }, metadata: { region: null, tier: 'gold' } });
    expect(JSON.parse(set.settings as string)).toEqual({ timezone: 'UTC', weekStart: 1, locale: 'de' });
    expect(JSON.parse(set.metadata as string)).toEqual({ plan: 'pro', tier: 'gold' });
    const many = Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i}`, 'v']));
    expect(() => patchColumns(current, { metadata: many })).toThrow('1 field is invalid');
  });

  it('makes isActive and status one state, keeping a suspension reason until reactivation', () => {
    const suspended = { isActive: false, suspendedReason: 'Unpaid' };
    expect(statusChange(null, {})).toEqual({ isActive: true, suspendedReason: null });
    expect(statusChange(null, { status: 'suspended', suspendedReason: 'Unpaid' })).toEqual(suspended);
    expect(statusChange(suspended, { isActive: false })).toEqual(suspended);
    expect(statusChange(suspended, { suspendedReason: 'Fraud' })).toEqual({ isActive: false, suspendedReason: 'Fraud' });
    expect(statusChange(suspended, { status: 'active' })).toEqual({ isActive: true, suspendedReason: null });
    expect(() => statusChange(null, { status: 'active', isActive: false })).toThrow('1 field is invalid');
    expect(() => statusChange({ isActive: true, suspendedReason: null }, { suspendedReason: 'x' })).toThrow('1 field is invalid');
  });

  it('names the admin-only fields a write would change, not those sent unchanged', () => {
    expect(adminOnlyChanges(current, { isActive: true, externalId: 'crm-1', metadata: { region: 'eu', plan: 'pro' } })).toEqual([]);
    expect(adminOnlyChanges(current, { isActive: false, metadata: { plan: 'free', region: 'eu' } })).toEqual(['isActive', 'metadata']);
    expect(adminOnlyChanges(current, { slug: 'other' })).toEqual(['slug']);
  });
});
