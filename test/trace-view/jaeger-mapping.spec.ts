import { mapJaegerTrace, type JaegerSpanJson, type JaegerTraceJson } from '../../tools/trace-view/jaeger';
import fixture from './fixtures/jaeger-trace.json';

/**
 * Jaeger's query API JSON (a real trace of the transaction, trimmed: the error span comes from
 * another real trace) mapped to TraceSpan.
 */
const TRACE_ID = 'dd5c7257c77c4107a1ffa10f8e81d85b';
const jaegerTrace = () => structuredClone(fixture.data[0]) as unknown as JaegerTraceJson;
const mapped = () => mapJaegerTrace(jaegerTrace());
const byName = (name: string) => mapped().spans.find((span) => span.name === name)!;

describe('mapping Jaeger JSON to TraceSpan', () => {
  it('maps ids, service (from processes), name, kind, times and parent', () => {
    const trace = mapped();
    expect(trace.traceId).toBe(TRACE_ID);
    expect(trace.spans).toHaveLength(6);
    expect(byName('send orders.order-created.v1')).toEqual({
      traceId: TRACE_ID,
      spanId: 'f9274dd513dd1c46',
      parentSpanId: '70f2635f0bc31c4a',
      service: 'order-service',
      name: 'send orders.order-created.v1',
      kind: 'producer',
      startMicros: 1795327553874297,
      durationMicros: 4512,
      error: false,
      attributes: {
        'messaging.client.id': 'order-service',
        'messaging.destination.name': 'orders.order-created.v1',
        'messaging.destination.partition.id': '0',
        'messaging.kafka.message.key': '076f0fc5455a9d5f4bc9ee1ff27105f1fec9c514f56dfbdb7d20f2cf7ac7b343',
        'messaging.kafka.offset': 22,
        'messaging.message.id': '7d332126-f8d1-419b-afff-433b43bfa500',
        'messaging.operation.name': 'send',
        'messaging.operation.type': 'send',
        'messaging.system': 'kafka',
        'otel.scope.name': '@tracehop/telemetry/kafkajs',
        'otel.scope.version': '0.1.0',
      },
      links: [],
    });
    expect(byName('process orders.order-created.v1')).toMatchObject({
      service: 'payment-service',
      kind: 'consumer',
      parentSpanId: 'f9274dd513dd1c46',
    });
    expect(byName('POST /orders')).toMatchObject({ kind: 'server', parentSpanId: '934cf96fd47b4287' }); // the client's span, not in the trace
    expect(byName('GET')).toMatchObject({ kind: 'client' });
  });

  it('turns FOLLOWS_FROM references into links, and CHILD_OF into the parent', () => {
    const settle = byName('process payments.payment-completed.v1');
    expect(settle.parentSpanId).toBe('0e91446e9b7bdfd6');
    expect(settle.links).toEqual([{ traceId: '0e5633e3835f44e8c78c2e953d1096f3', spanId: '06cfdce5f94481ca' }]);
    expect(settle.attributes['messaging.consumer.group.name']).toBe('payment-service.settlement');
  });

  it('maps error status and message: status description, else the exception event, else error.type', () => {
    const charge = byName('charge payment');
    expect(charge).toMatchObject({
      error: true,
      errorMessage: 'no payment account for user b4a08ced-de68-4a3c-9dee-285b5fb1d8b6 yet',
      service: 'payment-service',
    });
    expect(charge.attributes).toEqual({ 'otel.scope.name': 'payment-service', 'tracehop.payment.currency': 'EUR' }); // span.kind, error, otel.status_* are fields
    expect(byName('POST /orders').error).toBe(false);
    expect(byName('POST /orders').errorMessage).toBeUndefined();

    const raw = jaegerTrace();
    const span = raw.spans.find((s) => s.operationName === 'charge payment')!;
    span.tags = span.tags!.filter((tag) => tag.key !== 'otel.status_description');
    span.logs![0].fields.find((field) => field.key === 'exception.message')!.value = 'from the exception event';
    expect(mapJaegerTrace(raw).spans.find((s) => s.name === 'charge payment')!.errorMessage).toBe('from the exception event');
    span.logs = [];
    span.tags.push({ key: 'error.type', type: 'string', value: 'PoisonMessageError' });
    expect(mapJaegerTrace(raw).spans.find((s) => s.name === 'charge payment')!.errorMessage).toBe('PoisonMessageError');
  });

  it('reads error from the error tag alone, and only ERROR status as an error', () => {
    const raw = jaegerTrace();
    const [first, second] = raw.spans;
    first.tags = [{ key: 'error', type: 'bool', value: true }];
    second.tags = [{ key: 'otel.status_code', type: 'string', value: 'OK' }];
    const [a, b] = mapJaegerTrace(raw).spans;
    expect([a.error, b.error]).toEqual([true, false]);
  });

  it('tolerates what Jaeger may send: no references or tags, unknown kind, short ids, duplicates, unknown process', () => {
    const bare: JaegerSpanJson = {
      traceID: 'ABCDEF0123456789',
      spanID: 'ABC',
      operationName: 'bare',
      references: null,
      startTime: 5,
      duration: 0,
      tags: null,
      logs: null,
      processID: 'p9',
    };
    const odd: JaegerSpanJson = {
      ...bare,
      spanID: 'def',
      tags: [
        { key: 'span.kind', type: 'string', value: 'unspecified' },
        { key: 'binary', type: 'binary', value: { b: 1 } },
        { key: 'ratio', type: 'float64', value: 0.5 },
      ],
    };
    const trace = mapJaegerTrace({ traceID: 'ABCDEF0123456789', spans: [bare, odd, { ...bare }], processes: {} });
    expect(trace.traceId).toBe('0000000000000000abcdef0123456789');
    expect(trace.spans).toHaveLength(2);
    expect(trace.spans[0]).toEqual({
      traceId: '0000000000000000abcdef0123456789',
      spanId: '0000000000000abc',
      service: 'unknown',
      name: 'bare',
      kind: 'internal',
      startMicros: 5,
      durationMicros: 0,
      error: false,
      attributes: {},
      links: [],
    });
    expect(trace.spans[1]).toMatchObject({ kind: 'internal', attributes: { binary: '{"b":1}', ratio: 0.5 } });
  });

  it('treats a CHILD_OF into another trace as a link, keeping the first same-trace CHILD_OF as parent', () => {
    const raw = jaegerTrace();
    const span = raw.spans[0];
    span.references = [
      { refType: 'CHILD_OF', traceID: 'ffff0000000000000000000000000000', spanID: '1111111111111111' },
      { refType: 'CHILD_OF', traceID: TRACE_ID, spanID: '2222222222222222' },
      { refType: 'FOLLOWS_FROM', traceID: TRACE_ID, spanID: '3333333333333333' },
    ];
    const mappedSpan = mapJaegerTrace(raw).spans[0];
    expect(mappedSpan.parentSpanId).toBe('2222222222222222');
    expect(mappedSpan.links).toEqual([
      { traceId: 'ffff0000000000000000000000000000', spanId: '1111111111111111' },
      { traceId: TRACE_ID, spanId: '3333333333333333' },
    ]);
  });
});
