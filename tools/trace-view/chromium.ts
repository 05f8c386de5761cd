import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Headless Chromium (Debian's `chromium` package) for reading and picturing the HTML view. */

const NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

const CHROMIUM_INSTALL_HINT = 'apt-get install -y --no-install-recommends chromium';

/** The browser on PATH (or $CHROMIUM), or undefined. */
export function findChromium(): string | undefined {
  const candidates = [
    ...(process.env.CHROMIUM ? [process.env.CHROMIUM] : []),
    ...(process.env.PATH ?? '')
      .split(delimiter)
      .filter(Boolean)
      .flatMap((dir) => NAMES.map((name) => join(dir, name))),
  ];
  return candidates.find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function requireChromium(): string {
  const found = findChromium();
  if (!found) throw new Error(`chromium is not on PATH (nor $CHROMIUM); install it: ${CHROMIUM_INSTALL_HINT}`);
  return found;
}

/**
 * Runs headless Chromium on a page with its own throw-away profile (so runs side by side never
 * share one); resolves with stdout, rejects with the end of stderr on failure or after the timeout.
 */
async function runHeadless(page: string, flags: string[], timeoutMs = 60_000): Promise<string> {
  const binary = requireChromium();
  const profile = mkdtempSync(join(tmpdir(), 'trace-view-chromium-'));
  const url = /^[a-z]+:\/\//i.test(page) ? page : pathToFileURL(resolve(page)).href;
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--no-first-run',
    '--no-default-browser-check',
    `--user-data-dir=${profile}`,
    ...flags,
    url,
  ];
  try {
    return await new Promise<string>((done, fail) => {
      const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        fail(new Error(`chromium did not finish within ${timeoutMs / 1000} s (${args.join(' ')})\n${stderr.slice(-2000)}`));
      }, timeoutMs);
      child.on('error', (error) => {
        clearTimeout(timer);
        fail(error);
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) done(stdout);
        else fail(new Error(`chromium exited with ${code ?? signal} (${binary} ${args.join(' ')})\n${stderr.slice(-2000)}`));
      });
    });
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/** The DOM Chromium builds from the page (file path or URL), serialized: what a reader's browser shows. */
export function dumpDom(page: string): Promise<string> {
  return runHeadless(page, ['--dump-dom']);
}

/** A PNG of the top of the page at this window size (default 1400×900). */
export async function screenshot(
  page: string,
  png: string,
  size: { width: number; height: number } = { width: 1400, height: 900 },
): Promise<void> {
  await runHeadless(page, ['--hide-scrollbars', `--window-size=${size.width},${size.height}`, `--screenshot=${resolve(png)}`]);
}
