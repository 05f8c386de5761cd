import { mergeEdges } from '../../tools/trace-query/dependencies';
import { summarize } from '../../tools/trace-query/summary';
import type { TraceSpan } from '../../tools/trace-view/types';

const span = (spanId: string, service: string, start: number, duration: number, extra: Partial<TraceSpan> = {}): TraceSpan => ({
  traceId: 'a'.repeat(32),
  spanId,
  service,
  name: `${service} work`,
  kind: 'internal',
  startMicros: start,
  durationMicros: duration,
  error: false,
  attributes: {},
  links: [],
  ...extra,
});

describe('a trace summarised for the search table', () => {
  it('names the root, the services in order of appearance, the span count, the whole duration and the errors', () => {
    const summary = summarize({
      traceId: 'a'.repeat(32),
      spans: [
        span('2', 'payment-service', 300, 900, { parentSpanId: '1', error: true }),
        span('1', 'order-service', 100, 50, { parentSpanId: 'f'.repeat(16), name: 'POST /orders' }), // the caller's span is not in the trace
        span('3', 'user-service', 200, 10, { parentSpanId: '1' }),
      ],
    });
    expect(summary).toEqual({
      traceId: 'a'.repeat(32),
      root: { service: 'order-service', name: 'POST /orders' },
      services: ['order-service', 'user-service', 'payment-service'],
      spans: 3,
      startMicros: 100,
      durationMicros: 1100,
      errors: 1,
    });
  });
});

describe('dependency edges', () => {
  it('are one per caller and callee, their calls summed and their transports listed once', () => {
    expect(
      mergeEdges([
        { parent: 'order-service', child: 'payment-service', callCount: 2, via: ['orders.order-created.v1'] },
        { parent: 'order-service', child: 'user-service', callCount: 5, via: ['HTTP'] },
        { parent: 'order-service', child: 'payment-service', callCount: 3, via: ['orders.order-created.v1'] },
        { parent: 'order-service', child: 'user-service', callCount: 1, via: ['orders.order-confirmed.v1'] },
      ]),
    ).toEqual([
      { parent: 'order-service', child: 'payment-service', callCount: 5, via: ['orders.order-created.v1'] },
      { parent: 'order-service', child: 'user-service', callCount: 6, via: ['HTTP', 'orders.order-confirmed.v1'] },
    ]);
  });
});
