// One measurement: autocannon against one path of a running service, with a warm-up first.
import { loadavg } from 'node:os';
import autocannon from 'autocannon';
import { CONNECTIONS, DURATION, fmt, MAX_BAD_RATIO, REQUEST_TIMEOUT_S, WARMUP } from './settings.js';

export type Name =
  | 'bare'
  | 'ceilingRead'
  | 'ceilingCreate'
  | 'get'
  | 'meKey'
  | 'meJwt'
  | 'token'
  | 'users'
  | 'firstPage'
  | 'searchRare'
  | 'searchCommon'
  | 'cursor'
  | 'subtree'
  | 'keyCreate'
  | 'keyCreateQuota'
  | 'create';
export const LABELS: Record<Name, string> = {
  bare: 'bare Fastify route',
  ceilingRead: 'ceiling B: Fastify + 1 prepared SELECT',
  ceilingCreate: 'ceiling C: Fastify + 1 committed INSERT',
  get: 'GET /v1/tenants/{id}',
  meKey: 'GET /v1/tenants/me (API key)',
  meJwt: 'GET /v1/tenants/me (JWT)',
  token: 'POST /oauth/token',
  users: 'GET /v1/tenants/{id}/users',
  firstPage: 'GET /v1/tenants?limit=20 (with count)',
  searchRare: 'GET /v1/tenants?search=<rare>',
  searchCommon: 'GET /v1/tenants?search=<common>',
  cursor: 'GET /v1/tenants?cursor=… (deep)',
  subtree: 'GET /v1/tenants?ancestorId=… (subtree, with count)',
  keyCreate: 'POST /v1/tenants/{id}/api-keys (no limit)',
  keyCreateQuota: 'POST /v1/tenants/{id}/api-keys (limits.apiKeys)',
  create: 'POST /v1/tenants',
};
/** What each path is a share of: reads of ceiling B, creates of ceiling C. */
export const CEILING_OF: Partial<Record<Name, 'ceilingRead' | 'ceilingCreate'>> = {
  get: 'ceilingRead',
  meKey: 'ceilingRead',
  meJwt: 'ceilingRead',
  token: 'ceilingRead',
  users: 'ceilingRead',
  firstPage: 'ceilingRead',
  searchRare: 'ceilingRead',
  searchCommon: 'ceilingRead',
  cursor: 'ceilingRead',
  subtree: 'ceilingRead',
  keyCreate: 'ceilingCreate',
  keyCreateQuota: 'ceilingCreate',
  create: 'ceilingCreate',
};
/** The paths measured again with the large table (list, search and deep cursor). */
export const LARGE: Name[] = ['firstPage', 'searchRare', 'searchCommon', 'cursor', 'subtree'];

export interface Measurement {
  name: Name;
  label: string;
  target: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  percentOfBare: number | null;
  /** The share of its ceiling (B for reads, C for creates) measured in the same run. */
  percentOfCeiling: number | null;
  /** How many tenants the table held. */
  tenants: number;
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
    percentOfCeiling: null,
    tenants: 0,
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
