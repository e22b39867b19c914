import type { FastifyBaseLogger } from 'fastify';

/**
 * Runs `drain` once on the first SIGTERM or SIGINT, then exits 0 (1 when draining failed).
 * A second signal while draining is ignored: the first one already asked for a clean stop.
 */
export function onShutdown(log: Pick<FastifyBaseLogger, 'info' | 'error'>, what: string, drain: () => Promise<void>): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, `shutting down: ${what}`);
    try {
      await drain();
      log.info('stopped');
      process.exit(0);
    } catch (error) {
      log.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
