import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { createTestApp, json, stores, type TestApp } from './helpers.js';

const NAMES = [
  'Acme Corporation',
  'TechStart Inc',
  'Globex',
  'Initech',
  'Umbrella',
  'Hooli',
  'Vandelay Industries',
  'Stark Industries',
  'Wayne Enterprises',
  'Wonka Industries',
  'Tyrell Corp',
  'Soylent',
];

for (const store of stores) {
  describe(`tenant listing on ${store}`, () => {
    let t: TestApp;
    const ids: string[] = [];
    before(async () => {
      t = await createTestApp(store);
      const res = await t.call('POST', '/v1/tenants/batch', {
        body: {
          items: NAMES.map((name, i) => ({
            name,
            email: `contact@${name.split(' ')[0].toLowerCase()}.example`,
            externalId: `ext-${i}`,
            isActive: i % 3 !== 0,
            metadata: { plan: i % 2 ? 'pro' : 'free', region: 'eu' },
          })),
        },
      });
      expect(res.statusCode).toBe(200);
      for (const r of json(res).results) {
        expect(r.status).toBe(201);
        ids.push(r.tenant.id);
      }
    });
    after(async () => {
      await t?.close();
    });

    const list = async (qs: string) => {
      const res = await t.call('GET', `/v1/tenants${qs}`);
      expect([qs, res.statusCode]).toEqual([qs, 200]);
      return json(res);
    };

    it('lists newest first with count, next and previous', async () => {
      const page = await list('');
      expect(page.count).toBe(NAMES.length);
      expect(page.previous).toBeNull();
      expect(page.next).toBeNull();
      expect(page.results.map((r: any) => r.id)).toEqual([...ids].reverse());
    });

    it('walks every tenant exactly once with cursors, forwards and backwards', async () => {
      const seen: string[] = [];
      let url: string | null = '?limit=5&ordering=name';
      const pages: any[] = [];
      while (url) {
        const page = await list(url.replace('http://landlord.test/v1/tenants', ''));
        pages.push(page);
        seen.push(...page.results.map((r: any) => r.name));
        url = page.next;
      }
      expect(seen).toEqual([...NAMES].sort());
      expect(pages.map((p) => p.results.length)).toEqual([5, 5, 2]);
      expect(pages[0].previous).toBeNull();
      expect(pages[2].next).toBeNull();
      expect(pages.map((p) => p.count)).toEqual([NAMES.length, null, null]);
      // Back from the last page gives the middle page again.
      const back = await list(pages[2].previous.replace('http://landlord.test/v1/tenants', ''));
      expect(back.results.map((r: any) => r.name)).toEqual(pages[1].results.map((r: any) => r.name));
      const first = await list(back.previous.replace('http://landlord.test/v1/tenants', ''));
      expect(first.results.map((r: any) => r.name)).toEqual(pages[0].results.map((r: any) => r.name));
      expect(first.previous).toBeNull();
      expect(pages[0].next).toMatch(/^http:\/\/landlord\.test\/v1\/tenants\?/);
    });

    it('pages by number with page and page_size', async () => {
      const p2 = await list('?page=2&page_size=5&ordering=-name');
      // Later pages are not counted unless asked.
      expect(p2.count).toBeNull();
      expect((await list('?page=2&page_size=5&ordering=-name&count=true')).count).toBe(NAMES.length);
      expect(p2.results.map((r: any) => r.name)).toEqual([...NAMES].sort().reverse().slice(5, 10));
      expect(p2.next).toBe('http://landlord.test/v1/tenants?page=3&page_size=5&ordering=-name');
      expect(p2.previous).toBe('http://landlord.test/v1/tenants?page=1&page_size=5&ordering=-name');
      const last = await list('?page=3&pageSize=5&ordering=-name');
      expect(last.next).toBeNull();
      const noCount = await list('?page=1&limit=5&count=false');
      expect(noCount.count).toBeNull();
      expect(noCount.results).toHaveLength(5);
    });

    it('searches name, slug, email, externalId and displayName case-insensitively', async () => {
      expect((await list('?search=INDUSTRIES')).results.map((r: any) => r.name).sort()).toEqual([
        'Stark Industries',
        'Vandelay Industries',
        'Wonka Industries',
      ]);
      expect((await list('?search=techstart-inc')).results.map((r: any) => r.name)).toEqual(['TechStart Inc']);
      expect((await list('?search=%40globex.example')).results.map((r: any) => r.name)).toEqual(['Globex']);
      expect((await list('?search=ext-11')).results.map((r: any) => r.name)).toEqual(['Soylent']);
      expect((await list('?search=100%25')).count).toBe(0);
      expect((await list('?search=_')).count).toBe(0);
    });

    it('filters by isActive (and is_active), externalId, metadata and creation time', async () => {
      const inactive = NAMES.filter((_, i) => i % 3 === 0);
      expect((await list('?isActive=false')).results.map((r: any) => r.name).sort()).toEqual([...inactive].sort());
      expect((await list('?is_active=true')).count).toBe(NAMES.length - inactive.length);
      expect((await list('?externalId=ext-3')).results.map((r: any) => r.name)).toEqual(['Initech']);
      expect((await list('?metadata[plan]=pro')).count).toBe(6);
      expect((await list('?metadata[plan]=pro&metadata[region]=us')).count).toBe(0);
      const created = (await list('?ordering=createdAt')).results;
      const middle = created[6].createdAt;
      expect((await list(`?createdAfter=${encodeURIComponent(middle)}`)).results.every((r: any) => r.createdAt > middle)).toBe(true);
      expect((await list(`?createdBefore=${encodeURIComponent(middle)}`)).results.every((r: any) => r.createdAt < middle)).toBe(true);
      expect((await list('?search=industries&ordering=-name&is_active=true')).results.map((r: any) => r.name)).toEqual(
        ['Wonka Industries', 'Stark Industries', 'Vandelay Industries'].filter((n) => !inactive.includes(n)),
      );
    });

    it('orders by each supported field and its snake_case alias', async () => {
      expect((await list('?ordering=slug')).results.map((r: any) => r.slug)).toEqual([...(await list('')).results.map((r: any) => r.slug)].sort());
      expect((await list('?ordering=created_at')).results.map((r: any) => r.id)).toEqual(ids);
      expect((await list('?ordering=-updated_at&limit=1')).results).toHaveLength(1);
    });

    it('rejects bad list parameters with 422 field errors', async () => {
      for (const [qs, field] of [
        ['?ordering=color', 'ordering'],
        ['?ordering=toString', 'ordering'],
        ['?ordering=-constructor', 'ordering'],
        ['?limit=0', 'limit'],
        ['?limit=101', 'limit'],
        ['?page=0', 'page'],
        ['?cursor=garbage', 'cursor'],
        ['?isActive=maybe', 'isActive'],
        ['?createdAfter=yesterday', 'createdAfter'],
      ]) {
        const res = await t.call('GET', `/v1/tenants${qs}`);
        expect([qs, res.statusCode, json(res).errors?.[0]?.field]).toEqual([qs, 422, field]);
      }
      const next = (await list('?limit=2&ordering=name')).next as string;
      const cursor = new URL(next).searchParams.get('cursor')!;
      const mismatch = await t.call('GET', `/v1/tenants?ordering=slug&cursor=${cursor}`);
      expect(mismatch.statusCode).toBe(422);
    });

    it('creates a batch atomically or item by item', async () => {
      const mixed = json(
        await t.call('POST', '/v1/tenants/batch', {
          body: { items: [{ name: 'Batch A' }, { name: 'Globex' }, { name: 'Batch B', slug: 'Bad Slug' }, { name: 'Batch C' }] },
        }),
      );
      expect(mixed.results.map((r: any) => r.status)).toEqual([201, 409, 422, 201]);
      expect(mixed.results[1].error.code).toBe('NAME_OCCUPIED');
      expect(mixed.results[2].error.errors[0]).toMatchObject({ field: 'items.2.slug', code: 'BAD_SLUG' });
      const atomic = json(
        await t.call('POST', '/v1/tenants/batch', { body: { atomic: true, items: [{ name: 'Atomic A' }, { name: 'Atomic B' }, { name: 'Atomic A' }] } }),
      );
      expect(atomic.results.map((r: any) => r.status)).toEqual([424, 424, 409]);
      expect((await list('?search=atomic')).count).toBe(0);
      const ok = json(await t.call('POST', '/v1/tenants/batch', { body: { atomic: true, items: [{ name: 'Atomic A' }, { name: 'Atomic B' }] } }));
      expect(ok.results.map((r: any) => r.status)).toEqual([201, 201]);
      const tooMany = await t.call('POST', '/v1/tenants/batch', { body: { items: Array.from({ length: 101 }, (_, i) => ({ name: `n${i}` })) } });
      expect(tooMany.statusCode).toBe(422);
    });
  });
}
