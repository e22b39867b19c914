import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { randomToken } from '../src/lib/crypto.js';
import { createTestApp, stores, type TestApp } from './helpers.js';
import { freePort, killAll, startService, tempDir } from './child-service.js';

const TOKEN = `metrics-${randomToken(24)}`;

function gauge(text: string, name: string, labels = ''): number | null {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? null : Number(line.split(' ')[1]);
}

for (const store of stores) {
  describe(`metrics on ${store}`, () => {
    let t: TestApp;
    before(async () => {
      // No worker runs here: deliveries stay in the backlog.
      t = await createTestApp(store, { LANDLORD_METRICS_TOKEN: TOKEN });
    });
    after(async () => {
      await t?.close();
    });

    it('answers only the metrics token on the API port', async () => {
      expect((await t.call('GET', '/metrics', { key: null })).statusCode).toBe(401);
      expect((await t.call('GET', '/metrics')).statusCode).toBe(401); // not even the root key
      expect((await t.call('GET', '/metrics', { key: `${TOKEN}x` })).statusCode).toBe(401);
      const ok = await t.call('GET', '/metrics', { key: TOKEN });
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toContain('landlord_http_requests_total');
      expect(gauge(ok.body, 'landlord_db_up')).toBe(1);
      if (store === 'postgres') expect(gauge(ok.body, 'landlord_db_pool_connections', '{state="total"}')).toBeGreaterThan(0);
    });

    it('reports the webhook backlog and the age of its oldest delivery', async () => {
      const before = await t.call('GET', '/metrics', { key: TOKEN });
      expect(gauge(before.body, 'landlord_webhook_backlog')).toBe(0);
      expect(gauge(before.body, 'landlord_webhook_backlog_oldest_age_seconds')).toBe(0);
      await t.call('POST', '/v1/webhooks', { body: { url: 'https://hooks.example.com/metrics', events: ['tenant.created'] } });
      for (const name of ['Backlog One', 'Backlog Two', 'Backlog Three']) await t.call('POST', '/v1/tenants', { body: { name } });
      await new Promise((r) => setTimeout(r, 1100));
      const after = await t.call('GET', '/metrics', { key: TOKEN });
      expect(gauge(after.body, 'landlord_webhook_backlog')).toBe(3);
      expect(gauge(after.body, 'landlord_webhook_backlog_oldest_age_seconds')).toBeGreaterThanOrEqual(1);
    });
  });
}

describe('LANDLORD_METRICS_PORT', () => {
  after(() => {
    killAll();
  });

  it('serves /metrics without credentials on its own port, and nothing else there', { timeout: 200_000 }, async () => {
    const metricsPort = await freePort();
    const service = await startService({
      LANDLORD_DATA_DIR: tempDir(),
      LANDLORD_ROOT_KEY: `lk_root_${randomToken(43)}`,
      LANDLORD_METRICS_PORT: String(metricsPort),
    });
    try {
      expect(service.stdout()).toContain(`/metrics`);
      const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('landlord_webhook_backlog');
      expect((await fetch(`http://127.0.0.1:${metricsPort}/v1/tenants`)).status).toBe(404);
      // The API port still wants a credential for it.
      const api = await fetch(`${service.base}/metrics`);
      expect(api.status).toBe(401);
    } finally {
      expect(await service.stop()).toEqual({ code: 0, signal: null });
    }
  });
});
