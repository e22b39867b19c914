import { before, describe, it } from 'node:test';
import { expect } from 'expect';
import { Webhook } from 'standardwebhooks';
import { createTestApp, json, stores, type TestApp } from './helpers.js';
import { expectSecretsNeverShown, settled, useWebhookFixture } from './support/webhooks.js';
import { webhookHeaders, type Receiver } from './webhook-receiver.js';

// Webhook endpoints: subscribing, validating, managing, rotating secrets, and who may see them.
for (const store of stores) {
  describe(`webhook endpoints on ${store}`, () => {
    const fx = useWebhookFixture(store);
    const { secrets, createHook, ping } = fx;
    let t: TestApp;
    let rx: Receiver;
    before(() => {
      ({ t, rx } = fx);
    });

    it('subscribes a tenant on create (the Skype flow): its own tenant.created and then tenant.updated arrive signed', async () => {
      const res = await t.call('POST', '/v1/tenants', { body: { name: 'Contoso Tenant Ltd', webhook: { url: rx.url('/interviews') } } });
      expect(res.statusCode).toBe(201);
      const tenant = json(res);
      secrets.push(tenant.webhook.secret);
      expect(tenant.webhook).toEqual({
        id: expect.stringMatching(/^whk_/),
        url: rx.url('/interviews'),
        events: ['*'],
        secret: expect.stringMatching(/^whsec_/),
      });
      expect(Buffer.from(tenant.webhook.secret.slice(6), 'base64')).toHaveLength(32);
      // The ETag describes the tenant alone, as GET returns it.
      expect(res.headers.etag).toBe((await t.call('GET', `/v1/tenants/${tenant.id}`)).headers.etag);

      await rx.waitFor((all) => all.some((r) => r.path === '/interviews'), 15_000, 'tenant.created');
      const [created] = rx.on('/interviews');
      const verified: any = new Webhook(tenant.webhook.secret).verify(created.body, webhookHeaders(created));
      expect(verified).toMatchObject({
        type: 'tenant.created',
        tenantId: tenant.id,
        organizationId: tenant.organizationId,
        data: { object: { id: tenant.id, name: 'Contoso Tenant Ltd' } },
      });
      expect(created.headers).toMatchObject({ 'content-type': 'application/json', 'user-agent': 'Landlord-Webhooks/1', 'webhook-id': verified.id });
      expect(Object.keys(verified).sort()).toEqual(['createdAt', 'data', 'id', 'organizationId', 'tenantId', 'type']);

      expect((await t.call('PATCH', `/v1/tenants/${tenant.id}`, { body: { description: 'Interviews' } })).statusCode).toBe(200);
      await rx.waitFor((all) => all.filter((r) => r.path === '/interviews').length >= 2, 15_000, 'tenant.updated');
      const updated: any = new Webhook(tenant.webhook.secret).verify(rx.on('/interviews')[1].body, webhookHeaders(rx.on('/interviews')[1]));
      expect(updated).toMatchObject({ type: 'tenant.updated', data: { object: { description: 'Interviews' }, previous: { description: null } } });

      const log = json(await t.call('GET', `/v1/webhooks/${tenant.webhook.id}/deliveries`));
      // The receiver may see a delivery before the worker has written its outcome.
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline && !log.results.every(settled)) {
        await new Promise((r) => setTimeout(r, 50));
        Object.assign(log, json(await t.call('GET', `/v1/webhooks/${tenant.webhook.id}/deliveries`)));
      }
      expect(
        log.results.map((d: any) => [d.eventType, d.status, d.attemptCount, d.attempts.map((a: any) => [a.statusCode, a.error, a.responseExcerpt])]),
      ).toEqual([
        ['tenant.updated', 'succeeded', 1, [[200, null, 'ok']]],
        ['tenant.created', 'succeeded', 1, [[200, null, 'ok']]],
      ]);
      expect(log.results[1].eventId).toBe(verified.id);
      expect(log.results[0].attempts[0].durationMs).toBeGreaterThanOrEqual(0);
    });

    it('checks the webhook of a tenant create in the same transaction: a bad one creates nothing', async () => {
      const res = await t.call('POST', '/v1/tenants', { body: { name: 'Half Made', webhook: { url: rx.url('/x'), events: ['tenant.exploded'] } } });
      expect(res.statusCode).toBe(422);
      expect(json(res).errors).toEqual([expect.objectContaining({ field: 'webhook.events', code: 'BAD_FORMAT' })]);
      expect(json(await t.call('GET', '/v1/tenants?search=half%20made')).count).toBe(0);
    });

    it('creates, lists, reads, updates and deletes endpoints, validating url and events', async () => {
      const tenant = json(await t.call('POST', '/v1/tenants', { body: { name: 'Hooked Inc' } }));
      const res = await t.call('POST', '/v1/webhooks', {
        body: { url: rx.url('/crud'), events: ['tenant.created', 'tenant.created', 'user.created'], description: 'CRM sync' },
      });
      expect(res.statusCode).toBe(201);
      const hook = json(res);
      secrets.push(hook.secret);
      expect(res.headers.location).toBe(`/v1/webhooks/${hook.id}`);
      expect(hook).toMatchObject({
        tenantId: null,
        events: ['tenant.created', 'user.created'],
        description: 'CRM sync',
        isEnabled: true,
        disabledReason: null,
        failingSince: null,
      });

      const bad = async (body: object, field: string, code: string, where = '/v1/webhooks') => {
        const r = await t.call('POST', where, { body });
        expect([r.statusCode, json(r).errors?.[0]]).toEqual([422, expect.objectContaining({ field, code })]);
      };
      await bad({ url: rx.url('/x'), events: ['tenant.exploded'] }, 'events', 'BAD_FORMAT');
      await bad({ url: rx.url('/x'), events: ['tenant.created', 'nope'] }, 'events', 'BAD_FORMAT', `/v1/tenants/${tenant.id}/webhooks`);
      await bad({ url: 'ftp://hooks.example.com/x', events: ['*'] }, 'url', 'BAD_URL');
      await bad({ url: 'not a url', events: ['*'] }, 'url', 'BAD_URL');
      await bad({ url: 'https://user:pw@hooks.example.com/x', events: ['*'] }, 'url', 'BAD_URL');
      await bad({ url: rx.url('/x'), events: [] }, 'events', 'BAD_FORMAT');
      await bad({ url: rx.url('/x'), events: ['*'], secret: 'whsec_mine' }, 'secret', 'READ_ONLY');
      await bad({ url: rx.url('/x'), events: ['*'], colour: 'red' }, 'colour', 'UNKNOWN_FIELD');

      const got = await t.call('GET', `/v1/webhooks/${hook.id}`);
      expect(got.statusCode).toBe(200);
      expect(json(got)).not.toHaveProperty('secret');
      const etag = got.headers.etag as string;
      expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
      const stale = await t.call('PATCH', `/v1/webhooks/${hook.id}`, { body: { description: 'x' }, headers: { 'if-match': '"stale"' } });
      expect(stale.statusCode).toBe(412);
      const patched = await t.call('PATCH', `/v1/webhooks/${hook.id}`, {
        body: { events: ['*'], description: null, url: rx.url('/crud2') },
        headers: { 'if-match': etag },
      });
      expect(patched.statusCode).toBe(200);
      expect(json(patched)).toMatchObject({ events: ['*'], description: null, url: rx.url('/crud2') });
      expect(patched.headers.etag).not.toBe(etag);
      const badPatch = await t.call('PATCH', `/v1/webhooks/${hook.id}`, { body: { url: 'gopher://x' } });
      expect(json(badPatch).errors[0]).toMatchObject({ field: 'url', code: 'BAD_URL' });

      const tenantHook = await createHook('/crud-tenant', {}, `/v1/tenants/${tenant.id}/webhooks`);
      expect(tenantHook.tenantId).toBe(tenant.id);
      const ofTenant = json(await t.call('GET', `/v1/tenants/${tenant.id}/webhooks`));
      expect(ofTenant.results.map((w: any) => w.id)).toEqual([tenantHook.id]);
      const filtered = json(await t.call('GET', `/v1/webhooks?tenantId=${tenant.id}`));
      expect(filtered.results.map((w: any) => w.id)).toEqual([tenantHook.id]);
      const orgWide = json(await t.call('GET', '/v1/webhooks?organizationWide=true&limit=100')).results;
      expect([orgWide.map((w: any) => w.id), orgWide.every((w: any) => w.tenantId === null)]).toEqual([expect.arrayContaining([hook.id]), true]);
      expect(orgWide.map((w: any) => w.id)).not.toContain(tenantHook.id);
      const tenantOnes = json(await t.call('GET', '/v1/webhooks?organizationWide=false&limit=100')).results;
      expect([tenantOnes.map((w: any) => w.id), tenantOnes.every((w: any) => w.tenantId !== null)]).toEqual([expect.arrayContaining([tenantHook.id]), true]);

      // Newest first, in pages.
      const first = json(await t.call('GET', '/v1/webhooks?limit=1'));
      expect(first.results.map((w: any) => w.id)).toEqual([tenantHook.id]);
      expect(first.next).toMatch(/^http:\/\/landlord\.test\/v1\/webhooks\?limit=1&cursor=/);
      const second = json(await t.call('GET', first.next.replace('http://landlord.test', '')));
      expect(second.results.map((w: any) => w.id)).toEqual([hook.id]);
      expect((await t.call('GET', '/v1/webhooks?cursor=garbage')).statusCode).toBe(422);

      expect((await t.call('DELETE', `/v1/webhooks/${hook.id}`, { headers: { 'if-match': '"stale"' } })).statusCode).toBe(412);
      expect((await t.call('DELETE', `/v1/webhooks/${hook.id}`)).statusCode).toBe(204);
      expect((await t.call('GET', `/v1/webhooks/${hook.id}`)).statusCode).toBe(404);
      expect((await t.call('DELETE', `/v1/webhooks/${hook.id}`)).statusCode).toBe(404);

      const audit = json(await t.call('GET', `/v1/audit-logs?limit=200`)).results.filter((a: any) => a.target?.id === hook.id);
      expect(audit.map((a: any) => a.action).sort()).toEqual(['webhook.create', 'webhook.delete', 'webhook.update']);
      // Audit only: creating and changing endpoints emits no events.
      const events = json(await t.call('GET', '/v1/events?limit=500')).results;
      expect(events.filter((e: any) => e.type.startsWith('webhook.') && e.type !== 'webhook.test')).toEqual([]);
    });

    it('refuses private destinations at creation unless LANDLORD_WEBHOOKS_ALLOW_PRIVATE is set', async () => {
      const strict = await createTestApp(store);
      try {
        const tenant = json(await strict.call('POST', '/v1/tenants', { body: { name: 'Strict Tenant' } }));
        for (const url of [
          'http://localhost:8080/hook',
          'http://LOCALHOST./hook',
          'http://app.localhost/hook',
          'http://127.0.0.1/hook',
          'http://2130706433/hook',
          'http://10.1.2.3/hook',
          'http://172.16.0.1/hook',
          'http://192.168.1.10/hook',
          'http://169.254.169.254/latest/meta-data',
          'http://100.64.0.1/hook',
          'http://0.0.0.0/hook',
          'http://[::1]/hook',
          'http://[::ffff:127.0.0.1]/hook',
          'http://[fd00:ec2::254]/latest',
          'http://[fe80::1]/hook',
          'http://[64:ff9b::127.0.0.1]/hook',
          'http://[::127.0.0.1]/hook',
          'http://[::ffff:0:127.0.0.1]/hook',
          'http://[2002:7f00:1::]/hook',
          'http://[2002:a9fe:a9fe::]/latest/meta-data',
          'http://metadata.google.internal/computeMetadata/v1/',
        ]) {
          for (const where of ['/v1/webhooks', `/v1/tenants/${tenant.id}/webhooks`]) {
            const res = await strict.call('POST', where, { body: { url, events: ['*'] } });
            expect([url, res.statusCode, json(res).errors?.[0]]).toEqual([url, 422, expect.objectContaining({ field: 'url', code: 'BAD_URL' })]);
          }
        }
        const viaTenant = await strict.call('POST', '/v1/tenants', { body: { name: 'Sneaky Tenant', webhook: { url: 'http://127.0.0.1:9/x' } } });
        expect(json(viaTenant).errors).toEqual([expect.objectContaining({ field: 'webhook.url', code: 'BAD_URL' })]);
        expect(json(await strict.call('GET', '/v1/tenants?search=sneaky')).count).toBe(0);
        const hook = await strict.call('POST', '/v1/webhooks', { body: { url: 'https://hooks.example.com/landlord', events: ['*'] } });
        expect(hook.statusCode).toBe(201);
        secrets.push(json(hook).secret);
        const moved = await strict.call('PATCH', `/v1/webhooks/${json(hook).id}`, { body: { url: 'http://10.0.0.5/x' } });
        expect(json(moved).errors[0]).toMatchObject({ field: 'url', code: 'BAD_URL' });
      } finally {
        await strict.close();
      }
    });

    it('rotates the secret: during the overlap both secrets verify, after an overlap of 0 only the new one', async () => {
      const hook = await createHook('/rotate');
      const rotated = await t.call('POST', `/v1/webhooks/${hook.id}/rotate-secret`);
      expect(rotated.statusCode).toBe(200);
      const second = json(rotated);
      secrets.push(second.secret);
      expect(second.secret).toMatch(/^whsec_/);
      expect(second.secret).not.toBe(hook.secret);
      expect(Date.parse(second.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(86_000_000);
      await ping(hook.id);
      await rx.waitFor((all) => all.filter((r) => r.path === '/rotate').length === 1);
      const during = rx.on('/rotate')[0];
      expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
      expect(() => new Webhook(hook.secret).verify(during.body, webhookHeaders(during))).not.toThrow();
      expect(() => new Webhook(second.secret).verify(during.body, webhookHeaders(during))).not.toThrow();

      const third = json(await t.call('POST', `/v1/webhooks/${hook.id}/rotate-secret`, { body: { overlapSeconds: 0 } }));
      secrets.push(third.secret);
      expect(third.previousSecretExpiresAt).toBeNull();
      await ping(hook.id);
      await rx.waitFor((all) => all.filter((r) => r.path === '/rotate').length === 2);
      const afterwards = rx.on('/rotate')[1];
      expect(String(afterwards.headers['webhook-signature']).split(' ')).toHaveLength(1);
      expect(() => new Webhook(third.secret).verify(afterwards.body, webhookHeaders(afterwards))).not.toThrow();
      expect(() => new Webhook(second.secret).verify(afterwards.body, webhookHeaders(afterwards))).toThrow();
      expect((await t.call('POST', `/v1/webhooks/${hook.id}/rotate-secret`, { body: { overlapSeconds: -1 } })).statusCode).toBe(422);
    });

    it('answers 404 to other tenants and organizations on every webhook endpoint, and changes nothing', async () => {
      const orgA = json(await t.call('POST', '/v1/organizations', { body: { name: 'Hook Org A' } }));
      const orgKeyA = json(await t.call('POST', `/v1/organizations/${orgA.id}/api-keys`, { body: {} })).secret;
      const tenantA = json(await t.call('POST', '/v1/tenants', { key: orgKeyA, body: { name: 'Hook Tenant A', apiKey: {} } }));
      const tenantA2 = json(await t.call('POST', '/v1/tenants', { key: orgKeyA, body: { name: 'Hook Tenant A2', apiKey: {} } }));
      const tenantB = json(await t.call('POST', '/v1/tenants', { body: { name: 'Hook Tenant B', apiKey: {} } }));
      const keyA = tenantA.apiKey.secret;
      const keyA2 = tenantA2.apiKey.secret;
      const hookA = await createHook('/bola-a', {}, `/v1/tenants/${tenantA.id}/webhooks`, keyA);
      const hookOrgA = await createHook('/bola-org-a', {}, '/v1/webhooks', orgKeyA);
      const hookB = await createHook('/bola-b', {}, `/v1/tenants/${tenantB.id}/webhooks`);
      const deliveryOf = async (id: string) => (await ping(id)).deliveryId;
      const deliveries: Record<string, string> = {
        [hookA.id]: await deliveryOf(hookA.id),
        [hookOrgA.id]: await deliveryOf(hookOrgA.id),
        [hookB.id]: await deliveryOf(hookB.id),
      };

      const calls = (id: string) =>
        [
          ['GET', `/v1/webhooks/${id}`],
          ['PATCH', `/v1/webhooks/${id}`, { description: 'hijacked', url: 'https://evil.example.com/' }],
          ['DELETE', `/v1/webhooks/${id}`],
          ['POST', `/v1/webhooks/${id}/test`],
          ['GET', `/v1/webhooks/${id}/deliveries`],
          ['POST', `/v1/webhooks/${id}/deliveries/${deliveries[id]}/retry`],
          ['POST', `/v1/webhooks/${id}/rotate-secret`, {}],
        ] as const;
      const snapshot = async (id: string) => (await t.call('GET', `/v1/webhooks/${id}`)).headers.etag;
      const expectInvisible = async (key: string, id: string) => {
        const before = await snapshot(id);
        for (const [method, url, body] of calls(id)) {
          const res = await t.call(method, url, { key, body });
          expect([method, url, res.statusCode, json(res).code]).toEqual([method, url, 404, 'NOT_FOUND']);
        }
        expect(await snapshot(id)).toBe(before);
      };
      await expectInvisible(keyA2, hookA.id);
      await expectInvisible(keyA2, hookOrgA.id);
      await expectInvisible(keyA, hookOrgA.id); // an organization-wide endpoint is not a tenant's
      await expectInvisible(keyA, hookB.id);
      await expectInvisible(orgKeyA, hookB.id);
      for (const [key, tenantId] of [
        [keyA2, tenantA.id],
        [orgKeyA, tenantB.id],
        [keyA, tenantB.id],
      ]) {
        expect((await t.call('GET', `/v1/tenants/${tenantId}/webhooks`, { key })).statusCode).toBe(404);
        expect((await t.call('POST', `/v1/tenants/${tenantId}/webhooks`, { key, body: { url: 'https://evil.example.com/', events: ['*'] } })).statusCode).toBe(
          404,
        );
      }
      // Lists are confined the same way.
      expect(json(await t.call('GET', '/v1/webhooks', { key: keyA })).results.map((w: any) => w.id)).toEqual([hookA.id]);
      expect(
        json(await t.call('GET', '/v1/webhooks', { key: orgKeyA }))
          .results.map((w: any) => w.id)
          .sort(),
      ).toEqual([hookA.id, hookOrgA.id].sort());
      expect(json(await t.call('GET', `/v1/webhooks?tenantId=${tenantB.id}`, { key: orgKeyA })).results).toEqual([]);
      expect((await t.call('GET', `/v1/webhooks?organizationId=${t.deps.defaultOrganizationId}`, { key: orgKeyA })).statusCode).toBe(404);
      // Owners cannot subscribe organization-wide; admins cannot subscribe another organization.
      expect((await t.call('POST', '/v1/webhooks', { key: keyA, body: { url: 'https://evil.example.com/', events: ['*'] } })).statusCode).toBe(403);
      const elsewhere = await t.call('POST', '/v1/webhooks', {
        key: orgKeyA,
        body: { url: 'https://evil.example.com/', events: ['*'], organizationId: t.deps.defaultOrganizationId },
      });
      expect(elsewhere.statusCode).toBe(404);
      const bySuperadmin = await t.call('POST', '/v1/webhooks', { body: { url: 'https://hooks.example.com/a', events: ['*'], organizationId: orgA.id } });
      expect(json(bySuperadmin).organizationId).toBe(orgA.id);
      secrets.push(json(bySuperadmin).secret);
      // The owner manages its own tenant's endpoint.
      expect((await t.call('GET', `/v1/webhooks/${hookA.id}`, { key: keyA })).statusCode).toBe(200);
      expect((await t.call('GET', `/v1/webhooks/${hookA.id}/deliveries`, { key: keyA })).statusCode).toBe(200);
    });

    it('never shows a secret again: not in GET, lists, deliveries, events, audit entries, or the stored row', () => expectSecretsNeverShown(t, secrets));
  });
}
