/**
 * Imports point one way: services -> shared/adapters -> shared/domain. Read off the source files
 * themselves (import, export-from, require and import()), so a new edge that breaks the layering
 * fails here rather than in a review.
 */
import * as fs from 'fs';
import * as path from 'path';
import { builtinModules } from 'module';

const ROOT = path.resolve(__dirname, '../../..');
const walk = (d: string): string[] =>
  fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : e.name.endsWith('.ts') ? [path.join(d, e.name)] : []));
const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)|import\(\s*['"]([^'"]+)['"]\s*\)/gm;
const BUILTIN = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** shared/<layer> (or services/<name>) of a repository path, or the npm package of a bare import. */
function unit(spec: string, fromFile: string): string {
  if (spec.startsWith('.')) {
    const parts = path.relative(ROOT, path.resolve(path.dirname(fromFile), spec)).split(path.sep);
    return parts.length > 2 ? parts.slice(0, 2).join('/') : parts.join('/');
  }
  return BUILTIN.has(spec) ? 'node' : spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');
}

const edges: { file: string; from: string; to: string }[] = [];
for (const f of [...walk(path.join(ROOT, 'shared')), ...walk(path.join(ROOT, 'services'))]) {
  const rel = path.relative(ROOT, f);
  const from = rel.split('/').slice(0, 2).join('/');
  for (const m of fs.readFileSync(f, 'utf8').matchAll(IMPORT)) {
    const to = unit(m[1] ?? m[2] ?? m[3], f);
    if (to !== from) edges.push({ file: rel, from, to });
  }
}
const offending = (from: string, allowed: string[]) => edges.filter((e) => e.from === from && !allowed.includes(e.to)).map((e) => `${e.file} -> ${e.to}`);

test('the scan sees the code (a broken pattern must not pass every rule by finding nothing)', () => {
  expect(edges.filter((e) => e.from === 'shared/forecasting' && e.to === 'shared/domain').length).toBeGreaterThanOrEqual(3);
  expect(edges.length).toBeGreaterThan(200);
  expect(edges.some((e) => e.from === 'shared/adapters' && e.to === 'kafkajs')).toBe(true);
});

test.each([
  ['shared/domain', ['shared/errors', 'node']],
  ['shared/forecasting', ['shared/domain', 'shared/errors']],
  ['shared/backtest', ['shared/forecasting', 'shared/domain', 'shared/errors', 'node']],
  ['shared/observability', ['prom-client', 'node']],
  // the wire formats of domain types: avro may know the domain, never the other way round
  ['shared/avro', ['avsc', 'shared/domain', 'shared/errors', 'node']],
  ['shared/retry.ts', ['shared/errors']],
])('%s imports only %j', (layer, allowed) => {
  expect(offending(layer, allowed)).toEqual([]);
});

test('shared code never imports a service', () => {
  expect(edges.filter((e) => e.from.startsWith('shared/') && e.to.startsWith('services/')).map((e) => `${e.file} -> ${e.to}`)).toEqual([]);
});

test('Kafka, Redis and tfjs stay in their adapters', () => {
  const where: Record<string, string[]> = {
    kafkajs: ['shared/adapters', 'shared/clients'],
    ioredis: ['shared/adapters'],
    '@tensorflow/tfjs': ['shared/ml'],
    '@tensorflow/tfjs-backend-wasm': ['shared/ml'],
    '@xenova/transformers': ['shared/embedding'],
  };
  const bad = edges.filter((e) => e.from.startsWith('shared/') && where[e.to] && !where[e.to].includes(e.from));
  expect(bad.map((e) => `${e.file} -> ${e.to}`)).toEqual([]);
});

test('a service imports another only from the composition services (the CLI, the embedded demo), never its main.ts but for an exported main()', () => {
  const composition = new Set(['services/cli', 'services/demo']);
  const cross = edges.filter((e) => e.from.startsWith('services/') && e.to.startsWith('services/'));
  expect(cross.filter((e) => !composition.has(e.from)).map((e) => `${e.file} -> ${e.to}`)).toEqual([]);
});
