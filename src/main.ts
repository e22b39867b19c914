import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.js';
import { DataDirBusyError } from './db/data-dir.js';
import { doctor } from './cli/doctor.js';
import { keys } from './cli/keys.js';
import { backup, restore } from './cli/backup.js';
import { API_COMMAND_NAMES, API_OPTIONS, API_USAGE, runApiCommand } from './cli/api-commands.js';
import { RemoteError, UsageError } from './cli/usage.js';
import { migrate } from './cli/migrate.js';
import { serve } from './cli/serve.js';
import { runWorker } from './cli/worker.js';

const USAGE = `Usage: landlord <command> [options]

Commands:
  start                 API, dashboard and webhook worker in one process (default)
  serve [--no-worker]   the API; --no-worker leaves delivery to separate workers
  worker                webhook delivery only (PostgreSQL; run any number beside serve --no-worker)
  migrate [up|down|status]
                        apply (default), roll back one, or list migrations
  doctor [--json]       check configuration, data directory and database (changes nothing)
  backup <file>         a consistent copy of the embedded database, also while a server runs
                        (through it); with PostgreSQL use pg_dump
  restore <file>        load a backup into an empty data dir
  keys rotate           new token-signing key; the old one verifies until its tokens expire
                        (with the embedded database, stop the server first)

${API_USAGE}

Options:
  -h, --help            this text
  -v, --version         the version of Landlord

Configuration comes from the environment: PORT, HOST, DATABASE_URL, LANDLORD_DATA_DIR,
LANDLORD_PUBLIC_URL, LANDLORD_ROOT_KEY, LANDLORD_SECRET_KEY, LANDLORD_TOKEN_TTL,
LANDLORD_WEBHOOKS_ALLOW_PRIVATE, LANDLORD_WEBHOOK_RETRY_SCHEDULE, LANDLORD_WEBHOOK_DISABLE_AFTER,
LANDLORD_WEBHOOK_TIMEOUT, LANDLORD_LOG_LEVEL, LANDLORD_RATE_LIMIT, LANDLORD_TRUST_PROXY,
LANDLORD_REDIS_URL, LANDLORD_SMTP_URL, LANDLORD_MAIL_FROM, LANDLORD_MAIL_RETRY_SCHEDULE, LANDLORD_TENANT_RETENTION,
LANDLORD_METRICS_TOKEN, LANDLORD_METRICS_PORT, LANDLORD_DB_STATEMENT_TIMEOUT.`;

/** What each command accepts beyond its name: its positional arguments and its flags. */
const COMMANDS: Record<string, { positionals: number; flags: string[] }> = {
  start: { positionals: 0, flags: [] },
  serve: { positionals: 0, flags: ['no-worker'] },
  worker: { positionals: 0, flags: [] },
  migrate: { positionals: 1, flags: [] },
  doctor: { positionals: 0, flags: ['json'] },
  keys: { positionals: 1, flags: [] },
  backup: { positionals: 1, flags: [] },
  restore: { positionals: 1, flags: [] },
  help: { positionals: 0, flags: [] },
};

function parse(argv: string[]) {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS });
  } catch (error) {
    // node:util says what is wrong in one sentence ("Unknown option '--bogus'").
    throw new UsageError((error as Error).message.split('. ')[0].replace(/\.$/, ''));
  }
  const { values, positionals } = parsed;
  const [command = 'start', ...rest] = positionals;
  // The management commands check their own arguments (src/cli/api-commands.ts).
  if (API_COMMAND_NAMES.includes(command) && !(command === 'keys' && rest[0] === 'rotate')) return { values, command, rest, api: true };
  const spec = COMMANDS[command];
  if (!spec) throw new UsageError(`Unknown command "${command}"`);
  if ((command === 'backup' || command === 'restore') && rest.length === 0)
    throw new UsageError(`"${command}" needs the backup file: landlord ${command} <file>`);
  if (rest.length > spec.positionals)
    throw new UsageError(`"${command}" takes ${spec.positionals || 'no'} argument${spec.positionals === 1 ? '' : 's'}, got "${rest.join(' ')}"`);
  for (const [flag, value] of Object.entries(values)) {
    if (value !== undefined && value !== false && !['help', 'version'].includes(flag) && !spec.flags.includes(flag)) {
      throw new UsageError(`--${flag} is not an option of "${command}"`);
    }
  }
  return { values, command, rest, api: false };
}

const OPTIONS = {
  ...API_OPTIONS,
  'no-worker': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', short: 'v', default: false },
} as const;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function main(argv: string[]): Promise<number> {
  const { values, command, rest, api } = parse(argv);
  if (values.version) {
    console.log(`landlord ${version()}`);
    return 0;
  }
  if (values.help || command === 'help') {
    console.log(USAGE);
    return 0;
  }
  const config = loadConfig(process.env);
  if (api) return runApiCommand(config, command, rest, values);
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
      return doctor(config, { json: values.json });
    case 'backup':
      return backup(config, rest[0]);
    case 'restore':
      return restore(config, rest[0]);
    default:
      return keys(config, rest[0]);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error) => {
    if (error instanceof RemoteError) {
      console.error(`landlord: ${error.message}`);
      process.exit(1);
    }
    if (error instanceof UsageError) {
      console.error(`landlord: ${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    if (error instanceof ConfigError) console.error(`Configuration error: ${error.message}`);
    else if (error instanceof DataDirBusyError) console.error(error.message);
    else console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
