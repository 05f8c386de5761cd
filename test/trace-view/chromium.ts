import { spawnSync } from 'node:child_process';
import { CHROMIUM_INSTALL_HINT, findChromium } from '../../tools/trace-view/chromium';

/**
 * Headless Chromium for the specs: Debian's `chromium` package, installed with apt-get when it is not
 * on PATH (a fresh CI machine; the specs run as root there). Returns the browser's path.
 */
export function ensureChromium(): string {
  const found = findChromium();
  if (found) return found;
  if (process.getuid?.() !== 0) throw new Error(`chromium is not on PATH and this is not root, so it cannot be installed here: ${CHROMIUM_INSTALL_HINT}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { env, encoding: 'utf8', timeout: 15 * 60_000 });
  console.log(`[trace-view] chromium is not on PATH: installing Debian's chromium (${CHROMIUM_INSTALL_HINT}); a minute or two, once per machine`);
  let result = install();
  if (result.status !== 0 && !findChromium()) {
    // Package lists missing or stale (a fresh image): refresh them once and try again.
    console.log('[trace-view] apt-get install failed; running apt-get update and trying again');
    spawnSync('apt-get', ['update'], { env, encoding: 'utf8', timeout: 10 * 60_000 });
    result = install();
  }
  const installed = findChromium();
  // (Another process may have installed it meanwhile, holding the dpkg lock: what counts is that it is there.)
  if (!installed) throw new Error(`installing chromium failed (exit ${result.status}):\n${(result.stderr || result.stdout || String(result.error ?? '')).slice(-2000)}`);
  console.log(`[trace-view] chromium installed: ${installed}`);
  return installed;
}
