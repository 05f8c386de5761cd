import { INVALID_SPAN_CONTEXT, TraceFlags } from '@opentelemetry/api';
import { traceResponseValue } from '../src/http/trace-response';

const spanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', isRemote: false };

describe('traceresponse (W3C Trace Context Level 2)', () => {
  it('names the trace and the span that handled the request, with its sampled flag', () => {
    expect(traceResponseValue({ ...spanContext, traceFlags: TraceFlags.SAMPLED })).toBe(
      '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    );
    expect(traceResponseValue({ ...spanContext, traceFlags: TraceFlags.NONE })).toBe(
      '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00',
    );
  });

  it('says nothing without a valid span (no SDK, or a placeholder context)', () => {
    expect(traceResponseValue(undefined)).toBeUndefined();
    expect(traceResponseValue(INVALID_SPAN_CONTEXT)).toBeUndefined();
  });
});
