/** CPU of the local servers, for benchmarks that put a figure on the whole machine's work. */
import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from '../test/integration/support/services';

/** CPU seconds of a process (or of one thread: "pid/task/tid") so far (utime + stime), or NaN when it cannot be read. */
export function cpuOf(pid: number | string | undefined): number {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Pid of a server started by scripts/infra.sh (.infra/<name>/<name>.pid), if any. */
export function infraPid(name: 'redis' | 'kafka'): number | undefined {
  const f = path.join(ROOT, `.infra/${name}/${name}.pid`);
  return fs.existsSync(f) ? Number(fs.readFileSync(f, 'utf8').trim()) : undefined;
}

/**
 * CPU seconds so far of each thread group of a process, for finding where its CPU goes: "main" for
 * its main thread; threads named like it (Node's workers and helpers all are "node") one by one by
 * tid; others by name without trailing numbers (the broker's "data-plane-kafka-...").
 */
export function threadCpu(pid: number | undefined): Map<string, number> {
  const out = new Map<string, number>();
  let tids: string[] = [];
  let own = '';
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
    own = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const comm = fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const name = tid === String(pid) ? 'main' : comm === own ? `${comm}:${tid}` : comm.replace(/[\d#-]+$/, '');
      out.set(name, (out.get(name) ?? 0) + cpuOf(`${pid}/task/${tid}`));
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

/** after - before per thread group, largest first, as "name 0.12 s" entries (groups under 10 ms left out). */
export function threadCpuDiff(before: Map<string, number>, after: Map<string, number>): string {
  return [...after].map(([k, v]) => [k, v - (before.get(k) ?? 0)] as const).filter(([, d]) => d >= 0.01).sort((a, b) => b[1] - a[1]).map(([k, d]) => `${k} ${d.toFixed(2)} s`).join(', ');
}
