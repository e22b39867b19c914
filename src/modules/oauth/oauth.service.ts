import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { errors } from '../../http/errors.js';
import type { Clock } from '../../lib/clock.js';
import type { SecretBox } from '../../lib/secret-box.js';
import type { Revocations } from '../access/revocations.js';
import type { AccessTokenVerifier } from './access-token.js';

export interface OAuthServiceDeps {
  db: Kysely<Database>;
  clock: Clock;
  secretBox: SecretBox;
  revocations: Revocations;
  issuer: string;
  tokenTtlSeconds: number;
}

// Placeholder until the token service lands: no token verifies.
export function createOAuthService(deps: OAuthServiceDeps) {
  void deps;
  const verifier: AccessTokenVerifier = {
    async verify() {
      throw errors.unauthorized('The access token is not valid');
    },
  };
  return {
    verifier,
    async start(): Promise<void> {},
  };
}

export type OAuthService = ReturnType<typeof createOAuthService>;
