import { createContext } from '../../infra/stack/src/context';
import { aptInstall } from '../../infra/stack/src/install/apt';
import { findChromium } from '../../tools/trace-view/chromium';

/**
 * Headless Chromium for the specs: Debian's `chromium` package, installed the way the stack
 * installs its Debian packages (as root; anyone else gets the apt-get line) when it is not on PATH.
 * Returns the browser's path.
 */
export async function ensureChromium(): Promise<string> {
  const found = findChromium();
  if (found) return found;
  console.log("[trace-view] chromium is not on PATH: installing Debian's chromium; a minute or two, once per machine");
  await aptInstall(createContext(), ['chromium']);
  const installed = findChromium();
  if (!installed) throw new Error('chromium was installed but is not on PATH');
  return installed;
}
