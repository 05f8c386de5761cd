import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bringUp } from '../../infra/stack/src/bring-up';
import type { Component, StackContext } from '../../infra/stack/src/components/component';
import { loadManifest } from '../../infra/stack/src/manifest';
import { stackPaths } from '../../infra/stack/src/paths';
import { stop } from '../../infra/stack/src/process-supervisor';

/**
 * A fresh machine lacks the programs `up` installs: a launch spec that looks its program up (as
 * Prometheus' does) must be built after the component's install steps ran, not before.
 */
describe('bringUp on a machine that lacks the program', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bring-up-'));
  const ctx: StackContext = {
    manifest: loadManifest(),
    paths: stackPaths({ TRACEHOP_STATE_DIR: join(dir, 'state'), TRACEHOP_CACHE_DIR: join(dir, 'cache') }),
    env: {},
    report: () => undefined,
  };
  const program = join(dir, 'installed-program');
  const events: string[] = [];
  const component: Component = {
    name: 'fake',
    title: 'a program installed by its own step',
    dependsOn: [],
    ports: [],
    endpoints: () => [],
    install: [
      {
        title: 'install the program',
        outputExists: () => existsSync(program),
        run: async () => {
          events.push('install');
          writeFileSync(program, '#!/bin/sh\nexec sleep 30\n');
          chmodSync(program, 0o755);
        },
      },
    ],
    launch: () => {
      events.push('launch spec');
      if (!existsSync(program)) throw new Error(`not found: ${program}`);
      return { command: program, args: [] };
    },
    isReady: async () => true,
    readyTimeoutSeconds: 5,
  };

  afterAll(async () => {
    await stop(ctx, component.name, 1);
    rmSync(dir, { recursive: true, force: true });
  });

  it('installs first, then builds the launch spec and starts it; a second run installs nothing', async () => {
    const titles: string[] = [];
    const started: string[] = [];
    for (let run = 0; run < 2; run++) {
      const task = { title: '', output: '' };
      const startedNow: Component[] = [];
      await bringUp(ctx, component, task, startedNow);
      titles.push(task.title);
      started.push(...startedNow.map((c) => c.name));
    }
    expect({ events, titles, started }).toEqual({
      events: ['install', 'launch spec', 'launch spec'],
      titles: ['fake: healthy', 'fake: already healthy'],
      started: ['fake'],
    });
  });
});
