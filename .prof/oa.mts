import { createTestApp } from '/work/main/test/helpers.ts';
const t = await createTestApp('pglite');
const doc = (await t.call('GET', '/openapi.json')).json();
for (const [p, ops] of Object.entries<any>(doc.paths)) if (p.includes('webhook')) for (const [m, op] of Object.entries<any>(ops)) console.log(m.toUpperCase(), p, op.operationId, Object.keys(op.responses).join(','));
console.log(Object.keys(doc.components.schemas).join(' '));
await t.close();
