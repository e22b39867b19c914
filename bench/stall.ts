// How long a batch of 100 creates holds up other requests: one client reads tenants by id, one
// request after another, before and while POST /v1/tenants/batch runs; the stall is the slowest
// read during the batch less the median read before it. Measured for a plain batch (one
// transaction per item) and an atomic one (one transaction for all 100).
import { performance } from 'node:perf_hooks';
import { BATCH_SIZE } from './settings.js';

export interface BatchStall {
  atomic: boolean;
  items: number;
  batchMs: number;
  readsDuring: number;
  medianReadBeforeMs: number;
  slowestReadDuringMs: number;
  stallMs: number;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

async function timedGet(url: string, headers: Record<string, string>): Promise<number> {
  const started = performance.now();
  const res = await fetch(url, { headers });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status} during the stall measurement`);
  return performance.now() - started;
}

async function oneBatch(base: string, rootKey: string, readId: string, runTag: string, atomic: boolean): Promise<BatchStall> {
  const headers = { authorization: `Bearer ${rootKey}` };
  const readUrl = `${base}/v1/tenants/${readId}`;
  const before: number[] = [];
  for (let i = 0; i < 200; i++) before.push(await timedGet(readUrl, headers));
  before.sort((a, b) => a - b);
  const items = Array.from({ length: BATCH_SIZE }, (_, i) => ({ name: `Bench Stall ${runTag} ${atomic ? 'a' : 'p'} ${i}`, email: `stall-${i}@example.com` }));
  let running = true;
  const during: number[] = [];
  const reader = (async () => {
    while (running) during.push(await timedGet(readUrl, headers));
  })();
  const started = performance.now();
  const res = await fetch(`${base}/v1/tenants/batch`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ items, atomic }),
  });
  const body = (await res.json()) as { results?: { status: number }[] };
  const batchMs = performance.now() - started;
  running = false;
  await reader;
  if (res.status !== 200 || body.results?.some((r) => r.status !== 201))
    throw new Error(`the batch answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
  const median = before[Math.floor(before.length / 2)];
  const slowest = Math.max(...during);
  return {
    atomic,
    items: BATCH_SIZE,
    batchMs: round(batchMs),
    readsDuring: during.length,
    medianReadBeforeMs: round(median),
    slowestReadDuringMs: round(slowest),
    stallMs: round(Math.max(0, slowest - median)),
  };
}

export async function measureBatchStall(base: string, rootKey: string, readId: string, runTag: string): Promise<BatchStall[]> {
  const results = [await oneBatch(base, rootKey, readId, runTag, false), await oneBatch(base, rootKey, readId, runTag, true)];
  for (const r of results) {
    console.log(
      `  batch of ${r.items} creates (${r.atomic ? 'atomic' : 'one transaction each'}): ${r.batchMs} ms; ${r.readsDuring} reads meanwhile, slowest ${r.slowestReadDuringMs} ms (median before ${r.medianReadBeforeMs} ms): stall ${r.stallMs} ms`,
    );
  }
  return results;
}
