import * as oidc from 'openid-client';
import { Agent, fetch as undiciFetch } from 'undici';
import { guardedLookup, systemResolver, urlProblem, type Resolver } from '../../lib/ssrf.js';
import { isNetworkFailure } from '../../lib/network-errors.js';

/** Why an issuer cannot be used, as a stable code and a sentence for the person who typed it. */
export class IssuerError extends Error {
  constructor(
    readonly code: 'BAD_URL' | 'ISSUER_UNREACHABLE' | 'NOT_OIDC_ISSUER',
    message: string,
  ) {
    super(message);
  }
}

/** The identity provider did not answer (down, timing out, refusing): the user may try again later. */
export class ProviderUnavailableError extends Error {}

export interface OidcClientOptions {
  /** LANDLORD_WEBHOOKS_ALLOW_PRIVATE: loopback and private issuers (and plain http for them) are allowed. */
  allowPrivate: boolean;
  /** Each request to a provider, connection to response. */
  timeoutMs?: number;
  resolver?: Resolver;
  /** How long a discovered configuration (and the JWKS it caches) is reused. */
  cacheMs?: number;
}

export interface ConnectionCredentials {
  issuer: string;
  clientId: string;
  clientSecret: string;
}

/**
 * The relying party's side of OpenID Connect, through openid-client (a certified implementation):
 * discovery, the authorization URL with PKCE, and the code exchange with full ID-token
 * validation. Every request to a provider goes through the same egress guard as webhooks: private,
 * loopback and metadata addresses are refused (checked on the resolved addresses, at connect time)
 * unless the operator allows them, and redirects are never followed.
 */
export function createOidcClients(options: OidcClientOptions) {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const cacheMs = options.cacheMs ?? 10 * 60_000;
  const agent = new Agent({
    connect: { lookup: guardedLookup(options.allowPrivate, options.resolver ?? systemResolver) as never, timeout: timeoutMs },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const guardedFetch: oidc.CustomFetch = (url, init) =>
    undiciFetch(url, { ...init, redirect: 'manual', dispatcher: agent } as never) as unknown as Promise<Response>;
  const cache = new Map<string, { config: oidc.Configuration; until: number }>();

  /** The issuer as typed, checked before anything is fetched: https, or http for a private address the operator allows. */
  function issuerUrl(issuer: string): URL {
    const problem = urlProblem(issuer, options.allowPrivate);
    if (problem) throw new IssuerError('BAD_URL', problem);
    const url = new URL(issuer);
    if (url.protocol !== 'https:' && !options.allowPrivate) throw new IssuerError('BAD_URL', 'must be an https URL');
    if (url.search || url.hash) throw new IssuerError('BAD_URL', 'must not carry a query or a fragment');
    return url;
  }

  async function discover(credentials: ConnectionCredentials): Promise<oidc.Configuration> {
    const url = issuerUrl(credentials.issuer);
    try {
      const config = await oidc.discovery(
        url,
        credentials.clientId,
        { client_secret: credentials.clientSecret },
        oidc.ClientSecretPost(credentials.clientSecret),
        {
          [oidc.customFetch]: guardedFetch,
          timeout: Math.ceil(timeoutMs / 1000),
          execute: url.protocol === 'http:' ? [oidc.allowInsecureRequests] : [],
        },
      );
      const metadata = config.serverMetadata();
      if (!metadata.authorization_endpoint || !metadata.token_endpoint || !metadata.jwks_uri) {
        throw new IssuerError('NOT_OIDC_ISSUER', 'its discovery document names no authorization endpoint, token endpoint or JWKS');
      }
      // The ID token's signature is checked against the provider's JWKS, not only trusted because it came over TLS.
      oidc.enableNonRepudiationChecks(config);
      return config;
    } catch (error) {
      if (error instanceof IssuerError) throw error;
      if (isNetworkFailure(error)) {
        throw new IssuerError('ISSUER_UNREACHABLE', `${url.origin} did not answer (or resolves to an address that is not allowed)`);
      }
      throw new IssuerError('NOT_OIDC_ISSUER', `no OpenID Connect discovery document at ${url.href.replace(/\/$/, '')}/.well-known/openid-configuration`);
    }
  }

  return {
    /** Reads the issuer's discovery document now: for a connection being created or changed. */
    discover,

    /** The configuration of a stored connection, discovered once and reused for a while (keyed by its version). */
    async configurationFor(key: string, credentials: ConnectionCredentials): Promise<oidc.Configuration> {
      const hit = cache.get(key);
      if (hit && hit.until > Date.now()) return hit.config;
      let config: oidc.Configuration;
      try {
        config = await discover(credentials);
      } catch (error) {
        if (error instanceof IssuerError && error.code !== 'ISSUER_UNREACHABLE') throw error;
        throw new ProviderUnavailableError('The identity provider did not answer', { cause: error });
      }
      if (cache.size > 1000) cache.clear();
      cache.set(key, { config, until: Date.now() + cacheMs });
      return config;
    },

    forget(key: string) {
      cache.delete(key);
    },

    async close() {
      cache.clear();
      await agent.close();
    },
  };
}

export type OidcClients = ReturnType<typeof createOidcClients>;
