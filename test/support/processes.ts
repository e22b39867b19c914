import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Child processes (the real `landlord` CLI, or any Node.js script) and ports on 127.0.0.1, shared by
// the tests and the benchmarks. Nothing here registers test hooks: test/child-service.ts adds the
// cleanup a test file needs, bench/ stops its children on its own signals.

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'landlord.js');
export const HOST = '127.0.0.1';
/** Generous: the first start of a data dir runs initdb, and CI machines can be busy. */
export const START_TIMEOUT = 120_000;

/** Listens on a port of 127.0.0.1 that the system picks; resolves with it. */
export function listenOnLoopback(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** A port nobody listens on right now, on 127.0.0.1 (for a child process to listen on, or to be refused by). */
export async function freePort(): Promise<number> {
  const server = createServer();
  const port = await listenOnLoopback(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The environment of a `landlord` child: none of this process's Landlord settings, the given ones on top. */
export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(LANDLORD_|NODE_TEST)/.test(key) || ['DATABASE_URL', 'PORT', 'HOST', 'NODE_OPTIONS'].includes(key)) continue;
    base[key] = value;
  }
  return { ...base, HOST, LANDLORD_LOG_LEVEL: 'silent', ...env };
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Child {
  name: string;
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** stdout and stderr as they arrived. */
  output(): string;
  exited: Promise<Exit>;
  hasExited(): boolean;
}

/** Every child started here that has not exited yet. */
const running = new Set<Child>();

/** `node <args>` in the repository root, its output collected; tracked until it exits. */
export function spawnNode(name: string, args: string[], env: NodeJS.ProcessEnv): Child {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let all = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    all += chunk;
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
    all += chunk;
  });
  let done = false;
  const c: Child = {
    name,
    child,
    stdout: () => out,
    stderr: () => err,
    output: () => all,
    exited: new Promise<Exit>((resolve) => {
      const finish = (exit: Exit) => {
        done = true;
        running.delete(c);
        resolve(exit);
      };
      child.once('exit', (code, signal) => finish({ code, signal }));
      child.once('error', (error) => {
        err += `${error}\n`;
        all += `${error}\n`;
        finish({ code: null, signal: null });
      });
    }),
    hasExited: () => done || child.exitCode !== null || child.signalCode !== null,
  };
  running.add(c);
  return c;
}

/** `node bin/landlord.js <args>` with only the given Landlord settings (see childEnv). */
export function launch(args: string[], env: Record<string, string>): Child {
  return spawnNode(`landlord ${args.join(' ')}`, [BIN, ...args], childEnv(env));
}

/** The last `lines` non-empty lines of a child's output, for error messages. */
export function tail(c: Child, lines = 40): string {
  return c
    .output()
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-lines)
    .join('\n  ');
}

/** Resolves once the child printed `pattern`; kills it and rejects if it exits first or takes longer than `timeoutMs`. */
export function waitForOutput(c: Child, pattern: RegExp, timeoutMs = START_TIMEOUT): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const check = () => {
      if (!pattern.test(c.output())) return;
      finish();
      resolve();
    };
    const timer = setTimeout(() => {
      finish();
      c.child.kill('SIGKILL');
      reject(new Error(`${c.name} did not start within ${timeoutMs} ms\nstdout: ${c.stdout()}\nstderr: ${c.stderr()}`));
    }, timeoutMs);
    function finish() {
      clearTimeout(timer);
      c.child.stdout!.off('data', check);
      c.child.stderr!.off('data', check);
    }
    c.child.stdout!.on('data', check);
    c.child.stderr!.on('data', check);
    void c.exited.then((exit) => {
      finish();
      reject(new Error(`${c.name} exited during start (${JSON.stringify(exit)})\nstdout: ${c.stdout()}\nstderr: ${c.stderr()}`));
    });
    check();
  });
}

/** Resolves once `url` answers 2xx; rejects if the child exits first or it takes longer than `timeoutMs`. */
export async function waitForHttp(c: Child, url: string, timeoutMs = START_TIMEOUT): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (c.hasExited()) throw new Error(`${c.name} exited (code ${c.child.exitCode}) before it was ready:\n  ${tail(c)}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${c.name} was not ready at ${url} after ${timeoutMs / 1000} s:\n  ${tail(c)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Sends `signal` (unless a signal was sent already) and waits for the exit; SIGKILL after `graceMs`. */
export async function stop(c: Child, signal: NodeJS.Signals = 'SIGTERM', graceMs = 30_000): Promise<Exit> {
  if (!c.hasExited() && !c.child.killed) c.child.kill(signal);
  const timer = setTimeout(() => c.child.kill('SIGKILL'), graceMs);
  const exit = await c.exited;
  clearTimeout(timer);
  return exit;
}

/** SIGKILL to every child still running (cleanup after a failure, or at exit). */
export function killAll(): void {
  for (const c of running) c.child.kill('SIGKILL');
}

/** stop() for every child still running. */
export async function stopAll(graceMs?: number): Promise<void> {
  await Promise.all([...running].map((c) => stop(c, 'SIGTERM', graceMs)));
}

export interface Service extends Child {
  port: number;
  base: string;
  /** SIGTERM (or the given signal) and wait for the exit. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<Exit>;
}

/** `landlord start` (or `args`, e.g. `serve --no-worker`) on a free port; resolves once the startup banner is printed. */
export async function startService(env: Record<string, string>, args: string[] = ['start'], timeoutMs = START_TIMEOUT): Promise<Service> {
  const port = await freePort();
  const c = launch(args, { ...env, PORT: String(port) });
  await waitForOutput(c, /Landlord is running at/, timeoutMs);
  return { ...c, port, base: `http://${HOST}:${port}`, stop: (signal, graceMs) => stop(c, signal, graceMs) };
}

/** `landlord worker`; resolves once it says it runs. */
export async function startWorker(env: Record<string, string>, timeoutMs = 60_000): Promise<Child> {
  const c = launch(['worker'], env);
  await waitForOutput(c, /webhook worker is running/, timeoutMs);
  return c;
}
