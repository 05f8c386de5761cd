import { context, propagation, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { headerValues, inspectTraceparent } from '../src/internal/kafka/header-values';
import { extractTraceContext, withTraceHeaders } from '../src/kafka/trace-headers';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const SPAN_ID = 'b7ad6b7169203331';
const TRACEPARENT = `00-${TRACE_ID}-${SPAN_ID}-01`;
const OTHER = '00-11111111111111111111111111111111-2222222222222222-01';

beforeAll(() => {
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
});

const spanContextOf = (headers: Parameters<typeof extractTraceContext>[1]) =>
  trace.getSpanContext(extractTraceContext(ROOT_CONTEXT, headers));

describe('reading trace headers from consumed records', () => {
  it('reads Buffer values, as kafkajs delivers them', () => {
    expect(spanContextOf({ traceparent: Buffer.from(TRACEPARENT) })).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, isRemote: true });
  });

  it('reads string values, as producers pass them', () => {
    expect(spanContextOf({ traceparent: TRACEPARENT })?.traceId).toBe(TRACE_ID);
  });

  it('takes the last valid traceparent of a duplicated header instead of giving up', () => {
    const headers = { traceparent: [Buffer.from(OTHER), Buffer.from(TRACEPARENT)] };
    expect(spanContextOf(headers)?.traceId).toBe(TRACE_ID);
    expect(inspectTraceparent(headers)).toEqual({ state: 'valid', traceparent: TRACEPARENT, count: 2 });
  });

  it('skips a malformed copy among duplicates', () => {
    expect(spanContextOf({ traceparent: [TRACEPARENT, 'garbage'] })?.traceId).toBe(TRACE_ID);
  });

  it.each([
    ['not a traceparent', 'garbage'],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${SPAN_ID}-01`],
    ['an all-zero span id', `00-${TRACE_ID}-${'0'.repeat(16)}-01`],
    ['the forbidden version ff', `ff-${TRACE_ID}-${SPAN_ID}-01`],
    ['upper-case hex', TRACEPARENT.toUpperCase()],
  ])('reports %s as malformed and extracts nothing', (_, value) => {
    expect(inspectTraceparent({ traceparent: Buffer.from(value) })).toEqual({ state: 'malformed', count: 1 });
    expect(spanContextOf({ traceparent: Buffer.from(value) })).toBeUndefined();
  });

  it('reports an absent header and tolerates records without headers', () => {
    expect(inspectTraceparent(undefined)).toEqual({ state: 'absent', count: 0 });
    expect(inspectTraceparent({ other: 'x', traceparent: undefined })).toEqual({ state: 'absent', count: 0 });
    expect(spanContextOf(undefined)).toBeUndefined();
  });

  it('matches header names case-insensitively', () => {
    expect(headerValues({ TraceParent: TRACEPARENT }, 'traceparent')).toEqual([TRACEPARENT]);
  });

  it('joins repeated list-valued fields (baggage) instead of dropping all but one', () => {
    const ctx = extractTraceContext(ROOT_CONTEXT, { traceparent: TRACEPARENT, baggage: [Buffer.from('a=1'), Buffer.from('b=2')] });
    const baggage = propagation.getBaggage(ctx);
    expect(baggage?.getEntry('a')?.value).toBe('1');
    expect(baggage?.getEntry('b')?.value).toBe('2');
  });
});

describe('tracestate travels with the traceparent it came with', () => {
  const stateOf = (headers: Parameters<typeof extractTraceContext>[1]) => spanContextOf(headers)?.traceState?.serialize();

  it('combines repeated tracestate fields of a record with one traceparent into one list, in order (W3C, RFC 9110 5.3)', () => {
    expect(stateOf({ traceparent: TRACEPARENT, tracestate: [Buffer.from('a=1'), Buffer.from('b=2')] })).toBe('a=1,b=2');
  });

  it('with duplicated traceparents, keeps only the tracestate paired with the traceparent used', () => {
    expect(stateOf({ traceparent: [OTHER, TRACEPARENT], tracestate: ['other=1', 'mine=2'] })).toBe('mine=2');
  });

  it('pairs by position when the traceparent used is not the last copy', () => {
    expect(stateOf({ traceparent: [TRACEPARENT, 'garbage'], tracestate: ['mine=2', 'other=1'] })).toBe('mine=2');
  });

  it('drops tracestate when duplicated traceparents and tracestates cannot be paired one to one', () => {
    expect(stateOf({ traceparent: [OTHER, TRACEPARENT], tracestate: 'other=1' })).toBeUndefined();
    expect(spanContextOf({ traceparent: [OTHER, TRACEPARENT], tracestate: 'other=1' })?.traceId).toBe(TRACE_ID);
  });
});

describe('writing trace headers for produced records', () => {
  const sending = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED });

  it('returns new headers and leaves the caller object untouched', () => {
    const callers = { 'x-request': 'r1' };
    const frozen = Object.freeze({ ...callers });
    const out = withTraceHeaders(frozen, sending);
    expect(out).toEqual({ 'x-request': 'r1', traceparent: TRACEPARENT });
    expect(frozen).toEqual(callers);
    expect(out).not.toBe(frozen);
  });

  it('replaces an existing traceparent of any case, never sending two', () => {
    const out = withTraceHeaders({ TraceParent: OTHER, traceparent: [OTHER, OTHER] }, sending);
    expect(headerValues(out, 'traceparent')).toEqual([TRACEPARENT]);
  });

  it('drops undefined header values, which crash kafkajs producer.send', () => {
    expect(withTraceHeaders({ a: undefined, b: 'kept' }, sending)).toEqual({ b: 'kept', traceparent: TRACEPARENT });
  });

  it('keeps a caller traceparent when there is no context to send', () => {
    expect(withTraceHeaders({ traceparent: OTHER }, ROOT_CONTEXT)).toEqual({ traceparent: OTHER });
  });

  it('carries baggage', () => {
    const withBaggage = propagation.setBaggage(sending, propagation.createBaggage({ tenant: { value: 'acme' } }));
    expect(withTraceHeaders(undefined, withBaggage)).toEqual({ traceparent: TRACEPARENT, baggage: 'tenant=acme' });
  });

  it('round-trips: what a producer writes, a consumer reads as the same span context', () => {
    const out = withTraceHeaders({}, sending);
    const asConsumed = Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Buffer.from(String(v))]));
    expect(context.with(ROOT_CONTEXT, () => spanContextOf(asConsumed))).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID });
  });
});
