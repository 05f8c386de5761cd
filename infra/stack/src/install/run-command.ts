import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { execa } from 'execa';
import type { StackContext } from '../components/component';

export interface CommandOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Where the full output goes; the error names it. */
  logFile: string;
}

const tailLines = 20;
const reportEveryMs = 3000;

/**
 * Runs an install command, appending its output to a log file and reporting its latest line as
 * progress (at most every few seconds, so slow builds stay visible without flooding CI logs).
 * A failure throws with the command, the last lines of output and the log's path.
 */
export async function runCommand(ctx: StackContext, command: string, args: string[], options: CommandOptions): Promise<void> {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const log = createWriteStream(options.logFile, { flags: 'a' });
  log.write(`\n$ ${command} ${args.join(' ')}\n`);
  const recent: string[] = [];
  let lastReport = 0;
  const child = execa(command, args, {
    cwd: options.cwd,
    env: options.env,
    all: true,
    reject: false,
    stdin: 'ignore',
  });
  child.all?.on('data', (chunk: Buffer) => {
    log.write(chunk);
    for (const line of chunk.toString().split('\n').filter((l) => l.trim() !== '')) {
      recent.push(line);
      if (recent.length > tailLines) recent.shift();
      if (Date.now() - lastReport > reportEveryMs) {
        lastReport = Date.now();
        ctx.report(line.slice(0, 160));
      }
    }
  });
  const result = await child;
  await new Promise((done) => log.end(done));
  if (result.exitCode !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited with ${result.exitCode ?? result.signal}\n` +
        `--- last lines (full log: ${options.logFile}) ---\n${recent.join('\n')}`,
    );
  }
}
