import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { createTestApp, json, stores, type TestApp } from './helpers.js';

const ids = (res: { json(): any }) => (res.json().results as { id: string }[]).map((r) => r.id).sort();

// Nested tenants: placement rules, subtree listings, and a suspended ancestor locking out its subtree.
for (const store of stores) {
  describe(`tenant hierarchy on ${store}`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(store);
    });
    after(async () => {
      await t?.close();
    });

    const create = async (name: string, parentId?: string) => {
      const res = await t.call('POST', '/v1/tenants', { body: { name, ...(parentId ? { parentId } : {}), apiKey: {} } });
      expect([name, res.statusCode]).toEqual([name, 201]);
      return json(res);
    };
    const patch = (id: string, body: object, key?: string) => t.call('PATCH', `/v1/tenants/${id}`, { body, key });
    const fieldError = (res: { statusCode: number; json(): any }) => [res.statusCode, res.json().errors?.[0]?.field, res.json().errors?.[0]?.code];

    it('places children under their parent with depth and ancestors, and lists children and subtrees', async () => {
      const root = await create('Holding');
      const child = await create('Holding Sweden', root.id);
      const sibling = await create('Holding Norway', root.id);
      const grandchild = await create('Holding Sweden Retail', child.id);
      expect(root).toMatchObject({ parentId: null, depth: 0, ancestorIds: [] });
      expect(child).toMatchObject({ parentId: root.id, depth: 1, ancestorIds: [root.id] });
      expect(grandchild).toMatchObject({ parentId: child.id, depth: 2, ancestorIds: [root.id, child.id] });
      expect(ids(await t.call('GET', `/v1/tenants?parentId=${root.id}`))).toEqual([child.id, sibling.id].sort());
      expect(ids(await t.call('GET', `/v1/tenants?ancestorId=${root.id}`))).toEqual([child.id, sibling.id, grandchild.id].sort());
      expect(ids(await t.call('GET', `/v1/tenants?ancestorId=${child.id}`))).toEqual([grandchild.id]);
      expect(json(await t.call('GET', `/v1/tenants?ancestorId=${root.id}`)).count).toBe(3);

      // Moving a tenant takes its subtree along.
      const moved = json(await patch(child.id, { parentId: sibling.id }));
      expect(moved).toMatchObject({ parentId: sibling.id, depth: 2, ancestorIds: [root.id, sibling.id] });
      expect(json(await t.call('GET', `/v1/tenants/${grandchild.id}`))).toMatchObject({ depth: 3, ancestorIds: [root.id, sibling.id, child.id] });
      const toRoot = json(await patch(child.id, { parentId: null }));
      expect(toRoot).toMatchObject({ parentId: null, depth: 0, ancestorIds: [] });
      expect(json(await t.call('GET', `/v1/tenants/${grandchild.id}`))).toMatchObject({ depth: 1, ancestorIds: [child.id] });
      expect(ids(await t.call('GET', `/v1/tenants?ancestorId=${root.id}`))).toEqual([sibling.id]);
    });

    it('refuses cycles, a depth over 5, parents elsewhere, and parents set by owners', async () => {
      const chain = [await create('Level 0')];
      for (let i = 1; i <= 5; i++) chain.push(await create(`Level ${i}`, chain[i - 1].id));
      expect(chain[5].depth).toBe(5);
      const tooDeep = await t.call('POST', '/v1/tenants', { body: { name: 'Level 6', parentId: chain[5].id } });
      expect(fieldError(tooDeep)).toEqual([422, 'parentId', 'TOO_DEEP']);
      // A subtree that would end up too deep cannot move either.
      const small = await create('Small Root');
      await create('Small Child', small.id);
      expect(fieldError(await patch(small.id, { parentId: chain[4].id }))).toEqual([422, 'parentId', 'TOO_DEEP']);
      expect((await patch(small.id, { parentId: chain[3].id })).statusCode).toBe(200);

      expect(fieldError(await patch(chain[0].id, { parentId: chain[3].id }))).toEqual([422, 'parentId', 'PARENT_CYCLE']);
      expect(fieldError(await patch(chain[2].id, { parentId: chain[2].id }))).toEqual([422, 'parentId', 'PARENT_CYCLE']);

      const org = json(await t.call('POST', '/v1/organizations', { body: { name: 'Elsewhere' } }));
      const foreign = json(await t.call('POST', '/v1/tenants', { body: { name: 'Foreign', organizationId: org.id } }));
      expect(fieldError(await patch(chain[1].id, { parentId: foreign.id }))).toEqual([422, 'parentId', 'PARENT_NOT_FOUND']);
      expect(fieldError(await t.call('POST', '/v1/tenants', { body: { name: 'Orphan', parentId: 'tnt_nothing' } }))).toEqual([
        422,
        'parentId',
        'PARENT_NOT_FOUND',
      ]);
      const byOwner = await patch(chain[2].id, { parentId: null }, chain[1].apiKey.secret);
      expect([byOwner.statusCode, json(byOwner).detail]).toEqual([403, expect.stringContaining('parentId')]);
      expect(json(await t.call('GET', `/v1/tenants/${chain[2].id}`)).parentId).toBe(chain[1].id);
    });

    it('refuses to delete a tenant with children, deleted ones included, until they are purged', async () => {
      const parent = await create('Parent Co');
      const child = await create('Child Co', parent.id);
      const res = await t.call('DELETE', `/v1/tenants/${parent.id}`);
      expect([res.statusCode, json(res).code]).toEqual([409, 'TENANT_HAS_CHILDREN']);
      expect((await t.call('DELETE', `/v1/tenants/${child.id}`)).statusCode).toBe(204);
      expect(json(await t.call('DELETE', `/v1/tenants/${parent.id}`)).code).toBe('TENANT_HAS_CHILDREN');
      expect((await t.call('DELETE', `/v1/tenants/${child.id}?purge=true`)).statusCode).toBe(204);
      expect((await t.call('DELETE', `/v1/tenants/${parent.id}`)).statusCode).toBe(204);
    });

    it('locks out the whole subtree of a suspended or moved-under-suspended ancestor, at once', async () => {
      const root = await create('Locked Root');
      const child = await create('Locked Child', root.id);
      const grandchild = await create('Locked Grandchild', child.id);
      const loose = await create('Loose');
      const me = (key: string) => t.call('GET', '/v1/tenants/me', { key }).then((r) => r.statusCode);
      const keys = [root, child, grandchild].map((x) => x.apiKey.secret as string);
      // Their keys are remembered after a first use: the lock must reach remembered keys too.
      expect(await Promise.all(keys.map(me))).toEqual([200, 200, 200]);

      expect((await patch(child.id, { status: 'suspended', suspendedReason: 'Audit' })).statusCode).toBe(200);
      expect(await Promise.all(keys.map(me))).toEqual([200, 401, 401]);
      // The descendant's own status is untouched: it is its ancestor that locks it.
      expect(json(await t.call('GET', `/v1/tenants/${grandchild.id}`)).status).toBe('active');
      // A tenant created under a suspended parent is locked from the start.
      const late = await create('Locked Late', grandchild.id);
      expect(await me(late.apiKey.secret)).toBe(401);

      expect((await patch(child.id, { status: 'active' })).statusCode).toBe(200);
      expect(await Promise.all([...keys, late.apiKey.secret].map(me))).toEqual([200, 200, 200, 200]);

      // Moving under a suspended tenant locks the moved subtree; moving out frees it.
      await patch(loose.id, { isActive: false });
      await patch(child.id, { parentId: loose.id });
      expect(await Promise.all(keys.map(me))).toEqual([200, 401, 401]);
      await patch(child.id, { parentId: root.id });
      expect(await Promise.all(keys.map(me))).toEqual([200, 200, 200]);
    });

    it('lets an owner see and manage its descendants, and nothing above or beside it', async () => {
      const root = await create('Group');
      const child = await create('Group Child', root.id);
      const sibling = await create('Group Sibling', root.id);
      const grandchild = await create('Group Grandchild', child.id);
      const key = child.apiKey.secret;
      expect(ids(await t.call('GET', '/v1/tenants', { key }))).toEqual([child.id, grandchild.id].sort());
      // Of the root's subtree, only its own part.
      expect(ids(await t.call('GET', `/v1/tenants?ancestorId=${root.id}`, { key }))).toEqual([child.id, grandchild.id].sort());
      const user = await t.call('POST', `/v1/tenants/${grandchild.id}/users`, {
        key,
        body: { email: 'clerk@grandchild.example', name: 'Clerk', role: 'owner' },
      });
      expect(user.statusCode).toBe(201);
      expect((await patch(grandchild.id, { description: 'run by the group' }, key)).statusCode).toBe(200);
      const audit = json(await t.call('GET', '/v1/audit-logs?limit=100', { key })).results;
      expect(audit.some((e: any) => e.tenantId === grandchild.id && e.action === 'user.create')).toBe(true);
      expect(audit.every((e: any) => [child.id, grandchild.id].includes(e.tenantId))).toBe(true);
      const events = json(await t.call('GET', '/v1/events?limit=100', { key })).results;
      expect(events.some((e: any) => e.tenantId === grandchild.id)).toBe(true);
      expect(events.every((e: any) => [child.id, grandchild.id].includes(e.tenantId))).toBe(true);
      for (const other of [root, sibling]) expect((await t.call('GET', `/v1/tenants/${other.id}`, { key })).statusCode).toBe(404);
      // The grandchild's owner sees neither its parent nor its grandparent.
      for (const other of [root, child, sibling]) {
        expect((await t.call('GET', `/v1/tenants/${other.id}`, { key: grandchild.apiKey.secret })).statusCode).toBe(404);
      }
    });

    it("introspects the tokens of a tenant's descendants for its key, and never those above or beside it", async () => {
      const root = await create('Introspecting Group');
      const child = await create('Introspecting Child', root.id);
      const sibling = await create('Introspecting Sibling', root.id);
      const tokenOf = async (tenant: any) =>
        json(
          await t.app.inject({
            method: 'POST',
            url: '/oauth/token',
            payload: { grant_type: 'client_credentials', client_id: tenant.apiKey.id, client_secret: tenant.apiKey.secret },
          }),
        ).access_token as string;
      const introspect = async (token: string, by: any) =>
        json(
          await t.app.inject({
            method: 'POST',
            url: '/oauth/introspect',
            payload: { token, client_id: by.apiKey.id, client_secret: by.apiKey.secret },
          }),
        ).active;
      const [rootToken, childToken, siblingToken] = [await tokenOf(root), await tokenOf(child), await tokenOf(sibling)];
      expect(await introspect(childToken, root)).toBe(true);
      expect(await introspect(rootToken, child)).toBe(false);
      expect(await introspect(siblingToken, child)).toBe(false);
      expect(await introspect(childToken, child)).toBe(true);
    });
  });
}
