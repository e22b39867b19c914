// The targets, and the report of a run: the table, the targets, bench/results.json.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform } from 'node:os';
import type { Measurement, Name } from './measure.js';
import type { LoadSummary } from './seed.js';
import { CONNECTIONS, DURATION, fmt, LOAD_MODE, RESULTS_FILE, TENANTS, WARMUP, type Store } from './settings.js';

export interface TargetCheck {
  target: string;
  value: number;
  unit: string;
  met: boolean;
}

export interface StoreResult {
  store: Store;
  tenants: number;
  load: LoadSummary;
  searchTerm: string;
  searchMatches: number;
  cursor: { createdAfter: string; path: string; rowsAfter: number | null };
  measurements: Measurement[];
  targets: TargetCheck[];
}

/** The targets; the throughput ones are shares of the bare route, the ceiling on this machine. */
export function checkTargets(measured: Record<Name, Measurement>): TargetCheck[] {
  return [
    { target: 'GET by id >= 40% of bare', value: measured.get.percentOfBare!, unit: '%', met: measured.get.percentOfBare! >= 40 },
    { target: 'search p99 < 20 ms', value: measured.search.p99Ms, unit: 'ms', met: measured.search.p99Ms < 20 },
    { target: 'cursor page p99 < 20 ms', value: measured.cursor.p99Ms, unit: 'ms', met: measured.cursor.p99Ms < 20 },
    { target: 'create >= 1500/s', value: Math.round(measured.create.requestsPerSecond), unit: 'req/s', met: measured.create.requestsPerSecond >= 1500 },
    { target: 'token issuance >= 25% of bare', value: measured.token.percentOfBare!, unit: '%', met: measured.token.percentOfBare! >= 25 },
    { target: 'GET /me with an API key >= 35% of bare', value: measured.meKey.percentOfBare!, unit: '%', met: measured.meKey.percentOfBare! >= 35 },
    { target: 'GET /me with a JWT >= 35% of bare', value: measured.meJwt.percentOfBare!, unit: '%', met: measured.meJwt.percentOfBare! >= 35 },
  ];
}

export function printTable(results: StoreResult[]): void {
  const header = ['store', 'measurement', 'req/s', 'p50 ms', 'p99 ms', '% of bare', 'non-2xx'];
  const rows = results.flatMap((s) =>
    s.measurements.map((m) => [
      s.store,
      m.label,
      fmt(m.requestsPerSecond),
      String(m.p50Ms),
      String(m.p99Ms),
      m.percentOfBare === null ? '' : `${m.percentOfBare.toFixed(m.percentOfBare < 1 ? 2 : 1)}%`,
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
  console.log('\nTargets (the issue states them for PostgreSQL; other stores are shown for reference):');
  for (const s of results) {
    for (const t of s.targets) {
      const note = s.store === 'postgres' ? '' : '  (reference)';
      console.log(`  ${s.store.padEnd(8)}  ${t.target.padEnd(26)} ${String(t.value).padStart(7)} ${t.unit.padEnd(5)}  ${t.met ? 'met' : 'MISSED'}${note}`);
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
    settings: { tenantsPerStore: TENANTS, durationSeconds: DURATION, warmupSeconds: WARMUP, connections: CONNECTIONS, loadMode: LOAD_MODE },
    totalSeconds: Math.round((Date.now() - started) / 1000),
    stores: results,
  };
  // Keep the webhook figures (bench/webhooks.ts merges them in below, PostgreSQL only) when they are not redone.
  if (existsSync(RESULTS_FILE)) (report as Record<string, unknown>).webhooks = JSON.parse(readFileSync(RESULTS_FILE, 'utf8')).webhooks;
  writeFileSync(`${RESULTS_FILE}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
  renameSync(`${RESULTS_FILE}.tmp`, RESULTS_FILE);
  console.log(`\nWrote ${RESULTS_FILE} (${report.totalSeconds} s in all)`);
}
