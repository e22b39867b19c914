import { describe, it } from 'node:test';
import { expect } from 'expect';
import { actorOf, diff, withoutSecrets } from './audit-entry.js';

describe('audit entries', () => {
  it('strip secrets wherever they sit', () => {
    expect(withoutSecrets({ id: 'k', secret: 's', nested: [{ password: 'p', token: 't', name: 'n' }] })).toEqual({ id: 'k', nested: [{ name: 'n' }] });
  });

  it('record only the fields that changed, never updatedAt, and a removal as fields going to null', () => {
    const before = { name: 'A', description: null, updatedAt: '1', settings: { locale: 'en' } };
    const after = { name: 'B', updatedAt: '2', settings: { locale: 'en' }, secret: 'x' };
    expect(diff(before, after)).toEqual({ name: { from: 'A', to: 'B' } });
    expect(diff({ id: 'u', email: 'a@b.c' }, null)).toEqual({ id: { from: 'u', to: null }, email: { from: 'a@b.c', to: null } });
  });

  it('name the actor by what proved it', () => {
    const base = { organizationId: 'org', tenantId: null, scopes: new Set<string>(), role: 'admin' as const };
    expect(actorOf('system')).toEqual({ type: 'system', id: null, credentialId: null });
    expect(actorOf(null)).toEqual({ type: 'anonymous', id: null, credentialId: null });
    expect(actorOf({ ...base, kind: 'session', id: 'ses_1', userId: 'usr_1' })).toEqual({ type: 'user', id: 'usr_1', credentialId: 'ses_1' });
    expect(actorOf({ ...base, kind: 'api_key', id: 'key_1', userId: null })).toEqual({ type: 'api_key', id: 'key_1', credentialId: 'key_1' });
  });
});
