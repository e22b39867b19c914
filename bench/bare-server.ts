// The ceiling: the smallest Fastify JSON route on this machine and Node.js, no logging, no hooks.
// Started as a child process by bench/service.ts (node --import tsx bench/bare-server.ts) with PORT set.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));

const port = Number(process.env.PORT ?? 0);
await app.listen({ port, host: '127.0.0.1' });

const stop = () => {
  app.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
