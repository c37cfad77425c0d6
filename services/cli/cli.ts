import * as fs from 'fs';
import * as path from 'path';
import { ConfigError } from '../../shared/errors';
import { UsageError } from './args';
import { ROOT } from './child';
import { EXIT, type Command, type Io, type Outcome } from './command';
import { backtest } from './commands/backtest';
import { demo } from './commands/demo';
import { infra } from './commands/infra';
import { replay } from './commands/replay';
import { start } from './commands/start';
import { stock } from './commands/stock';
import { train } from './commands/train';

export const COMMANDS: Command[] = [demo, replay, stock, train, backtest, infra, start];

export function mainHelp(): string {
  const rows = COMMANDS.map((c) => `  ${c.name.padEnd(10)}${c.summary}`).join('\n');
  return `trendcast: streaming demand forecasts (Kafka -> Redis -> forecaster -> trends)

usage: trendcast <command> [options]
       trendcast help <command> | <command> --help | --version

commands:
${rows}

Exit codes: 0 done, 1 failure, 2 usage or configuration error.`;
}

function version(): string {
  return (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

const wantsHelp = (argv: string[]) => argv.includes('--help') || argv.includes('-h');

async function dispatch(argv: string[], io: Io, commands: Command[]): Promise<Outcome> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.err(mainHelp() + '\n');
    return EXIT.usage;
  }
  if (name === '--help' || name === '-h' || (name === 'help' && rest.length === 0)) {
    io.out(mainHelp() + '\n');
    return EXIT.ok;
  }
  if (name === '--version' || name === '-V') {
    io.out(`trendcast ${version()}\n`);
    return EXIT.ok;
  }
  const target = name === 'help' ? rest[0] : name;
  const cmd = commands.find((c) => c.name === target);
  if (!cmd) throw new UsageError(`unknown command "${target}" (${commands.map((c) => c.name).join(', ')})`);
  if (name === 'help' || wantsHelp(rest)) {
    io.out((await cmd.help(name === 'help' ? rest.slice(1) : rest.filter((a) => a !== '--help' && a !== '-h'))) + '\n');
    return EXIT.ok;
  }
  return cmd.run(rest, io);
}

/** Runs one command line; every error becomes a message and an exit code, never a bare stack trace. */
export async function runCli(argv: string[], io: Io, commands: Command[] = COMMANDS): Promise<Outcome> {
  try {
    return await dispatch(argv, io, commands);
  } catch (err) {
    if (err instanceof UsageError) {
      const hint = err.command ? `trendcast ${err.command} --help` : 'trendcast --help';
      io.err(`trendcast: ${err.message}\nsee \`${hint}\`\n`);
      return EXIT.usage;
    }
    if (err instanceof ConfigError) {
      io.err(`trendcast: ${err.message}\n`);
      return EXIT.usage;
    }
    const e = err as Error;
    io.err(`trendcast ${argv[0] ?? ''} failed: ${io.env.TRENDCAST_DEBUG ? e.stack : e.message}\n`);
    return EXIT.failure;
  }
}

/**
 * Defaults that make the CLI work from any directory: the embedding model folder the services read
 * (default `models`, relative to the working directory) is the repository's, unless set.
 */
export function withRepoDefaults(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (!env.EMBEDDING_MODEL_DIR) env.EMBEDDING_MODEL_DIR = path.join(ROOT, 'models');
  return env;
}

/** The real terminal; process.env itself, since a started service reads it directly. */
export function processIo(): Io {
  return { out: (s) => void process.stdout.write(s), err: (s) => void process.stderr.write(s), env: withRepoDefaults(process.env) };
}
