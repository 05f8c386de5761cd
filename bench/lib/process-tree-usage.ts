import { readdirSync, readFileSync } from 'node:fs';
import { cpuMillis, pin } from './process-usage';

/** Parent of every live process, from /proc (a process that ends between the listing and the read is skipped). */
function parents(): Map<number, number> {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  return parentOf;
}

function descendantsOf(root: number, parentOf: Map<number, number>): number[] {
  const tree = [root];
  for (let i = 0; i < tree.length; i++) for (const [pid, parent] of parentOf) if (parent === tree[i]) tree.push(pid);
  return tree;
}

/**
 * CPU time of named process trees (a program and everything it forked: Postgres' backends, a
 * wrapper script's node), read at two moments. Processes that end between the readings lose the
 * CPU they used since the first one, which suits long-lived servers, not short jobs.
 */
export class ProcessTreeUsage {
  private readonly start = new Map<number, number>();

  constructor(private readonly roots: Record<string, number>) {
    for (const pid of this.allPids()) this.start.set(pid, safeCpuMillis(pid));
  }

  /** CPU milliseconds each tree used since construction. */
  read(): Record<string, number> {
    const parentOf = parents();
    return Object.fromEntries(
      Object.entries(this.roots).map(([name, root]) => [
        name,
        descendantsOf(root, parentOf).reduce((sum, pid) => sum + safeCpuMillis(pid) - (this.start.get(pid) ?? 0), 0),
      ]),
    );
  }

  private allPids(): number[] {
    const parentOf = parents();
    return Object.values(this.roots).flatMap((root) => descendantsOf(root, parentOf));
  }
}

/** Pins a program and everything it forked to the given CPUs (processes it forks later inherit that). */
export function pinProcessTree(root: number, cpus: string): void {
  for (const pid of descendantsOf(root, parents()))
    try {
      pin(pid, cpus);
    } catch {
      // gone meanwhile
    }
}

function safeCpuMillis(pid: number): number {
  try {
    return cpuMillis(pid);
  } catch {
    return 0;
  }
}
