import { after, before, describe, it } from 'node:test';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'expect';
import { createTestApp, json, stores, type TestApp } from './helpers.js';
import { startOidcProvider, startRogueProvider, type RogueProvider, type Tamper, type TestProvider } from './support/oidc.js';

const cookieValue = (setCookie: unknown, name: string) => {
  const all = ([] as string[]).concat((setCookie as string | string[] | undefined) ?? []);
  const found = all.find((c) => c.startsWith(`${name}=`));
  return found ? decodeURIComponent(found.slice(name.length + 1).split(';')[0]) : undefined;
};

/** Follows the provider's redirects (with its own cookies) until it sends the browser back to Landlord. */
async function throughProvider(location: string, providerOrigin: string): Promise<string> {
  const jar = new Map<string, string>();
  let next = location;
  for (let hops = 0; next.startsWith(providerOrigin); hops++) {
    if (hops > 10) throw new Error('the provider keeps redirecting');
    const res = await fetch(next, { redirect: 'manual', headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    const to = res.headers.get('location');
    if (!to) throw new Error(`the provider answered ${res.status} without a redirect: ${await res.text()}`);
    next = new URL(to, next).href;
  }
  return next;
}

for (const store of stores) {
  describe(`single sign-on (OIDC) on ${store}`, () => {
    let t: TestApp;
    let op: TestProvider;
    let rogue: RogueProvider;
    let tenant: any;
    let other: any;
    let connection: any;
    const redirectUri = 'http://landlord.test/v1/auth/sso/callback';

    /** Starts a sign-in as a browser would: the start URL, then the provider, up to the callback URL it sends back. */
    async function begin(query: string, browser?: string, tamperAuthorization?: (url: URL) => void) {
      const start = await t.app.inject({ method: 'GET', url: `/v1/auth/sso/start?${query}`, headers: browser ? { cookie: `landlord_sso=${browser}` } : {} });
      expect(start.statusCode).toBe(302);
      const cookie = cookieValue(start.headers['set-cookie'], 'landlord_sso')!;
      expect(cookie).toMatch(/^[\w-]{43}$/);
      const authorization = new URL(String(start.headers.location));
      tamperAuthorization?.(authorization);
      const issuer = new URL(authorization.origin).origin;
      const callback = await throughProvider(authorization.href, issuer);
      expect(callback.startsWith(redirectUri)).toBe(true);
      return { callback: callback.slice('http://landlord.test'.length), browser: cookie, authorization };
    }

    const finish = (callback: string, browser?: string) =>
      t.app.inject({ method: 'GET', url: callback, headers: browser ? { cookie: `landlord_sso=${browser}` } : {} });

    /** A callback that ended without a session: back at the sign-in page with the reason. */
    function expectRefused(res: Awaited<ReturnType<typeof finish>>, code: string) {
      expect([res.statusCode, res.headers.location]).toEqual([303, `/dashboard/sign-in?sso_error=${code}`]);
      expect(cookieValue(res.headers['set-cookie'], 'landlord_session')).toBeUndefined();
    }

    async function sessionOf(res: Awaited<ReturnType<typeof finish>>) {
      expect([res.statusCode, res.headers.location]).toEqual([303, '/dashboard/']);
      const session = cookieValue(res.headers['set-cookie'], 'landlord_session');
      expect(session).toBeDefined();
      const me = await t.app.inject({ method: 'GET', url: '/v1/auth/session', headers: { cookie: `landlord_session=${session}` } });
      expect(me.statusCode).toBe(200);
      return json(me);
    }

    before(async () => {
      t = await createTestApp(store, { LANDLORD_WEBHOOKS_ALLOW_PRIVATE: 'true' });
      op = await startOidcProvider({
        redirectUri,
        accounts: [
          { sub: 'sub-new', email: 'new@contoso.test', name: 'New Person' },
          { sub: 'sub-known', email: 'Known@Contoso.test', name: 'Known Person' },
          { sub: 'sub-outsider', email: 'outsider@contoso.test', name: 'Outsider' },
          { sub: 'sub-unverified', email: 'unverified@contoso.test', name: 'Unverified', emailVerified: false },
          { sub: 'sub-stranger', email: 'stranger@elsewhere.test', name: 'Stranger' },
        ],
      });
      rogue = await startRogueProvider();
      tenant = json(await t.call('POST', '/v1/tenants', { body: { name: 'Contoso', apiKey: {}, owner: { email: 'boss@contoso.test' } } }));
      other = json(await t.call('POST', '/v1/tenants', { body: { name: 'Fabrikam', apiKey: {}, owner: { email: 'boss@fabrikam.test' } } }));
    });
    after(async () => {
      await t?.close();
      await op?.close();
      await rogue?.close();
    });

    it('creates a connection after reading discovery, never shows its secret, and records it', async () => {
      const res = await t.call('POST', `/v1/tenants/${tenant.id}/sso-connections`, {
        key: tenant.apiKey.secret,
        body: { type: 'oidc', issuer: op.issuer, clientId: op.clientId, clientSecret: op.clientSecret, domains: ['Contoso.test'] },
      });
      expect(res.statusCode).toBe(201);
      connection = json(res);
      expect(connection).toMatchObject({
        tenantId: tenant.id,
        type: 'oidc',
        issuer: op.issuer,
        clientId: op.clientId,
        domains: ['contoso.test'],
        defaultRole: 'member',
        isEnabled: true,
        redirectUri,
      });
      expect(res.headers.location).toBe(`/v1/tenants/${tenant.id}/sso-connections/${connection.id}`);
      const listed = json(await t.call('GET', `/v1/tenants/${tenant.id}/sso-connections`, { key: tenant.apiKey.secret })).results;
      expect(listed).toEqual([connection]);
      const events = json(await t.call('GET', `/v1/events?type=sso_connection.created&tenantId=${tenant.id}`)).results;
      expect(events).toHaveLength(1);
      const audit = json(await t.call('GET', `/v1/audit-logs?tenantId=${tenant.id}&action=sso_connection.create`)).results;
      expect(audit).toHaveLength(1);
      const everywhere = JSON.stringify([res.json(), listed, events, audit]);
      expect(everywhere).not.toContain(op.clientSecret);
      const stored = await t.deps.database.db.selectFrom('sso_connections').selectAll().execute();
      expect(JSON.stringify(stored)).not.toContain(op.clientSecret);
    });

    it('refuses issuers that do not answer or are not OpenID providers (422 on issuer), and domains held elsewhere (409)', async () => {
      const closed = createServer();
      await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
      const deadPort = (closed.address() as AddressInfo).port;
      await new Promise<void>((r) => closed.close(() => r()));
      const create = (body: object, key = other.apiKey.secret) => t.call('POST', `/v1/tenants/${other.id}/sso-connections`, { key, body });
      const base = { type: 'oidc', clientId: 'c', clientSecret: 's', domains: ['fabrikam.test'] };
      const unreachable = await create({ ...base, issuer: `http://127.0.0.1:${deadPort}` });
      expect([unreachable.statusCode, json(unreachable).errors[0]]).toMatchObject([422, { field: 'issuer', code: 'ISSUER_UNREACHABLE' }]);
      const notOidc = await create({ ...base, issuer: `${rogue.issuer}/nothing-here` });
      expect([notOidc.statusCode, json(notOidc).errors[0]]).toMatchObject([422, { field: 'issuer', code: 'NOT_OIDC_ISSUER' }]);
      const taken = await create({ ...base, issuer: op.issuer, domains: ['fabrikam.test', 'contoso.test'] });
      expect([taken.statusCode, json(taken).code]).toEqual([409, 'DOMAIN_TAKEN']);
      // Fabrikam's own users sign in with fabrikam.test: Contoso may not claim it.
      const inUse = await t.call('PATCH', `/v1/tenants/${tenant.id}/sso-connections/${connection.id}`, {
        key: tenant.apiKey.secret,
        body: { domains: ['contoso.test', 'fabrikam.test'] },
      });
      expect([inUse.statusCode, json(inUse).code]).toEqual([409, 'DOMAIN_IN_USE']);
      const badDomain = await create({ ...base, issuer: op.issuer, domains: ['not a domain'] });
      expect(badDomain.statusCode).toBe(422);
      const noneMade = json(await t.call('GET', `/v1/tenants/${other.id}/sso-connections`)).results;
      expect(noneMade).toEqual([]);
    });

    it("keeps a tenant's connections from other tenants (404) and from members (403)", async () => {
      const url = `/v1/tenants/${tenant.id}/sso-connections/${connection.id}`;
      for (const [method, path, body] of [
        ['GET', `/v1/tenants/${tenant.id}/sso-connections`],
        ['GET', url],
        ['PATCH', url, { isEnabled: false }],
        ['DELETE', url],
        ['POST', `/v1/tenants/${tenant.id}/sso-connections`, { type: 'oidc', issuer: op.issuer, clientId: 'x', clientSecret: 'y', domains: ['x.test'] }],
      ] as const) {
        const res = await t.call(method, path, { key: other.apiKey.secret, body });
        expect([method, path, res.statusCode]).toEqual([method, path, 404]);
      }
      const wrongTenant = await t.call('GET', `/v1/tenants/${other.id}/sso-connections/${connection.id}`);
      expect(wrongTenant.statusCode).toBe(404);
      const member = json(
        await t.call('POST', `/v1/tenants/${tenant.id}/users`, {
          key: tenant.apiKey.secret,
          body: { email: 'member@contoso.test', name: 'Member', password: 'Long enough Passw0rd!' },
        }),
      );
      const login = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: member.email, password: 'Long enough Passw0rd!' } });
      const cookie = `landlord_session=${cookieValue(login.headers['set-cookie'], 'landlord_session')}`;
      const asMember = await t.app.inject({ method: 'GET', url: `/v1/tenants/${tenant.id}/sso-connections`, headers: { cookie } });
      expect(asMember.statusCode).toBe(403);
      expect(json(await t.call('GET', url)).isEnabled).toBe(true);
    });

    it('tells the sign-in page which domains sign in through a provider', async () => {
      const ask = async (email: string) => json(await t.app.inject({ method: 'GET', url: `/v1/auth/sso/lookup?email=${encodeURIComponent(email)}` })).sso;
      expect(await ask('anyone@CONTOSO.test')).toBe(true);
      expect(await ask('anyone@fabrikam.test')).toBe(false);
      const start = await t.app.inject({ method: 'GET', url: '/v1/auth/sso/start?email=someone%40fabrikam.test' });
      expect([start.statusCode, start.headers.location]).toEqual([303, '/dashboard/sign-in?sso_error=SSO_NOT_CONFIGURED']);
    });

    it('creates the user at the first sign-in, finds it at the second, and sets the session cookie', async () => {
      const first = await begin('email=new%40contoso.test');
      const authorization = first.authorization.searchParams;
      expect(authorization.get('code_challenge_method')).toBe('S256');
      expect(authorization.get('state')).toBeTruthy();
      expect(authorization.get('nonce')).toBeTruthy();
      expect(authorization.get('login_hint')).toBe('new@contoso.test');
      const session = await sessionOf(await finish(first.callback, first.browser));
      expect(session.user).toMatchObject({ email: 'new@contoso.test', name: 'New Person', role: 'member', tenantId: tenant.id });
      const created = json(await t.call('GET', `/v1/events?type=user.created&tenantId=${tenant.id}`)).results.filter(
        (e: any) => e.data.object?.email === 'new@contoso.test',
      );
      expect(created).toHaveLength(1);

      const second = await begin(`connectionId=${connection.id}&email=new%40contoso.test`, first.browser);
      expect(second.browser).toBe(first.browser);
      const again = await sessionOf(await finish(second.callback, second.browser));
      expect(again.user.id).toBe(session.user.id);
      const users = json(await t.call('GET', `/v1/tenants/${tenant.id}/users`)).results.filter((u: any) => u.email === 'new@contoso.test');
      expect(users).toHaveLength(1);
      const audit = json(await t.call('GET', `/v1/audit-logs?tenantId=${tenant.id}&action=auth.sso`)).results;
      expect(audit.map((a: any) => [a.target.id, a.changes])).toEqual([
        [session.user.id, { connectionId: connection.id }],
        [session.user.id, { connectionId: connection.id }],
      ]);
    });

    it("signs in the tenant's existing user with that email, and refuses one of another tenant (never merged)", async () => {
      const known = json(await t.call('POST', `/v1/tenants/${tenant.id}/users`, { body: { email: 'known@contoso.test', name: 'Known' } }));
      const flow = await begin('email=Known%40Contoso.test');
      expect((await sessionOf(await finish(flow.callback, flow.browser))).user.id).toBe(known.id);

      const outsider = json(await t.call('POST', `/v1/tenants/${other.id}/users`, { body: { email: 'outsider@contoso.test', name: 'Outsider' } }));
      const refused = await begin('email=outsider%40contoso.test');
      expectRefused(await finish(refused.callback, refused.browser), 'SSO_EMAIL_OTHER_TENANT');
      expect(json(await t.call('GET', `/v1/tenants/${other.id}/users/${outsider.id}`))).toMatchObject({ tenantId: other.id, lastSignInAt: null });
      const failures = json(await t.call('GET', `/v1/audit-logs?tenantId=${tenant.id}&action=auth.sso_failed`)).results;
      expect(failures[0].changes).toEqual({ code: 'SSO_EMAIL_OTHER_TENANT' });
    });

    it("refuses an address the provider has not verified, or one outside the connection's domains", async () => {
      const unverified = await begin('email=unverified%40contoso.test');
      expectRefused(await finish(unverified.callback, unverified.browser), 'SSO_EMAIL_NOT_VERIFIED');
      // The provider signs in whoever it likes; Landlord takes only its domains from it.
      const stranger = await begin(`connectionId=${connection.id}&email=stranger%40elsewhere.test`);
      expectRefused(await finish(stranger.callback, stranger.browser), 'SSO_EMAIL_DOMAIN');
      expect(json(await t.call('GET', `/v1/tenants/${tenant.id}/users`)).results.map((u: any) => u.email)).not.toContain('stranger@elsewhere.test');
    });

    it('ends a tampered, replayed or foreign-browser callback with a clear error and no session', async () => {
      const flow = await begin('email=new%40contoso.test');
      const tampered = flow.callback.replace(/state=([^&]+)/, 'state=$1x');
      expectRefused(await finish(tampered, flow.browser), 'SSO_STATE_INVALID');
      // The attempt is spent by the tampered try only if its state matched: it did not, so the real one still works once.
      const elsewhere = await begin('email=new%40contoso.test');
      expectRefused(await finish(elsewhere.callback, 'A'.repeat(43)), 'SSO_BROWSER_MISMATCH');
      expectRefused(await finish(elsewhere.callback), 'SSO_STATE_INVALID');

      await sessionOf(await finish(flow.callback, flow.browser));
      expectRefused(await finish(flow.callback, flow.browser), 'SSO_STATE_INVALID');
      // The spent code with a fresh attempt's state: the provider refuses it (and its PKCE verifier is not this one's).
      const fresh = await begin('email=new%40contoso.test');
      const code = new URLSearchParams(flow.callback.split('?')[1]).get('code')!;
      const replayed = fresh.callback.replace(/code=[^&]+/, `code=${encodeURIComponent(code)}`);
      expectRefused(await finish(replayed, fresh.browser), 'SSO_TOKEN_INVALID');
    });

    it('refuses an ID token whose nonce is not the one this sign-in sent', async () => {
      const flow = await begin('email=new%40contoso.test', undefined, (url) => url.searchParams.set('nonce', 'chosen-by-an-attacker'));
      expectRefused(await finish(flow.callback, flow.browser), 'SSO_TOKEN_INVALID');
    });

    it('refuses ID tokens for another audience, signed by another key, unsigned, expired or from another issuer', async () => {
      const made = await t.call('POST', `/v1/tenants/${tenant.id}/sso-connections`, {
        body: { type: 'oidc', issuer: rogue.issuer, clientId: rogue.clientId, clientSecret: rogue.clientSecret, domains: ['rogue.example'] },
      });
      expect(made.statusCode).toBe(201);
      for (const tamper of ['wrong-audience', 'other-key', 'alg-none', 'wrong-nonce', 'expired', 'wrong-issuer'] as Tamper[]) {
        rogue.tamper = tamper;
        const flow = await begin('email=ann%40rogue.example');
        const res = await finish(flow.callback, flow.browser);
        expect([tamper, res.headers.location]).toEqual([tamper, '/dashboard/sign-in?sso_error=SSO_TOKEN_INVALID']);
        expect(cookieValue(res.headers['set-cookie'], 'landlord_session')).toBeUndefined();
      }
      expect(json(await t.call('GET', `/v1/tenants/${tenant.id}/users`)).results.map((u: any) => u.email)).not.toContain('ann@rogue.example');
      rogue.tamper = 'none';
      const good = await begin('email=ann%40rogue.example');
      expect((await sessionOf(await finish(good.callback, good.browser))).user.email).toBe('ann@rogue.example');
    });

    it('says the provider is unavailable when it goes down mid-flow, and works again when it is back', async () => {
      const flow = await begin('email=new%40contoso.test');
      await op.stop();
      try {
        expectRefused(await finish(flow.callback, flow.browser), 'SSO_PROVIDER_UNAVAILABLE');
        expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      } finally {
        await op.resume();
      }
      const retry = await begin('email=new%40contoso.test');
      expect((await sessionOf(await finish(retry.callback, retry.browser))).user.email).toBe('new@contoso.test');
    });

    it('refuses sign-ins through a disabled connection or into a suspended tenant', async () => {
      const url = `/v1/tenants/${tenant.id}/sso-connections/${connection.id}`;
      const pending = await begin('email=new%40contoso.test');
      const disabled = await t.call('PATCH', url, { key: tenant.apiKey.secret, body: { isEnabled: false } });
      expect([disabled.statusCode, json(disabled).isEnabled]).toEqual([200, false]);
      expectRefused(await finish(pending.callback, pending.browser), 'SSO_NOT_CONFIGURED');
      const start = await t.app.inject({ method: 'GET', url: '/v1/auth/sso/start?email=new%40contoso.test' });
      expect(start.headers.location).toBe('/dashboard/sign-in?sso_error=SSO_NOT_CONFIGURED');
      expect(json(await t.call('GET', `/v1/events?type=sso_connection.updated&tenantId=${tenant.id}`)).results).toHaveLength(1);
      await t.call('PATCH', url, { body: { isEnabled: true } });

      const inFlight = await begin('email=new%40contoso.test');
      expect((await t.call('PATCH', `/v1/tenants/${tenant.id}`, { body: { isActive: false } })).statusCode).toBe(200);
      expectRefused(await finish(inFlight.callback, inFlight.browser), 'SSO_TENANT_INACTIVE');
      const suspended = await t.app.inject({ method: 'GET', url: '/v1/auth/sso/start?email=new%40contoso.test' });
      expect(suspended.headers.location).toBe('/dashboard/sign-in?sso_error=SSO_TENANT_INACTIVE');
      expect((await t.call('PATCH', `/v1/tenants/${tenant.id}`, { body: { isActive: true } })).statusCode).toBe(200);
    });

    it('frees the domains of a deleted connection', async () => {
      const url = `/v1/tenants/${tenant.id}/sso-connections/${connection.id}`;
      expect((await t.call('DELETE', url, { key: tenant.apiKey.secret })).statusCode).toBe(204);
      expect((await t.call('GET', url)).statusCode).toBe(404);
      expect(json(await t.call('GET', `/v1/events?type=sso_connection.deleted&tenantId=${tenant.id}`)).results).toHaveLength(1);
      const lookup = await t.app.inject({ method: 'GET', url: '/v1/auth/sso/lookup?email=new%40contoso.test' });
      expect(json(lookup).sso).toBe(false);
      // Fabrikam's user of that domain would be sent to Contoso's provider: it goes first.
      const outsider = json(await t.call('GET', `/v1/tenants/${other.id}/users`)).results.find((u: any) => u.email === 'outsider@contoso.test');
      expect((await t.call('DELETE', `/v1/tenants/${other.id}/users/${outsider.id}`)).statusCode).toBe(204);
      const reclaimed = await t.call('POST', `/v1/tenants/${tenant.id}/sso-connections`, {
        body: { type: 'oidc', issuer: op.issuer, clientId: op.clientId, clientSecret: op.clientSecret, domains: ['contoso.test'] },
      });
      expect(reclaimed.statusCode).toBe(201);
    });
  });
}

describe('single sign-on egress', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp('pglite');
  });
  after(async () => {
    await t?.close();
  });

  it('refuses loopback, private, metadata and plain-http issuers unless the operator allows private addresses', async () => {
    const tenant = json(await t.call('POST', '/v1/tenants', { body: { name: 'Egress' } }));
    for (const issuer of ['http://127.0.0.1:9', 'https://169.254.169.254', 'https://10.1.2.3', 'https://localhost', 'http://idp.example.com']) {
      const res = await t.call('POST', `/v1/tenants/${tenant.id}/sso-connections`, {
        body: { type: 'oidc', issuer, clientId: 'c', clientSecret: 's', domains: ['egress.test'] },
      });
      expect([issuer, res.statusCode, json(res).errors?.[0]?.field, json(res).errors?.[0]?.code]).toEqual([issuer, 422, 'issuer', 'BAD_URL']);
    }
  });
});
