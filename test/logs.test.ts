import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { buildApp } from '../src/app.js';
import { createTestApp, json, type TestApp } from './helpers.js';
import type { FastifyInstance } from 'fastify';

describe('logs never carry secrets', () => {
  let t: TestApp;
  let app: FastifyInstance;
  const lines: string[] = [];
  before(async () => {
    t = await createTestApp('pglite');
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    // The same deps, served by an app that logs everything at the most verbose level.
    app = await buildApp(t.deps, { logger: { level: 'trace', stream } });
    await app.ready();
  });
  after(async () => {
    await app?.close();
    await t?.close();
  });

  it('keeps keys, passwords, tokens, cookies and sign-in links out of the log stream', async () => {
    const password = 'L0ggedNeverPassword';
    const auth = { authorization: `Bearer ${t.rootKey}` };
    const created = await app.inject({
      method: 'POST',
      url: '/v1/tenants',
      headers: auth,
      payload: { name: 'Logged Co', owner: { name: 'Lou', email: 'lou@logged.example', password }, apiKey: {} },
    });
    expect(created.statusCode).toBe(201);
    const tenant = json(created);
    const linkToken = new URL(tenant.signInUrl).searchParams.get('token')!;
    const login = await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: 'lou@logged.example', password } });
    const cookie = String(login.headers['set-cookie']).split(';')[0];
    await app.inject({ method: 'GET', url: '/v1/tenants/me', headers: { cookie } });
    await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: 'lou@logged.example', password: 'Wrong' + password } });
    const token = await app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `grant_type=client_credentials&client_id=${tenant.apiKey.id}&client_secret=${tenant.apiKey.secret}`,
    });
    const accessToken = json(token).access_token as string;
    expect(accessToken).toBeTruthy();
    await app.inject({ method: 'GET', url: '/v1/tenants/me', headers: { authorization: `Bearer ${accessToken}` } });
    await app.inject({ method: 'GET', url: `/dashboard/sign-in?token=${linkToken}` });
    await app.inject({ method: 'GET', url: `/v1/tenants?token=${linkToken}`, headers: auth });
    await app.inject({ method: 'GET', url: '/v1/tenants/me', headers: { authorization: `Bearer ${tenant.apiKey.secret}x` } });

    const log = lines.join('');
    expect(log).toContain('incoming request');
    expect(log).toContain('[redacted]');
    for (const secret of [t.rootKey, tenant.apiKey.secret, password, linkToken, cookie.split('=')[1], accessToken]) {
      expect(log.includes(secret)).toBe(false);
    }
  });
});
