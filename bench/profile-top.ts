// `tsx bench/profile-top.ts FILE.cpuprofile [N]`: where a CPU profile's time went, as text: the N
// functions with the most self time, and the packages (or our source folders) by self and total
// time. For profiles written by `npm run bench:load -- --profile DIR`.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, top = '40'] = process.argv.slice(2);
if (!file) throw new Error('usage: tsx bench/profile-top.ts FILE.cpuprofile [N]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes)
  for (const child of node.children ?? []) parent.set(child, node.id);

/** Where a frame's code lives: a package, one of our folders, Node itself, or the engine. */
function area(url: string): string {
  if (!url) return '(engine: gc, idle, program)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules?.[1]) return modules[1];
  const ours = /\/(src|bench|test)\/([^/]+)/.exec(url);
  if (ours) return `${ours[1]}/${ours[2]}`;
  if (url.startsWith('node:')) return url;
  return url;
}

const self = new Map<number, number>();
profile.samples.forEach((sample, index) => {
  self.set(sample, (self.get(sample) ?? 0) + (profile.timeDeltas[index] ?? 0));
});
const total = [...self.values()].reduce((sum, value) => sum + value, 0);
const pct = (value: number) => `${((100 * value) / total).toFixed(1).padStart(5)} %`;

const functions = new Map<string, number>();
const areasSelf = new Map<string, number>();
const areasTotal = new Map<string, number>();
for (const [id, time] of self) {
  const node = byId.get(id);
  if (!node) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const key = `${functionName || '(anonymous)'}  ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(src|bench)\//, '$1/')}:${lineNumber + 1}`;
  functions.set(key, (functions.get(key) ?? 0) + time);
  areasSelf.set(area(url), (areasSelf.get(area(url)) ?? 0) + time);
  // Total: once per area on the stack.
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const name = area(byId.get(at)?.callFrame.url ?? '');
    if (seen.has(name)) continue;
    seen.add(name);
    areasTotal.set(name, (areasTotal.get(name) ?? 0) + time);
  }
}
const sorted = (map: Map<string, number>) => [...map.entries()].sort((a, b) => b[1] - a[1]);
console.log(`${(total / 1e6).toFixed(1)} s sampled\n\nself time by function:`);
for (const [name, time] of sorted(functions).slice(0, Number(top)))
  console.log(`  ${pct(time)}  ${name}`);
console.log('\nby package or folder: self, total (on the stack)');
for (const [name, time] of sorted(areasSelf).slice(0, Number(top))) {
  console.log(`  ${pct(time)}  ${pct(areasTotal.get(name) ?? 0)}  ${name}`);
}
