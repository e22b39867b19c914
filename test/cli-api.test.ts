import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { expect } from 'expect';
import { randomToken } from '../src/lib/crypto.js';
import { expectCleanExit, freePort, runCli, startService, tempDir } from './child-service.js';

describe('landlord managing a running server over its API', () => {
  it('creates, lists, suspends, deletes, restores and exports tenants, makes users, keys and sign-in links', { timeout: 600_000 }, async () => {
    const rootKey = `lk_root_${randomToken(43)}`;
    const dataDir = join(tempDir(), 'data');
    const service = await startService({ LANDLORD_DATA_DIR: dataDir, LANDLORD_ROOT_KEY: rootKey });
    // The root key is found in the environment, the server at --url.
    const env = { LANDLORD_DATA_DIR: dataDir, LANDLORD_ROOT_KEY: rootKey };
    const cli = async (...args: string[]) => {
      const res = await runCli([...args, '--url', service.base], env);
      expect([args.join(' '), res.code, res.stderr]).toEqual([args.join(' '), 0, '']);
      return res.stdout;
    };
    const json = async (...args: string[]) => JSON.parse(await cli(...args, '--json'));
    try {
      const tenant = await json('tenants', 'create', '--name', 'Shell Made Inc', '--email', 'owner@shell.example');
      expect(tenant).toMatchObject({ name: 'Shell Made Inc', slug: 'shell-made-inc', status: 'active' });
      expect(tenant.signInUrl).toContain('/dashboard/sign-in?token=');
      const table = await cli('tenants', 'list');
      expect(table.split('\n')[0]).toMatch(/^id\s+name\s+slug\s+status/);
      expect(table).toMatch(new RegExp(`${tenant.id}\\s+Shell Made Inc\\s+shell-made-inc\\s+active`));
      expect(await cli('tenants', 'get', tenant.id)).toMatch(/^name\s+Shell Made Inc$/m);

      const key = await json('keys', 'create', '--tenant', tenant.id, '--name', 'deploy', '--scopes', 'tenants:read');
      expect(key.secret).toMatch(/^lk_/);
      const me = await fetch(`${service.base}/v1/tenants/me`, { headers: { authorization: `Bearer ${key.secret}` } });
      expect(me.status).toBe(200);
      expect((await json('keys', 'list', '--tenant', tenant.id)).map((k: any) => k.id)).toContain(key.id);
      expect(await cli('keys', 'list', '--tenant', tenant.id)).not.toContain(key.secret);
      await cli('keys', 'revoke', key.id, '--tenant', tenant.id);
      expect((await fetch(`${service.base}/v1/tenants/me`, { headers: { authorization: `Bearer ${key.secret}` } })).status).toBe(401);

      const member = await json('users', 'create', '--tenant', tenant.id, '--email', 'member@shell.example', '--role', 'member');
      expect(member).toMatchObject({ email: 'member@shell.example', role: 'member' });
      const users = await json('users', 'list', '--tenant', tenant.id);
      expect(users.map((u: any) => u.email).sort()).toEqual(['member@shell.example', 'owner@shell.example']);
      const link = await json('sign-in-link', '--tenant', tenant.id, '--user', member.id);
      expect(link.url).toContain('/dashboard/sign-in?token=');

      // A superadmin for the dashboard, with a way in.
      const admin = await json('users', 'create', '--superadmin', '--email', 'ops@operator.example');
      expect(admin).toMatchObject({ role: 'superadmin' });
      const token = new URL(admin.signInUrl).searchParams.get('token');
      const session = await fetch(`${service.base}/v1/auth/sign-in-links/consume`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token }),
      });
      expect([session.status, (await session.json()).user.role]).toEqual([200, 'superadmin']);

      expect(await json('tenants', 'suspend', tenant.id, '--reason', 'Unpaid invoice')).toMatchObject({
        status: 'suspended',
        suspendedReason: 'Unpaid invoice',
      });
      expect(await json('tenants', 'reactivate', tenant.id)).toMatchObject({ status: 'active' });
      await cli('tenants', 'delete', tenant.id, '--force');
      expect((await json('tenants', 'list')).map((t: any) => t.id)).not.toContain(tenant.id);
      expect(await json('tenants', 'restore', tenant.id)).toMatchObject({ id: tenant.id, status: 'active' });
      const file = join(tempDir(), 'export.json');
      const exported = await runCli(['tenants', 'export', tenant.id, '--output', file, '--url', service.base], env);
      expect(exported.code).toBe(0);
      expect(exported.stderr).toContain(`wrote ${file}: 2 users`);
      expect(JSON.parse(readFileSync(file, 'utf8')).tenant.id).toBe(tenant.id);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(await json('webhooks', 'list')).toEqual([]);

      // Mistakes: the usage and exit 2, or the server's problem in one line and exit 1; never a stack.
      for (const [args, code, says] of [
        [['tenants', 'frobnicate'], 2, '"tenants" needs one of'],
        [['tenants', 'get'], 2, '"tenants get" takes <tenantId>'],
        [['tenants', 'list', '--reason', 'x'], 2, '--reason is not an option of "tenants list"'],
        [['keys', 'create'], 2, '"keys create" needs --tenant'],
        [['tenants', 'get', 'tnt_nope'], 1, '404 NOT_FOUND'],
        [['tenants', 'create', '--name', 'Bad Owner', '--email', 'not-an-email'], 1, '422 VALIDATION'],
      ] as const) {
        const res = await runCli([...args, '--url', service.base], env);
        expect([args, res.code]).toEqual([args, code]);
        expect(res.stderr).toContain(says);
        expect(res.stderr).not.toMatch(/\n\s+at /);
      }
    } finally {
      await expectCleanExit(service);
    }
    const nobody = await runCli(['tenants', 'list', '--url', `http://127.0.0.1:${await freePort()}`], env);
    expect([nobody.code, nobody.stderr]).toEqual([1, expect.stringContaining('Could not reach')]);
    expect(existsSync(join(dataDir, 'landlord.pid'))).toBe(false);
  });
});
