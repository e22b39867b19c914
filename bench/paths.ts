// The paths measured on a loaded store and the inputs they need: ids to read, search terms, a
// cursor deep in the set, a tenant's credentials. Each path is measured beside its ceiling.
import { randomInt } from 'node:crypto';
import { CEILING_OF, measure, sample, type Measurement, type Name } from './measure.js';
import { COMMON_TERM, SEARCH_TERM } from './seed.js';
import { call } from './service.js';
import { fmt } from './settings.js';

export type Measured = Partial<Record<Name, Measurement>>;

export interface ListInputs {
  searchMatches: { rare: number; common: number };
  cursor: { createdAfter: string; path: string; rowsAfter: number | null };
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

const pick = (ids: string[]) => {
  const chosen = shuffle([...ids]).slice(0, 1000);
  if (chosen.length === 0) throw new Error('no tenant ids to read');
  return chosen;
};

/** Ceiling B (a prepared SELECT by id) and ceiling C (a committed INSERT) on the same database. */
export async function measureCeilings(ceilingBase: string, loadedIds: string[]): Promise<Measured> {
  const ids = pick(loadedIds);
  let n = 0;
  return {
    ceilingRead: await measure(
      'ceilingRead',
      ceilingBase,
      `/tenants/${ids[0]}`,
      { requests: [{ setupRequest: (req) => ({ ...req, path: `/tenants/${ids[n++ % ids.length]}` }) }] },
      () => sample(`${ceilingBase}/tenants/${ids[0]}`, {}),
    ),
    ceilingCreate: await measure('ceilingCreate', ceilingBase, '/tenants', { method: 'POST' }, () => sample(`${ceilingBase}/tenants`, { method: 'POST' })),
  };
}

/** The list, search and deep-cursor paths: measured on the HTTP-sized table and again on the large one. */
export async function measureLists(base: string, rootKey: string, tenants: number): Promise<{ measured: Measured; inputs: ListInputs }> {
  const auth = { headers: { authorization: `Bearer ${rootKey}` } };
  const rarePath = `/v1/tenants?search=${encodeURIComponent(SEARCH_TERM)}`;
  const commonPath = `/v1/tenants?search=${encodeURIComponent(COMMON_TERM)}`;
  const count = async (path: string) => Number((await call(base, rootKey, 'GET', `${path}&count=true&limit=1`)).count);
  const searchMatches = { rare: await count(rarePath), common: await count(commonPath) };
  const median = (await call(base, rootKey, 'GET', `/v1/tenants?ordering=createdAt&limit=1&page=${Math.floor(tenants / 2)}&count=false`)).results[0]
    .createdAt as string;
  const firstPage = await call(base, rootKey, 'GET', `/v1/tenants?limit=100&ordering=createdAt&createdAfter=${encodeURIComponent(median)}`);
  if (!firstPage.next) throw new Error('the createdAfter page has no next link');
  const nextUrl = new URL(firstPage.next as string);
  const cursorPath = `${nextUrl.pathname}${nextUrl.search}`;
  console.log(
    `  ${fmt(tenants)} tenants: "${SEARCH_TERM}" matches ${fmt(searchMatches.rare)}, "${COMMON_TERM}" ${fmt(searchMatches.common)}; cursor after ${median} (${fmt(Number(firstPage.count))} rows after it; the API's counts, estimates above 1,000)`,
  );
  // The tree growTree made: the oldest tenant and its subtree.
  const root = (await call(base, rootKey, 'GET', '/v1/tenants?ordering=createdAt&limit=1&count=false')).results[0].id as string;
  const subtreePath = `/v1/tenants?ancestorId=${root}&limit=20`;
  const subtree = Number((await call(base, rootKey, 'GET', `${subtreePath}&count=true`)).count);
  console.log(`  ${fmt(tenants)} tenants: the subtree of ${root} holds ${fmt(subtree)} (the API's count)`);
  const get = (name: Name, path: string) => measure(name, base, path, auth, () => sample(`${base}${path}`, auth));
  const measured: Measured = {
    firstPage: await get('firstPage', '/v1/tenants?limit=20'),
    searchRare: await get('searchRare', rarePath),
    searchCommon: await get('searchCommon', commonPath),
    cursor: await get('cursor', cursorPath),
    subtree: await get('subtree', subtreePath),
  };
  return {
    measured,
    inputs: { searchMatches, cursor: { createdAfter: median, path: cursorPath.replace(/cursor=[^&]+/, 'cursor=…'), rowsAfter: firstPage.count ?? null } },
  };
}

/** The HTTP paths: reads by id, /me with a key and with a JWT, token issuance, a tenant's users, and creation last. */
export async function measureReads(base: string, bareBase: string, rootKey: string, runTag: string, loadedIds: string[]): Promise<Measured> {
  const ids = pick(loadedIds);
  const auth = { authorization: `Bearer ${rootKey}` };
  const measured: Measured = {};
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
  // One tenant with an owner and an API key: its key as a Bearer secret, exchanged for a token, the token itself.
  const keyed = await call(base, rootKey, 'POST', '/v1/tenants', {
    name: `Bench Keyed ${runTag}`,
    apiKey: {},
    owner: { email: `owner-${runTag}@example.com` },
  });
  const usersPath = `/v1/tenants/${keyed.id}/users`;
  measured.users = await measure('users', base, usersPath, { headers: auth }, () => sample(`${base}${usersPath}`, { headers: auth }));
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
  // An API key create with no limit, and with one (a quota check: the tenant's row locked, its keys counted).
  const keyInit = { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"name":"bench"}' };
  for (const [name, limits] of [
    ['keyCreate', {}],
    ['keyCreateQuota', { apiKeys: 1_000_000 }],
  ] as const) {
    const holder = await call(base, rootKey, 'POST', '/v1/tenants', { name: `Bench Keys ${name} ${runTag}`, limits });
    const path = `/v1/tenants/${holder.id}/api-keys`;
    measured[name] = await measure(name, base, path, keyInit, () => sample(`${base}${path}`, keyInit));
  }
  // Last, so the reads above see exactly the loaded set.
  let created = 0;
  const createBody = () => JSON.stringify({ name: `Bench Create ${runTag} ${created}`, email: `bench-${runTag}-${created++}@example.com` });
  const createInit = { method: 'POST', headers: { ...auth, 'content-type': 'application/json' } };
  measured.create = await measure(
    'create',
    base,
    '/v1/tenants',
    { ...createInit, requests: [{ method: 'POST', setupRequest: (req) => ({ ...req, body: createBody() }) }] },
    () => sample(`${base}/v1/tenants`, { ...createInit, body: createBody() }),
  );
  measured.create.target = '/v1/tenants {"name": "Bench Create <run> <n>", "email": …}';
  return measured;
}

/** Fills in each measurement's shares of the bare route and of its ceiling, and the table size it ran on. */
export function withShares(measured: Measured, ceilings: Measured, bare: Measurement, tenants: number): Measurement[] {
  const share = (m: Measurement, of: Measurement | undefined) => (of ? Math.round((m.requestsPerSecond / of.requestsPerSecond) * 10_000) / 100 : null);
  return Object.values(measured).map((m) => {
    m.tenants = tenants;
    m.percentOfBare = share(m, bare);
    const ceiling = CEILING_OF[m.name];
    m.percentOfCeiling = ceiling ? share(m, ceilings[ceiling]) : null;
    return m;
  });
}
