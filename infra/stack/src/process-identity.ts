import { readFileSync } from 'node:fs';

/**
 * Kernel start time of a process, undefined when it is gone. With the pid it names one process, so
 * a pid recorded earlier is never mistaken for a later program that reuses it.
 */
export function startTicks(pid: number): string | undefined {
  try {
    // Field 22 of /proc/<pid>/stat; the command name (field 2) may contain spaces, so split after ')'.
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[19];
  } catch {
    return undefined;
  }
}
