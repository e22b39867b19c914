import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after } from 'node:test';
import { freePort } from './helpers.js';

// The real service as a child process: `node bin/landlord.js …`, spoken to over HTTP.

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'landlord.js');
// Generous: the first start of a data dir runs initdb, and CI machines can be busy.
export const START_TIMEOUT = 120_000;
export const REQUEST_TIMEOUT = 150_000;

/** Every child this file started; whatever still runs is killed in `after`, even when a test failed. */
export const running = new Set<ChildProcess>();
const tempDirs: string[] = [];

after(() => {
  for (const child of running) child.kill('SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'landlord-process-'));
  tempDirs.push(dir);
  return dir;
}

/** The environment of a child: none of this process's Landlord settings, the given ones on top. */
export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(LANDLORD_|NODE_TEST)/.test(key) || ['DATABASE_URL', 'PORT', 'HOST', 'NODE_OPTIONS'].includes(key)) continue;
    base[key] = value;
  }
  return { ...base, HOST: '127.0.0.1', LANDLORD_LOG_LEVEL: 'silent', ...env };
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Child {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<Exit>;
}

export function launch(args: string[], env: Record<string, string>): Child {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Runs a CLI command to completion (killed after `timeoutMs`). */
export async function runCli(args: string[], env: Record<string, string>, timeoutMs = 120_000) {
  const c = launch(args, env);
  const timer = setTimeout(() => c.child.kill('SIGKILL'), timeoutMs);
  const exit = await c.exited;
  clearTimeout(timer);
  return { ...exit, stdout: c.stdout(), stderr: c.stderr() };
}

export interface Service extends Child {
  port: number;
  base: string;
  /** SIGTERM (or the given signal) and wait for the exit. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

/** `landlord start` on a free port; resolves once the startup banner is printed. */
export async function startService(env: Record<string, string>): Promise<Service> {
  const port = await freePort();
  const c = launch(['start'], { PORT: String(port), ...env });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      c.child.kill('SIGKILL');
      reject(new Error(`service did not start within ${START_TIMEOUT} ms\nstdout: ${c.stdout()}\nstderr: ${c.stderr()}`));
    }, START_TIMEOUT);
    const check = () => {
      if (/Landlord is running at/.test(c.stdout())) {
        clearTimeout(timer);
        c.child.stdout!.off('data', check);
        resolve();
      }
    };
    c.child.stdout!.on('data', check);
    void c.exited.then((exit) => {
      clearTimeout(timer);
      reject(new Error(`service exited during start (${JSON.stringify(exit)})\nstdout: ${c.stdout()}\nstderr: ${c.stderr()}`));
    });
  });
  return {
    ...c,
    port,
    base: `http://127.0.0.1:${port}`,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (c.child.exitCode === null && c.child.signalCode === null && !c.child.killed) c.child.kill(signal);
      const timer = setTimeout(() => c.child.kill('SIGKILL'), 30_000);
      const exit = await c.exited;
      clearTimeout(timer);
      return exit;
    },
  };
}

/** SIGTERM (unless already sent) and expect exit code 0 within 30 s; otherwise fail with the service's output. */
export async function expectCleanExit(service: Service) {
  const exit = await service.stop();
  if (exit.code !== 0 || exit.signal !== null) {
    throw new Error(`expected exit code 0, got ${JSON.stringify(exit)}\nstdout: ${service.stdout().slice(-4000)}\nstderr: ${service.stderr().slice(-4000)}`);
  }
}

export function api(service: Service, key: string) {
  return (method: string, path: string, body?: unknown) =>
    fetch(`${service.base}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT),
    });
}

/** Pino's JSON log lines from stdout (the banner lines are not JSON and are skipped). */
export function logLines(stdout: string): any[] {
  return stdout.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line)];
    } catch {
      return [];
    }
  });
}

