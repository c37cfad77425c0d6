import { ConfigError } from '../errors';

/**
 * Entry point of every service: runs start(), stops cleanly on SIGTERM/SIGINT, and turns a bad
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
