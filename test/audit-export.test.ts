import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { createTestApp, json, type TestApp } from './helpers.js';

describe('audit log export', () => {
  let t: TestApp;
  let tenant: any;
  before(async () => {
    t = await createTestApp('pglite');
    tenant = json(await t.call('POST', '/v1/tenants', { body: { name: 'Exported', apiKey: {} } }));
    // More than one page of 200, all in the tenant's subtree.
    for (let b = 0; b < 3; b++) {
      const items = Array.from({ length: 80 }, (_, i) => ({ name: `Child ${b}-${i}`, parentId: tenant.id }));
      expect((await t.call('POST', '/v1/tenants/batch', { body: { items } })).statusCode).toBe(200);
    }
    await t.call('PATCH', `/v1/tenants/${tenant.id}`, { body: { description: 'spreadsheet' }, headers: { 'user-agent': '=HYPERLINK("http://evil.example")' } });
  });
  after(async () => {
    await t?.close();
  });

  /** Every entry the list shows for a query, following `next`. */
  async function listed(query: string, key?: string) {
    const out: any[] = [];
    let url: string | null = `/v1/audit-logs?limit=200&${query}`;
    while (url) {
      const page: any = json(await t.call('GET', url.replace('http://landlord.test', ''), { key }));
      out.push(...page.results);
      url = page.next;
    }
    return out;
  }

  it('streams every matching entry as NDJSON, the same as the list, newest first', async () => {
    const res = await t.call('GET', `/v1/audit-logs/export?action=tenant.create`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('application/x-ndjson');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="audit-log-.+\.ndjson"$/);
    const lines = res.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(240);
    expect(lines).toEqual(await listed('action=tenant.create'));
  });

  it('filters by an action prefix as the list does', async () => {
    const res = await t.call('GET', '/v1/audit-logs/export?action=tenant.');
    expect(res.statusCode).toBe(200);
    const lines = res.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect([...new Set(lines.map((l) => l.action))].sort()).toEqual(['tenant.create', 'tenant.update']);
    expect(lines).toEqual(await listed('action=tenant.'));
  });

  it('writes CSV with a header row, quoting and no spreadsheet formulas', async () => {
    const res = await t.call('GET', `/v1/audit-logs/export?format=csv&tenantId=${tenant.id}&action=tenant.update`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const rows = res.body.trimEnd().split('\r\n');
    expect(rows[0]).toBe('occurredAt,id,organizationId,tenantId,actorType,actorId,credentialId,action,targetType,targetId,ip,userAgent,requestId,changes');
    expect(rows).toHaveLength(2);
    expect(rows[1]).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
    // The changes as JSON in one quoted field.
    const changes = /,"(\{.*\})"$/.exec(rows[1])![1].replace(/""/g, '"');
    expect(JSON.parse(changes)).toEqual({ description: { from: null, to: 'spreadsheet' } });
  });

  it("keeps an owner to its tenant's subtree, and refuses what the list refuses", async () => {
    const other = json(await t.call('POST', '/v1/tenants', { body: { name: 'Elsewhere' } }));
    const res = await t.call('GET', '/v1/audit-logs/export', { key: tenant.apiKey.secret });
    expect(res.statusCode).toBe(200);
    const lines = res.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(240);
    expect(lines.some((l) => l.tenantId === other.id)).toBe(false);
    expect((await t.call('GET', '/v1/audit-logs/export?format=xml')).statusCode).toBe(422);
    expect((await t.call('GET', '/v1/audit-logs/export?cursor=x')).statusCode).toBe(422);
  });
});
