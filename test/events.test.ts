import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { createTestApp, json, stores, type TestApp } from './helpers.js';

const PASSWORD = 'Sup3rSecretPassword';

for (const store of stores) {
  describe(`events and audit log on ${store}`, () => {
    let t: TestApp;
    let tenant: any;
    before(async () => {
      t = await createTestApp(store);
      tenant = json(
        await t.call('POST', '/v1/tenants', {
          body: { name: 'Evented Inc', owner: { name: 'Eve', email: 'eve@evented.example', password: PASSWORD }, apiKey: {} },
          headers: { 'x-request-id': 'req-create-evented', 'user-agent': 'landlord-tests/1' },
        }),
      );
    });
    after(async () => {
      await t?.close();
    });

    const allEvents = async (qs = '', key?: string) => {
      const out: any[] = [];
      let url: string | null = `/v1/events?limit=2${qs}`;
      for (let i = 0; url && i < 100; i++) {
        const res = await t.call('GET', url.replace('http://landlord.test', ''), key ? { key } : {});
        expect([url, res.statusCode]).toEqual([url, 200]);
        const page: any = json(res);
        out.push(...page.results);
        url = page.results.length ? page.next : null;
      }
      return out;
    };

    it('writes the events of a create with increasing per-tenant sequence numbers', async () => {
      const events = (await allEvents()).filter((e) => e.tenantId === tenant.id);
      expect(events.map((e) => e.type)).toEqual(['tenant.created', 'user.created', 'api_key.created']);
      expect(events.map((e) => e.sequence)).toEqual([1, 2, 3]);
      expect(events[0].data.object).toMatchObject({ id: tenant.id, name: 'Evented Inc', owner: { email: 'eve@evented.example' } });
      expect(events[0].id).toMatch(/^evt_/);
    });

    it('emits updated and deactivated/reactivated with the previous version', async () => {
      await t.call('PATCH', `/v1/tenants/${tenant.id}`, { body: { isActive: false } });
      await t.call('PATCH', `/v1/tenants/${tenant.id}`, { body: { isActive: true, description: 'back' } });
      const events = (await allEvents(`&tenantId=${tenant.id}&type=tenant.updated,tenant.deactivated,tenant.reactivated`)).map((e) => [
        e.type,
        e.data.previous?.isActive,
        e.data.object.isActive,
      ]);
      expect(events).toEqual([
        ['tenant.updated', true, false],
        ['tenant.deactivated', true, false],
        ['tenant.updated', false, true],
        ['tenant.reactivated', false, true],
      ]);
    });

    it('writes nothing when the change fails', async () => {
      const before = (await allEvents()).length;
      const failed = await t.call('POST', '/v1/tenants', { body: { name: 'Never', owner: { name: 'x', email: 'eve@evented.example' } } });
      expect(failed.statusCode).toBe(409);
      const atomic = json(await t.call('POST', '/v1/tenants/batch', { body: { atomic: true, items: [{ name: 'Never A' }, { name: 'Evented Inc' }] } }));
      expect(atomic.results.map((r: any) => r.status)).toEqual([424, 409]);
      expect((await allEvents()).length).toBe(before);
      const audit = json(await t.call('GET', '/v1/audit-logs?action=tenant.create')).results;
      expect(audit.map((a: any) => a.target.id)).toEqual([tenant.id]);
    });

    it("keeps owners to their own tenant's events", async () => {
      const other = json(await t.call('POST', '/v1/tenants', { body: { name: 'Other Evented' } }));
      const mine = await allEvents('', tenant.apiKey.secret);
      expect(mine.length).toBeGreaterThan(0);
      expect(mine.every((e) => e.tenantId === tenant.id)).toBe(true);
      expect((await allEvents()).some((e) => e.tenantId === other.id)).toBe(true);
      const bad = await t.call('GET', '/v1/events?after=nonsense');
      expect(bad.statusCode).toBe(422);
    });

    it('records who did what, from where, with a diff of the changed fields', async () => {
      await t.call('PATCH', `/v1/tenants/${tenant.id}`, {
        body: { displayName: 'Evented!' },
        headers: { 'x-request-id': 'req-rename', 'user-agent': 'landlord-tests/2' },
      });
      const entries = json(await t.call('GET', `/v1/audit-logs?tenantId=${tenant.id}&action=tenant.update&limit=1`)).results;
      expect(entries[0]).toMatchObject({
        action: 'tenant.update',
        actor: { type: 'root', id: 'root' },
        target: { type: 'tenant', id: tenant.id },
        tenantId: tenant.id,
        requestId: 'req-rename',
        userAgent: 'landlord-tests/2',
        ip: '127.0.0.1',
        changes: { displayName: { from: 'Evented Inc', to: 'Evented!' } },
      });
      const created = json(await t.call('GET', `/v1/audit-logs?action=tenant.create&tenantId=${tenant.id}`)).results[0];
      expect(created.requestId).toBe('req-create-evented');
      const login = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: 'eve@evented.example', password: PASSWORD } });
      expect(login.statusCode).toBe(200);
      const signIns = json(await t.call('GET', '/v1/audit-logs?action=auth.login')).results;
      expect(signIns[0]).toMatchObject({ actor: { type: 'user' }, tenantId: tenant.id });
      const ownerView = json(await t.call('GET', '/v1/audit-logs', { key: tenant.apiKey.secret })).results;
      expect(ownerView.length).toBeGreaterThan(0);
      expect(ownerView.every((a: any) => a.tenantId === tenant.id)).toBe(true);
    });

    it('filters the audit log by an action, or by every action under a prefix ending in a dot', async () => {
      const actions = async (action: string) => {
        const res = await t.call('GET', `/v1/audit-logs?limit=200&action=${encodeURIComponent(action)}`);
        expect([action, res.statusCode]).toEqual([action, 200]);
        return [...new Set(json(res).results.map((a: any) => a.action))].sort();
      };
      expect(await actions('tenant.update')).toEqual(['tenant.update']);
      expect(await actions('tenant.')).toEqual(['tenant.create', 'tenant.update']);
      expect(await actions('api_key.')).toEqual(['api_key.create']);
      // Without the dot it is an action name, and no action is called just "tenant".
      expect(await actions('tenant')).toEqual([]);

      // The prefix is matched literally: LIKE's `_`, `%` and `\` in it stand for themselves.
      const odd = ['apiXkey.create', '%.literal', 'back\\slash.x', 'backslash.x'];
      await t.deps.database.db
        .insertInto('audit_logs')
        .values(
          odd.map((action, i) => ({
            id: `aud_${String(i).padStart(26, '0')}`,
            organization_id: tenant.organizationId,
            tenant_id: null,
            occurred_at: new Date(),
            actor_type: 'system',
            action,
          })),
        )
        .execute();
      expect(await actions('api_key.')).toEqual(['api_key.create']);
      expect(await actions('apiXkey.')).toEqual(['apiXkey.create']);
      expect(await actions('%.')).toEqual(['%.literal']);
      expect(await actions('back\\slash.')).toEqual(['back\\slash.x']);
      expect(await actions('backslash.')).toEqual(['backslash.x']);
    });

    it('pages through the audit log newest first', async () => {
      const first = json(await t.call('GET', '/v1/audit-logs?limit=2'));
      expect(first.results).toHaveLength(2);
      const second = json(await t.call('GET', first.next.replace('http://landlord.test', '')));
      expect(second.results[0].occurredAt <= first.results[1].occurredAt).toBe(true);
      expect(second.results.map((r: any) => r.id)).not.toContain(first.results[1].id);
    });

    it('never puts a secret or password into events or audit entries', async () => {
      const rotated = json(await t.call('POST', `/v1/tenants/${tenant.id}/api-keys/${tenant.apiKey.id}/rotate`));
      const users = json(await t.call('GET', `/v1/tenants/${tenant.id}/users`)).results;
      await t.call('PATCH', `/v1/tenants/${tenant.id}/users/${users[0].id}`, { body: { password: 'An0therSecretPass' } });
      const everything = JSON.stringify([await allEvents(), json(await t.call('GET', '/v1/audit-logs?limit=200')).results]);
      for (const secret of [tenant.apiKey.secret, rotated.secret, PASSWORD, 'An0therSecretPass', 'scrypt$']) {
        expect(everything.includes(secret)).toBe(false);
      }
      expect(everything).toContain('passwordChanged');
    });
  });
}
