import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repoRoot = join(__dirname, '../..');

export interface ComponentStatus {
  name: string;
  state: 'healthy' | 'running, not ready' | 'stopped';
  pid?: number;
  endpoints: string[];
}

/** Runs the stack command as a user does and returns how it ended, failure included. */
export async function stackCommandResult(...args: string[]): Promise<{ code: number; output: string }> {
  return run('npm', ['run', '--silent', 'stack', '--', ...args], { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 }).then(
    ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({
      code: error.code ?? 1,
      output: (error.stdout ?? '') + (error.stderr ?? ''),
    }),
  );
}

/** Runs the stack command exactly as a user does (npm run stack -- …); a failure throws. */
export async function stackCommand(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return stackCommandWithEnv({}, ...args);
}

/** The stack command with these variables set, as `NAME=value npm run stack -- …` runs it. */
export async function stackCommandWithEnv(env: Record<string, string>, ...args: string[]): Promise<{ stdout: string; stderr: string }> {
  const options = { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, ...env } };
  return run('npm', ['run', '--silent', 'stack', '--', ...args], options).catch(
    (error: { stdout?: string; stderr?: string; message: string }) => {
      // `status` exits 1 when something is not healthy; its JSON is still the answer.
      if (args[0] === 'status' && error.stdout) return { stdout: error.stdout, stderr: error.stderr ?? '' };
      throw new Error(`npm run stack -- ${args.join(' ')} failed:\n${error.stdout ?? ''}\n${error.stderr ?? error.message}`);
    },
  );
}

export async function stackStatus(): Promise<ComponentStatus[]> {
  const { stdout } = await stackCommand('status', '--json');
  return JSON.parse(stdout) as ComponentStatus[];
}

/** A collector started again with these settings (its config's defaults for the rest): `NAME=value npm run stack -- up <component>`. */
export async function collectorRestartedWith(component: 'agent' | 'gateway', settings: Record<string, string>): Promise<void> {
  await stackCommandWithEnv(settings, 'up', component);
}
