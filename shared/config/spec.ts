import { ConfigError } from '../errors';

/**
 * Config is one typed object per service, parsed from the environment once at start-up. Each
 * variable is declared with its type, default and bounds, so a bad value stops the process with a
 * message naming it, and docs/config.md and the docker-compose check read the same declarations.
 */
export type VarSpec =
  | { kind: 'int' | 'float'; default?: number; min?: number; max?: number; doc: string }
  | { kind: 'string'; default?: string; pattern?: RegExp; doc: string }
  | { kind: 'bool'; default?: boolean; doc: string }
  | { kind: 'enum'; values: readonly string[]; default?: string; doc: string }
  | { kind: 'list'; default?: string[]; doc: string };

export type Spec = Record<string, VarSpec>;

type ValueOf<S extends VarSpec> = S extends { kind: 'int' | 'float' }
  ? number
  : S extends { kind: 'bool' }
    ? boolean
    : S extends { kind: 'list' }
      ? string[]
      : string;

export type ConfigOf<S extends Spec> = { [K in keyof S]: ValueOf<S[K]> };

function parseOne(name: string, spec: VarSpec, raw: string | undefined): unknown {
  if (raw === undefined || raw === '') {
    if (spec.default === undefined) throw new ConfigError(name, 'is required and not set');
    return spec.default;
  }
  switch (spec.kind) {
    case 'int':
    case 'float': {
      const n = Number(raw);
      if (!Number.isFinite(n) || (spec.kind === 'int' && !Number.isInteger(n))) throw new ConfigError(name, `${JSON.stringify(raw)} is not ${spec.kind === 'int' ? 'an integer' : 'a number'}`);
      if (spec.min !== undefined && n < spec.min) throw new ConfigError(name, `${n} is below the minimum ${spec.min}`);
      if (spec.max !== undefined && n > spec.max) throw new ConfigError(name, `${n} is above the maximum ${spec.max}`);
      return n;
    }
    case 'bool':
      if (/^(1|true|yes|on)$/i.test(raw)) return true;
      if (/^(0|false|no|off)$/i.test(raw)) return false;
      throw new ConfigError(name, `${JSON.stringify(raw)} is not a boolean (true/false)`);
    case 'enum':
      if (!spec.values.includes(raw)) throw new ConfigError(name, `${JSON.stringify(raw)} is not one of ${spec.values.join(', ')}`);
      return raw;
    case 'list':
      return raw.split(',').map((s) => s.trim()).filter(Boolean);
    case 'string':
      if (spec.pattern && !spec.pattern.test(raw)) throw new ConfigError(name, `${JSON.stringify(raw)} does not match ${spec.pattern}`);
      return raw;
  }
}

export function parseConfig<S extends Spec>(spec: S, env: NodeJS.ProcessEnv = process.env): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(spec)) out[name] = parseOne(name, s, env[name]);
  return out as ConfigOf<S>;
}

/** Markdown table of a spec, for docs/config.md. */
export function describe(spec: Spec): string {
  const rows = Object.entries(spec).map(([n, s]) => {
    const def = s.default === undefined ? '(required)' : Array.isArray(s.default) ? s.default.join(',') : String(s.default);
    const kind = s.kind === 'enum' ? s.values.join(' \\| ') : s.kind;
    return `| \`${n}\` | ${kind} | \`${def}\` | ${s.doc} |`;
  });
  return ['| variable | type | default | meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
