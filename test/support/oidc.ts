import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import Provider from 'oidc-provider';

export interface TestAccount {
  sub: string;
  email: string;
  name: string;
  emailVerified?: boolean;
}

export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Who signs in when the authorization request names no `login_hint` (or one no account has). */
  accounts: Map<string, TestAccount>;
  /** The provider going away (connections refused) and coming back on the same port. */
  stop(): Promise<void>;
  resume(): Promise<void>;
  close(): Promise<void>;
}

async function signingJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid: `k-${randomBytes(4).toString('hex')}`, alg: 'RS256', use: 'sig' };
}

function listen(server: Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function shut(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * A real OpenID Provider (node-oidc-provider, certified) on 127.0.0.1, with one confidential
 * client for Landlord's callback. Its login and consent screens are answered at once for the
 * account the authorization request's `login_hint` names, the way a user already signed in at
 * their provider goes straight through. Claims beyond `sub` come from its userinfo endpoint, as
 * many providers do.
 */
export async function startOidcProvider(options: { redirectUri: string; accounts: TestAccount[] }): Promise<TestProvider> {
  const accounts = new Map(options.accounts.map((a) => [a.email, a]));
  const bySub = () => new Map([...accounts.values()].map((a) => [a.sub, a]));
  const clientId = `landlord-${randomBytes(4).toString('hex')}`;
  const clientSecret = randomBytes(24).toString('base64url');
  const server = createServer();
  const port = await listen(server);
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [options.redirectUri],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    jwks: { keys: [await signingJwk()] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    ttl: { AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, sub) {
      const account = bySub().get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: async () => ({ sub, email: account.email, email_verified: account.emailVerified ?? true, name: account.name }),
      };
    },
  });

  async function interact(req: IncomingMessage, res: ServerResponse) {
    const details = await provider.interactionDetails(req, res);
    const params = details.params as Record<string, string>;
    if (details.prompt.name === 'login') {
      const account = accounts.get(params.login_hint ?? '') ?? [...accounts.values()][0];
      await provider.interactionFinished(req, res, { login: { accountId: account.sub } }, { mergeWithLastSubmission: false });
      return;
    }
    const grant = details.grantId
      ? ((await provider.Grant.find(details.grantId)) ?? new provider.Grant({ accountId: details.session!.accountId, clientId: params.client_id }))
      : new provider.Grant({ accountId: details.session!.accountId, clientId: params.client_id });
    const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  const handle = provider.callback();
  server.on('request', (req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      interact(req, res).catch((error) => {
        res.statusCode = 500;
        res.end(String(error));
      });
      return;
    }
    handle(req, res);
  });

  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    stop: () => shut(server),
    resume: async () => {
      await listen(server, port);
    },
    close: () => shut(server),
  };
}

/** How a hostile provider spoils the ID token it issues. */
export type Tamper = 'none' | 'wrong-audience' | 'other-key' | 'alg-none' | 'wrong-nonce' | 'expired' | 'wrong-issuer';

export interface RogueProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  tamper: Tamper;
  account: TestAccount;
  close(): Promise<void>;
}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => resolve(body));
  });

/**
 * A provider that speaks the protocol but lies in its ID token the way an attacker (or a
 * misconfigured provider) would: another audience, another signing key, no signature, another
 * nonce, expired, another issuer. With `tamper: 'none'` its tokens are good, which shows that
 * what refuses the others is the one thing spoiled.
 */
export async function startRogueProvider(): Promise<RogueProvider> {
  const server = createServer();
  const port = await listen(server);
  const issuer = `http://127.0.0.1:${port}`;
  const good = await generateKeyPair('RS256');
  const other = await generateKeyPair('RS256');
  const publicJwk = { ...(await exportJWK(good.publicKey)), kid: 'rogue-1', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, { nonce: string; clientId: string }>();
  const rogue: RogueProvider = {
    issuer,
    clientId: 'rogue-client',
    clientSecret: 'rogue-secret',
    tamper: 'none',
    account: { sub: 'rogue-sub-1', email: 'ann@rogue.example', name: 'Ann Rogue' },
    close: () => shut(server),
  };
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  server.on('request', async (req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    if (url.pathname === '/.well-known/openid-configuration') {
      return send(res, 200, {
        issuer,
        authorization_endpoint: `${issuer}/auth`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_post'],
      });
    }
    if (url.pathname === '/jwks') return send(res, 200, { keys: [publicJwk] });
    if (url.pathname === '/auth') {
      const code = randomBytes(16).toString('hex');
      codes.set(code, { nonce: url.searchParams.get('nonce') ?? '', clientId: url.searchParams.get('client_id') ?? '' });
      const back = new URL(url.searchParams.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      res.writeHead(302, { location: back.href });
      return res.end();
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      const grant = codes.get(form.get('code') ?? '');
      if (!grant) return send(res, 400, { error: 'invalid_grant' });
      codes.delete(form.get('code')!);
      const now = Math.floor(Date.now() / 1000);
      const t = rogue.tamper;
      const claims = {
        email: rogue.account.email,
        email_verified: true,
        name: rogue.account.name,
        nonce: t === 'wrong-nonce' ? 'not-the-nonce' : grant.nonce,
      };
      let idToken: string;
      if (t === 'alg-none') {
        const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
        idToken = `${part({ alg: 'none', typ: 'JWT' })}.${part({ ...claims, iss: issuer, aud: grant.clientId, sub: rogue.account.sub, iat: now, exp: now + 300 })}.`;
      } else {
        idToken = await new SignJWT(claims)
          .setProtectedHeader({ alg: 'RS256', kid: 'rogue-1' })
          .setIssuer(t === 'wrong-issuer' ? 'https://elsewhere.example' : issuer)
          .setAudience(t === 'wrong-audience' ? 'another-client' : grant.clientId)
          .setSubject(rogue.account.sub)
          .setIssuedAt(t === 'expired' ? now - 3600 : now)
          .setExpirationTime(t === 'expired' ? now - 1800 : now + 300)
          .sign(t === 'other-key' ? other.privateKey : good.privateKey);
      }
      return send(res, 200, { access_token: randomBytes(16).toString('hex'), token_type: 'Bearer', expires_in: 300, id_token: idToken });
    }
    send(res, 404, { error: 'not_found' });
  });
  return rogue;
}
