import { nodeTs, runChild } from '../child';
import { UsageError } from '../args';
import type { Command } from '../command';

export const backtest: Command = {
  name: 'backtest',
  summary: 'run the evaluation protocol (EVALUATION.md) over the forecasting models and print the table',
  async help() {
    const { USAGE } = await import('../../backtest/args');
    return `${USAGE.replace(/^usage: npx tsx services\/backtest\/main\.ts/, 'usage: trendcast backtest')}

A progress bar shows the windows; --no-progress turns it off. Exit code 2 for a bad argument.`;
  },
  async run(argv, io) {
    // the backtest's own parser, so a bad argument is a usage error before any work starts
    const { parseArgs, UsageError: BacktestUsage } = await import('../../backtest/args');
    try {
      parseArgs(argv);
    } catch (err) {
      if (err instanceof BacktestUsage) throw new UsageError(err.message.split('\n')[0], 'backtest');
      throw err;
    }
    const [cmd, args] = nodeTs('services/backtest/main.ts', argv);
    return runChild(cmd, args, io.env);
  },
};
