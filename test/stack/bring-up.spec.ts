import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * A fresh machine lacks the programs `up` installs: a launch spec that looks its program up (as
 * Prometheus' does) must be built after the component's install steps ran, not before.
 */
describe('bringUp on a machine that lacks the program', () => {
  it('installs first, then builds the launch spec and starts it; a second run installs nothing', async () => {
    const repo = join(__dirname, '../..');
    const { stdout } = await promisify(execFile)(join(repo, 'node_modules/.bin/tsx'), [join(__dirname, 'fixtures/bring-up-scenario.ts')], {
      cwd: repo,
    });
    expect(JSON.parse(stdout)).toEqual({
      events: ['install', 'launch spec', 'launch spec'],
      titles: ['fake: healthy', 'fake: already healthy'],
      started: ['fake'],
    });
  });
});
