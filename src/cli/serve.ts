import { onShutdown } from './signals.js';
import type { Config } from '../config.js';
import { buildApp } from '../app.js';
import { createDeps } from '../deps.js';
import { startMetricsServer } from '../http/metrics-server.js';

/** Runs the API (and, unless `worker` is false, the webhook worker) until SIGTERM or SIGINT, then drains and exits 0. */
export async function serve(config: Config, options: { worker: boolean }): Promise<void> {
  const deps = await createDeps(config);
  const app = await buildApp(deps, {
    logger: { level: config.logLevel, redact: ['req.headers.authorization', 'req.headers.cookie'] },
    processMetrics: true,
  });
  const log = app.log;
  const worker = options.worker ? deps.createWorker(log.child({ component: 'webhook-worker' })) : null;
  let metrics: { port: number; close(): Promise<void> } | null = null;
  onShutdown(log, 'no new connections, finishing in-flight requests', async () => {
    // close() stops accepting, waits for in-flight requests, then runs onClose hooks.
    // The worker finishes the deliveries it is sending and records their outcomes meanwhile.
    await Promise.all([app.close(), worker?.stop(), metrics?.close()]);
    await deps.close();
  });

  await app.listen({ port: config.port, host: config.host });
  if (config.metricsPort !== null) metrics = await startMetricsServer(app.metricsRegistry, config.metricsPort, config.host);
  worker?.start();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const store = deps.database.store === 'pglite' ? `embedded PGlite in ${config.dataDir}` : 'PostgreSQL';
  const lines = [
    '',
    `  Landlord is running at ${config.publicUrl.replace(`:${config.port}`, `:${port}`)}`,
    `  Dashboard:      ${config.publicUrl}/dashboard`,
    `  API reference:  ${config.publicUrl}/docs`,
    `  Database:       ${store}`,
  ];
  if (deps.rootKey.generated) {
    lines.push(
      '',
      '  Root key (superadmin), shown only this once:',
      `    ${deps.rootKey.generated}`,
      `  It was also saved to ${deps.rootKey.file} (mode 0600).`,
      '  Use it as:  Authorization: Bearer <root key>',
    );
  } else if (!config.rootKey) {
    lines.push(`  Root key:       saved at first start in ${deps.rootKey.file}`);
  }
  if (metrics) lines.push(`  Metrics:        http://${config.host}:${metrics.port}/metrics`);
  if (!options.worker) lines.push('  Webhook worker: off (--no-worker)');
  process.stdout.write(`${lines.join('\n')}\n\n`);
}
