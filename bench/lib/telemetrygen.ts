import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createContext } from '../../infra/stack/src/context';
import { goBinaryPath, goInstallStep, type GoBinary } from '../../infra/stack/src/install/go-build';

/** telemetrygen from collector-contrib, at the collector's version (one pin: infra/native/manifest.json). */
const telemetrygen: GoBinary = {
  name: 'telemetrygen',
  version: (ctx) => `v${ctx.manifest.components.collector.version}`,
  binaryName: 'telemetrygen',
};

/** The telemetrygen binary, built from the Go module proxy into the stack's cache on first use (about 2 min). */
export async function telemetrygenBinary(): Promise<string> {
  const ctx = createContext((line) => process.stderr.write(`${line}\n`));
  const step = goInstallStep(telemetrygen, 'github.com/open-telemetry/opentelemetry-collector-contrib/cmd/telemetrygen');
  if (!step.outputExists(ctx)) {
    console.error(`building telemetrygen ${telemetrygen.version(ctx)} (once; cached in ${ctx.paths.cache})`);
    await step.run(ctx);
  }
  return goBinaryPath(ctx, telemetrygen);
}

/**
 * Sends spans to an OTLP gRPC endpoint at a fixed rate for a while: each trace is a client span and
 * one child, `workers` senders sharing the rate. Resolves when telemetrygen exits (it flushes first).
 */
export async function sendSpans(
  binary: string,
  options: {
    endpoint: string;
    spansPerSecond: number;
    seconds: number;
    workers: number;
    service: string;
    /** Each span carries this many MiB of string data, sent one span per request (gRPC refuses requests over 4 MiB). */
    spanMiB?: number;
  },
): Promise<void> {
  const child = spawn(
    binary,
    [
      'traces',
      '--otlp-endpoint',
      options.endpoint,
      '--otlp-insecure',
      '--service',
      options.service,
      '--workers',
      String(options.workers),
      '--rate',
      String(options.spansPerSecond / options.workers),
      '--duration',
      `${options.seconds}s`,
      '--child-spans',
      '1',
      ...(options.spanMiB ? ['--size', String(options.spanMiB), '--batch=false'] : []),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-4000)));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`telemetrygen exited with ${code}:\n${errors}`);
}
