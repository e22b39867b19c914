import type { FastifyInstance, FastifyReply, FastifyRequest, onSendHookHandler, preValidationHookHandler } from 'fastify';
import type { Db } from '../db/create-db.js';
import { isConnectionFailure } from '../db/errors.js';
import { runInRequestScope, currentRequestScope, type RequestScope } from '../db/request-transaction.js';
import type { Clock } from '../lib/clock.js';
import type { SecretBox } from '../lib/secret-box.js';
import { sha256 } from '../lib/crypto.js';
import { problemBody } from './error-handler.js';
import { errors } from '../lib/errors.js';
import { httpErrors, statusOf } from './errors.js';

const TTL_MS = 24 * 3600_000;
// A `running` entry older than this belongs to a request whose process died; a retry may take it over.
const STALE_MS = 60_000;
const REPLAYED_HEADERS = ['location', 'etag', 'content-type'];

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { principalId: string; key: string; claimedAt: Date; scope: RequestScope | undefined; stored?: boolean };
  }
}

/**
 * `Idempotency-Key` on POST: the first request runs and its response is stored for 24 h per
 * principal; a replay gets the stored response, a different body with the same key is 422,
 * and a replay while the first still runs is 409.
 *
 * The stored response commits in the same transaction as the change it describes: the request
 * runs in a scope that holds its first transaction's COMMIT until the response is known (see
 * db/request-transaction.ts). A crash before that commit leaves neither the change nor the
 * response, so a retry runs the request once; after it, the retry gets the stored response.
 */
export function registerIdempotency(app: FastifyInstance, deps: { database: Db; clock: Clock; secretBox: SecretBox }) {
  const { database, clock, secretBox } = deps;
  const db = database.db;

  // After the body is parsed (its stream events run outside any request context), every POST
  // carrying a key continues inside a scope of its own: handler, services and all.
  const preValidation: preValidationHookHandler = (request, _reply, done) => {
    if (request.method === 'POST' && request.headers['idempotency-key'] !== undefined) runInRequestScope(done);
    else done();
  };

  const preHandler = async (request: FastifyRequest, reply: FastifyReply) => {
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
      if (inserted) return claimed(request, principalId, key, now);
      const existing = await db.selectFrom('idempotency_keys').selectAll().where('principal_id', '=', principalId).where('key', '=', key).executeTakeFirst();
      if (!existing) continue;
      if (existing.expires_at.getTime() <= now.getTime()) {
        await db
          .deleteFrom('idempotency_keys')
          .where('principal_id', '=', principalId)
          .where('key', '=', key)
          .where('created_at', '=', existing.created_at)
          .execute();
        continue;
      }
      if (existing.request_hash !== hash) throw httpErrors.idempotencyReused();
      if (existing.state === 'running') {
        if (now.getTime() - existing.created_at.getTime() < STALE_MS) throw httpErrors.idempotencyInProgress();
        const taken = await db
          .updateTable('idempotency_keys')
          .set({ created_at: now })
          .where('principal_id', '=', principalId)
          .where('key', '=', key)
          .where('created_at', '=', existing.created_at)
          .returning('key')
          .executeTakeFirst();
        if (!taken) throw httpErrors.idempotencyInProgress();
        return claimed(request, principalId, key, now);
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
    throw httpErrors.idempotencyInProgress();
  };

  /** The key is ours: from now on the request's first transaction waits for the response to commit with it. */
  function claimed(request: FastifyRequest, principalId: string, key: string, claimedAt: Date) {
    const scope = currentRequestScope();
    if (scope) scope.hold = true;
    request.idempotency = { principalId, key, claimedAt, scope };
  }

  const onSend = async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const entry = request.idempotency;
    if (!entry || entry.stored) return payload;
    entry.stored = true;
    // Fenced by the claim: a request that took the key over (ours looked dead) owns it now.
    // biome-ignore lint/suspicious/noExplicitAny: the same three conditions on a delete and an update builder
    const where = (q: any) => q.where('principal_id', '=', entry.principalId).where('key', '=', entry.key).where('created_at', '=', entry.claimedAt);
    const held = entry.scope?.held ? entry.scope : null;
    if (entry.scope && !held) entry.scope.hold = false;
    if (reply.statusCode >= 500) {
      // A server error is not a result: undo what the request did and let the client retry with the same key.
      if (held) await database.finish(held, [], false).catch(() => {});
      await where(db.deleteFrom('idempotency_keys'))
        .execute()
        .catch(() => {});
      return payload;
    }
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = reply.getHeader(name);
      if (value !== undefined) headers[name] = String(value);
    }
    const store = where(db.updateTable('idempotency_keys')).set({
      state: 'done',
      response_status: reply.statusCode,
      response_headers: JSON.stringify(headers),
      response_body: secretBox.seal(typeof payload === 'string' ? payload : payload == null ? '' : String(payload)),
    });
    if (!held) {
      // Nothing was written (a refusal, a read-only action): the response is stored on its own.
      await store.execute();
      return payload;
    }
    try {
      await database.finish(held, [store.compile()], true);
    } catch (error) {
      request.log.error({ err: error }, 'committing an idempotent request failed');
      // The connection may have failed after the server committed: then the key must stay (its
      // running row goes stale and a retry after that finds the outcome). Otherwise nothing
      // committed, and the key is freed for a retry.
      if (!isConnectionFailure(error)) {
        await where(db.deleteFrom('idempotency_keys'))
          .execute()
          .catch(() => {});
      }
      const problem = errors.unavailable('The change could not be committed; retry with the same Idempotency-Key');
      reply.code(statusOf(problem)).type('application/problem+json');
      for (const name of ['location', 'etag']) reply.removeHeader(name);
      return JSON.stringify(problemBody(problem, String(request.id)));
    }
    return payload;
  };

  // A request that ends without a response (the client went away mid-handler) must not keep its transaction.
  const onResponse = async (request: FastifyRequest) => {
    const scope = request.idempotency?.scope;
    if (scope?.held) await database.finish(scope, [], false).catch(() => {});
  };

  // Only POST takes a key: the hooks ride on POST routes alone, so reads do not pay for them.
  app.addHook('onRoute', (route) => {
    if (![route.method].flat().includes('POST')) return;
    // First, where an app-wide hook would have run: before the route's own hooks.
    route.preValidation = [preValidation, ...[route.preValidation ?? []].flat()];
    route.preHandler = [preHandler, ...[route.preHandler ?? []].flat()];
    route.onSend = [onSend as onSendHookHandler, ...[route.onSend ?? []].flat()];
    route.onResponse = [onResponse, ...[route.onResponse ?? []].flat()];
  });
}
