import { after, before, describe, it } from 'node:test';
import { expect } from 'expect';
import { createTestApp, json, stores, type TestApp } from './helpers.js';
import { createTestClock } from './support/clock.js';
import { startSmtp } from './support/smtp.js';
import { createMailer } from '../src/modules/mail/mail.worker.js';
import { createSmtpSender } from '../src/modules/mail/mail.sender.js';

const PASSWORD = 'VerySecurePassword1999#';
const HOUR = 3_600_000;
const METRICS_TOKEN = 'metrics-token-for-the-mail-test';
const cookieOf = (res: { headers: Record<string, unknown> }) => String(res.headers['set-cookie']).split(';')[0];
const tokenOf = (url: string) => new URL(url).searchParams.get('token')!;

for (const store of stores) {
  describe(`invitations without mail on ${store}`, () => {
    const clock = createTestClock();
    let t: TestApp;
    before(async () => {
      t = await createTestApp(store, {}, { clock });
    });
    after(async () => {
      await t?.close();
    });

    const tenantWithOwner = async (name: string, body: object = {}) =>
      json(
        await t.call('POST', '/v1/tenants', {
          body: { name, owner: { email: `owner@${name.toLowerCase().replace(/\W+/g, '-')}.example` }, apiKey: {}, ...body },
        }),
      );
    const invite = (tenantId: string, body: object, key?: string) => t.call('POST', `/v1/tenants/${tenantId}/invitations`, { body, key });
    const accept = (token: string, name = 'New Colleague', password = PASSWORD) =>
      t.app.inject({ method: 'POST', url: '/v1/auth/invitations/accept', payload: { token, name, password } });

    it('invites, returns the link once, and accepting it creates the user with the role and signs them in', async () => {
      const tenant = await tenantWithOwner('Inviting');
      const res = await invite(tenant.id, { email: 'colleague@inviting.example' }, tenant.apiKey.secret);
      expect(res.statusCode).toBe(201);
      const invitation = json(res);
      expect(invitation).toMatchObject({
        email: 'colleague@inviting.example',
        role: 'member',
        roles: [],
        status: 'pending',
        url: expect.stringContaining('/dashboard/accept-invitation?token='),
      });
      const window = Date.parse(invitation.expiresAt) - Date.parse(invitation.createdAt);
      expect(window).toBe(168 * HOUR);
      // The link is shown once: never in the list.
      const listed = json(await t.call('GET', `/v1/tenants/${tenant.id}/invitations`, { key: tenant.apiKey.secret })).results;
      expect(listed).toEqual([expect.objectContaining({ id: invitation.id, status: 'pending' })]);
      expect(listed[0]).not.toHaveProperty('url');

      const accepted = await accept(tokenOf(invitation.url));
      expect(accepted.statusCode).toBe(200);
      expect(json(accepted)).toMatchObject({
        user: { email: 'colleague@inviting.example', role: 'member', tenantId: tenant.id, name: 'New Colleague' },
        csrfToken: expect.any(String),
      });
      const session = await t.app.inject({ method: 'GET', url: '/v1/tenants/me', headers: { cookie: cookieOf(accepted) } });
      expect(json(session).id).toBe(tenant.id);
      // The password works for a later sign-in, and the token is spent.
      expect(
        (await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: 'colleague@inviting.example', password: PASSWORD } })).statusCode,
      ).toBe(200);
      const again = await accept(tokenOf(invitation.url));
      expect([again.statusCode, json(again).code]).toEqual([410, 'TOKEN_EXPIRED']);
      expect(json(await t.call('GET', `/v1/tenants/${tenant.id}/invitations?status=accepted`)).results).toEqual([
        expect.objectContaining({ id: invitation.id, status: 'accepted', userId: json(accepted).user.id }),
      ]);
      const types = json(await t.call('GET', `/v1/events?tenantId=${tenant.id}&limit=100`)).results.map((e: { type: string }) => e.type);
      expect(types).toEqual(expect.arrayContaining(['invitation.created', 'invitation.accepted', 'user.created']));
      // Secrets stay out of events and audit entries.
      const trail = JSON.stringify([
        json(await t.call('GET', `/v1/events?tenantId=${tenant.id}&limit=100`)),
        json(await t.call('GET', `/v1/audit-logs?tenantId=${tenant.id}&limit=100`)),
      ]);
      expect(trail).not.toContain(tokenOf(invitation.url));
    });

    it('answers 410 for revoked, replaced and expired links, and 409 for an email in use or already invited', async () => {
      const tenant = await tenantWithOwner('Strict Invites');
      const revoked = json(await invite(tenant.id, { email: 'gone@strict.example', role: 'owner' }));
      expect((await t.call('DELETE', `/v1/tenants/${tenant.id}/invitations/${revoked.id}`)).statusCode).toBe(204);
      expect(json(await accept(tokenOf(revoked.url))).code).toBe('TOKEN_EXPIRED');
      expect(json(await t.call('DELETE', `/v1/tenants/${tenant.id}/invitations/${revoked.id}`)).code).toBe('INVITATION_NOT_PENDING');

      const first = json(await invite(tenant.id, { email: 'again@strict.example', expiresInHours: 1 }));
      expect(json(await invite(tenant.id, { email: 'Again@strict.example' })).code).toBe('INVITATION_PENDING');
      const resent = await t.call('POST', `/v1/tenants/${tenant.id}/invitations/${first.id}/resend`);
      expect(resent.statusCode).toBe(200);
      expect((await accept(tokenOf(first.url))).statusCode).toBe(410);

      clock.advance(2 * HOUR);
      expect(json(await t.call('GET', `/v1/tenants/${tenant.id}/invitations?status=expired`)).results.map((i: { id: string }) => i.id)).toEqual([first.id]);
      expect((await accept(tokenOf(json(resent).url))).statusCode).toBe(410);
      // An expired invitation can be sent again, with a new link that works.
      const renewed = json(await t.call('POST', `/v1/tenants/${tenant.id}/invitations/${first.id}/resend`));
      expect(renewed.status).toBe('pending');
      expect((await accept(tokenOf(renewed.url))).statusCode).toBe(200);

      const occupied = await invite(tenant.id, { email: tenant.owner.email });
      expect([occupied.statusCode, json(occupied).code]).toEqual([409, 'EMAIL_OCCUPIED']);
      const weak = await accept('whatever', 'Name', 'short');
      expect(weak.statusCode).toBe(422);
      expect((await accept('not-a-token')).statusCode).toBe(410);
    });

    it('counts pending invitations against limits.users, and lets the last seat be accepted', async () => {
      const tenant = await tenantWithOwner('Seats', { limits: { users: 2 } });
      const seat = json(await invite(tenant.id, { email: 'seat@seats.example' }));
      const over = await invite(tenant.id, { email: 'over@seats.example' });
      expect([over.statusCode, json(over).code]).toEqual([409, 'QUOTA_EXCEEDED']);
      expect((await t.call('POST', `/v1/tenants/${tenant.id}/users`, { body: { email: 'direct@seats.example', name: 'Direct' } })).statusCode).toBe(409);
      expect((await accept(tokenOf(seat.url))).statusCode).toBe(200);
      expect(json(await t.call('GET', `/v1/tenants/${tenant.id}/users`)).results).toHaveLength(2);
    });

    it("keeps a tenant's invitations from everyone outside it (404) and from members (403)", async () => {
      const a = await tenantWithOwner('Invites A');
      const b = await tenantWithOwner('Invites B');
      const mine = json(await invite(a.id, { email: 'mine@a.example' }));
      for (const [method, url] of [
        ['GET', `/v1/tenants/${a.id}/invitations`],
        ['POST', `/v1/tenants/${a.id}/invitations`],
        ['DELETE', `/v1/tenants/${a.id}/invitations/${mine.id}`],
        ['POST', `/v1/tenants/${a.id}/invitations/${mine.id}/resend`],
      ] as const) {
        const res = await t.call(method, url, {
          key: b.apiKey.secret,
          ...(method === 'POST' && url.endsWith('invitations') ? { body: { email: 'x@b.example' } } : {}),
        });
        expect([method, url, res.statusCode]).toEqual([method, url, 404]);
      }
      // Another tenant's invitation id under one's own tenant is not found either.
      expect((await t.call('DELETE', `/v1/tenants/${b.id}/invitations/${mine.id}`, { key: b.apiKey.secret })).statusCode).toBe(404);
      const member = json(await accept(tokenOf(mine.url), 'Member', PASSWORD));
      const login = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: 'mine@a.example', password: PASSWORD } });
      const asMember = await t.app.inject({
        method: 'POST',
        url: `/v1/tenants/${a.id}/invitations`,
        headers: { cookie: cookieOf(login), 'x-csrf-token': json(login).csrfToken },
        payload: { email: 'friend@a.example' },
      });
      expect(asMember.statusCode).toBe(403);
      expect(member.user.role).toBe('member');
    });
  });
}

describe('invitations by mail', () => {
  let t: TestApp;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  before(async () => {
    smtp = await startSmtp();
    t = await createTestApp('pglite', {
      LANDLORD_SMTP_URL: smtp.url,
      LANDLORD_MAIL_FROM: 'Landlord <no-reply@landlord.test>',
      LANDLORD_METRICS_TOKEN: METRICS_TOKEN,
    });
  });
  after(async () => {
    await t?.close();
    await smtp?.close();
  });
  const mailer = () =>
    createMailer({
      db: t.deps.database.db,
      clock: t.deps.clock,
      secretBox: t.deps.secretBox,
      sender: createSmtpSender(smtp.url, t.deps.config.mailFrom),
      retrySchedule: [50, 50, 50],
      domain: 'landlord.test',
    });

  it('mails the link (plain text and HTML, naming the tenant) instead of returning it, and the mailed link accepts', async () => {
    const tenant = json(
      await t.call('POST', '/v1/tenants', { body: { name: 'Mailing', displayName: 'Mailing & Co', owner: { email: 'owner@mailing.example' } } }),
    );
    const created = json(await t.call('POST', `/v1/tenants/${tenant.id}/invitations`, { body: { email: 'new@mailing.example' } }));
    expect(created).not.toHaveProperty('url');
    const metrics = async () => (await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).body;
    expect(await metrics()).toMatch(/^landlord_mail_backlog 1$/m);

    const worker = mailer();
    expect(await worker.runOnce()).toBe(1);
    await worker.stop();
    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0];
    expect(mail.to && 'text' in mail.to ? mail.to.text : '').toBe('new@mailing.example');
    expect(mail.from?.value).toEqual([{ name: 'Landlord', address: 'no-reply@landlord.test' }]);
    expect(mail.subject).toBe('You are invited to join Mailing & Co');
    const link = /https?:\/\/\S+accept-invitation\?token=[\w-]+/.exec(mail.text ?? '')?.[0];
    expect(link).toBeDefined();
    expect(String(mail.html)).toContain('Mailing &amp; Co');
    expect(String(mail.html)).toContain(link!.replace(/&/g, '&amp;'));
    // The gauges are sampled at most once a second.
    const deadline = Date.now() + 5_000;
    while (!/^landlord_mail_backlog 0$/m.test(await metrics()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(await metrics()).toMatch(/^landlord_mail_backlog 0$/m);

    const accepted = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/invitations/accept',
      payload: { token: tokenOf(link!), name: 'Mailed', password: PASSWORD },
    });
    expect(accepted.statusCode).toBe(200);
    const again = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/invitations/accept',
      payload: { token: tokenOf(link!), name: 'Mailed again', password: PASSWORD },
    });
    expect([again.statusCode, json(again).code]).toEqual([410, 'TOKEN_EXPIRED']);
    // Nothing sends it twice.
    const second = mailer();
    expect(await second.runOnce()).toBe(0);
    await second.stop();
    expect(smtp.received).toHaveLength(1);
    // The sealed row does not hold the link in clear.
    const rows = await t.deps.database.db.selectFrom('mails').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(tokenOf(link!));
  });

  it('mails sign-in links to their user instead of returning them', async () => {
    const tenant = json(await t.call('POST', '/v1/tenants', { body: { name: 'Linked', owner: { email: 'owner@linked.example' } } }));
    const res = await t.call('POST', `/v1/tenants/${tenant.id}/users/${tenant.owner.id}/sign-in-links`);
    expect(res.statusCode).toBe(201);
    expect(json(res)).toEqual({ sentTo: 'owner@linked.example', expiresAt: expect.any(String) });
    const worker = mailer();
    await worker.runOnce();
    await worker.stop();
    const mail = smtp.received.at(-1)!;
    expect(mail.subject).toBe('Your sign-in link');
    const link = /https?:\/\/\S+sign-in\?token=[\w-]+/.exec(mail.text ?? '')?.[0];
    const consumed = await t.app.inject({ method: 'POST', url: '/v1/auth/sign-in-links/consume', payload: { token: tokenOf(link!) } });
    expect([consumed.statusCode, json(consumed).user.email]).toEqual([200, 'owner@linked.example']);
  });

  it('retries while the SMTP server refuses, then delivers once', async () => {
    const tenant = json(await t.call('POST', '/v1/tenants', { body: { name: 'Retrying', owner: { email: 'owner@retrying.example' } } }));
    smtp.state.refuse = true;
    await t.call('POST', `/v1/tenants/${tenant.id}/invitations`, { body: { email: 'patient@retrying.example' } });
    const worker = mailer();
    const before = smtp.received.length;
    expect(await worker.runOnce()).toBe(1);
    const [row] = await t.deps.database.db
      .selectFrom('mails')
      .select(['status', 'attempts', 'last_error'])
      .where('to_address', '=', 'patient@retrying.example')
      .execute();
    expect(row).toEqual({ status: 'pending', attempts: 1, last_error: 'SMTP 451' });
    smtp.state.refuse = false;
    worker.start();
    const deadline = Date.now() + 10_000;
    while (smtp.received.length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await worker.stop();
    expect(smtp.received.slice(before).map((m) => m.subject)).toEqual(['You are invited to join Retrying']);
    const [sent] = await t.deps.database.db.selectFrom('mails').select(['status', 'attempts']).where('to_address', '=', 'patient@retrying.example').execute();
    expect(sent).toEqual({ status: 'sent', attempts: 2 });
  });
});
