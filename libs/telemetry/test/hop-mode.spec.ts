import { ROOT_CONTEXT, propagation, trace, TraceFlags } from '@opentelemetry/api';
import { W3CBaggagePropagator } from '@opentelemetry/core';
import { hopModeFromEnv, hopModesByGroupFromEnv, placeProcessSpan } from '../src/internal/kafka/hop-mode';

const producer = {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: TraceFlags.SAMPLED,
  isRemote: true,
};
const extracted = propagation.setBaggage(
  trace.setSpanContext(ROOT_CONTEXT, producer),
  propagation.createBaggage({ tenant: { value: 'acme' } }),
);

beforeAll(() => propagation.setGlobalPropagator(new W3CBaggagePropagator()));

describe('hop modes', () => {
  it('child: the producer is the parent, no link', () => {
    const placement = placeProcessSpan('child', extracted);
    expect(trace.getSpanContext(placement.parent)).toEqual(producer);
    expect(placement.links).toEqual([]);
  });

  it('link: a new trace with a link to the producer, baggage kept', () => {
    const placement = placeProcessSpan('link', extracted);
    expect(trace.getSpanContext(placement.parent)).toBeUndefined();
    expect(placement.links).toEqual([{ context: producer }]);
    expect(propagation.getBaggage(placement.parent)?.getEntry('tenant')?.value).toBe('acme');
  });

  it('child+link: both', () => {
    const placement = placeProcessSpan('child+link', extracted);
    expect(trace.getSpanContext(placement.parent)).toEqual(producer);
    expect(placement.links).toEqual([{ context: producer }]);
  });

  it('every mode starts a new trace without a producer context', () => {
    for (const mode of ['child', 'link', 'child+link'] as const) {
      expect(placeProcessSpan(mode, ROOT_CONTEXT)).toEqual({ parent: ROOT_CONTEXT, links: [] });
    }
  });

  it('reads the process-wide default and per-group modes from the environment, skipping bad values', () => {
    expect(hopModeFromEnv({})).toBe('child');
    expect(hopModeFromEnv({ TRACEHOP_KAFKA_HOP_MODE: 'link' })).toBe('link');
    expect(hopModeFromEnv({ TRACEHOP_KAFKA_HOP_MODE: 'sideways' })).toBe('child');
    expect(hopModesByGroupFromEnv({ TRACEHOP_KAFKA_HOP_MODES: 'ledger=link, orders-server=child+link,bad,x=nope' })).toEqual({
      ledger: 'link',
      'orders-server': 'child+link',
    });
  });
});
