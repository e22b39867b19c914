// One measurement: autocannon against one path of a running service, with a warm-up first.
import { loadavg } from 'node:os';
import autocannon from 'autocannon';
import { CONNECTIONS, DURATION, fmt, MAX_BAD_RATIO, REQUEST_TIMEOUT_S, WARMUP } from './settings.js';

export type Name = 'bare' | 'get' | 'create' | 'search' | 'cursor' | 'token' | 'meKey' | 'meJwt';
export const LABELS: Record<Name, string> = {
  bare: 'bare Fastify route (ceiling)',
  get: 'GET /v1/tenants/{id}',
  create: 'POST /v1/tenants',
  search: 'GET /v1/tenants?search=…',
  cursor: 'GET /v1/tenants?cursor=… (deep)',
  token: 'POST /oauth/token',
  meKey: 'GET /v1/tenants/me (API key)',
  meJwt: 'GET /v1/tenants/me (JWT)',
};
export const ORDER: Name[] = ['bare', 'get', 'create', 'search', 'cursor', 'token', 'meKey', 'meJwt'];

export interface Measurement {
  name: Name;
  label: string;
  target: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  percentOfBare: number | null;
  requests: number;
  /** The machine's 1-minute load average just before the measurement: context for noisy figures. */
  loadAverage: number;
  non2xx: number;
  errors: number;
  statusCodes: Record<string, number>;
}

export async function measure(
  name: Name,
  base: string,
  target: string,
  options: Omit<autocannon.Options, 'url'>,
  describeFailure: () => Promise<string>,
): Promise<Measurement> {
  const url = `${base}${target}`;
  const loadAverage = Math.round(loadavg()[0] * 100) / 100;
  // A generous timeout: a slow endpoint is measured as slow, not cut off at autocannon's default 10 s.
  const common = { url, connections: CONNECTIONS, timeout: REQUEST_TIMEOUT_S, ...options };
  if (WARMUP > 0) await autocannon({ ...common, duration: WARMUP });
  const r = await autocannon({ ...common, duration: DURATION });
  const statusCodes: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(r.statusCodeStats ?? {})) statusCodes[code] = Number(count);
  const requests = r.requests.total;
  const bad = r.non2xx + r.errors;
  const m: Measurement = {
    name,
    label: LABELS[name],
    target,
    requestsPerSecond: r.requests.average,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    percentOfBare: null,
    requests,
    loadAverage,
    non2xx: r.non2xx,
    errors: r.errors,
    statusCodes,
  };
  const codes = Object.entries(statusCodes)
    .map(([c, n]) => `${c}: ${fmt(n)}`)
    .join(', ');
  console.log(
    `  ${LABELS[name].padEnd(34)} ${fmt(m.requestsPerSecond).padStart(7)} req/s  p50 ${m.p50Ms} ms  p99 ${m.p99Ms} ms  (${codes}${r.errors ? `, errors: ${r.errors}` : ''}; load average ${loadAverage})`,
  );
  if (requests + r.errors === 0 || bad / (requests + r.errors) > MAX_BAD_RATIO) {
    throw new Error(
      `${LABELS[name]}: ${fmt(bad)} of ${fmt(requests + r.errors)} requests were not 2xx (${codes}; connection errors ${r.errors}, timeouts ${r.timeouts}); a benchmark of errors is worthless.\n${await describeFailure()}`,
    );
  }
  return m;
}

/** One request like the failing ones, to show what the server said. */
export async function sample(url: string, init: RequestInit): Promise<string> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
    return `sample request: ${init.method ?? 'GET'} ${url} -> ${res.status} ${(await res.text()).slice(0, 400)}`;
  } catch (error) {
    return `sample request: ${init.method ?? 'GET'} ${url} failed: ${error instanceof Error ? error.message : error}`;
  }
}
