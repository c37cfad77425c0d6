/** Argument parsing shared by the commands: declared flags only, so a typo is a usage error (exit 2), not a silent default. */
export class UsageError extends Error {
  constructor(message: string, readonly command?: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface FlagDef {
  /** Takes a value (`--data FILE` or `--data=FILE`); otherwise a switch. */
  value: boolean;
  /** Placeholder shown in help, e.g. FILE. */
  arg?: string;
  help: string;
  /** The environment variable the flag overrides, when the command reads its config from there. */
  env?: string;
}

export type FlagDefs = Record<string, FlagDef>;

export interface Parsed {
  flags: Record<string, string | true>;
  positionals: string[];
  help: boolean;
}

export function parseFlags(argv: string[], defs: FlagDefs, command: string, maxPositionals = 0): Parsed {
  const out: Parsed = { flags: {}, positionals: [], help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') {
      out.help = true;
      continue;
    }
    if (!a.startsWith('-')) {
      if (out.positionals.length >= maxPositionals) throw new UsageError(`unexpected argument "${a}"`, command);
      out.positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    const def = defs[name];
    if (!def) throw new UsageError(`unknown option ${name}`, command);
    if (!def.value) {
      if (eq > 0) throw new UsageError(`${name} takes no value`, command);
      out.flags[name] = true;
      continue;
    }
    const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (v === undefined || (eq < 0 && v.startsWith('--'))) throw new UsageError(`${name} needs a value (${def.arg ?? 'VALUE'})`, command);
    out.flags[name] = v;
  }
  return out;
}

/** Flags with an `env` mapping, as environment overrides (the command's config parser then checks them). */
export function flagsToEnv(flags: Parsed['flags'], defs: FlagDefs): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, v] of Object.entries(flags)) if (defs[name]?.env) env[defs[name].env!] = v === true ? 'true' : v;
  return env;
}

/** The flags part of a help text. */
export function flagHelp(defs: FlagDefs): string {
  const rows = Object.entries(defs).map(([n, d]) => [`  ${n}${d.value ? ` ${d.arg ?? 'VALUE'}` : ''}`, d.help + (d.env ? ` (env ${d.env})` : '')]);
  const w = Math.max(...rows.map(([l]) => l.length), 10) + 2;
  return rows.map(([l, r]) => l.padEnd(w) + r).join('\n');
}
