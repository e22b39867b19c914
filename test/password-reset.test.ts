import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { createTestApp, json, type TestApp } from './helpers.js';
import { startSmtp } from './support/smtp.js';
import { sendQueuedMails } from './support/mail.js';

const OLD = 'VerySecurePassword1999#';
const NEW = 'AnotherSecurePassword2024!';
const cookieOf = (res: { headers: Record<string, unknown> }) => String(res.headers['set-cookie']).split(';')[0];

// Password reset by mail, end to end: the request, the mail a real SMTP server receives, the link.
describe('password reset', () => {
  let t: TestApp;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  before(async () => {
    smtp = await startSmtp();
    t = await createTestApp('pglite', { LANDLORD_SMTP_URL: smtp.url });
  });
  after(async () => {
    await t?.close();
    await smtp?.close();
  });

  const login = (email: string, password: string) => t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password } });
  const request = (email: string, ip = '203.0.113.7') =>
    t.app.inject({ method: 'POST', url: '/v1/auth/password-reset', payload: { email }, remoteAddress: ip });
  const queued = async () =>
    Number(
      (
        await t.deps.database.db
          .selectFrom('mails')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  /** Sends what is queued, once the request's background work has queued `expected` mails in all. */
  async function deliver(expected: number) {
    const deadline = Date.now() + 5_000;
    while ((await queued()) < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    await sendQueuedMails(t, smtp.url);
  }

  it('mails a one-time link that sets the new password and ends every other session', async () => {
    const email = 'forgetful@reset.example';
    await t.call('POST', '/v1/tenants', { body: { name: 'Forgetful', owner: { email, password: OLD } } });
    const before = await login(email, OLD);
    expect(before.statusCode).toBe(200);

    const asked = await request(email);
    expect([asked.statusCode, json(asked)]).toEqual([202, { status: 'accepted' }]);
    await deliver(1);
    const mail = smtp.received.at(-1)!;
    expect(mail.subject).toBe('Reset your password');
    const link = /https?:\/\/\S+reset-password\?token=[\w-]+/.exec(mail.text ?? '')?.[0];
    expect(link).toBeDefined();
    const token = new URL(link!).searchParams.get('token')!;

    const weak = await t.app.inject({ method: 'POST', url: '/v1/auth/password-reset/confirm', payload: { token, password: 'short' } });
    expect(weak.statusCode).toBe(422);
    const confirmed = await t.app.inject({ method: 'POST', url: '/v1/auth/password-reset/confirm', payload: { token, password: NEW } });
    expect(confirmed.statusCode).toBe(200);
    expect(json(confirmed).user.email).toBe(email);
    // The new session works; the one from before is over; only the new password signs in.
    expect((await t.app.inject({ method: 'GET', url: '/v1/auth/session', headers: { cookie: cookieOf(confirmed) } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/v1/auth/session', headers: { cookie: cookieOf(before) } })).statusCode).toBe(401);
    expect((await login(email, OLD)).statusCode).toBe(401);
    expect((await login(email, NEW)).statusCode).toBe(200);
    const again = await t.app.inject({ method: 'POST', url: '/v1/auth/password-reset/confirm', payload: { token, password: NEW } });
    expect([again.statusCode, json(again).code]).toEqual([410, 'TOKEN_EXPIRED']);
    // The link is in no log of the audit trail.
    expect(JSON.stringify(json(await t.call('GET', '/v1/audit-logs?limit=100')))).not.toContain(token);
  });

  it('answers an unknown email exactly as a known one, and mails nothing', async () => {
    const before = await queued();
    const unknown = await request('nobody@reset.example', '203.0.113.8');
    expect([unknown.statusCode, unknown.body]).toEqual([202, JSON.stringify({ status: 'accepted' })]);
    await new Promise((r) => setTimeout(r, 200));
    expect(await queued()).toBe(before);
  });

  it('refuses an address that keeps asking with 429, and mails one account at most 3 times in 15 minutes', async () => {
    const email = 'popular@reset.example';
    await t.call('POST', '/v1/tenants', { body: { name: 'Popular', owner: { email, password: OLD } } });
    const start = await queued();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      statuses.push((await request(email, '198.51.100.9')).statusCode);
      // Each request is counted after it is answered; give it the moment it takes.
      await new Promise((r) => setTimeout(r, 30));
    }
    expect(statuses.slice(0, 5)).toEqual([202, 202, 202, 202, 202]);
    expect(statuses).toContain(429);
    await new Promise((r) => setTimeout(r, 300));
    expect((await queued()) - start).toBe(3);
  });
});
