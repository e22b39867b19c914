import { readFileSync, readdirSync } from 'node:fs';
const f = readdirSync('.').find(f => f.endsWith('.cpuprofile'));
const p = JSON.parse(readFileSync(f));
const self = new Map(); const byId = new Map(p.nodes.map(n => [n.id, n]));
const dt = {}; for (let i = 0; i < p.samples.length; i++) { dt[p.samples[i]] = (dt[p.samples[i]] || 0) + (p.timeDeltas[i] || 0); }
let total = 0;
for (const n of p.nodes) { const t = dt[n.id] || 0; total += t; const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-3).join('/')}:${n.callFrame.lineNumber}`; self.set(k, (self.get(k) || 0) + t); }
const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 40);
for (const [k, t] of top) console.log((t / total * 100).toFixed(1).padStart(5), k);
// aggregate by package
const pk = new Map();
for (const n of p.nodes) { const t = dt[n.id] || 0; const u = n.callFrame.url; const m = u.match(/node_modules\/(@[^/]+\/[^/]+|[^/]+)/); const key = m ? m[1] : u.startsWith('node:') ? u : u.includes('/src/') ? 'src' : (u || n.callFrame.functionName); pk.set(key, (pk.get(key) || 0) + t); }
console.log('---'); for (const [k, t] of [...pk.entries()].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log((t / total * 100).toFixed(1).padStart(5), k);
