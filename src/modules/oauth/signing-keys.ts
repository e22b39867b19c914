import { setTimeout as sleep } from 'node:timers/promises';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import type { SecretBox } from '../../lib/secret-box.js';
import {
  deleteSigningKeysRetiredBefore,
  hasActiveSigningKey,
  insertSigningKey,
  listUsableSigningKeys,
  retireActiveSigningKeys,
  withSigningKeyLock,
  type SigningKeyRow,
} from './oauth.repository.js';

export const SIGNING_ALG = 'EdDSA';

/**
 * Slack added to a retired key's life beyond the token lifetime. It covers a node that still
 * signs with the old key until it next reloads (SIGNER_MAX_AGE_MS), the verifier's clock
 * tolerance and clock skew between nodes.
 */
const RETIRED_GRACE_MS = 5 * 60_000;
/** A signing node rereads the key table at least this often, so a rotation done elsewhere reaches it. */
const SIGNER_MAX_AGE_MS = 30_000;
/** Tokens with an unknown kid make the verifier reload, but at most this often: a flood of made-up kids costs one query a second. */
const UNKNOWN_KID_RELOAD_MS = 1_000;

/** The public members of an Ed25519 JWK; nothing else is ever published. */
export interface PublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
  alg: typeof SIGNING_ALG;
  use: 'sig';
}

interface LoadedKey {
  jwk: PublicJwk;
  /** Imported once and cached: importing on every request would be wasted work. */
  key: CryptoKey;
  /** Epoch ms after which the key verifies nothing (null while it is active). */
  verifyUntil: number | null;
}

export interface SigningKeysDeps {
  db: Kysely<Database>;
  clock: Clock;
  secretBox: SecretBox;
  tokenTtlSeconds: number;
}

function toPublicJwk(stored: Record<string, unknown>, kid: string): PublicJwk {
  if (stored.kty !== 'OKP' || stored.crv !== 'Ed25519' || typeof stored.x !== 'string') {
    throw new Error(`signing key ${kid} is not an Ed25519 public key`);
  }
  return { kty: 'OKP', crv: 'Ed25519', x: stored.x, kid, alg: SIGNING_ALG, use: 'sig' };
}

/** A fresh Ed25519 key pair; the kid is the RFC 7638 thumbprint of the public key. */
export async function generateSigningKey(secretBox: SecretBox) {
  const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, { crv: 'Ed25519', extractable: true });
  const pub = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(pub);
  const publicJwk = toPublicJwk(pub as Record<string, unknown>, kid);
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALG };
  return { kid, publicJwk, privateJwkSealed: secretBox.seal(JSON.stringify(privateJwk)) };
}

/**
 * The Ed25519 keys that sign and verify access tokens. The newest active key signs; retired
 * keys stay published and keep verifying until every token they signed has expired, so a
 * rotation never breaks a token in flight. Verification only reads memory; the table is reread
 * when a token names an unknown kid (another node rotated) or the signer is older than 30 s.
 */
export function createSigningKeys(deps: SigningKeysDeps) {
  const { db, clock, secretBox } = deps;
  const keepRetiredMs = deps.tokenTtlSeconds * 1000 + RETIRED_GRACE_MS;
  let keys = new Map<string, LoadedKey>();
  let signer: { kid: string; key: CryptoKey } | null = null;
  let loadedAt = 0;
  let loading: Promise<void> | null = null;
  let scheduled: Promise<void> | null = null;

  async function importRow(row: SigningKeyRow): Promise<LoadedKey> {
    const jwk = toPublicJwk(row.public_jwk, row.kid);
    const cached = keys.get(row.kid);
    const key = cached ? cached.key : ((await importJWK(jwk, SIGNING_ALG)) as CryptoKey);
    return { jwk, key, verifyUntil: row.retired_at ? row.retired_at.getTime() + keepRetiredMs : null };
  }

  async function openPrivateKey(row: SigningKeyRow): Promise<CryptoKey> {
    let jwk: JWK;
    try {
      jwk = JSON.parse(secretBox.open(row.private_jwk_sealed)) as JWK;
    } catch (cause) {
      throw new Error(`cannot decrypt signing key ${row.kid}: is LANDLORD_SECRET_KEY the same on every node?`, { cause });
    }
    return (await importJWK(jwk, SIGNING_ALG)) as CryptoKey;
  }

  async function load(): Promise<void> {
    const now = clock.now();
    const rows = await listUsableSigningKeys(db, new Date(now.getTime() - keepRetiredMs));
    const next = new Map<string, LoadedKey>();
    for (const row of rows) next.set(row.kid, await importRow(row));
    // Rows come newest first, so the first active one is the signer.
    const active = rows.find((r) => r.retired_at === null);
    if (active && signer?.kid !== active.kid) signer = { kid: active.kid, key: await openPrivateKey(active) };
    if (!active) signer = null;
    keys = next;
    loadedAt = Date.now();
  }

  /** One load at a time; callers arriving during a load share it. */
  function reload(): Promise<void> {
    loading ??= load().finally(() => {
      loading = null;
    });
    return loading;
  }

  function usable(kid: string): LoadedKey | undefined {
    const k = keys.get(kid);
    if (!k || (k.verifyUntil !== null && k.verifyUntil <= clock.now().getTime())) return undefined;
    return k;
  }

  return {
    /** Makes sure an active key exists (creating one under a lock, so racing nodes create one), then loads. */
    async start(): Promise<void> {
      await withSigningKeyLock(db, async (trx) => {
        if (await hasActiveSigningKey(trx)) return;
        const generated = await generateSigningKey(secretBox);
        await insertSigningKey(trx, {
          kid: generated.kid,
          public_jwk: generated.publicJwk,
          private_jwk_sealed: generated.privateJwkSealed,
          created_at: clock.now(),
        });
      });
      await reload();
    },

    /** Creates a new active key and retires the old one; returns the new kid. */
    async rotate(): Promise<string> {
      const generated = await generateSigningKey(secretBox);
      const now = clock.now();
      await withSigningKeyLock(db, async (trx) => {
        await retireActiveSigningKeys(trx, now);
        await insertSigningKey(trx, {
          kid: generated.kid,
          public_jwk: generated.publicJwk,
          private_jwk_sealed: generated.privateJwkSealed,
          created_at: now,
        });
        await deleteSigningKeysRetiredBefore(trx, new Date(now.getTime() - keepRetiredMs));
      });
      await reload();
      return generated.kid;
    },

    /** The key to sign with, rereading the table when the in-memory copy may be stale. */
    async signer(): Promise<{ kid: string; key: CryptoKey }> {
      if (!signer || Date.now() - loadedAt > SIGNER_MAX_AGE_MS) await reload();
      if (!signer) throw new Error('no active signing key; run `landlord keys rotate`');
      return signer;
    },

    /**
     * The public key for a kid. An unknown kid may be a key another node just created, so the
     * table is reread, but at most once a second: callers with unknown kids in between share
     * the next reload instead of each querying the database.
     */
    async verificationKey(kid: string): Promise<CryptoKey | undefined> {
      const known = usable(kid);
      if (known) return known.key;
      if (loading) await loading.catch(() => {});
      if (usable(kid)) return usable(kid)?.key;
      scheduled ??= sleep(Math.max(0, loadedAt + UNKNOWN_KID_RELOAD_MS - Date.now()))
        .then(() => reload())
        .catch(() => {})
        .finally(() => {
          scheduled = null;
        });
      await scheduled;
      return usable(kid)?.key;
    },

    /** The JWKS document: public members only, every key that may still verify a token. */
    async jwks(): Promise<{ keys: PublicJwk[] }> {
      // A failed reread still leaves the keys in memory, which are what this node verifies with.
      if (Date.now() - loadedAt > SIGNER_MAX_AGE_MS) await reload().catch(() => {});
      const now = clock.now().getTime();
      return { keys: [...keys.values()].filter((k) => k.verifyUntil === null || k.verifyUntil > now).map((k) => ({ ...k.jwk })) };
    },

    reload,
  };
}

export type SigningKeys = ReturnType<typeof createSigningKeys>;
