import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { createTestApp, json, stores, type TestApp } from './helpers.js';

for (const store of stores) {
  describe(`tenants API on ${store}`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(store);
    });
    after(async () => {
      await t?.close();
    });

    it('creates a tenant with Location, derived slug, defaults and dashboardUrl', async () => {
      const res = await t.call('POST', '/v1/tenants', {
        body: {
          name: 'New Company LLC',
          email: 'info@newcompany.com',
          url: 'https://newcompany.com',
          description: 'A new customer organization',
          legalEntities: [{ name: 'Kivra AB', registrationNumber: 'SE556840226601' }],
          settings: { timezone: 'Europe/Stockholm' },
          metadata: { plan: 'pro' },
        },
      });
      expect(res.statusCode).toBe(201);
      const body = json(res);
      expect(res.headers.location).toBe(`/v1/tenants/${body.id}`);
      expect(res.headers.etag).toMatch(/^"[\w-]+"$/);
      expect(body.id).toMatch(/^tnt_[0-9a-z]{26}$/);
      expect(body).toMatchObject({
        name: 'New Company LLC',
        slug: 'new-company-llc',
        displayName: 'New Company LLC',
        externalId: null,
        isActive: true,
        settings: { timezone: 'Europe/Stockholm', weekStart: 1, locale: 'en' },
        metadata: { plan: 'pro' },
        legalEntities: [{ name: 'Kivra AB', registrationNumber: 'SE556840226601' }],
        owner: null,
        userCount: 0,
        organizationId: t.deps.defaultOrganizationId,
      });
      expect(body.dashboardUrl).toBe(`http://landlord.test/dashboard/tenants/${body.id}`);

      const again = json(await t.call('GET', `/v1/tenants/${body.id}`));
      expect(again.name).toBe('New Company LLC');
      expect(again.dashboardUrl).toBeUndefined();
    });

    it('adds a suffix when the derived slug is taken, and rejects a duplicate name case-insensitively', async () => {
      const a = json(await t.call('POST', '/v1/tenants', { body: { name: 'Acme Corp', slug: 'acme-corp' } }));
      expect(a.slug).toBe('acme-corp');
      const b = json(await t.call('POST', '/v1/tenants', { body: { name: 'Acme  Corp!' } }));
      expect(b.slug).toBe('acme-corp-2');
      const dup = await t.call('POST', '/v1/tenants', { body: { name: 'ACME CORP' } });
      expect(dup.statusCode).toBe(409);
      expect(json(dup).code).toBe('NAME_OCCUPIED');
      expect(dup.headers['content-type']).toMatch(/^application\/problem\+json/);
      const slug = await t.call('POST', '/v1/tenants', { body: { name: 'Other', slug: 'acme-corp' } });
      expect(slug.statusCode).toBe(409);
      expect(json(slug).code).toBe('SLUG_OCCUPIED');
    });

    it('enforces externalId format and uniqueness, and filters by it', async () => {
      const bad = await t.call('POST', '/v1/tenants', { body: { name: 'Ext bad', externalId: 'has space' } });
      expect(bad.statusCode).toBe(422);
      expect(json(bad).errors).toEqual([expect.objectContaining({ field: 'externalId', code: 'BAD_EXTERNAL_ID' })]);
      const ok = await t.call('POST', '/v1/tenants', { body: { name: 'Ext one', externalId: 'abc-abc' } });
      expect(ok.statusCode).toBe(201);
      const dup = await t.call('POST', '/v1/tenants', { body: { name: 'Ext two', externalId: 'abc-abc' } });
      expect(json(dup).code).toBe('EXTERNAL_ID_OCCUPIED');
      const list = json(await t.call('GET', '/v1/tenants?externalId=abc-abc'));
      expect(list.results.map((r: any) => r.name)).toEqual(['Ext one']);
    });

    it('reports every invalid field with its code', async () => {
      const res = await t.call('POST', '/v1/tenants', {
        body: {
          name: 'x'.repeat(201),
          slug: '-bad',
          email: 'not-an-email',
          url: 'ftp://example.com',
          settings: { timezone: 'Mars/Olympus', weekStart: 9 },
          metadata: { ['k'.repeat(41)]: 'v', plan: 'x'.repeat(501) },
          userCount: 3,
          color: 'red',
        },
      });
      expect(res.statusCode).toBe(422);
      const body = json(res);
      expect(body.code).toBe('VALIDATION');
      const byField = Object.fromEntries(body.errors.map((e: any) => [e.field, e.code]));
      expect(byField).toMatchObject({
        name: 'TOO_LONG',
        slug: 'BAD_SLUG',
        email: 'BAD_EMAIL',
        url: 'BAD_URL',
        'settings.timezone': 'BAD_FORMAT',
        'settings.weekStart': 'BAD_FORMAT',
        'metadata.plan': 'BAD_METADATA',
        [`metadata.${'k'.repeat(41)}`]: 'BAD_METADATA',
        userCount: 'READ_ONLY',
        color: 'UNKNOWN_FIELD',
      });
      expect(body.detail).toBe(`${body.errors.length} fields are invalid`);
      const many = await t.call('POST', '/v1/tenants', {
        body: { name: 'Too much metadata', metadata: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) },
      });
      expect(json(many).errors[0]).toMatchObject({ field: 'metadata', code: 'BAD_METADATA' });
    });

    it('refuses to delete a tenant with deletion protection until an admin turns it off', async () => {
      expect(json(await t.call('POST', '/v1/tenants', { body: { name: 'Unprotected Ltd' } })).deletionProtection).toBe(false);
      const res = await t.call('POST', '/v1/tenants', { body: { name: 'Protected Ltd', deletionProtection: true, apiKey: {} } });
      expect([res.statusCode, json(res).deletionProtection]).toEqual([201, true]);
      const { id, apiKey } = json(res);
      const refused = await t.call('DELETE', `/v1/tenants/${id}`);
      expect([refused.statusCode, json(refused).code]).toEqual([409, 'DELETION_PROTECTED']);
      expect((await t.call('GET', `/v1/tenants/${id}`)).statusCode).toBe(200);
      // The tenant's own owner may not lift it, by PATCH or by a PUT that leaves it out.
      const byOwner = await t.call('PATCH', `/v1/tenants/${id}`, { key: apiKey.secret, body: { deletionProtection: false } });
      expect(byOwner.statusCode).toBe(403);
      const putByOwner = await t.call('PUT', `/v1/tenants/${id}`, { key: apiKey.secret, body: { name: 'Protected Ltd' } });
      expect(putByOwner.statusCode).toBe(403);
      const lifted = await t.call('PATCH', `/v1/tenants/${id}`, { body: { deletionProtection: false } });
      expect([lifted.statusCode, json(lifted).deletionProtection]).toEqual([200, false]);
      expect((await t.call('DELETE', `/v1/tenants/${id}`)).statusCode).toBe(204);
    });

    it('keeps metadata keys holding line terminators in every answer, as stored', async () => {
      const metadata = { '\u2028 ': 'line separator', 'a\nb': 'newline', 'c\u2029': 'paragraph separator' };
      const res = await t.call('POST', '/v1/tenants', { body: { name: 'Odd Metadata Keys', metadata } });
      expect(res.statusCode).toBe(201);
      expect(json(res).metadata).toEqual(metadata);
      expect(json(await t.call('GET', `/v1/tenants/${json(res).id}`)).metadata).toEqual(metadata);
      const listed = json(await t.call('GET', `/v1/tenants?search=${encodeURIComponent('odd metadata keys')}`));
      expect(listed.results.map((r: any) => r.metadata)).toEqual([metadata]);
    });

    it('issues a tenant API key on create that acts as the owner of that tenant only', async () => {
      const res = await t.call('POST', '/v1/tenants', { body: { name: 'Contoso Tenant Ltd', apiKey: { name: 'interviews' } } });
      expect(res.statusCode).toBe(201);
      const created = json(res);
      expect(created.apiKey.secret).toMatch(/^lk_[A-Za-z0-9]{43}$/);
      const me = await t.call('GET', '/v1/tenants/me', { key: created.apiKey.secret });
      expect(me.statusCode).toBe(200);
      expect(json(me).id).toBe(created.id);
      const list = json(await t.call('GET', '/v1/tenants', { key: created.apiKey.secret }));
      expect(list.results.map((r: any) => r.id)).toEqual([created.id]);
      const create = await t.call('POST', '/v1/tenants', { key: created.apiKey.secret, body: { name: 'Nope' } });
      expect(create.statusCode).toBe(403);
      const keys = json(await t.call('GET', `/v1/tenants/${created.id}/api-keys`));
      expect(keys.results).toHaveLength(1);
      expect(JSON.stringify(keys)).not.toContain(created.apiKey.secret);
    });

    it('returns 404 "No tenant assigned" from /me for callers without a tenant', async () => {
      const res = await t.call('GET', '/v1/tenants/me');
      expect(res.statusCode).toBe(404);
      expect(json(res).detail).toBe('No tenant assigned');
    });

    it('PATCH merges metadata and settings; PUT resets absent fields', async () => {
      const created = json(
        await t.call('POST', '/v1/tenants', {
          body: { name: 'Patchable', description: 'd', metadata: { a: '1', b: '2' }, settings: { weekStart: 0 } },
        }),
      );
      const patched = await t.call('PATCH', `/v1/tenants/${created.id}`, {
        body: { metadata: { a: null, c: '3' }, settings: { locale: 'sv-SE' }, url: 'https://patch.example' },
      });
      expect(patched.statusCode).toBe(200);
      expect(json(patched)).toMatchObject({
        metadata: { b: '2', c: '3' },
        settings: { timezone: 'UTC', weekStart: 0, locale: 'sv-SE' },
        url: 'https://patch.example',
        description: 'd',
      });
      expect(json(patched).metadata).not.toHaveProperty('a');
      const put = await t.call('PUT', `/v1/tenants/${created.id}`, { body: { name: 'Patchable' } });
      expect(json(put)).toMatchObject({ slug: 'patchable', description: null, url: null, metadata: {}, settings: { weekStart: 1 } });
      const readOnly = await t.call('PATCH', `/v1/tenants/${created.id}`, { body: { id: 'tnt_x', createdAt: 'now' } });
      expect(json(readOnly).errors.map((e: any) => e.code)).toEqual(['READ_ONLY', 'READ_ONLY']);
    });

    it('deactivates a tenant: its keys get 401 until it is reactivated', async () => {
      const created = json(await t.call('POST', '/v1/tenants', { body: { name: 'Sleepy', apiKey: {} } }));
      const key = created.apiKey.secret;
      expect((await t.call('GET', '/v1/tenants/me', { key })).statusCode).toBe(200);
      expect(json(await t.call('PATCH', `/v1/tenants/${created.id}`, { body: { isActive: false } })).isActive).toBe(false);
      expect((await t.call('GET', '/v1/tenants/me', { key })).statusCode).toBe(401);
      await t.call('PATCH', `/v1/tenants/${created.id}`, { body: { isActive: true } });
      expect((await t.call('GET', '/v1/tenants/me', { key })).statusCode).toBe(200);
    });

    it('deletes a tenant; users block the delete unless force=true', async () => {
      const created = json(await t.call('POST', '/v1/tenants', { body: { name: 'Doomed' } }));
      const now = new Date();
      await t.deps.database.db
        .insertInto('users')
        .values({
          id: 'usr_test1',
          organization_id: created.organizationId,
          tenant_id: created.id,
          email: 'u1@doomed.example',
          name: 'U',
          role: 'owner',
          password_hash: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      const got = json(await t.call('GET', `/v1/tenants/${created.id}`));
      expect(got.userCount).toBe(1);
      expect(got.owner).toEqual({ id: 'usr_test1', name: 'U', email: 'u1@doomed.example' });
      const listed = json(await t.call('GET', '/v1/tenants?search=doomed')).results;
      expect(listed.map((r: any) => [r.userCount, r.owner?.id ?? null])).toEqual([[1, 'usr_test1']]);
      const others = json(await t.call('GET', '/v1/tenants?limit=100')).results.filter((r: any) => r.id !== created.id);
      expect(others.every((r: any) => r.userCount === 0 || r.owner !== null)).toBe(true);
      const blocked = await t.call('DELETE', `/v1/tenants/${created.id}`);
      expect(blocked.statusCode).toBe(409);
      expect(json(blocked).code).toBe('TENANT_HAS_USERS');
      const forced = await t.call('DELETE', `/v1/tenants/${created.id}?force=true`);
      expect(forced.statusCode).toBe(204);
      expect((await t.call('GET', `/v1/tenants/${created.id}`)).statusCode).toBe(404);
    });

    it('exports every record of a tenant without secrets', async () => {
      const created = json(
        await t.call('POST', '/v1/tenants', {
          body: {
            name: 'Exported',
            apiKey: {},
            owner: { name: 'Ex Owner', email: 'owner@exported.example', password: 'Exp0rtedPassword' },
            webhook: { url: 'https://hooks.exported.example/in' },
          },
        }),
      );
      const res = await t.call('GET', `/v1/tenants/${created.id}/export`);
      expect(res.statusCode).toBe(200);
      const body = json(res);
      expect(body.tenant.id).toBe(created.id);
      expect(body.apiKeys.map((k: any) => k.id)).toEqual([created.apiKey.id]);
      expect(body.users.map((u: any) => [u.email, u.role])).toEqual([['owner@exported.example', 'owner']]);
      expect(body.webhooks.map((w: any) => w.url)).toEqual(['https://hooks.exported.example/in']);
      for (const secret of [created.apiKey.secret, created.webhook.secret, 'Exp0rtedPassword', 'scrypt$', 'secret_hash', 'whsec_']) {
        expect(res.body.includes(secret)).toBe(false);
      }
    });
  });
}
