import type { Clock } from '../../lib/clock.js';
import { safeEqual } from '../../lib/crypto.js';
import { hashSecret, secretFingerprint } from '../credentials/api-key.js';
import type { KeyLookup } from '../credentials/key-lookup.js';
import { oauthErrors } from './oauth.errors.js';

/** An authenticated OAuth client: an API key, acting through its id and secret. */
export interface OAuthClient {
  id: string;
  organizationId: string;
  tenantId: string | null;
  scopes: string[];
  expiresAt: Date | null;
  /** The fingerprint of the secret that authenticated (the current one, or the previous one during a grace period). */
  secretFingerprint: string;
}

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

export interface ClientParams {
  client_id?: string;
  client_secret?: string;
}

/** RFC 6749 2.3.1: id and secret are form-encoded before they are joined and base64-encoded. */
function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

function parseBasic(header: string): ClientCredentials {
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (!match) throw oauthErrors.invalidClient('The Authorization header is not valid HTTP Basic');
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw oauthErrors.invalidClient('The Authorization header is not valid HTTP Basic');
  try {
    return { clientId: formDecode(decoded.slice(0, colon)), clientSecret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    throw oauthErrors.invalidClient('The Authorization header is not valid HTTP Basic');
  }
}

/**
 * The client credentials of a request: HTTP Basic (client_secret_basic) or client_id and
 * client_secret in the body (client_secret_post). Null when the request carries neither.
 * Using both at once is an error (RFC 6749 2.3: one method per request).
 */
export function readClientCredentials(authorization: string | undefined, body: ClientParams): ClientCredentials | null {
  if (authorization && /^Basic\s/i.test(authorization)) {
    if (body.client_secret !== undefined) throw oauthErrors.invalidRequest('Use one client authentication method: HTTP Basic or client_secret in the body');
    const basic = parseBasic(authorization);
    if (body.client_id !== undefined && body.client_id !== basic.clientId) {
      throw oauthErrors.invalidRequest('client_id in the body does not match the HTTP Basic client');
    }
    return basic;
  }
  if (body.client_id === undefined && body.client_secret === undefined) return null;
  if (!body.client_id || !body.client_secret) throw oauthErrors.invalidClient('Both client_id and client_secret are required');
  return { clientId: body.client_id, clientSecret: body.client_secret };
}

/** Checks the credentials as bearer API keys are checked: revoked, expired, rotated-out and deactivated keys fail. */
export async function authenticateClient(lookup: KeyLookup, clock: Clock, credentials: ClientCredentials): Promise<OAuthClient> {
  const hash = hashSecret(credentials.clientSecret);
  const { key, problem } = await lookup(hash, clock.now());
  // One message for unknown ids, wrong secrets and revoked keys, so none can be told apart.
  if (!key || key.id !== credentials.clientId || problem === 'wrong_secret' || problem === 'revoked') {
    throw oauthErrors.invalidClient('Unknown client or wrong secret');
  }
  if (problem === 'expired') throw oauthErrors.invalidClient('The API key has expired');
  if (problem === 'tenant_inactive') throw oauthErrors.unauthorizedClient('The tenant of this API key is deactivated');
  return {
    id: key.id,
    organizationId: key.organization_id,
    tenantId: key.tenant_id,
    scopes: key.scopes,
    expiresAt: key.expires_at,
    secretFingerprint: secretFingerprint(safeEqual(hash, key.secret_hash) ? key.secret_hash : key.previous_secret_hash!),
  };
}
