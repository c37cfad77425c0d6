/** CPU of the local servers, for benchmarks that put a figure on the whole machine's work. */
import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from '../test/integration/support/services';

/** CPU seconds of a process so far (utime + stime), or NaN when it cannot be read. */
export function cpuOf(pid: number | undefined): number {
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
