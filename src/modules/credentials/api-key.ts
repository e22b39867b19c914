import { randomToken, safeEqual, sha256 } from '../../lib/crypto.js';

export const SECRET_PREFIX = 'lk_';

export interface GeneratedSecret {
  secret: string;
  hash: string;
  prefix: string;
}

/** A new API key secret: `lk_` + 43 base62 characters (256 bits); only its SHA-256 is stored. */
export function generateSecret(kind = ''): GeneratedSecret {
  const secret = `${SECRET_PREFIX}${kind}${randomToken(43)}`;
  return { secret, hash: hashSecret(secret), prefix: secret.slice(0, SECRET_PREFIX.length + kind.length + 8) };
}

// Secrets carry 256 random bits, so a fast hash is enough: no dictionary to slow down.
export function hashSecret(secret: string): string {
  return sha256(secret);
}

export function looksLikeSecret(value: string): boolean {
  return value.startsWith(SECRET_PREFIX) && value.length >= 40 && value.length <= 200;
}

/** Why a stored key does not accept this secret hash right now, or null when it does. */
export type KeyProblem = 'wrong_secret' | 'revoked' | 'expired' | 'tenant_inactive';

export interface StoredKey {
  secret_hash: string;
  previous_secret_hash: string | null;
  previous_expires_at: Date | null;
  revoked_at: Date | null;
  expires_at: Date | null;
  tenant_id: string | null;
  tenant_active: boolean | null;
}

/**
 * Names the secret a token was minted with, without revealing it: tokens carry it (claim `kv`) so
 * that they stop working with that secret, when a rotation's grace period ends.
 */
export function secretFingerprint(secretHash: string): string {
  return secretHash.slice(0, 16);
}

/** A key's secrets that may carry tokens, by fingerprint: the current one, and the previous one until its grace ends. */
export interface SecretsInForce {
  current: string;
  previous: string | null;
  graceUntil: Date | null;
}

export function secretsInForce(key: { secret_hash: string; previous_secret_hash: string | null; previous_expires_at: Date | null }): SecretsInForce {
  return {
    current: secretFingerprint(key.secret_hash),
    previous: key.previous_secret_hash ? secretFingerprint(key.previous_secret_hash) : null,
    graceUntil: key.previous_expires_at,
  };
}

/** Whether a token minted with the secret `fingerprint` may still be used (the same rule as for the secrets themselves). */
export function isSecretInForce(fingerprint: string, secrets: SecretsInForce, now: Date): boolean {
  return fingerprint === secrets.current || (fingerprint === secrets.previous && secrets.graceUntil !== null && now.getTime() < secrets.graceUntil.getTime());
}

/**
 * The one set of rules for using an API key, whether as a Bearer secret or as OAuth client
 * credentials: the current secret, or the previous one during its rotation grace period; not
 * revoked, not expired, and its tenant (if any) active.
 */
export function keyProblem(key: StoredKey, hash: string, now: Date, tenantActive = key.tenant_active !== false): KeyProblem | null {
  const current = safeEqual(hash, key.secret_hash);
  const previous =
    key.previous_secret_hash !== null &&
    key.previous_expires_at !== null &&
    key.previous_expires_at.getTime() > now.getTime() &&
    safeEqual(hash, key.previous_secret_hash);
  if (!current && !previous) return 'wrong_secret';
  if (key.revoked_at) return 'revoked';
  if (key.expires_at && key.expires_at.getTime() <= now.getTime()) return 'expired';
  if (key.tenant_id !== null && !tenantActive) return 'tenant_inactive';
  return null;
}

// lastUsedAt is informational; writing it on every request would turn each read into a write.
const TOUCH_INTERVAL_MS = 60_000;

export function needsTouch(key: { last_used_at: Date | null }, now: Date): boolean {
  return !key.last_used_at || now.getTime() - key.last_used_at.getTime() > TOUCH_INTERVAL_MS;
}
