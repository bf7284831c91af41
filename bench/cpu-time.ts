import { readFileSync } from 'node:fs';

/**
 * The CPU time (user + system, ms) process `pid` has used so far, from /proc (Linux; NaN
 * elsewhere). Per request it moves far less with the machine's load than latency does.
 */
export function cpuMs(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command's closing parenthesis; utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}
