// The database ceilings, in a child process started by bench/service.ts with PORT and either
// DATABASE_URL (PostgreSQL) or CEILING_DATA_DIR (the embedded store's data directory, opened here):
//   GET  /tenants/:id  ceiling B: Fastify + the same driver, one prepared SELECT by primary key, the row as JSON
//   POST /tenants      ceiling C: Fastify + one committed transaction inserting one row into a table
//                      made LIKE tenants INCLUDING ALL (the same columns, defaults and indexes)
// Nothing else: no authentication, no validation, no hooks. What Landlord does beyond this is its cost.
import { randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import Fastify from 'fastify';
import pg from 'pg';

const SELECT = 'select * from tenants where id = $1';
const INSERT = `insert into bench_ceiling_tenants (id, organization_id, name, slug, display_name, settings, created_at, updated_at)
  values ($1, $2, $3, $4, $3, '{}'::jsonb, now(), now())`;
const CREATE_TABLE = 'create table if not exists bench_ceiling_tenants (like tenants including all)';

interface Store {
  get(id: string): Promise<unknown>;
  create(organizationId: string, name: string): Promise<void>;
  organizationId: string;
  close(): Promise<void>;
}

async function postgres(url: string): Promise<Store> {
  // The service's pool size.
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  await pool.query(CREATE_TABLE);
  const org = await pool.query<{ organization_id: string }>('select organization_id from tenants limit 1');
  return {
    organizationId: org.rows[0].organization_id,
    // A named query is prepared once per connection and executed from then on.
    get: async (id) => (await pool.query({ name: 'ceiling_get', text: SELECT, values: [id] })).rows[0] ?? null,
    async create(organizationId, name) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        await client.query({ name: 'ceiling_insert', text: INSERT, values: [randomUUID(), organizationId, name, name.toLowerCase().replace(/ /g, '-')] });
        await client.query('commit');
      } catch (error) {
        await client.query('rollback').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.query('drop table if exists bench_ceiling_tenants');
      await pool.end();
    },
  };
}

async function embedded(dataDir: string): Promise<Store> {
  const db = new PGlite({ dataDir, extensions: { pg_trgm } });
  await db.waitReady;
  await db.query(CREATE_TABLE);
  const org = await db.query<{ organization_id: string }>('select organization_id from tenants limit 1');
  return {
    organizationId: org.rows[0].organization_id,
    get: async (id) => (await db.query(SELECT, [id])).rows[0] ?? null,
    async create(organizationId, name) {
      await db.transaction(async (tx) => {
        await tx.query(INSERT, [randomUUID(), organizationId, name, name.toLowerCase().replace(/ /g, '-')]);
      });
    },
    async close() {
      await db.query('drop table if exists bench_ceiling_tenants');
      await db.close();
    },
  };
}

const store = process.env.DATABASE_URL ? await postgres(process.env.DATABASE_URL) : await embedded(process.env.CEILING_DATA_DIR!);
const app = Fastify({ logger: false });
app.get('/ready', async () => ({ ready: true }));
app.get<{ Params: { id: string } }>('/tenants/:id', async (request, reply) => {
  const row = await store.get(request.params.id);
  return row ? row : reply.code(404).send({ error: 'not found' });
});
let n = 0;
app.post('/tenants', async (_request, reply) => {
  await store.create(store.organizationId, `Ceiling ${process.pid} ${n++}`);
  return reply.code(201).send({ ok: true });
});

await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
const stop = () => {
  app
    .close()
    .then(() => store.close())
    .then(
      () => process.exit(0),
      () => process.exit(1),
    );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
