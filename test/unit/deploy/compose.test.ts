/**
 * Docker cannot run on these machines, so docker-compose.yml is checked against the code instead:
 * each container's variables are ones its service's config spec declares (and parse), ports and
 * dependencies line up, Prometheus scrapes every service where it listens, healthchecks exist.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseConfig } from '../../../shared/config/spec';
import { serviceSpecs } from '../../../scripts/gen-config-doc';
import {
  aliasesOf, bindSource, dependsOn, dockerStages, envOf, healthText, interpolate, loadCompose, readYaml, ROOT, scrapeTargets, serviceDirOf, type ComposeService,
} from './compose-model';

const services = loadCompose();
const specs = serviceSpecs();
/** Containers running a Trendcast service (from the repository's image), by compose name. */
const app = Object.entries(services).filter(([, s]) => serviceDirOf(s) !== null);
const oneShot = (s: ComposeService) => s.restart === 'no';
const longRunning = app.filter(([, s]) => !oneShot(s));
const specOf = (s: ComposeService) => specs[serviceDirOf(s)!]?.spec;
/** Variables the image sets that belong to node and kafkajs, not to a Trendcast spec. */
const RUNTIME_VARS = new Set(['NODE_ENV', 'KAFKAJS_NO_PARTITIONER_WARNING']);
const stages = dockerStages('deploy/docker/Dockerfile');
const imageEnv = (s: ComposeService) => stages.get(s.build?.target ?? 'runtime')!.env.filter((v) => !RUNTIME_VARS.has(v));
/** What the service sees: the image's ENV defaults overridden by compose's environment. */
const effectiveEnv = (s: ComposeService) => ({ ...Object.fromEntries(imageEnv(s).map((v) => [v, undefined])), ...envOf(s) });
const metricsPort = (s: ComposeService) => parseConfig(specOf(s), { METRICS_PORT: '9464', ...envOf(s) }).METRICS_PORT as number;

describe('docker-compose.yml against the services and their config specs', () => {
  test('every Trendcast service of the repository runs in compose, each command on an existing main.ts', () => {
    const dirs = new Set(app.map(([, s]) => serviceDirOf(s)));
    for (const name of Object.keys(specs)) expect([name, dirs.has(name)]).toEqual([name, true]);
    for (const [, s] of app) expect(fs.existsSync(path.join(ROOT, 'services', serviceDirOf(s)!, 'main.ts'))).toBe(true);
  });

  test.each(app)('%s: every variable is one its config spec knows, and the values parse', (_name, s) => {
    const spec = specOf(s);
    expect(spec).toBeDefined();
    const unknown = Object.keys(effectiveEnv(s)).filter((k) => !(k in spec));
    expect(unknown).toEqual([]);
    expect(() => parseConfig(spec, envOf(s))).not.toThrow();
  });

  test.each(app)('%s: brokers and Redis are the compose kafka and redis, started healthy first', (_name, s) => {
    const env = envOf(s);
    const spec = specOf(s);
    const deps = dependsOn(s);
    const advertised = envOf(services.kafka).KAFKA_ADVERTISED_LISTENERS.split(',').map((l) => l.replace(/^[A-Z]+:\/\//, ''));
    if ('KAFKA_BROKERS' in spec) {
      for (const b of env.KAFKA_BROKERS.split(',')) expect(advertised).toContain(b);
      expect(deps.kafka?.condition).toBe('service_healthy');
    }
    if ('REDIS_URL' in spec && !oneShot(s)) {
      expect(new URL(env.REDIS_URL).host).toBe('redis:6379');
      expect(deps.redis?.condition).toBe('service_healthy');
    }
  });

  test('depends_on names existing services; service_healthy only on ones with a healthcheck; no profile-only dependency', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [dep, d] of Object.entries(dependsOn(s))) {
        expect([name, dep, dep in services]).toEqual([name, dep, true]);
        expect(dep).not.toBe(name);
        if (d.condition === 'service_healthy') expect([name, dep, Boolean(services[dep].healthcheck)]).toEqual([name, dep, true]);
        // a default-profile service must not need one that only starts under a profile
        if (services[dep].profiles && !s.profiles) expect([name, dep, d.required]).toEqual([name, dep, false]);
      }
    }
  });

  test('depends_on has no cycle', () => {
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (n: string, trail: string[]): void => {
      if (state.get(n) === 'done') return;
      if (state.get(n) === 'visiting') throw new Error(`cycle: ${[...trail, n].join(' -> ')}`);
      state.set(n, 'visiting');
      for (const d of Object.keys(dependsOn(services[n]))) visit(d, [...trail, n]);
      state.set(n, 'done');
    };
    expect(() => Object.keys(services).forEach((n) => visit(n, []))).not.toThrow();
  });

  test('every long-running container has a healthcheck; Trendcast ones probe /readyz or /healthz on their METRICS_PORT', () => {
    for (const [name, s] of Object.entries(services)) {
      if (oneShot(s)) continue;
      expect([name, healthText(s).length > 0 && !s.healthcheck?.disable]).toEqual([name, true]);
    }
    for (const [name, s] of longRunning) expect([name, healthText(s)]).toEqual([name, expect.stringMatching(new RegExp(`:${metricsPort(s)}/(readyz|healthz)`))]);
  });

  test('Prometheus scrapes every long-running service at its METRICS_PORT, and only existing names', () => {
    const targets = scrapeTargets();
    const byHost = new Map<string, ComposeService>();
    for (const [name, s] of Object.entries(services)) for (const h of [name, ...aliasesOf(s)]) if (!byHost.has(h) || !s.profiles) byHost.set(h, s);
    for (const t of targets) {
      if (t.job === 'prometheus') {
        expect(t).toEqual({ job: 'prometheus', host: 'localhost', port: 9090 });
        continue;
      }
      const s = byHost.get(t.host);
      expect([t.host, Boolean(s)]).toEqual([t.host, true]);
      expect([t.host, t.port]).toEqual([t.host, metricsPort(s!)]);
    }
    for (const [name] of longRunning.filter(([, s]) => !s.profiles)) expect(targets.map((t) => t.host)).toContain(name);
    for (const [name, s] of longRunning.filter(([, s]) => s.profiles)) {
      // a profile variant answers to the default service's name, so the same target scrapes it
      expect([name, aliasesOf(s).some((a) => targets.some((t) => t.host === a))]).toEqual([name, true]);
    }
  });

  test('Prometheus and Grafana mount the deploy/ files they are configured with', () => {
    const prom = services.prometheus;
    expect(prom.volumes).toContain('./deploy/prometheus:/etc/prometheus:ro');
    expect(prom.command).toContain('--config.file=/etc/prometheus/prometheus.yml');
    const cfg = readYaml<{ rule_files: string[] }>('deploy/prometheus/prometheus.yml');
    for (const f of cfg.rule_files) expect(fs.existsSync(path.join(ROOT, 'deploy/prometheus', f))).toBe(true);
    const ds = readYaml<{ datasources: { url: string; uid: string }[] }>('deploy/grafana/provisioning/datasources/prometheus.yml').datasources[0];
    expect(new URL(ds.url).host).toBe('prometheus:9090');
    const provider = readYaml<{ providers: { options: { path: string } }[] }>('deploy/grafana/provisioning/dashboards/trendcast.yml').providers[0];
    expect(services.grafana.volumes).toContain(`./deploy/grafana/dashboards:${provider.options.path}:ro`);
    expect(dependsOn(services.grafana).prometheus?.condition).toBe('service_healthy');
  });

  test('bind mounts exist, builds name the Dockerfile and a stage it has', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const v of s.volumes ?? []) {
        const src = bindSource(v);
        if (src) expect([name, src, fs.existsSync(path.resolve(ROOT, src))]).toEqual([name, src, true]);
      }
      if (!s.build) continue;
      expect(fs.existsSync(path.join(ROOT, s.build.context, s.build.dockerfile))).toBe(true);
      expect([name, stages.has(s.build.target ?? 'runtime')]).toEqual([name, true]);
    }
    expect(interpolate(envOf(services.replayer).REPLAY_FILE)).toBe('/data/sample.csv');
    expect(fs.existsSync(path.join(ROOT, 'test/fixtures/online-retail/sample.csv'))).toBe(true);
  });

  test('the image: npm ci from the lockfile, the embedding model installed at build, what the services need copied', () => {
    const text = [...stages.values()].map((s) => s.text).join('');
    expect(stages.get('runtime')!.from).toMatch(/^node:20/);
    expect(text).toMatch(/npm ci\b/);
    expect(text).toContain('scripts/install-model.sh');
    for (const dir of ['schemas', 'shared', 'services', 'test/fixtures']) expect(stages.get('runtime')!.text).toContain(`COPY ${dir} ${dir}`);
    const ignored = fs.readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const needed of ['schemas', 'shared', 'services', 'test/fixtures', 'scripts', 'package-lock.json']) expect(ignored).not.toContain(needed);
    expect(ignored).toContain('node_modules');
  });

  test('GPU profile: the forecaster on the gpu stage (tfjs-node-gpu, CUDA) with an NVIDIA device and TFJS_BACKEND=gpu', () => {
    const gpu = Object.entries(services).filter(([, s]) => s.profiles?.includes('gpu'));
    expect(gpu.map(([, s]) => serviceDirOf(s))).toEqual(['forecaster']);
    const [, s] = gpu[0];
    expect(envOf(s).TFJS_BACKEND).toBe('gpu');
    expect(s.build?.target).toBe('gpu');
    expect(s.deploy?.resources?.reservations?.devices).toEqual([expect.objectContaining({ driver: 'nvidia', capabilities: ['gpu'] })]);
    const stage = stages.get('gpu')!;
    expect(stage.from).toMatch(/^nvidia\/cuda:11\.8.*cudnn8/);
    expect(stage.text).toContain('@tensorflow/tfjs-node-gpu@4.22.0');
    expect(aliasesOf(s)).toContain('forecaster');
  });
});
