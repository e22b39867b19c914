import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Clock } from '../lib/clock.js';
import type { SecretBox } from '../lib/secret-box.js';
import { sha256 } from '../lib/crypto.js';
import { errors } from './errors.js';

const TTL_MS = 24 * 3600_000;
// A `running` entry older than this belongs to a request whose process died; a retry may take it over.
const STALE_MS = 60_000;
const REPLAYED_HEADERS = ['location', 'etag', 'content-type'];

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { principalId: string; key: string };
  }
}

/**
 * `Idempotency-Key` on POST: the first request runs and its response is stored for 24 h per
 * principal; a replay gets the stored response, a different body with the same key is 422,
 * and a replay while the first still runs is 409.
 */
export function registerIdempotency(app: FastifyInstance, deps: { db: Kysely<Database>; clock: Clock; secretBox: SecretBox }) {
  const { db, clock, secretBox } = deps;

  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method !== 'POST') return;
    const header = request.headers['idempotency-key'];
    if (header === undefined || !request.principal) return;
    const key = Array.isArray(header) ? header[0] : header;
    if (key.length < 1 || key.length > 255) {
      throw errors.field('Idempotency-Key', 'BAD_FORMAT', 'must be 1-255 characters');
    }
    const principalId = request.principal.id;
    const hash = sha256(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`);

    for (let attempt = 0; attempt < 3; attempt++) {
      const now = clock.now();
      const inserted = await db
        .insertInto('idempotency_keys')
        .values({
          principal_id: principalId,
          key,
          request_hash: hash,
          state: 'running',
          created_at: now,
          expires_at: new Date(now.getTime() + TTL_MS),
        })
        .onConflict((oc) => oc.columns(['principal_id', 'key']).doNothing())
        .returning('key')
        .executeTakeFirst();
      if (inserted) {
        request.idempotency = { principalId, key };
        return;
      }
      const existing = await db
        .selectFrom('idempotency_keys')
        .selectAll()
        .where('principal_id', '=', principalId)
        .where('key', '=', key)
        .executeTakeFirst();
      if (!existing) continue;
      if (existing.expires_at.getTime() <= now.getTime()) {
        await db.deleteFrom('idempotency_keys').where('principal_id', '=', principalId).where('key', '=', key).where('created_at', '=', existing.created_at).execute();
        continue;
      }
      if (existing.request_hash !== hash) throw errors.idempotencyReused();
      if (existing.state === 'running') {
        if (now.getTime() - existing.created_at.getTime() < STALE_MS) throw errors.idempotencyInProgress();
        const taken = await db
          .updateTable('idempotency_keys')
          .set({ created_at: now })
          .where('principal_id', '=', principalId)
          .where('key', '=', key)
          .where('created_at', '=', existing.created_at)
          .returning('key')
          .executeTakeFirst();
        if (!taken) throw errors.idempotencyInProgress();
        request.idempotency = { principalId, key };
        return;
      }
      const headers = existing.response_headers ?? {};
      for (const [name, value] of Object.entries(headers)) reply.header(name, value);
      reply.header('idempotent-replayed', 'true');
      reply.code(existing.response_status ?? 200);
      // Send the stored bytes as they were, bypassing serialization.
      reply.serializer((payload: unknown) => payload as string);
      // The stored body may hold a one-time secret, so it is kept encrypted.
      return reply.send(existing.response_body ? secretBox.open(existing.response_body) : '');
    }
    throw errors.idempotencyInProgress();
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const entry = request.idempotency;
    if (!entry) return payload;
    request.idempotency = undefined;
    const where = (q: any) => q.where('principal_id', '=', entry.principalId).where('key', '=', entry.key);
    if (reply.statusCode >= 500) {
      // A server error is not a result: let the client retry with the same key.
      await where(db.deleteFrom('idempotency_keys')).execute();
      return payload;
    }
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = reply.getHeader(name);
      if (value !== undefined) headers[name] = String(value);
    }
    await where(db.updateTable('idempotency_keys'))
      .set({
        state: 'done',
        response_status: reply.statusCode,
        response_headers: JSON.stringify(headers),
        response_body: secretBox.seal(typeof payload === 'string' ? payload : payload == null ? '' : String(payload)),
      })
      .execute();
    return payload;
  });
}

