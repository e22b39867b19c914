import { connect } from 'node:net';
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
    await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: 'lou@logged.example', password: `Wrong${password}` } });
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
    expect(log).toContain('"msg":"request received"');
    expect(log).toContain('[redacted]');
    for (const secret of [t.rootKey, tenant.apiKey.secret, password, linkToken, cookie.split('=')[1], accessToken]) {
      expect(log.includes(secret)).toBe(false);
    }
  });

  it('answers an oversized header with a 431 problem and logs no byte of it, at trace level', async () => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const before = lines.length;
    const request = `GET /v1/tenants HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${t.rootKey}\r\nX-Padding: ${'p'.repeat(20_000)}\r\n\r\n`;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(request));
      let data = '';
      socket.setEncoding('utf8').on('data', (chunk: string) => (data += chunk));
      socket.on('close', () => resolve(data)).on('error', (err) => (data ? resolve(data) : reject(err)));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer.toLowerCase()).toContain('content-type: application/problem+json');
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 431, code: 'HEADERS_TOO_LARGE' });
    await new Promise((r) => setTimeout(r, 50));
    const logged = lines.slice(before).join('');
    expect(logged).toContain('refused a malformed request');
    expect(logged.includes(t.rootKey)).toBe(false);
    expect(logged.includes('ppppp')).toBe(false);
  });
});

describe('the access log', () => {
  it('writes one line per request at info, with route, status, duration and principal, and dashboard assets only at debug', async () => {
    const t = await createTestApp('pglite');
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    const app = await buildApp(t.deps, { logger: { level: 'info', stream } });
    await app.ready();
    try {
      const tenant = json(
        await app.inject({ method: 'POST', url: '/v1/tenants', headers: { authorization: `Bearer ${t.rootKey}` }, payload: { name: 'Logged', apiKey: {} } }),
      );
      lines.length = 0;
      await app.inject({
        method: 'GET',
        url: `/v1/tenants/${tenant.id}`,
        headers: { authorization: `Bearer ${tenant.apiKey.secret}`, 'x-request-id': 'one-line' },
      });
      await app.inject({ method: 'GET', url: '/dashboard/app.js' });
      await app.inject({ method: 'GET', url: '/dashboard/sign-in' });
      const mine = lines.filter((l) => l.reqId === 'one-line');
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ level: 30, msg: 'request', method: 'GET', route: '/v1/tenants/:id', status: 200, principal: tenant.apiKey.id });
      expect(typeof mine[0].durationMs).toBe('number');
      expect(lines.filter((l) => String(l.url).startsWith('/dashboard/app.js'))).toEqual([]);
      expect(lines.filter((l) => l.url === '/dashboard/sign-in')).toHaveLength(1);
    } finally {
      await app.close();
      await t.close();
    }
  });
});
