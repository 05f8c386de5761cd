import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Who a frame belongs to: the npm package, the repository's own code, or Node itself. */
export function ownerOf(url: string): string {
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inPackage) return inPackage[1];
  if (url.includes('/dist/libs/telemetry/') || url.includes('/libs/telemetry/')) return '@tracehop/telemetry';
  if (url.includes('/dist/libs/service-kit/') || url.includes('/libs/service-kit/')) return '@tracehop/service-kit';
  if (url.includes('/dist/apps/') || url.includes('/apps/')) return 'the service';
  if (url.startsWith('node:') || url === '') return 'node (runtime, GC, idle)';
  return url;
}

/** Self time per owner and per function, in milliseconds, from a V8 .cpuprofile (node --cpu-prof). */
export function selfTime(file: string): { total: number; byOwner: Map<string, number>; byFunction: Map<string, number> } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byOwner = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const millis = (profile.timeDeltas[index] ?? 0) / 1000;
    const frame = nodes.get(id)!.callFrame;
    if (frame.functionName === '(idle)') return;
    total += millis;
    const owner = ownerOf(frame.url);
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + millis);
    const name = `${frame.functionName || '(anonymous)'} ${owner}:${frame.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + millis);
  });
  return { total, byOwner, byFunction };
}
