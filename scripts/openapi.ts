/**
 * Writes the OpenAPI document the server serves at /openapi.json to a file (default
 * `openapi.json`), built from the routes of an in-memory instance: what `npm run lint:openapi`
 * checks with Redocly and what an SDK generator reads.
 */
import { writeFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createDeps } from '../src/deps.js';

const out = process.argv[2] ?? 'openapi.json';
const dataDir = mkdtempSync(join(tmpdir(), 'landlord-openapi-'));
const config = loadConfig({
  LANDLORD_DATA_DIR: dataDir,
  LANDLORD_ROOT_KEY: `lk_root_${'0'.repeat(43)}`,
  LANDLORD_SECRET_KEY: 'k'.repeat(40),
  LANDLORD_PUBLIC_URL: process.env.LANDLORD_PUBLIC_URL || 'https://landlord.yourcompany.dev',
  LANDLORD_LOG_LEVEL: 'silent',
});
const deps = await createDeps(config, { inMemory: true });
try {
  const app = await buildApp(deps);
  await app.ready();
  writeFileSync(out, `${JSON.stringify(app.swagger(), null, 2)}\n`);
  await app.close();
  console.log(`wrote ${out}`);
} finally {
  await deps.close();
  rmSync(dataDir, { recursive: true, force: true });
}
