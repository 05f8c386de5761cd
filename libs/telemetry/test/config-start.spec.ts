import { context, diag, metrics, propagation, ROOT_CONTEXT, trace, type Span } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api';
import { logs as legacyLogs } from '@opentelemetry/api-logs';
import type * as Start from '../src/start';
import type { Telemetry } from '../src/types';

/**
 * startTelemetry as the preload runs it, with these variables set: a fresh copy of the module (it
 * starts once per process) and no instrumentations (nothing to patch in a test).
 */
let telemetry: Telemetry | undefined;
const savedEnv = { ...process.env };
function start(env: Record<string, string>): Telemetry {
  Object.assign(process.env, { OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none', OTEL_TRACES_EXPORTER: 'none' }, env);
  let module: typeof Start | undefined;
  jest.isolateModules(() => (module = jest.requireActual<typeof Start>('../src/start')));
  return (telemetry = module!.startTelemetry({ instrumentations: [] }));
}
const sigtermListeners = process.listeners('SIGTERM');

async function stop(): Promise<void> {
  await telemetry?.shutdown();
  telemetry = undefined;
  for (const api of [trace, metrics, propagation, context, logs, legacyLogs, diag]) api.disable();
  for (const listener of process.listeners('SIGTERM')) if (!sigtermListeners.includes(listener)) process.off('SIGTERM', listener);
  process.env = { ...savedEnv };
}

afterEach(async () => {
  await stop();
  jest.restoreAllMocks();
});

const quietConsole = () => ({
  warn: jest.spyOn(console, 'warn').mockImplementation(() => undefined),
  dir: jest.spyOn(console, 'dir').mockImplementation(() => undefined),
  log: jest.spyOn(console, 'log').mockImplementation(() => undefined),
  debug: jest.spyOn(console, 'debug').mockImplementation(() => undefined),
});
const aSpan = (options: Parameters<ReturnType<typeof trace.getTracer>['startSpan']>[1] = {}): Span =>
  trace.getTracer('config-start-spec').startSpan('work', options, ROOT_CONTEXT);
const resourceOf = (span: Span) => (span as unknown as { resource: { attributes: Record<string, unknown> } }).resource.attributes;

describe('startTelemetry honours the SDK environment variables', () => {
  it('OTEL_TRACES_EXPORTER=none: no tracer provider, spans do not record', () => {
    quietConsole();
    start({ OTEL_TRACES_EXPORTER: 'none' });
    expect(aSpan().isRecording()).toBe(false);
  });

  it('OTEL_TRACES_EXPORTER=console: spans are written to the console', async () => {
    const console = quietConsole();
    start({ OTEL_TRACES_EXPORTER: 'console' });
    aSpan().end();
    // Exported by a batch processor, asynchronously: wait for the export (up to 5 s), not for a fixed time.
    const exported = () => console.dir.mock.calls.some(([span]) => (span as { name?: string } | undefined)?.name === 'work');
    for (const deadline = Date.now() + 5000; !exported() && Date.now() < deadline;) await new Promise((tick) => setTimeout(tick, 20));
    expect(console.dir).toHaveBeenCalledWith(expect.objectContaining({ name: 'work' }), expect.anything());
  });

  it('OTEL_SDK_DISABLED=TRUE: nothing is started', () => {
    quietConsole();
    expect(start({ OTEL_SDK_DISABLED: 'TRUE', OTEL_TRACES_EXPORTER: 'console' }).options.disabled).toBe(true);
    expect(aSpan().isRecording()).toBe(false);
  });

  it('OTEL_LOG_LEVEL is honoured and NodeSDK does not replace tracehop’s rate-limited logger', () => {
    const console = quietConsole();
    start({ OTEL_LOG_LEVEL: 'debug' });
    diag.debug('sdk detail');
    diag.warn('collector down');
    diag.warn('collector down');
    const said = console.warn.mock.calls.map(([line]) => String(line));
    expect(said.filter((line) => line.includes('sdk detail'))).toHaveLength(1);
    expect(said.filter((line) => line.includes('collector down'))).toHaveLength(1);
  });

  it('OTEL_LOG_LEVEL defaults to info (the specification’s), and error silences warnings', async () => {
    const console = quietConsole();
    start({});
    diag.info('sdk news');
    diag.debug('sdk detail');
    expect(console.warn.mock.calls.map(([line]) => String(line))).toEqual([expect.stringContaining('sdk news')]);
    await stop();
    console.warn.mockClear();
    start({ OTEL_LOG_LEVEL: 'ERROR' });
    diag.warn('collector down');
    expect(console.warn).not.toHaveBeenCalled();
  });

  it('resource: tracehop’s defaults, OTEL_RESOURCE_ATTRIBUTES over them, OTEL_SERVICE_NAME over both', async () => {
    quietConsole();
    start({ OTEL_TRACES_EXPORTER: 'console', OTEL_SERVICE_NAME: 'order-service' });
    expect(resourceOf(aSpan())).toMatchObject({
      'service.name': 'order-service',
      'service.namespace': 'tracehop',
      'deployment.environment.name': 'development',
    });
    await stop();
    start({
      OTEL_TRACES_EXPORTER: 'console',
      OTEL_SERVICE_NAME: 'order-service',
      OTEL_RESOURCE_ATTRIBUTES: 'service.name=ignored,service.namespace=shop,service.version=1.2.3,deployment.environment.name=prod',
    });
    expect(resourceOf(aSpan())).toMatchObject({
      'service.name': 'order-service',
      'service.namespace': 'shop',
      'service.version': '1.2.3',
      'deployment.environment.name': 'prod',
    });
  });

  it('span limits from OTEL_SPAN_LINK_COUNT_LIMIT and OTEL_ATTRIBUTE_COUNT_LIMIT (read by NodeSDK)', () => {
    quietConsole();
    start({ OTEL_TRACES_EXPORTER: 'console', OTEL_SPAN_LINK_COUNT_LIMIT: '2', OTEL_ATTRIBUTE_COUNT_LIMIT: '1' });
    const spanContext = aSpan().spanContext();
    const span = aSpan({
      links: [{ context: spanContext }, { context: spanContext }, { context: spanContext }],
      attributes: { a: 1, b: 2 },
    });
    const readable = span as unknown as { links: unknown[]; attributes: Record<string, unknown> };
    expect(readable.links).toHaveLength(2);
    expect(Object.keys(readable.attributes)).toHaveLength(1);
  });

  it('OTEL_PROPAGATORS: tracecontext,baggage by default; none injects nothing', async () => {
    quietConsole();
    start({ OTEL_TRACES_EXPORTER: 'console' });
    const carrier: Record<string, string> = {};
    propagation.inject(trace.setSpan(ROOT_CONTEXT, aSpan()), carrier);
    expect(Object.keys(carrier)).toEqual(['traceparent']);
    expect(propagation.fields()).toEqual(['traceparent', 'tracestate', 'baggage']);
    await stop();
    start({ OTEL_TRACES_EXPORTER: 'console', OTEL_PROPAGATORS: 'none' });
    const none: Record<string, string> = {};
    propagation.inject(trace.setSpan(ROOT_CONTEXT, aSpan()), none);
    expect(none).toEqual({});
  });
});
