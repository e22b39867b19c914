import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import type { Operation } from '../../operations.js';
import type { Principal } from '../access/principal.js';

/** Who did it, as the audit log names them. */
export interface Actor {
  type: 'root' | 'api_key' | 'user' | 'system' | 'anonymous';
  id: string | null;
  credentialId: string | null;
}

// Never copied into events or audit entries, whatever object they sit in.
const SECRET_FIELDS = new Set(['secret', 'password', 'passwordHash', 'password_hash', 'secret_hash', 'secretHash', 'token', 'apiSecret']);

export function withoutSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutSecrets) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (!SECRET_FIELDS.has(k)) out[k] = withoutSecrets(v);
    return out as T;
  }
  return value;
}

/** The fields that differ between two versions, as `{field: {from, to}}`; a field absent or null on both sides is no change. */
export function diff(previous: object | null | undefined, next: object | null | undefined): Record<string, { from: unknown; to: unknown }> {
  const a = (withoutSecrets(previous ?? {}) ?? {}) as Record<string, unknown>;
  const b = (withoutSecrets(next ?? {}) ?? {}) as Record<string, unknown>;
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (key === 'updatedAt') continue;
    const from = a[key] ?? null;
    const to = b[key] ?? null;
    if (JSON.stringify(from) !== JSON.stringify(to)) out[key] = { from, to };
  }
  return out;
}

/** `'system'`: a change Landlord makes on its own (the webhook worker disabling a failing endpoint). */
export function actorOf(principal: Principal | 'system' | null | undefined): Actor {
  if (principal === 'system') return { type: 'system', id: null, credentialId: null };
  if (!principal) return { type: 'anonymous', id: null, credentialId: null };
  if (principal.kind === 'root') return { type: 'root', id: 'root', credentialId: 'root' };
  // A signed-in user, by its session or by a session token.
  if (principal.userId) return { type: 'user', id: principal.userId, credentialId: principal.id };
  return { type: 'api_key', id: principal.id, credentialId: principal.id };
}

export interface AuditEntry {
  organizationId: string | null;
  tenantId: string | null;
  actor: Actor;
  action: Operation;
  target?: { type: string; id: string };
  meta: { requestId?: string; ip?: string; userAgent?: string };
  changes?: Record<string, unknown>;
}

/** The INSERT of an audit entry, not yet run: the outbox sends it in one statement with the change's first event. */
export function auditInsert(db: Kysely<Database>, clock: Clock, entry: AuditEntry) {
  const now = clock.now();
  return db.insertInto('audit_logs').values({
    id: newId('aud', now.getTime()),
    organization_id: entry.organizationId,
    tenant_id: entry.tenantId,
    occurred_at: now,
    actor_type: entry.actor.type,
    actor_id: entry.actor.id,
    credential_id: entry.actor.credentialId,
    action: entry.action,
    target_type: entry.target?.type ?? null,
    target_id: entry.target?.id ?? null,
    ip: entry.meta.ip ?? null,
    user_agent: entry.meta.userAgent?.slice(0, 500) ?? null,
    request_id: entry.meta.requestId ?? null,
    changes: entry.changes ? JSON.stringify(withoutSecrets(entry.changes)) : null,
  });
}

/** Writes an audit entry in the caller's transaction (a change's, or one for something that changes no resource: a sign-in). */
export async function recordAudit(db: Kysely<Database>, clock: Clock, entry: AuditEntry): Promise<void> {
  await auditInsert(db, clock, entry).execute();
}
