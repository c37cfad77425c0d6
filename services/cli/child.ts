import { spawn } from 'child_process';
import { constants } from 'os';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '../..');

/** The tsx loader as an absolute path, so a child runs TypeScript whatever the working directory. */
export function tsxLoader(): string {
  return require.resolve('tsx');
}

/** `node --import tsx <repo file> args`: how the CLI runs a command that is a script rather than an exported function. */
export function nodeTs(file: string, args: string[]): [string, string[]] {
  return [process.execPath, ['--import', tsxLoader(), path.join(ROOT, file), ...args]];
}

/**
 * Runs a child with the terminal's stdio and resolves with its exit code (128 + n when a signal
 * ended it). Signals sent to the CLI are passed on, so `kill <cli>` also stops the child.
 */
export function runChild(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: 'inherit', env, cwd });
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    const forward = (s: NodeJS.Signals) => () => void child.kill(s);
    const handlers = signals.map((s) => [s, forward(s)] as const);
    for (const [s, h] of handlers) process.on(s, h);
    const done = (code: number) => {
      for (const [s, h] of handlers) process.off(s, h);
      resolve(code);
    };
    child.once('error', (err) => {
      process.stderr.write(`cannot run ${cmd}: ${err.message}\n`);
      done(1);
    });
    child.once('exit', (code, signal) => done(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  });
}
