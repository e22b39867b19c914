import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { killAll, launch, type Service } from './support/processes.js';

// The real service as a child process, in a test file: everything of test/support/processes.ts,
// plus what tests need around it. Whatever still runs when the file ends is killed, even when a
// test failed, and the temporary directories are removed.

export * from './support/processes.js';

export const REQUEST_TIMEOUT = 150_000;

const tempDirs: string[] = [];

after(() => {
  killAll();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'landlord-process-'));
  tempDirs.push(dir);
  return dir;
}

/** Runs a CLI command to completion (killed after `timeoutMs`). */
export async function runCli(args: string[], env: Record<string, string>, timeoutMs = 120_000) {
  const c = launch(args, env);
  const timer = setTimeout(() => c.child.kill('SIGKILL'), timeoutMs);
  const exit = await c.exited;
  clearTimeout(timer);
  return { ...exit, stdout: c.stdout(), stderr: c.stderr() };
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
