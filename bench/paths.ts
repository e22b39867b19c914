// The paths measured on a loaded store, from the ceiling (the bare route) to tenant creation, and
// the inputs they need: ids to read, a search term, a cursor deep in the set, a tenant's credentials.
import { randomInt } from 'node:crypto';
import { measure, ORDER, sample, type Measurement, type Name } from './measure.js';
import { SEARCH_TERM } from './seed.js';
import { call } from './service.js';
import { fmt, TENANTS } from './settings.js';

export interface Measured {
  searchMatches: number;
  cursor: { createdAfter: string; path: string; rowsAfter: number | null };
  /** By name, each with its percentage of the bare route. */
  byName: Record<Name, Measurement>;
  /** The same, in the order of the report. */
  measurements: Measurement[];
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

export async function measurePaths(base: string, bareBase: string, rootKey: string, runTag: string, loadedIds: string[]): Promise<Measured> {
  // --- inputs for the measurements
  const ids = shuffle(loadedIds).slice(0, 1000);
  if (ids.length === 0) throw new Error('no tenant ids to read');
  const searchPath = `/v1/tenants?search=${encodeURIComponent(SEARCH_TERM)}`;
  const searchMatches = Number((await call(base, rootKey, 'GET', searchPath)).count);
  const median = (await call(base, rootKey, 'GET', `/v1/tenants?ordering=createdAt&limit=1&page=${Math.floor(TENANTS / 2)}&count=false`)).results[0]
    .createdAt as string;
  const firstPage = await call(base, rootKey, 'GET', `/v1/tenants?limit=100&ordering=createdAt&createdAfter=${encodeURIComponent(median)}`);
  if (!firstPage.next) throw new Error('the createdAfter page has no next link');
  const nextUrl = new URL(firstPage.next as string);
  const cursorPath = `${nextUrl.pathname}${nextUrl.search}`;
  console.log(`  search "${SEARCH_TERM}" matches ${fmt(searchMatches)} tenants; cursor after ${median} (${fmt(Number(firstPage.count))} rows after it)`);

  // --- measure
  const auth = { authorization: `Bearer ${rootKey}` };
  const measured: Partial<Record<Name, Measurement>> = {};
  measured.bare = await measure('bare', bareBase, '/', {}, () => sample(`${bareBase}/`, {}));
  let n = 0;
  measured.get = await measure(
    'get',
    base,
    `/v1/tenants/${ids[0]}`,
    { headers: auth, requests: [{ setupRequest: (req) => ({ ...req, path: `/v1/tenants/${ids[n++ % ids.length]}` }) }] },
    () => sample(`${base}/v1/tenants/${ids[0]}`, { headers: auth }),
  );
  measured.get.target = `/v1/tenants/{id} (${ids.length} loaded ids in turn)`;
  measured.search = await measure('search', base, searchPath, { headers: auth }, () => sample(`${base}${searchPath}`, { headers: auth }));
  measured.cursor = await measure('cursor', base, cursorPath, { headers: auth }, () => sample(`${base}${cursorPath}`, { headers: auth }));
  // Credentials of one tenant: its API key as a Bearer secret, exchanged for a token, and the token itself.
  const keyed = await call(base, rootKey, 'POST', '/v1/tenants', { name: `Bench Keyed ${runTag}`, apiKey: {} });
  const basic = `Basic ${Buffer.from(`${keyed.apiKey.id}:${keyed.apiKey.secret}`).toString('base64')}`;
  const tokenInit = {
    method: 'POST',
    headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  };
  measured.token = await measure('token', base, '/oauth/token', tokenInit, () => sample(`${base}/oauth/token`, tokenInit));
  const jwt = ((await (await fetch(`${base}/oauth/token`, tokenInit)).json()) as { access_token: string }).access_token;
  const keyAuth = { authorization: `Bearer ${keyed.apiKey.secret}` };
  measured.meKey = await measure('meKey', base, '/v1/tenants/me', { headers: keyAuth }, () => sample(`${base}/v1/tenants/me`, { headers: keyAuth }));
  const jwtAuth = { authorization: `Bearer ${jwt}` };
  measured.meJwt = await measure('meJwt', base, '/v1/tenants/me', { headers: jwtAuth }, () => sample(`${base}/v1/tenants/me`, { headers: jwtAuth }));
  // Last, so the reads above see exactly the loaded set.
  let created = 0;
  const createBody = () => JSON.stringify({ name: `Bench Create ${runTag} ${created}`, email: `bench-${runTag}-${created++}@example.com` });
  const createMeasured = await measure(
    'create',
    base,
    '/v1/tenants',
    {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      requests: [{ method: 'POST', setupRequest: (req) => ({ ...req, body: createBody() }) }],
    },
    () => sample(`${base}/v1/tenants`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: createBody() }),
  );
  createMeasured.target = '/v1/tenants {"name": "Bench Create <run> <n>", "email": …}';
  measured.create = createMeasured;

  const bareRps = measured.bare.requestsPerSecond;
  const measurements = ORDER.map((name) => {
    const m = measured[name]!;
    m.percentOfBare = Math.round((m.requestsPerSecond / bareRps) * 10_000) / 100;
    return m;
  });
  return {
    searchMatches,
    cursor: { createdAfter: median, path: cursorPath.replace(/cursor=[^&]+/, 'cursor=…'), rowsAfter: firstPage.count ?? null },
    byName: measured as Record<Name, Measurement>,
    measurements,
  };
}
