import { describe, it } from 'node:test';
import { expect } from 'expect';
import { assertMayHandOut, authorize, scopesBeyond } from './policy.js';
import type { Principal, Role } from './principal.js';

const caller = (role: Role, scopes: string[]): Principal => ({
  kind: 'api_key',
  id: 'key_x',
  userId: null,
  role,
  organizationId: 'org_a',
  tenantId: role === 'owner' || role === 'member' ? 'tnt_a' : null,
  scopes: new Set(scopes),
});

describe('permissions', () => {
  it('needs the role and the scope an operation names', () => {
    expect(() => authorize(caller('owner', ['tenants:write']), 'tenant.update')).not.toThrow();
    expect(() => authorize(caller('owner', ['tenants:read']), 'tenant.update')).toThrow('This credential lacks the tenants:write scope');
    expect(() => authorize(caller('member', ['tenants:write']), 'tenant.update')).toThrow('The member role may not perform tenant.update');
    expect(() => authorize(caller('admin', ['tenants:write']), 'organization.create')).toThrow('The admin role may not perform organization.create');
  });

  it('never lets a credential hand out more than it holds', () => {
    const owner = caller('owner', ['users:read', 'users:write']);
    expect(scopesBeyond(owner, ['users:read', 'webhooks:write', 'app.reports:read'])).toEqual(['webhooks:write']);
    expect(scopesBeyond(caller('superadmin', []), ['audit:read'])).toEqual([]);
    expect(() => assertMayHandOut(owner, { role: 'admin', scopes: [] }, 'A sign-in link')).toThrow(/owner may not obtain A sign-in link for a.* admin/);
    expect(() => assertMayHandOut(owner, { scopes: ['api_keys:write'] }, 'A new secret')).toThrow(
      'A new secret would carry scopes this credential lacks: api_keys:write',
    );
    expect(() => assertMayHandOut(owner, { role: 'member', scopes: ['users:read'] }, 'A sign-in link')).not.toThrow();
  });
});
