/**
 * Checks the layering the README's "Architecture" section describes: nothing under src/modules
 * or src/lib imports src/http, src/lib imports nothing of the application, and no two folders
 * import each other, directly or around a loop. Run by `npm run lint`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const src = join(root, 'src');

function* sourceFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'public') yield* sourceFiles(path);
    } else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) yield path;
  }
}

/** The folder a file belongs to for layering: src/modules/<name>, or the first folder under src. */
function folderOf(file: string): string {
  const parts = relative(src, file).split('/');
  if (parts[0] === 'modules') return `modules/${parts[1]}`;
  return parts.length > 1 ? parts[0] : parts[0].replace(/\.ts$/, '');
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;
const edges = new Map<string, Map<string, string>>();
const problems: string[] = [];

for (const file of sourceFiles(src)) {
  const from = folderOf(file);
  for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
    const target = resolve(dirname(file), (match[1] ?? match[2]).replace(/\.js$/, '.ts'));
    if (!target.startsWith(src)) continue;
    const to = folderOf(target);
    const where = relative(root, file);
    if ((from.startsWith('modules/') || from === 'lib') && to === 'http') problems.push(`${where} imports src/http: ${from} must not know about HTTP`);
    if (from === 'lib' && to !== 'lib') problems.push(`${where} imports ${to}: src/lib depends on nothing of the application`);
    if (from === to) continue;
    if (!edges.has(from)) edges.set(from, new Map());
    if (!edges.get(from)!.has(to)) edges.get(from)!.set(to, where);
  }
}

// Tarjan's strongly connected components: any component of more than one folder is a cycle.
let index = 0;
const order = new Map<string, number>();
const low = new Map<string, number>();
const stack: string[] = [];
const onStack = new Set<string>();
function visit(v: string) {
  order.set(v, index);
  low.set(v, index++);
  stack.push(v);
  onStack.add(v);
  for (const w of edges.get(v)?.keys() ?? []) {
    if (!order.has(w)) {
      visit(w);
      low.set(v, Math.min(low.get(v)!, low.get(w)!));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, order.get(w)!));
  }
  if (low.get(v) === order.get(v)) {
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) {
      const inside = new Set(component);
      const links = component.flatMap((a) => [...(edges.get(a) ?? [])].filter(([b]) => inside.has(b)).map(([b, file]) => `  ${a} -> ${b} (${file})`));
      problems.push(`import cycle between ${component.sort().join(', ')}:\n${links.join('\n')}`);
    }
  }
}
for (const folder of edges.keys()) if (!order.has(folder)) visit(folder);

if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`architecture: ${edges.size} folders, no cycles, no HTTP below the edge`);
