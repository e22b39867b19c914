import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'expect';
import { createTestApp, stores, type TestApp } from './helpers.js';

// A batch of 100 creates is 100 transactions one after another. The embedded store has one
// connection and answers without I/O: unless the batch takes turns, a read that arrives meanwhile
// waits for the whole batch.
for (const store of stores) {
  describe(`a batch of creates on ${store}`, () => {
    let t: TestApp;
    let readId: string;
    before(async () => {
      t = await createTestApp(store, {}, { listen: true });
      const res = await t.call('POST', '/v1/tenants', { body: { name: 'Read While Batching' } });
      readId = res.json().id;
    });
    after(async () => {
      await t?.close();
    });

    it('lets a read that arrives meanwhile be answered before the batch ends', async () => {
      const headers = { authorization: `Bearer ${t.rootKey}`, 'content-type': 'application/json' };
      const items = Array.from({ length: 100 }, (_, i) => ({ name: `Batched ${i}`, email: `batched-${i}@example.com` }));
      const order: string[] = [];
      const batch = fetch(`${t.baseUrl}/v1/tenants/batch`, { method: 'POST', headers, body: JSON.stringify({ items }) }).then(async (res) => {
        order.push(`batch ${res.status}`);
        return res.json();
      });
      // The batch is under way by then (a timer, like a new request, needs the event loop to turn).
      await sleep(30);
      const read = await fetch(`${t.baseUrl}/v1/tenants/${readId}`, { headers });
      order.push(`read ${read.status}`);
      const body = (await batch) as { results: { status: number }[] };
      expect(body.results.filter((r) => r.status === 201)).toHaveLength(100);
      expect(order).toEqual(['read 200', 'batch 200']);
    });
  });
}
