/** What every subcommand provides; the CLI only dispatches, prints help and maps errors to exit codes. */
export interface Io {
  out(s: string): void;
  err(s: string): void;
  env: NodeJS.ProcessEnv;
}

/** 'running': a service now owns the process and exits by itself on SIGTERM (exit code from shared/adapters/main.ts). */
export type Outcome = number | 'running';

export interface Command {
  name: string;
  summary: string;
  help(args: string[]): string | Promise<string>;
  run(argv: string[], io: Io): Promise<Outcome>;
}

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;
