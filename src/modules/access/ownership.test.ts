import { describe, it } from 'node:test';
import { expect } from 'expect';
import { belongsTo, listScope, reaches, type Owner } from './ownership.js';
import type { Principal, Role } from './principal.js';

const caller = (role: Role, organizationId: string, tenantId: string | null = null): Principal => ({
  kind: 'api_key',
  id: 'key_x',
  userId: null,
  role,
  organizationId,
  tenantId,
  scopes: new Set(),
});

const orgA: Owner = { organizationId: 'org_a', tenantId: null };
const tenantA1: Owner = { organizationId: 'org_a', tenantId: 'tnt_a1' };
const tenantA2: Owner = { organizationId: 'org_a', tenantId: 'tnt_a2' };
const tenantB1: Owner = { organizationId: 'org_b', tenantId: 'tnt_b1' };

describe('who reaches what', () => {
  it('a superadmin reaches every organization and tenant', () => {
    const root = caller('superadmin', 'org_a');
    expect([orgA, tenantA1, tenantB1].map((o) => reaches(root, o))).toEqual([true, true, true]);
  });

  it('an administrator reaches its organization and all its tenants, nothing of another organization', () => {
    const admin = caller('admin', 'org_a');
    expect([orgA, tenantA1, tenantA2, tenantB1].map((o) => reaches(admin, o))).toEqual([true, true, true, false]);
  });

  it('a tenant-bound caller reaches its own tenant only, never its organization or a sibling', () => {
    for (const role of ['owner', 'member'] as const) {
      const bound = caller(role, 'org_a', 'tnt_a1');
      expect([orgA, tenantA1, tenantA2, tenantB1].map((o) => reaches(bound, o))).toEqual([false, true, false, false]);
    }
  });

  it('an OAuth client without a role is never treated as a superadmin', () => {
    expect(reaches({ organizationId: 'org_a', tenantId: null }, tenantB1)).toBe(false);
  });

  it('a row belongs to exactly the owner it was created under', () => {
    const row = { organization_id: 'org_a', tenant_id: 'tnt_a1' };
    expect(belongsTo(row, tenantA1)).toBe(true);
    expect(belongsTo(row, orgA)).toBe(false);
    expect(belongsTo(row, tenantA2)).toBe(false);
    expect(belongsTo({ organization_id: 'org_a', tenant_id: null }, orgA)).toBe(true);
  });
});

describe('what a listing is confined to', () => {
  it('confines tenant-bound callers to their tenant and administrators to their organization', () => {
    expect(listScope(caller('owner', 'org_a', 'tnt_a1'))).toEqual({ organizationId: 'org_a', tenantId: 'tnt_a1' });
    expect(listScope(caller('admin', 'org_a'))).toEqual({ organizationId: 'org_a', tenantId: null });
    expect(listScope(caller('superadmin', 'org_a'))).toEqual({ organizationId: null, tenantId: null });
    expect(listScope(caller('superadmin', 'org_a'), 'org_b')).toEqual({ organizationId: 'org_b', tenantId: null });
  });

  it('reports a filter on an organization the caller cannot reach as not found', () => {
    expect(() => listScope(caller('admin', 'org_a'), 'org_b')).toThrow('Organization not found');
    expect(() => listScope(caller('owner', 'org_a', 'tnt_a1'), 'org_b')).toThrow('Organization not found');
    expect(listScope(caller('admin', 'org_a'), 'org_a')).toEqual({ organizationId: 'org_a', tenantId: null });
  });
});
