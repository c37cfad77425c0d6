/** The trendcast CLI: argument parsing, help, and the exit codes 0 (ok), 1 (failure), 2 (usage or config). */
import { parseFlags, UsageError, flagsToEnv, type FlagDefs } from '../../../services/cli/args';
import { runChild } from '../../../services/cli/child';
import { COMMANDS, runCli } from '../../../services/cli/cli';
import type { Command, Io } from '../../../services/cli/command';
import { TRAIN_FLAGS } from '../../../services/cli/commands/train';
import { SERVICES } from '../../../services/cli/commands/start';
import { ConfigError } from '../../../shared/errors';

function io(env: NodeJS.ProcessEnv = {}): Io & { stdout: string; stderr: string } {
  const o = { stdout: '', stderr: '', env, out: (s: string) => void (o.stdout += s), err: (s: string) => void (o.stderr += s) };
  return o;
}
async function cli(...argv: string[]) {
  const t = io({ ...process.env });
  const code = await runCli(argv, t);
  return { code, out: t.stdout, err: t.stderr };
}

const DEFS: FlagDefs = {
  '--file': { value: true, arg: 'FILE', env: 'F', help: 'a file' },
  '--fast': { value: false, help: 'a switch', env: 'FAST' },
};

describe('parseFlags', () => {
  test('values in both spellings, switches, help and positionals', () => {
    expect(parseFlags(['--file', 'a.csv', '--fast'], DEFS, 'x')).toEqual({ flags: { '--file': 'a.csv', '--fast': true }, positionals: [], help: false });
    expect(parseFlags(['--file=b=c.csv', '-h', 'up'], DEFS, 'x', 1)).toEqual({ flags: { '--file': 'b=c.csv' }, positionals: ['up'], help: true });
    expect(flagsToEnv({ '--file': 'a.csv', '--fast': true }, DEFS)).toEqual({ F: 'a.csv', FAST: 'true' });
  });

  test('an unknown flag, a missing value, a stray argument are usage errors naming them', () => {
    expect(() => parseFlags(['--nope'], DEFS, 'x')).toThrow(new UsageError('unknown option --nope'));
    expect(() => parseFlags(['--file'], DEFS, 'x')).toThrow(/--file needs a value \(FILE\)/);
    expect(() => parseFlags(['--file', '--fast'], DEFS, 'x')).toThrow(/--file needs a value/);
    expect(() => parseFlags(['--fast=1'], DEFS, 'x')).toThrow(/--fast takes no value/);
    expect(() => parseFlags(['extra'], DEFS, 'x')).toThrow(/unexpected argument "extra"/);
  });
});

describe('help', () => {
  test('no command: the overview on stderr and exit 2; --help and help: on stdout and exit 0', async () => {
    const none = await cli();
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/usage: trendcast <command>/);
    for (const argv of [['--help'], ['-h'], ['help']]) {
      const r = await cli(...argv);
      expect(r.code).toBe(0);
      for (const c of ['demo', 'replay', 'train', 'backtest', 'infra', 'start']) expect(r.out).toMatch(new RegExp(`^  ${c} `, 'm'));
      expect(r.out).toMatch(/0 done, 1 failure, 2 usage or configuration error/);
    }
  });

  test('every command has its own help, the same through `help <cmd>` and `<cmd> --help`', async () => {
    for (const c of COMMANDS) {
      const a = await cli(c.name, '--help');
      const b = await cli('help', c.name);
      expect(a.code).toBe(0);
      expect(a.out).toMatch(new RegExp(`usage: trendcast ${c.name}`));
      expect(b.out).toBe(a.out);
    }
    expect((await cli('demo', '--help')).out).toMatch(/--data FILE .*\(env DEMO_DATA\)/);
    expect((await cli('backtest', '--help')).out).toMatch(/--models/);
  });

  test('start <service> --help lists that service\'s variables', async () => {
    const r = await cli('start', 'restock-trigger', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/RESTOCK_RESOLVE_MARGIN\s+0\.1\s+Hysteresis/);
    expect(r.out).toMatch(/KAFKA_BROKERS\s+127\.0\.0\.1:9092/);
    const f = await cli('start', 'forecaster', '-h');
    expect(f.out).toMatch(/FORECAST_HORIZON\s+28/);
    expect(Object.keys(SERVICES)).toEqual(['order-consumer', 'review-consumer', 'listing-consumer', 'forecaster', 'restock-trigger', 'ad-bidding-example']);
  });

  test('--version prints the package version', async () => {
    const r = await cli('--version');
    expect(r).toEqual({ code: 0, out: `trendcast ${require('../../../package.json').version}\n`, err: '' });
  });
});

describe('exit codes', () => {
  test.each([
    [['nope'], /unknown command "nope"/],
    [['demo', '--bogus'], /unknown option --bogus/],
    [['replay', 'file.csv'], /unexpected argument "file.csv"/],
    [['train', '--epochs'], /--epochs needs a value/],
    [['train', '--text'], /unknown option --text/],
    [['backtest', '--embedder', 'x'], /--embedder must be minilm, hash or none/],
    [['infra'], /infra needs an action/],
    [['infra', 'restart'], /unknown infra action "restart"/],
    [['infra', 'up', 'zookeeper'], /unknown infra target "zookeeper"/],
    [['start'], /start needs a service name/],
    [['start', 'web'], /unknown service "web"/],
    [['start', 'forecaster', 'now'], /unexpected argument "now"/],
  ])('%j is a usage error: exit 2 with the reason and where to look', async (argv, reason) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(reason);
    expect(r.err).toMatch(/see `trendcast( \w+)? --help`/);
    expect(r.out).toBe('');
  });

  test('a bad config value is exit 2 naming the variable (checked before any connection)', async () => {
    const r = await cli('replay', '--speed', 'fast');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/invalid configuration REPLAY_SPEED: "fast" is not a number/);
  });

  test('a failing command is exit 1 with its message; config and usage errors from inside are 2', async () => {
    const failing = (e: Error): Command => ({ name: 'x', summary: '', help: () => 'usage: trendcast x', run: async () => Promise.reject(e) });
    const t = io();
    expect(await runCli(['x'], t, [failing(new Error('broker unreachable'))])).toBe(1);
    expect(t.stderr).toBe('trendcast x failed: broker unreachable\n');
    expect(await runCli(['x'], io(), [failing(new ConfigError('KAFKA_BROKERS', 'is empty'))])).toBe(2);
    expect(await runCli(['x'], io(), [failing(new UsageError('bad', 'x'))])).toBe(2);
    const ok: Command = { name: 'x', summary: '', help: () => '', run: async () => 0 };
    expect(await runCli(['x'], io(), [ok])).toBe(0);
  });

  test('a child\'s exit code passes through; a signal gives 128 + its number', async () => {
    expect(await runChild('sh', ['-c', 'exit 3'], process.env)).toBe(3);
    expect(await runChild('sh', ['-c', 'kill -TERM $$'], process.env)).toBe(143);
    expect(await runChild('/nonexistent/binary', [], process.env)).toBe(1);
  });
});

describe('train flags', () => {
  test('the CLI accepts exactly what services/train parses', async () => {
    const { parseTrainArgs } = await import('../../../services/train/handler');
    const sample: Record<string, string> = { '--data': 'x.csv', '--out': 'out', '--origin': '2011-11-01', '--epochs': '3', '--seed': '7' };
    for (const [flag, def] of Object.entries(TRAIN_FLAGS)) {
      const argv = def.value ? [flag, sample[flag]] : [flag];
      expect(sample[flag] !== undefined || !def.value).toBe(true);
      expect(() => parseTrainArgs(argv)).not.toThrow();
    }
    expect(() => parseTrainArgs(['--text'])).toThrow(/unknown argument/);
  });
});
