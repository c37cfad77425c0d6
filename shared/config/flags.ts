import { ConfigError } from '../errors';

/**
 * A script's `--flag value` pairs as the environment variables they stand for, so flags and the
 * environment go through the same config checks (flags win). Used by the scripts that take flags
 * without the CLI (the replayer, the stock loader); the CLI parses its own first, for usage errors.
 */
export function envFromFlags(argv: string[], table: Record<string, { env: string }>): Record<string, string> {
  const env: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const eq = argv[i].indexOf('=');
    const name = argv[i].startsWith('--') && eq > 0 ? argv[i].slice(0, eq) : argv[i];
    const def = table[name];
    if (!def) throw new ConfigError(name, `unknown option (known: ${Object.keys(table).join(', ')})`);
    env[def.env] = eq > 0 && name !== argv[i] ? argv[i].slice(eq + 1) : (argv[++i] ?? '');
  }
  return env;
}
