import { createServer, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { expect } from 'expect';
import { randomToken } from '../src/lib/crypto.js';
import { api, freePort, logLines, startService, tempDir } from './child-service.js';
import { startSmtp } from './support/smtp.js';

// A mail is a row committed with the invitation: a worker killed while it was sending it (SIGKILL,
// no chance to clean up) does not lose it, and the next worker sends it, once, when the dead
// worker's lease on it runs out.

/** An SMTP server that takes connections and never says a word: a send hangs until it is killed. */
async function startSilentSmtp() {
  const sockets: Socket[] = [];
  const connected: number[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    connected.push(Date.now());
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${port}`,
    connected,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups) await c();
});

describe('mail across a crash', () => {
  it('delivers a mail once after the worker sending it was killed', { timeout: 300_000 }, async () => {
    const silent = await startSilentSmtp();
    const smtp = await startSmtp();
    cleanups.push(silent.close, smtp.close);
    const rootKey = `lk_root_${randomToken(43)}`;
    const env = { LANDLORD_DATA_DIR: tempDir(), LANDLORD_ROOT_KEY: rootKey, LANDLORD_LOG_LEVEL: 'info' };

    const first = await startService({ ...env, LANDLORD_SMTP_URL: silent.url });
    const call = api(first, rootKey);
    const tenant = await (await call('POST', '/v1/tenants', { name: 'Crashing', owner: { email: 'owner@crashing.example' } })).json();
    const invited = await call('POST', `/v1/tenants/${tenant.id}/invitations`, { email: 'survivor@crashing.example' });
    expect(invited.status).toBe(201);
    // The worker has the mail and is waiting on the server: kill it mid-send.
    const deadline = Date.now() + 30_000;
    while (silent.connected.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(silent.connected.length).toBe(1);
    first.child.kill('SIGKILL');
    await first.exited;

    const second = await startService({ ...env, LANDLORD_SMTP_URL: smtp.url });
    const until = Date.now() + 120_000;
    while (smtp.received.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    expect(smtp.received.map((m) => m.subject)).toEqual(['You are invited to join Crashing']);
    // And not again: the sent mail is done for every worker.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(smtp.received).toHaveLength(1);
    const sent = logLines(second.stdout()).filter((l) => l.msg === 'mail sent');
    expect(sent).toHaveLength(1);
    // The log says which mail went out, never its link.
    const link = /https?:\/\/\S+accept-invitation\?token=([\w-]+)/.exec(smtp.received[0].text ?? '')![1];
    expect(second.stdout() + second.stderr()).not.toContain(link);
    expect((await second.stop()).code).toBe(0);
  });
});
