import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { createTestApp, json, stores, type TestApp } from './helpers.js';
import { startRogueProvider, type RogueProvider } from './support/oidc.js';

/** A tenant of the tree with one of everything an id-taking route can name. */
interface Node {
  name: string;
  id: string;
  ancestorIds: string[];
  key: string;
  keyId: string;
  userId: string;
  webhookId: string;
  deliveryId: string;
  invitationId: string;
  connectionId: string;
}

/** Bodies that pass validation, so that what decides the answer is who asks (404 comes after the schema). */
const BODIES: Record<string, object> = {
  'PUT /v1/tenants/{id}': { name: 'Hijacked' },
  'PATCH /v1/tenants/{id}': { description: 'hijacked' },
  'POST /v1/tenants/{id}/users': { email: 'intruder@example.com', name: 'Intruder' },
  'POST /v1/tenants/{id}/invitations': { email: 'intruder@example.com' },
  'PATCH /v1/tenants/{id}/users/{userId}': { name: 'Hijacked' },
  'POST /v1/tenants/{id}/webhooks': { url: 'https://hooks.example.com/intruder' },
  'PATCH /v1/webhooks/{id}': { description: 'hijacked' },
  'PATCH /v1/tenants/{id}/sso-connections/{connectionId}': { isEnabled: false },
};

// Broken object-level authorization across the tenant tree: every id-taking route, asked by the
// owner of the parent, the child, a sibling and a grandchild. An owner reaches its tenant and its
// descendants; its ancestors and siblings do not exist for it (404, nothing changed).
for (const store of stores) {
  describe(`access across the tenant tree on ${store}`, () => {
    let t: TestApp;
    const tree: Record<'parent' | 'child' | 'sibling' | 'grandchild', Node> = {} as never;
    let routes: { method: string; path: string }[];
    // A provider whose discovery answers, so that every node can hold an SSO connection.
    let idp: RogueProvider;

    before(async () => {
      t = await createTestApp(store, { LANDLORD_WEBHOOKS_ALLOW_PRIVATE: 'true' });
      idp = await startRogueProvider();
      BODIES['POST /v1/tenants/{id}/sso-connections'] = {
        type: 'oidc',
        issuer: idp.issuer,
        clientId: 'intruder',
        clientSecret: 'intruder',
        domains: ['intruder.example'],
      };
      const make = async (name: keyof typeof tree, parentId?: string) => {
        const res = await t.call('POST', '/v1/tenants', {
          body: { name: `Tree ${name}`, parentId, apiKey: {}, owner: { email: `${name}@tree.example` }, webhook: { url: `https://hooks.example.com/${name}` } },
        });
        expect(res.statusCode).toBe(201);
        const tenant = json(res);
        const ping = json(await t.call('POST', `/v1/webhooks/${tenant.webhook.id}/test`));
        const invitation = json(await t.call('POST', `/v1/tenants/${tenant.id}/invitations`, { body: { email: `invited-${name}@tree.example` } }));
        const connection = json(
          await t.call('POST', `/v1/tenants/${tenant.id}/sso-connections`, {
            body: { type: 'oidc', issuer: idp.issuer, clientId: `client-${name}`, clientSecret: 'secret', domains: [`${name}.sso.example`] },
          }),
        );
        tree[name] = {
          name,
          id: tenant.id,
          ancestorIds: tenant.ancestorIds,
          key: tenant.apiKey.secret,
          keyId: tenant.apiKey.id,
          userId: tenant.owner.id,
          webhookId: tenant.webhook.id,
          deliveryId: ping.deliveryId,
          invitationId: invitation.id,
          connectionId: connection.id,
        };
      };
      await make('parent');
      await make('child', tree.parent.id);
      await make('sibling', tree.parent.id);
      await make('grandchild', tree.child.id);
      const doc = json(await t.call('GET', '/openapi.json', { key: null }));
      routes = Object.entries<Record<string, unknown>>(doc.paths)
        .filter(([path]) => /^\/v1\/(tenants|webhooks)\/\{id\}/.test(path))
        .flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path })));
    });
    after(async () => {
      await t?.close();
      await idp?.close();
    });

    const urlOf = (path: string, node: Node) =>
      path
        .replace('{id}', path.startsWith('/v1/webhooks') ? node.webhookId : node.id)
        .replace('{userId}', node.userId)
        .replace('{keyId}', node.keyId)
        .replace('{invitationId}', node.invitationId)
        .replace('{connectionId}', node.connectionId)
        .replace('{deliveryId}', node.deliveryId);

    /** Everything stored about a tenant, as its export shows it (less the moments that pass). */
    const snapshot = async (node: Node) => {
      const { exportedAt: _e, ...rest } = json(await t.call('GET', `/v1/tenants/${node.id}/export`));
      const hook = json(await t.call('GET', `/v1/webhooks/${node.webhookId}`));
      const invitations = json(await t.call('GET', `/v1/tenants/${node.id}/invitations`)).results;
      const connections = json(await t.call('GET', `/v1/tenants/${node.id}/sso-connections`)).results;
      return { ...rest, apiKeys: rest.apiKeys.map(({ lastUsedAt: _l, ...k }: { lastUsedAt: unknown }) => k), hook, invitations, connections };
    };

    it('covers every id-taking route of tenants, their users, keys and webhooks', () => {
      const names = routes.map((r) => `${r.method} ${r.path}`);
      for (const expected of [
        'DELETE /v1/tenants/{id}',
        'POST /v1/tenants/{id}/restore',
        'GET /v1/tenants/{id}/export',
        'PATCH /v1/tenants/{id}/users/{userId}',
        'POST /v1/tenants/{id}/users/{userId}/sign-in-links',
        'POST /v1/tenants/{id}/api-keys/{keyId}/rotate',
        'DELETE /v1/tenants/{id}/api-keys/{keyId}',
        'POST /v1/webhooks/{id}/deliveries/{deliveryId}/retry',
        'POST /v1/webhooks/{id}/rotate-secret',
        'DELETE /v1/tenants/{id}/invitations/{invitationId}',
        'POST /v1/tenants/{id}/invitations/{invitationId}/resend',
        'PATCH /v1/tenants/{id}/sso-connections/{connectionId}',
        'DELETE /v1/tenants/{id}/sso-connections/{connectionId}',
      ]) {
        expect(names).toContain(expected);
      }
      expect(routes.length).toBeGreaterThanOrEqual(24);
    });

    for (const [asker, targets] of [
      ['child', ['parent', 'sibling']],
      ['sibling', ['parent', 'child', 'grandchild']],
      ['grandchild', ['parent', 'child', 'sibling']],
    ] as const) {
      it(`answers 404 to the ${asker}'s owner on every route of ${targets.join(', ')}, changing nothing`, async () => {
        for (const target of targets) {
          const before = await snapshot(tree[target]);
          for (const { method, path } of routes) {
            const body = BODIES[`${method} ${path}`] ?? (method === 'POST' ? {} : undefined);
            const res = await t.call(method as 'GET', urlOf(path, tree[target]), { key: tree[asker].key, body });
            expect([target, method, path, res.statusCode]).toEqual([target, method, path, 404]);
          }
          expect(await snapshot(tree[target])).toEqual(before);
        }
      });
    }

    for (const [asker, targets] of [
      ['parent', ['child', 'grandchild']],
      ['child', ['grandchild']],
    ] as const) {
      it(`lets the ${asker}'s owner read every route of ${targets.join(', ')} and manage them`, async () => {
        for (const target of targets) {
          for (const { path } of routes.filter((r) => r.method === 'GET')) {
            const res = await t.call('GET', urlOf(path, tree[target]), { key: tree[asker].key });
            expect([target, path, res.statusCode]).toEqual([target, path, 200]);
          }
          const key = tree[asker].key;
          const node = tree[target];
          expect((await t.call('PATCH', `/v1/tenants/${node.id}`, { key, body: { description: `managed by ${asker}` } })).statusCode).toBe(200);
          expect((await t.call('PATCH', `/v1/tenants/${node.id}/users/${node.userId}`, { key, body: { name: `Renamed by ${asker}` } })).statusCode).toBe(200);
          expect((await t.call('PATCH', `/v1/webhooks/${node.webhookId}`, { key, body: { description: `by ${asker}` } })).statusCode).toBe(200);
          const sso = await t.call('PATCH', `/v1/tenants/${node.id}/sso-connections/${node.connectionId}`, { key, body: { isEnabled: true } });
          expect(sso.statusCode).toBe(200);
          const link = await t.call('POST', `/v1/tenants/${node.id}/users/${node.userId}/sign-in-links`, { key });
          expect(link.statusCode).toBe(201);
          const extra = await t.call('POST', `/v1/tenants/${node.id}/api-keys`, { key, body: { name: `from ${asker}` } });
          expect(extra.statusCode).toBe(201);
          expect((await t.call('DELETE', `/v1/tenants/${node.id}/api-keys/${json(extra).id}`, { key })).statusCode).toBe(204);
          // Admin-only fields stay admin-only, in the subtree too.
          expect((await t.call('PATCH', `/v1/tenants/${node.id}`, { key, body: { parentId: null } })).statusCode).toBe(403);
        }
      });
    }
  });
}
