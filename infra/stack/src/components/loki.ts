import { goBinaryPath, wrapperModuleStep, type GoBinary } from '../install/go-build';
import { port } from '../manifest';
import { infraFile } from '../config-files';
import { answersOk } from './http-probe';
import type { Component } from './component';

const lokiBinary: GoBinary = {
  name: 'loki',
  version: (ctx) => ctx.manifest.components.loki.version,
  binaryName: 'loki',
};

export const loki: Component = {
  name: 'loki',
  title: 'Loki v3 (logs)',
  dependsOn: [],
  ports: ['LOKI_HTTP_PORT', 'LOKI_GRPC_PORT'],
  endpoints: (ctx) => [`http://127.0.0.1:${port(ctx.manifest, 'LOKI_HTTP_PORT')}`],
  // netgo: a static binary whose DNS resolution does not depend on the machine's C library.
  install: [wrapperModuleStep(lokiBinary, 'infra/native/loki', 'github.com/grafana/loki/v3/cmd/loki', ['netgo'])],
  launch: (ctx) => ({
    command: goBinaryPath(ctx, lokiBinary),
    args: ['-config.file', infraFile('loki/loki.yaml'), '-config.expand-env=true'],
  }),
  // /ready turns 200 only after the ingester joined its ring and can accept writes.
  isReady: (ctx) => answersOk(`http://127.0.0.1:${port(ctx.manifest, 'LOKI_HTTP_PORT')}/ready`),
  readyTimeoutSeconds: 90,
};
