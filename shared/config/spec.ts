import { ConfigError } from '../errors';

/**
 * Config is one typed object per service, parsed from the environment once at start-up. Each
 * variable is declared with its type, default and bounds, so a bad value stops the process with a
 * message naming it, and docs/config.md and the docker-compose check read the same declarations.
 */
export type VarSpec =
  /** atMost: the name of another variable of the spec that this one must not exceed. */
  | { kind: 'int' | 'float'; default?: number; min?: number; max?: number; atMost?: string; doc: string }
  | { kind: 'string'; default?: string; pattern?: RegExp; doc: string }
  | { kind: 'bool'; default?: boolean; doc: string }
  | { kind: 'enum'; values: readonly string[]; default?: string; doc: string }
  /** item: what every element must match, with a hint of the form for the error message. */
  | { kind: 'list'; default?: string[]; item?: { pattern: RegExp; form: string }; doc: string };

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
    case 'list': {
      const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
      if (items.length === 0) throw new ConfigError(name, `${JSON.stringify(raw)} has no items`);
      const bad = spec.item ? items.find((i) => !spec.item!.pattern.test(i)) : undefined;
      if (bad !== undefined) throw new ConfigError(name, `${JSON.stringify(bad)} is not of the form ${spec.item!.form}`);
      return items;
    }
    case 'string':
      if (spec.pattern && !spec.pattern.test(raw)) throw new ConfigError(name, `${JSON.stringify(raw)} does not match ${spec.pattern}`);
      return raw;
  }
}

export function parseConfig<S extends Spec>(spec: S, env: NodeJS.ProcessEnv = process.env): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(spec)) out[name] = parseOne(name, s, env[name]);
  for (const [name, s] of Object.entries(spec)) {
    if (!('atMost' in s) || s.atMost === undefined || !(s.atMost in out)) continue;
    if ((out[name] as number) > (out[s.atMost] as number)) throw new ConfigError(name, `${out[name]} is above ${s.atMost} (${out[s.atMost]})`);
  }
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
