import { connect, createServer, type Server, type Socket } from 'node:net';
import { listenOnLoopback } from './support/processes.js';

/**
 * A TCP proxy on 127.0.0.1 that a test can turn into a failing network:
 * `blackhole()` swallows every byte in both directions and leaves new connections unanswered (a
 * stalled database or a cut cable), `drop()` resets every connection and each new one (a database
 * restart), `restore()` forwards again.
 */
export interface TcpProxy {
  port: number;
  blackhole(): void;
  drop(): void;
  restore(): void;
  /** Connections currently open through the proxy. */
  readonly open: number;
  close(): Promise<void>;
}

type Mode = 'pass' | 'blackhole' | 'drop';

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: Mode = 'pass';
  const pairs = new Set<{ client: Socket; upstream: Socket | null }>();

  const server: Server = createServer((client) => {
    if (mode === 'drop') return void client.resetAndDestroy();
    const pair: { client: Socket; upstream: Socket | null } = { client, upstream: null };
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      pair.upstream?.destroy();
    };
    client.on('error', end).on('close', end);
    // A connection opened during a black hole goes nowhere, as its SYN would.
    if (mode === 'blackhole') return void client.on('data', () => {});
    const upstream = connect(target.port, target.host);
    pair.upstream = upstream;
    upstream.on('error', end).on('close', end);
    client.on('data', (chunk) => {
      if (mode === 'pass') upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (mode === 'pass') client.write(chunk);
    });
  });
  const port = await listenOnLoopback(server);

  const drop = () => {
    mode = 'drop';
    for (const { client, upstream } of pairs) {
      client.resetAndDestroy();
      upstream?.resetAndDestroy();
    }
    pairs.clear();
  };

  return {
    port,
    blackhole() {
      mode = 'blackhole';
    },
    drop,
    restore() {
      // Connections that lived through a black hole lost bytes mid-protocol: they cannot be trusted again.
      if (mode === 'blackhole') drop();
      mode = 'pass';
    },
    get open() {
      return pairs.size;
    },
    async close() {
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream?.destroy();
      }
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
