/**
 * The forecaster's node flags (services/forecaster/node-flags.ts) must be on its command line
 * wherever it is started, since V8 takes them only at start-up: bin/trendcast (`start forecaster`,
 * run here with a stand-in `node` that prints its arguments), the Dockerfile and docker-compose.yml.
 * Every other service starts without them.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FORECASTER_NODE_FLAGS } from '../../../services/forecaster/node-flags';
import { dockerStages, loadCompose, ROOT, serviceDirOf } from './compose-model';

/** The arguments of `node ... --import ...` before --import: the node flags. */
const flagsOf = (argv: string[]) => argv.slice(argv.indexOf('node') + 1, argv.indexOf('--import'));
const expected = (dir: string | null) => (dir === 'forecaster' ? [...FORECASTER_NODE_FLAGS] : []);

describe('the forecaster runs with its node flags wherever it is started', () => {
  test('the flags are V8 flags this node accepts', () => {
    expect(FORECASTER_NODE_FLAGS.length).toBeGreaterThan(0);
    // node refuses an unknown flag ("bad option") with exit code 9: execFileSync would throw
    const out = execFileSync(process.execPath, [...FORECASTER_NODE_FLAGS, '-e', `process.stdout.write(JSON.stringify(process.execArgv.slice(0, ${FORECASTER_NODE_FLAGS.length})))`], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual([...FORECASTER_NODE_FLAGS]);
  });

  test('docker-compose.yml: the forecaster containers with them, the other services without', () => {
    const app = Object.entries(loadCompose()).filter(([, s]) => serviceDirOf(s) !== null);
    expect(app.filter(([, s]) => serviceDirOf(s) === 'forecaster').length).toBeGreaterThanOrEqual(2);
    for (const [name, s] of app) expect([name, flagsOf(s.command!)]).toEqual([name, expected(serviceDirOf(s))]);
  });

  test('Dockerfile: every CMD that runs a service main.ts', () => {
    const cmds = [...dockerStages('deploy/docker/Dockerfile').values()].flatMap((st) => [...st.text.matchAll(/^CMD\s+(\[.*\])\s*$/gm)].map((m) => JSON.parse(m[1]) as string[]));
    const forecaster = cmds.filter((c) => c.join(' ').includes('services/forecaster/main.ts'));
    expect(forecaster.length).toBeGreaterThanOrEqual(1);
    for (const c of cmds) expect([c.join(' '), flagsOf(c)]).toEqual([c.join(' '), expected(c.join(' ').match(/services\/([a-z-]+)\/main\.ts/)?.[1] ?? null)]);
  });

  describe('bin/trendcast', () => {
    let dir: string;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-node-'));
      fs.writeFileSync(path.join(dir, 'node'), '#!/bin/sh\nfor a in "$@"; do echo "$a"; done\n', { mode: 0o755 });
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const run = (args: string[], env: Record<string, string> = {}) => {
      const base: NodeJS.ProcessEnv = { ...process.env, PATH: `${dir}:${process.env.PATH}` };
      delete base.FORECASTER_NODE_FLAGS;
      const out = execFileSync('sh', [path.join(ROOT, 'bin/trendcast'), ...args], { env: { ...base, ...env }, encoding: 'utf8' });
      return ['node', ...out.trim().split('\n')];
    };

    test('start forecaster passes the flags, start of another service and other commands do not', () => {
      expect(flagsOf(run(['start', 'forecaster']))).toEqual([...FORECASTER_NODE_FLAGS]);
      expect(flagsOf(run(['start', 'order-consumer']))).toEqual([]);
      expect(flagsOf(run(['backtest', '--help']))).toEqual([]);
      expect(run(['start', 'forecaster']).slice(-2)).toEqual(['start', 'forecaster']);
    });

    test('FORECASTER_NODE_FLAGS replaces them (empty: none)', () => {
      expect(flagsOf(run(['start', 'forecaster'], { FORECASTER_NODE_FLAGS: '--max-semi-space-size=32 --trace-gc' }))).toEqual(['--max-semi-space-size=32', '--trace-gc']);
      expect(flagsOf(run(['start', 'forecaster'], { FORECASTER_NODE_FLAGS: '' }))).toEqual([]);
    });
  });
});
