import { envFromFlags } from '../../shared/config/flags';

/**
 * The replayer's command-line flags and the variables they set: one table for `tsx
 * services/replayer/main.ts --file ...` and for `trendcast replay` (which adds its help from it).
 */
export const REPLAY_FLAGS = {
  '--file': { value: true, arg: 'FILE', env: 'REPLAY_FILE', help: 'Online Retail CSV (.csv or .csv.gz); default the bundled sample' },
  '--speed': { value: true, arg: 'X', env: 'REPLAY_SPEED', help: 'event time per wall time (86400 = a day per second; 0 = as fast as possible, the default)' },
  '--batch': { value: true, arg: 'N', env: 'REPLAY_BATCH', help: 'rows per produce call (default 1000)' },
  '--limit': { value: true, arg: 'N', env: 'REPLAY_LIMIT', help: 'stop after N rows (0 = all, the default)' },
  '--topic-prefix': { value: true, arg: 'P', env: 'TOPIC_PREFIX', help: 'prefix of the topic names (default none)' },
} as const;

/** Command-line flags override the environment; both go through the same validation. */
export const flagsToEnv = (argv: string[]): Record<string, string> => envFromFlags(argv, REPLAY_FLAGS);
