import { after, before } from 'node:test';
import { expect } from 'expect';
import type { LightMyRequestResponse } from 'fastify';
import type { Store } from '../../src/db/create-db.js';
import { createTestApp, json, type TestApp } from '../helpers.js';

// The setup of the OAuth test files: an app listening on a real port (for OAuth client libraries
// and the JWKS), organization A with an admin key and two tenants, and tenant B of the default organization.

export const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
export const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

export interface OAuthFixture {
  /** Set by the `before` hook. */
  t: TestApp;
  /** The issuer: where the app listens. */
  base: string;
  orgA: any;
  orgKey: { id: string; secret: string };
  /** Tenants of organization A, each with an API key. */
  tenantA: any;
  tenantA2: any;
  /** A tenant of the default organization, with an API key. */
  tenantB: any;
  /** POST a form to an OAuth endpoint, as a plain HTTP client would. */
  form(url: string, params: Record<string, string>, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  /** A token for an API key, with client_id/client_secret in the form body. */
  tokenFor(key: { id: string; secret: string }, params?: Record<string, string>): Promise<string>;
  /** The status of a request with `token` as the credential. */
  status(token: string, url?: string, method?: 'GET' | 'PATCH', body?: object): Promise<number>;
}

/** Registers, in the calling describe, the hooks that start the app on `store` with the fixture's data and close it. */
export function useOAuthFixture(store: Store): OAuthFixture {
  const fx = {} as OAuthFixture;

  fx.form = (url, params, headers = {}) =>
    fx.t.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload: new URLSearchParams(params).toString(),
    });

  fx.tokenFor = async (key, params = {}) => {
    const res = await fx.form('/oauth/token', { grant_type: 'client_credentials', client_id: key.id, client_secret: key.secret, ...params });
    expect([res.statusCode, res.body]).toEqual([200, expect.any(String)]);
    return json(res).access_token;
  };

  fx.status = async (token, url = '/v1/tenants/me', method = 'GET', body) => (await fx.t.call(method, url, { key: token, body })).statusCode;

  before(async () => {
    const t = await createTestApp(store, {}, { listen: true });
    fx.t = t;
    fx.base = t.baseUrl;
    fx.orgA = json(await t.call('POST', '/v1/organizations', { body: { name: 'Org A' } }));
    fx.orgKey = json(await t.call('POST', `/v1/organizations/${fx.orgA.id}/api-keys`, { body: { name: 'admin key' } }));
    fx.tenantA = json(await t.call('POST', '/v1/tenants', { key: fx.orgKey.secret, body: { name: 'Tenant A', apiKey: {} } }));
    fx.tenantA2 = json(await t.call('POST', '/v1/tenants', { key: fx.orgKey.secret, body: { name: 'Tenant A2', apiKey: {} } }));
    fx.tenantB = json(await t.call('POST', '/v1/tenants', { body: { name: 'Tenant B', apiKey: {} } }));
  });
  after(async () => {
    await fx.t?.close();
  });

  return fx;
}
