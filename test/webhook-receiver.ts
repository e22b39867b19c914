import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Clock } from '../src/lib/clock.js';
import { listenOnLoopback } from './support/processes.js';

/** One request the receiver got. */
export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
  /** When it arrived, in ms since the epoch, by the receiver's clock. */
  at: number;
}

/** What to answer: a status (and headers/body), `hang` (never answer), or `destroy` (close the socket). */
export type Reply = { status: number; headers?: Record<string, string>; body?: string } | 'hang' | 'destroy';
export type Handler = (request: Received, countForPath: number) => Reply | Promise<Reply>;

export interface Receiver {
  port: number;
  url(path?: string): string;
  received: Received[];
  /** Requests to one path (or all). */
  on(path?: string): Received[];
  /** Replaces the answer for one path (default for every other path: 200). */
  handle(path: string, handler: Handler): void;
  waitFor(predicate: (all: Received[]) => boolean, timeoutMs?: number, what?: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * A webhook receiver on 127.0.0.1: records every request and answers as told per path. Arrivals
 * are stamped by `clock` (default: the system clock), the one the worker schedules retries by.
 */
export async function startReceiver(options: { clock?: Clock } = {}): Promise<Receiver> {
  const now = () => (options.clock ? options.clock.now().getTime() : Date.now());
  const received: Received[] = [];
  const handlers = new Map<string, Handler>();
  const counts = new Map<string, number>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      let json: any = null;
      try {
        json = JSON.parse(body);
      } catch {
        // not JSON: kept as text
      }
      const entry: Received = { path, headers: req.headers, body, json, at: now() };
      received.push(entry);
      const count = (counts.get(path) ?? 0) + 1;
      counts.set(path, count);
      const reply: Reply = await (handlers.get(path) ?? ((): Reply => ({ status: 200, body: 'ok' })))(entry, count);
      if (reply === 'hang') return;
      if (reply === 'destroy') return void req.socket.destroy();
      res.writeHead(reply.status, reply.headers ?? {}).end(reply.body ?? '');
    });
  });
  server.keepAliveTimeout = 5000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listenOnLoopback(server);
  return {
    port,
    url: (path = '/') => `http://127.0.0.1:${port}${path}`,
    received,
    on: (path) => (path === undefined ? received : received.filter((r) => r.path === path)),
    handle: (path, handler) => void handlers.set(path, handler),
    async waitFor(predicate, timeoutMs = 15_000, what = 'the expected requests') {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(received)) {
        if (Date.now() > deadline) throw new Error(`receiver: timed out after ${timeoutMs} ms waiting for ${what} (${received.length} received)`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Standard Webhooks headers as the `standardwebhooks` package wants them. */
export function webhookHeaders(r: Received): Record<string, string> {
  return {
    'webhook-id': String(r.headers['webhook-id']),
    'webhook-timestamp': String(r.headers['webhook-timestamp']),
    'webhook-signature': String(r.headers['webhook-signature']),
  };
}
