import { ConfigError } from '../errors';

/**
 * Entry point of every long-running service: runs start(), stops cleanly on SIGTERM/SIGINT, and turns a bad
 * config value into one clear line and exit code 2 (not a stack trace).
 */
export function runMain(start: () => Promise<{ stop(): Promise<void> }>): void {
  start().then(
    (svc) => {
      const shutdown = (signal: string) => {
        process.stderr.write(JSON.stringify({ level: 'info', msg: 'signal received, shutting down', signal }) + '\n');
        svc.stop().then(
          () => process.exit(0),
          (err) => {
            process.stderr.write(`shutdown failed: ${(err as Error).message}\n`);
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
    },
    (err) => {
      if (err instanceof ConfigError) {
        process.stderr.write(`${err.message}\n`);
        process.exit(2);
      }
      process.stderr.write(`start-up failed: ${(err as Error).stack ?? err}\n`);
      process.exit(1);
    },
  );
}

/**
 * Entry point of a one-shot command (the replayer, the stock loader, backtest, train): exit 0 when
 * done; a bad config value or usage (a ConfigError, or what `isUsage` accepts) is one line and exit
 * 2; any other failure is `<name> failed: <reason>` and exit 1, with the stack when TRENDCAST_DEBUG
 * is set (as the CLI does).
 */
export function runOnce(name: string, run: () => Promise<unknown>, isUsage: (err: unknown) => boolean = () => false): void {
  run().then(
    () => process.exit(0),
    (err) => {
      const usage = err instanceof ConfigError || isUsage(err);
      const e = err instanceof Error ? err : new Error(String(err));
      process.stderr.write(`${name} failed: ${!usage && process.env.TRENDCAST_DEBUG ? (e.stack ?? e.message) : e.message}\n`);
      process.exit(usage ? 2 : 1);
    },
  );
}
