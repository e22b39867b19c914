import { writeFileSync } from 'node:fs';
import type { Config } from '../config.js';
import { allPages, apiClient, type Call } from './api-client.js';
import { UsageError } from './usage.js';

/** The flags of the management commands (all strings but the three switches). */
export const API_OPTIONS = {
  url: { type: 'string' },
  key: { type: 'string' },
  tenant: { type: 'string' },
  user: { type: 'string' },
  name: { type: 'string' },
  email: { type: 'string' },
  role: { type: 'string' },
  description: { type: 'string' },
  plan: { type: 'string' },
  parent: { type: 'string' },
  reason: { type: 'string' },
  search: { type: 'string' },
  status: { type: 'string' },
  scopes: { type: 'string' },
  limit: { type: 'string' },
  output: { type: 'string' },
  force: { type: 'boolean', default: false },
  purge: { type: 'boolean', default: false },
  superadmin: { type: 'boolean', default: false },
} as const;

export type ApiValues = { [K in keyof typeof API_OPTIONS]?: (typeof API_OPTIONS)[K]['type'] extends 'string' ? string : boolean } & { json?: boolean };

interface Run {
  call: Call;
  args: string[];
  v: ApiValues;
  out: (rows: Record<string, unknown>[] | Record<string, unknown>, columns: string[]) => void;
}

interface Subcommand {
  /** Positional arguments, by name. */
  args: string[];
  /** Flags it takes besides --url, --key and --json. */
  flags: (keyof typeof API_OPTIONS)[];
  /** Flags it cannot do without. */
  required?: (keyof typeof API_OPTIONS)[];
  run(r: Run): Promise<void>;
}

const cell = (value: unknown): string => {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(cell).join(',');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
};

/** Rows as aligned columns, or one object as `key  value` lines. */
function table(rows: Record<string, unknown>[] | Record<string, unknown>, columns: string[]): string {
  if (!Array.isArray(rows)) {
    const width = Math.max(...columns.map((c) => c.length));
    return columns.map((c) => `${c.padEnd(width)}  ${cell(rows[c])}`).join('\n');
  }
  if (rows.length === 0) return '(none)';
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(columns), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join('\n');
}

const TENANT_COLUMNS = ['id', 'name', 'slug', 'status', 'plan', 'parentId', 'createdAt'];
const TENANT_DETAIL = [
  'id',
  'name',
  'slug',
  'status',
  'suspendedReason',
  'plan',
  'parentId',
  'email',
  'userCount',
  'dashboardUrl',
  'createdAt',
  'updatedAt',
  'deletedAt',
  'purgeAt',
];
const USER_COLUMNS = ['id', 'email', 'name', 'role', 'isActive', 'lastSignInAt'];
const KEY_COLUMNS = ['id', 'name', 'scopes', 'expiresAt', 'lastUsedAt', 'createdAt'];
const WEBHOOK_COLUMNS = ['id', 'url', 'events', 'isActive', 'tenantId'];

const limitOf = (v: ApiValues) => {
  if (v.limit === undefined) return 1000;
  if (!/^\d+$/.test(v.limit) || Number(v.limit) < 1) throw new UsageError('--limit must be a positive whole number');
  return Number(v.limit);
};
const enc = encodeURIComponent;
const organizationOf = async (call: Call) => (await call('GET', '/v1/organizations/me')).id as string;
/** The users path of --tenant, or of the caller's organization. */
const usersPath = async (call: Call, v: ApiValues) =>
  v.tenant ? `/v1/tenants/${enc(v.tenant)}/users` : `/v1/organizations/${await organizationOf(call)}/users`;

const COMMANDS: Record<string, Record<string, Subcommand>> = {
  tenants: {
    list: {
      args: [],
      flags: ['search', 'status', 'plan', 'parent', 'limit'],
      async run({ call, v, out }) {
        const query = new URLSearchParams({ limit: '100', ordering: 'createdAt' });
        if (v.search) query.set('search', v.search);
        if (v.status) query.set('status', v.status);
        if (v.plan) query.set('plan', v.plan);
        if (v.parent) query.set('parentId', v.parent);
        const limit = limitOf(v);
        const long = limit > 100 && !v.json && process.stderr.isTTY;
        const rows = await allPages(call, `/v1/tenants?${query}`, limit, long ? (n) => process.stderr.write(`\r${n} tenants…`) : undefined);
        if (long) process.stderr.write('\n');
        out(rows, TENANT_COLUMNS);
      },
    },
    get: { args: ['tenantId'], flags: [], run: async ({ call, args, out }) => out(await call('GET', `/v1/tenants/${enc(args[0])}`), TENANT_DETAIL) },
    create: {
      args: [],
      flags: ['name', 'email', 'description', 'plan', 'parent'],
      required: ['name'],
      async run({ call, v, out }) {
        const body: Record<string, unknown> = { name: v.name };
        if (v.email) body.owner = { email: v.email };
        if (v.description) body.description = v.description;
        if (v.plan) body.plan = v.plan;
        if (v.parent) body.parentId = v.parent;
        const tenant = await call('POST', '/v1/tenants', body);
        out(tenant, [...TENANT_DETAIL.filter((c) => !['deletedAt', 'purgeAt'].includes(c)), 'signInUrl']);
      },
    },
    update: {
      args: ['tenantId'],
      flags: ['name', 'description', 'plan', 'parent'],
      async run({ call, args, v, out }) {
        const body: Record<string, unknown> = {};
        if (v.name !== undefined) body.name = v.name;
        if (v.description !== undefined) body.description = v.description;
        if (v.plan !== undefined) body.plan = v.plan || null;
        if (v.parent !== undefined) body.parentId = v.parent || null;
        if (!Object.keys(body).length) throw new UsageError('tenants update needs at least one of --name, --description, --plan, --parent');
        out(await call('PATCH', `/v1/tenants/${enc(args[0])}`, body), TENANT_DETAIL);
      },
    },
    suspend: {
      args: ['tenantId'],
      flags: ['reason'],
      run: async ({ call, args, v, out }) =>
        out(await call('PATCH', `/v1/tenants/${enc(args[0])}`, { status: 'suspended', ...(v.reason ? { suspendedReason: v.reason } : {}) }), TENANT_DETAIL),
    },
    reactivate: {
      args: ['tenantId'],
      flags: [],
      run: async ({ call, args, out }) => out(await call('PATCH', `/v1/tenants/${enc(args[0])}`, { status: 'active' }), TENANT_DETAIL),
    },
    restore: {
      args: ['tenantId'],
      flags: [],
      run: async ({ call, args, out }) => out(await call('POST', `/v1/tenants/${enc(args[0])}/restore`), TENANT_DETAIL),
    },
    delete: {
      args: ['tenantId'],
      flags: ['force', 'purge'],
      async run({ call, args, v, out }) {
        const query = new URLSearchParams();
        if (v.force) query.set('force', 'true');
        if (v.purge) query.set('purge', 'true');
        await call('DELETE', `/v1/tenants/${enc(args[0])}${query.size ? `?${query}` : ''}`);
        out({ id: args[0], deleted: true, purged: !!v.purge }, ['id', 'deleted', 'purged']);
      },
    },
    export: {
      args: ['tenantId'],
      flags: ['output'],
      async run({ call, args, v }) {
        if (v.output) process.stderr.write(`exporting ${args[0]}…\n`);
        const exported = await call('GET', `/v1/tenants/${enc(args[0])}/export`);
        const text = `${JSON.stringify(exported, null, 2)}\n`;
        if (!v.output) return void process.stdout.write(text);
        writeFileSync(v.output, text, { mode: 0o600 });
        process.stderr.write(`wrote ${v.output}: ${exported.users?.length ?? 0} users, ${exported.apiKeys?.length ?? 0} API keys, ${text.length} bytes\n`);
      },
    },
  },
  users: {
    list: {
      args: [],
      flags: ['tenant', 'limit'],
      run: async ({ call, v, out }) => out((await call('GET', await usersPath(call, v))).results.slice(0, limitOf(v)), USER_COLUMNS),
    },
    create: {
      args: [],
      flags: ['tenant', 'email', 'name', 'role', 'superadmin'],
      required: ['email'],
      async run({ call, v, out }) {
        if (v.superadmin && (v.tenant || v.role)) throw new UsageError('--superadmin makes a deployment superadmin: it takes no --tenant or --role');
        const path = await usersPath(call, v);
        const role = v.superadmin ? 'superadmin' : v.role;
        const email = v.email!;
        const user = await call('POST', path, { email, name: v.name ?? email.slice(0, email.indexOf('@')), ...(role ? { role } : {}) });
        // Someone made to use the dashboard gets a way in at once.
        const link = await call('POST', `${path}/${user.id}/sign-in-links`);
        out({ ...user, signInUrl: link.url ?? `mailed to ${link.sentTo}` }, [...USER_COLUMNS.slice(0, 4), 'signInUrl']);
      },
    },
  },
  keys: {
    list: {
      args: [],
      flags: ['tenant'],
      required: ['tenant'],
      run: async ({ call, v, out }) => out((await call('GET', `/v1/tenants/${enc(v.tenant!)}/api-keys`)).results, KEY_COLUMNS),
    },
    create: {
      args: [],
      flags: ['tenant', 'name', 'scopes'],
      required: ['tenant'],
      async run({ call, v, out }) {
        const body: Record<string, unknown> = { name: v.name ?? 'CLI key' };
        if (v.scopes) body.scopes = v.scopes.split(/[\s,]+/).filter(Boolean);
        out(await call('POST', `/v1/tenants/${enc(v.tenant!)}/api-keys`, body), ['id', 'name', 'scopes', 'secret']);
      },
    },
    revoke: {
      args: ['keyId'],
      flags: ['tenant'],
      required: ['tenant'],
      async run({ call, args, v, out }) {
        await call('DELETE', `/v1/tenants/${enc(v.tenant!)}/api-keys/${enc(args[0])}`);
        out({ id: args[0], revoked: true }, ['id', 'revoked']);
      },
    },
  },
  'sign-in-link': {
    '': {
      args: [],
      flags: ['tenant', 'user'],
      required: ['user'],
      async run({ call, v, out }) {
        const link = await call('POST', `${await usersPath(call, v)}/${enc(v.user!)}/sign-in-links`);
        out(link, link.url ? ['url', 'expiresAt'] : ['sentTo', 'expiresAt']);
      },
    },
  },
  webhooks: {
    list: {
      args: [],
      flags: ['tenant'],
      run: async ({ call, v, out }) => out((await call('GET', v.tenant ? `/v1/tenants/${enc(v.tenant)}/webhooks` : '/v1/webhooks')).results, WEBHOOK_COLUMNS),
    },
    test: {
      args: ['webhookId'],
      flags: [],
      run: async ({ call, args, out }) => out(await call('POST', `/v1/webhooks/${enc(args[0])}/test`), ['eventId', 'deliveryId']),
    },
  },
};

export const API_COMMAND_NAMES = Object.keys(COMMANDS);

export const API_USAGE = `Managing a running server (--url, default http://localhost:$PORT; --key, default the root key;
--json for scripts):
  tenants list [--search s] [--status s] [--plan p] [--parent id] [--limit n]
  tenants get|restore|reactivate <id>
  tenants create --name n [--email owner] [--description d] [--plan p] [--parent id]
  tenants update <id> [--name n] [--description d] [--plan p] [--parent id]
  tenants suspend <id> [--reason r]
  tenants delete <id> [--force] [--purge]
  tenants export <id> [--output file]
  users list [--tenant id]
  users create --email e [--name n] [--tenant id] [--role r]
  users create --superadmin --email e [--name n]
                        a deployment superadmin, with a sign-in link to the dashboard
  keys list|create --tenant id [--name n] [--scopes a,b]
  keys revoke <keyId> --tenant id
  sign-in-link --user id [--tenant id]
  webhooks list [--tenant id]
  webhooks test <webhookId>`;

/** Runs `landlord <command> [<sub>] …` against the API; throws UsageError for a wrong command line. */
export async function runApiCommand(config: Config, command: string, rest: string[], values: ApiValues & Record<string, unknown>): Promise<number> {
  const subs = COMMANDS[command];
  const [subName, ...args] = '' in subs ? ['', ...rest] : rest;
  const sub = subs[subName ?? ''];
  // `keys rotate` (the token-signing key) is the one local subcommand among the API's.
  const names = [...Object.keys(subs), ...(command === 'keys' ? ['rotate'] : [])];
  if (!sub) throw new UsageError(`"${command}" needs one of: ${names.join(', ')}${subName ? ` (got "${subName}")` : ''}`);
  const label = `${command}${subName ? ` ${subName}` : ''}`;
  if (args.length !== sub.args.length) {
    throw new UsageError(
      `"${label}" takes ${sub.args.length ? sub.args.map((a) => `<${a}>`).join(' ') : 'no arguments'}${args.length ? `, got "${args.join(' ')}"` : ''}`,
    );
  }
  for (const [flag, value] of Object.entries(values)) {
    const given = value !== undefined && value !== false;
    if (given && !['url', 'key', 'json', 'help', 'version'].includes(flag) && !sub.flags.includes(flag as keyof typeof API_OPTIONS)) {
      throw new UsageError(`--${flag} is not an option of "${label}"`);
    }
  }
  for (const flag of sub.required ?? []) if (!values[flag]) throw new UsageError(`"${label}" needs --${flag}`);
  const call = apiClient(config, { url: values.url, key: values.key });
  const out: Run['out'] = (rows, columns) => console.log(values.json ? JSON.stringify(rows, null, 2) : table(rows, columns));
  await sub.run({ call, args, v: values, out });
  return 0;
}
