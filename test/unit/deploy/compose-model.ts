/** Reads docker-compose.yml, the Dockerfile and the Prometheus/Grafana files the way Docker would see them. */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';

export const ROOT = path.resolve(__dirname, '../../..');

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; target?: string };
  command?: string[];
  environment?: Record<string, string | number | boolean | null>;
  depends_on?: Record<string, { condition: string; required?: boolean }> | string[];
  healthcheck?: { test: string[] | string; disable?: boolean };
  profiles?: string[];
  ports?: string[];
  volumes?: string[];
  restart?: string;
  networks?: Record<string, { aliases?: string[] } | null> | string[];
  deploy?: { resources?: { reservations?: { devices?: { driver?: string; capabilities?: string[] }[] } } };
}

export function readYaml<T>(rel: string): T {
  // merge: YAML 1.1 `<<:` keys, which docker compose honours and the compose file uses for shared env
  return parse(fs.readFileSync(path.join(ROOT, rel), 'utf8'), { merge: true }) as T;
}

export function loadCompose(): Record<string, ComposeService> {
  return readYaml<{ services: Record<string, ComposeService> }>('docker-compose.yml').services;
}

/** `${VAR:-default}` / `${VAR}` as compose interpolates them with VAR unset. */
export function interpolate(v: unknown): string {
  return String(v ?? '').replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g, (_, _name, def) => def ?? '');
}

export function envOf(s: ComposeService): Record<string, string> {
  return Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, interpolate(v)]));
}

/** The services/<name> a container runs, from its command. */
export function serviceDirOf(s: ComposeService): string | null {
  const m = (s.command ?? []).join(' ').match(/services\/([a-z-]+)\/main\.ts/);
  return m ? m[1] : null;
}

export function dependsOn(s: ComposeService): Record<string, { condition: string; required?: boolean }> {
  if (!s.depends_on) return {};
  if (Array.isArray(s.depends_on)) return Object.fromEntries(s.depends_on.map((d) => [d, { condition: 'service_started' }]));
  return s.depends_on;
}

export function aliasesOf(s: ComposeService): string[] {
  if (!s.networks || Array.isArray(s.networks)) return [];
  return Object.values(s.networks).flatMap((n) => n?.aliases ?? []);
}

export function healthText(s: ComposeService): string {
  const t = s.healthcheck?.test;
  return Array.isArray(t) ? t.join(' ') : (t ?? '');
}

/** Dockerfile stages: name -> the ENV variables set in that stage (and its FROM line). */
export function dockerStages(rel: string): Map<string, { from: string; env: string[]; text: string }> {
  const stages = new Map<string, { from: string; env: string[]; text: string }>();
  let cur: { from: string; env: string[]; text: string } | null = null;
  const lines = fs.readFileSync(path.join(ROOT, rel), 'utf8').replace(/\\\n/g, ' ').split('\n');
  for (const line of lines) {
    const from = line.match(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i);
    if (from) {
      cur = { from: from[1], env: [], text: '' };
      stages.set(from[2] ?? `#${stages.size}`, cur);
      continue;
    }
    if (!cur) continue;
    cur.text += line + '\n';
    const env = line.match(/^ENV\s+(.*)$/);
    if (env) cur.env.push(...[...env[1].matchAll(/([A-Za-z_][A-Za-z0-9_]*)=/g)].map((m) => m[1]));
  }
  return stages;
}

export interface ScrapeConfig {
  job_name: string;
  static_configs: { targets: string[] }[];
}

export function scrapeTargets(): { job: string; host: string; port: number }[] {
  const cfg = readYaml<{ scrape_configs: ScrapeConfig[] }>('deploy/prometheus/prometheus.yml');
  return cfg.scrape_configs.flatMap((j) => j.static_configs.flatMap((s) => s.targets.map((t) => {
    const [host, port] = t.split(':');
    return { job: j.job_name, host, port: Number(port) };
  })));
}

/** A bind mount's host path (relative to the repository), or null for a named volume. */
export function bindSource(volume: string): string | null {
  const src = interpolate(volume.split(':')[0]);
  return src.startsWith('.') || src.startsWith('/') ? src : null;
}
