// The targets, and the report of a run: the table, the targets, bench/results.json.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform } from 'node:os';
import type { Measurement, Name } from './measure.js';
import type { ListInputs } from './paths.js';
import type { BatchStall } from './stall.js';
import type { LoadSummary } from './seed.js';
import { CONNECTIONS, DURATION, fmt, LARGE_TENANTS, LOAD_MODE, RESULTS_FILE, TENANTS, WARMUP, type Store } from './settings.js';

export interface TargetCheck {
  target: string;
  value: number;
  unit: string;
  met: boolean;
}

export interface StoreResult {
  store: Store;
  tenants: number;
  largeTenants: number | null;
  load: LoadSummary;
  searchTerms: { rare: string; common: string };
  lists: ListInputs;
  largeLists: ListInputs | null;
  measurements: Measurement[];
  batchStall: BatchStall[];
  targets: TargetCheck[];
}

/** The targets: throughput as a share of the ceiling measured in the same run, latency at the table sizes it names. */
export function checkTargets(store: Store, measurements: Measurement[], batchStall: BatchStall[] = []): TargetCheck[] {
  const small = (name: Name) => measurements.find((m) => m.name === name && m.tenants === TENANTS);
  const largest = (name: Name) => measurements.filter((m) => m.name === name).sort((a, b) => b.tenants - a.tenants)[0];
  const checks: TargetCheck[] = [];
  const share = (name: Name, min: number, label: string) => {
    const m = small(name);
    if (m?.percentOfCeiling != null)
      checks.push({ target: `${label} >= ${min}% of its ceiling`, value: m.percentOfCeiling, unit: '%', met: m.percentOfCeiling >= min });
  };
  const p99 = (m: Measurement | undefined, max: number, label: string, strict = true) => {
    if (m)
      checks.push({
        target: `${label} p99 ${strict ? '<' : '<='} ${max} ms (${fmt(m.tenants)})`,
        value: m.p99Ms,
        unit: 'ms',
        met: strict ? m.p99Ms < max : m.p99Ms <= max,
      });
  };
  if (store === 'pglite') {
    share('get', 40, 'GET by id');
    for (const b of batchStall) {
      checks.push({ target: `batch of ${b.items}${b.atomic ? ' (atomic)' : ''} stalls reads <= 50 ms`, value: b.stallMs, unit: 'ms', met: b.stallMs <= 50 });
    }
    return checks;
  }
  for (const [name, label] of [
    ['get', 'GET by id'],
    ['meKey', 'GET /me (key)'],
    ['meJwt', 'GET /me (JWT)'],
  ] as const) {
    share(name, 50, label);
    p99(small(name), 5, label, false);
  }
  share('token', 40, 'POST /oauth/token');
  share('firstPage', 30, 'first list page');
  p99(largest('firstPage'), 20, 'first list page');
  p99(largest('searchRare'), 20, 'rare search');
  p99(largest('searchCommon'), 20, 'common search');
  p99(largest('cursor'), 20, 'deep cursor');
  p99(largest('subtree'), 20, 'subtree listing');
  const create = small('create');
  if (create) checks.push({ target: 'create >= 1500/s', value: Math.round(create.requestsPerSecond), unit: 'req/s', met: create.requestsPerSecond >= 1500 });
  share('create', 50, 'create');
  const [plain, quota] = [small('keyCreate'), small('keyCreateQuota')];
  if (plain && quota) {
    const cost = Math.round((1 - quota.requestsPerSecond / plain.requestsPerSecond) * 1000) / 10;
    checks.push({ target: 'quota check costs an API key create <= 25%', value: cost, unit: '%', met: cost <= 25 });
  }
  return checks;
}

export function printTable(results: StoreResult[]): void {
  const header = ['store', 'measurement', 'tenants', 'req/s', 'p50 ms', 'p99 ms', '% of ceiling', '% of bare', 'non-2xx'];
  const pct = (v: number | null) => (v === null ? '' : `${v.toFixed(v < 1 ? 2 : 1)}%`);
  const rows = results.flatMap((s) =>
    s.measurements.map((m) => [
      s.store,
      m.label,
      fmt(m.tenants),
      fmt(m.requestsPerSecond),
      String(m.p50Ms),
      String(m.p99Ms),
      pct(m.percentOfCeiling),
      pct(m.percentOfBare),
      String(m.non2xx + m.errors),
    ]),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  let previous = '';
  for (const row of rows) {
    if (previous && row[0] !== previous) console.log('');
    previous = row[0];
    console.log(line(row));
  }
}

export function printTargets(results: StoreResult[]): void {
  console.log('\nTargets (PostgreSQL, and GET by id on PGlite):');
  for (const s of results) {
    for (const t of s.targets) {
      console.log(`  ${s.store.padEnd(8)}  ${t.target.padEnd(48)} ${String(t.value).padStart(7)} ${t.unit.padEnd(5)}  ${t.met ? 'met' : 'MISSED'}`);
    }
  }
  if (!results.some((s) => s.store === 'postgres')) console.log('  (set DATABASE_URL=postgres://… to measure PostgreSQL too)');
}

/** Writes bench/results.json (atomically), keeping the webhook figures of an earlier run. */
export function writeResults(results: StoreResult[], started: number): void {
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${platform()} ${arch()}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? null,
    settings: {
      tenantsPerStore: TENANTS,
      largeTenants: LARGE_TENANTS,
      durationSeconds: DURATION,
      warmupSeconds: WARMUP,
      connections: CONNECTIONS,
      loadMode: LOAD_MODE,
    },
    totalSeconds: Math.round((Date.now() - started) / 1000),
    stores: results,
  };
  // Keep the webhook figures (bench/webhooks.ts merges them in below, PostgreSQL only) when they are not redone.
  if (existsSync(RESULTS_FILE)) (report as Record<string, unknown>).webhooks = JSON.parse(readFileSync(RESULTS_FILE, 'utf8')).webhooks;
  writeFileSync(`${RESULTS_FILE}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
  renameSync(`${RESULTS_FILE}.tmp`, RESULTS_FILE);
  console.log(`\nWrote ${RESULTS_FILE} (${report.totalSeconds} s in all)`);
}
