/** `npx tsx services/backtest/main.ts [--data FILE] [--models a,b] [--json FILE] [--forecasts FILE] [--no-progress]` (see args.ts). */
import { embeddingSpec, serviceSpec } from '../../shared/config/common';
import { parseConfig } from '../../shared/config/spec';
import { runOnce } from '../../shared/adapters/main';
import { createLogger, LogLevel } from '../../shared/log';
import { USAGE, UsageError, parseArgs } from './args';
import { runBacktestCommand } from './handler';

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) return void process.stdout.write(USAGE + '\n');
  const env = parseConfig({ ...embeddingSpec, LOG_LEVEL: serviceSpec.LOG_LEVEL });
  await runBacktestCommand(args, env, createLogger('backtest', env.LOG_LEVEL as LogLevel));
}

runOnce('backtest', main, (err) => err instanceof UsageError);
