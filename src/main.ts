import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.js';
import { DataDirBusyError } from './db/data-dir.js';
import { doctor } from './cli/doctor.js';
import { keys } from './cli/keys.js';
import { migrate } from './cli/migrate.js';
import { serve } from './cli/serve.js';
import { runWorker } from './cli/worker.js';

const USAGE = `Usage: landlord <command>

Commands:
  start                 API, dashboard and webhook worker in one process (default)
  serve [--no-worker]   the API; --no-worker leaves delivery to separate workers
  worker                webhook delivery only (PostgreSQL; run any number beside serve --no-worker)
  migrate [up|down|status]
                        apply (default), roll back one, or list migrations
  doctor                check configuration, data directory and database
  keys rotate           new token-signing key; the old one verifies until its tokens expire
                        (with the embedded database, stop the server first)

Configuration comes from the environment: PORT, HOST, DATABASE_URL, LANDLORD_DATA_DIR,
LANDLORD_PUBLIC_URL, LANDLORD_ROOT_KEY, LANDLORD_SECRET_KEY, LANDLORD_TOKEN_TTL,
LANDLORD_WEBHOOKS_ALLOW_PRIVATE, LANDLORD_WEBHOOK_RETRY_SCHEDULE, LANDLORD_WEBHOOK_DISABLE_AFTER,
LANDLORD_WEBHOOK_TIMEOUT, LANDLORD_LOG_LEVEL, LANDLORD_RATE_LIMIT, LANDLORD_TRUST_PROXY,
LANDLORD_REDIS_URL, LANDLORD_SMTP_URL, LANDLORD_MAIL_FROM, LANDLORD_MAIL_RETRY_SCHEDULE, LANDLORD_TENANT_RETENTION,
LANDLORD_METRICS_TOKEN, LANDLORD_METRICS_PORT, LANDLORD_DB_STATEMENT_TIMEOUT.`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { 'no-worker': { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
  });
  const [command = 'start', ...rest] = positionals;
  if (values.help || command === 'help') {
    console.log(USAGE);
    return 0;
  }
  const config = loadConfig(process.env);
  switch (command) {
    case 'start':
      await serve(config, { worker: true });
      return -1;
    case 'serve':
      await serve(config, { worker: !values['no-worker'] });
      return -1;
    case 'worker':
      return runWorker(config);
    case 'migrate':
      return migrate(config, rest[0] ?? 'up');
    case 'doctor':
      return doctor(config);
    case 'keys':
      return keys(config, rest[0]);
    default:
      console.error(`Unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error) => {
    if (error instanceof ConfigError) console.error(`Configuration error: ${error.message}`);
    else if (error instanceof DataDirBusyError) console.error(error.message);
    else console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
