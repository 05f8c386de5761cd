import { goBinaryPath, goInstallStep, type GoBinary } from '../install/go-build';
import { port } from '../manifest';
import { waitUntil } from '../wait-until';
import type { Component, StackContext } from './component';
import { answersOk } from './http-probe';
import { victoriaLogsFlags } from './victorialogs-flags';

const victoriaLogsBinary: GoBinary = {
  name: 'victorialogs',
  version: (ctx) => ctx.manifest.components.victorialogs.version,
  binaryName: 'victoria-logs',
  // What `victoria-logs -version` and its /metrics report; empty without it.
  linkerSettings: (ctx) => ({
    'github.com/VictoriaMetrics/VictoriaMetrics/lib/buildinfo.Version': `victoria-logs-${ctx.manifest.components.victorialogs.version}`,
  }),
};

const baseUrl = (ctx: StackContext) => `http://127.0.0.1:${port(ctx.manifest, 'VICTORIALOGS_HTTP_PORT')}`;

/** The LogsQL query API answers (it reads storage), not merely the process is up. */
const queryAnswers = (ctx: StackContext, query: string) =>
  fetch(`${baseUrl(ctx)}/select/logsql/query?${new URLSearchParams({ query, limit: '1' })}`)
    .then(async (response) => (response.ok ? response.text() : undefined))
    .catch(() => undefined);

export const victorialogs: Component = {
  name: 'victorialogs',
  title: 'VictoriaLogs (logs, LogsQL, web UI)',
  dependsOn: [],
  ports: ['VICTORIALOGS_HTTP_PORT'],
  endpoints: (ctx) => [`${baseUrl(ctx)}/select/vmui/`, `${baseUrl(ctx)}/select/logsql/query`],
  install: [goInstallStep(victoriaLogsBinary, 'github.com/VictoriaMetrics/VictoriaLogs/app/victoria-logs')],
  launch: (ctx) => ({
    command: goBinaryPath(ctx, victoriaLogsBinary),
    args: victoriaLogsFlags(`127.0.0.1:${port(ctx.manifest, 'VICTORIALOGS_HTTP_PORT')}`, ctx.paths.data('victorialogs')),
  }),
  isReady: async (ctx) => (await answersOk(`${baseUrl(ctx)}/health`)) && (await queryAnswers(ctx, '*')) !== undefined,
  readyTimeoutSeconds: 60,
  /** Proves ingestion and query end to end: one probe record written, then found by LogsQL. */
  afterReady: async (ctx) => {
    const probe = `stack-probe-${Date.now()}`;
    const response = await fetch(`${baseUrl(ctx)}/insert/jsonline?_stream_fields=service.name`, {
      method: 'POST',
      headers: { 'content-type': 'application/stream+json' },
      body: JSON.stringify({ _msg: 'ingestion probe', 'service.name': 'tracehop-stack', probe }),
    });
    if (!response.ok) throw new Error(`VictoriaLogs refused the probe record: ${response.status} ${await response.text()}`);
    await waitUntil(async () => (await queryAnswers(ctx, `probe:="${probe}"`))?.includes(probe), {
      what: 'VictoriaLogs accepted a probe record; LogsQL returning it',
      timeoutMs: 10_000,
      intervalMs: 250,
    });
  },
};
