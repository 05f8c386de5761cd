import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { StackContext } from '../components/component';

export interface CommandOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Run as this user (Postgres' initdb refuses root). */
  uid?: number;
  gid?: number;
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
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    uid: options.uid,
    gid: options.gid,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const onOutput = (chunk: Buffer) => {
    log.write(chunk);
    for (const line of chunk
      .toString()
      .split('\n')
      .filter((l) => l.trim() !== '')) {
      recent.push(line);
      if (recent.length > tailLines) recent.shift();
      if (Date.now() - lastReport > reportEveryMs) {
        lastReport = Date.now();
        ctx.report(line.slice(0, 160));
      }
    }
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  const exit = await new Promise<string | number>((resolve) => {
    child.on('error', (error) => resolve(error.message));
    child.on('close', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  await new Promise((done) => log.end(done));
  if (exit !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited with ${exit}\n` + `--- last lines (full log: ${options.logFile}) ---\n${recent.join('\n')}`,
    );
  }
}
