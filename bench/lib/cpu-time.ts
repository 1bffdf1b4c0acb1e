// CPU time of processes, from /proc (Linux), to say where a benchmark's cores went.
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux this runs on (`getconf CLK_TCK`)

/** User + system CPU seconds a process has used so far, or undefined where /proc cannot tell. */
export function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // fields after the parenthesized command name; utime and stime are fields 14 and 15
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Samples the processes now; `coresSince()` answers the cores each used on average since. */
export function cpuMeter(pids: Record<string, number | undefined>): { coresSince(): Record<string, number> } {
  const started = performance.now();
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
  return {
    coresSince() {
      const seconds = (performance.now() - started) / 1000;
      const cores: Record<string, number> = {};
      for (const [name, pid] of Object.entries(pids)) {
        const now = cpuSeconds(pid);
        const then = before[name];
        if (now !== undefined && then !== undefined) cores[name] = Math.round(((now - then) / seconds) * 100) / 100;
      }
      return cores;
    },
  };
}
