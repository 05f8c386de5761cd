import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Who holds a port, as ss prints it (best effort: only what this user may see). */
function holder(port: number): string {
  try {
    const line = execFileSync('ss', ['-ltnpH', `sport = :${port}`])
      .toString()
      .trim();
    return line.match(/users:\(\((.*?)\)\)/)?.[1] ?? 'another process';
  } catch {
    return 'another process';
  }
}

/**
 * Fails before launch when a port the component needs is taken, naming the holder: otherwise a
 * foreign process on that port can answer the readiness check while ours dies on bind.
 */
export async function assertPortsFree(ports: Record<string, number>): Promise<void> {
  const taken: string[] = [];
  for (const [name, port] of Object.entries(ports)) {
    if (!(await isFree(port))) taken.push(`${name}=${port} is in use by ${holder(port)}`);
  }
  if (taken.length)
    throw new Error(`ports already in use (stop what holds them, or change infra/native/manifest.json):\n  ${taken.join('\n  ')}`);
}
