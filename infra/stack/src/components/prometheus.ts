import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import which from 'which';
import { infraFile, renderConfig } from '../config-files';
import { aptInstall } from '../install/apt';
import { port } from '../manifest';
import type { Component, StackContext } from './component';
import { answersOk } from './http-probe';

const baseUrl = (ctx: StackContext) => `http://127.0.0.1:${port(ctx.manifest, 'PROMETHEUS_PORT')}`;

export const prometheus: Component = {
  name: 'prometheus',
  title: 'Prometheus (metrics)',
  dependsOn: [],
  ports: ['PROMETHEUS_PORT'],
  endpoints: (ctx) => [baseUrl(ctx)],
  install: [
    {
      title: 'install Debian prometheus',
      outputExists: () => which.sync('prometheus', { nothrow: true }) !== null,
      run: (ctx) => aptInstall(ctx, ['prometheus']),
    },
  ],
  launch: (ctx) => ({
    command: which.sync('prometheus'),
    args: [
      `--config.file=${renderConfig(ctx, infraFile('prometheus/prometheus.yml'), 'prometheus', 'prometheus.yml')}`,
      `--storage.tsdb.path=${ctx.paths.data('prometheus')}`,
      `--web.listen-address=127.0.0.1:${port(ctx.manifest, 'PROMETHEUS_PORT')}`,
      '--storage.tsdb.retention.time=7d',
      // Keeps the span metrics' exemplars (trace ids on latency buckets) for Grafana's links to traces.
      '--enable-feature=exemplar-storage',
    ],
    // The rule files (rule_files in its config): an edited rule restarts it on the next `up`.
    inputs: readdirSync(ctx.env.PROMETHEUS_RULES_DIR)
      .filter((file) => file.endsWith('.rules.yml'))
      .map((file) => join(ctx.env.PROMETHEUS_RULES_DIR, file)),
  }),
  isReady: (ctx) => answersOk(`${baseUrl(ctx)}/-/ready`),
  readyTimeoutSeconds: 60,
};
