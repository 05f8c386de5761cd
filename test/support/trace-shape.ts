import type { JaegerSpan, JaegerTrace } from './backends';

/** Reading a Jaeger trace the way the specs assert on it: spans by service and name, parents, links. */
export function traceView(trace: JaegerTrace) {
  const service = (span: JaegerSpan) => trace.processes[span.processID]?.serviceName;
  const tag = (span: JaegerSpan, key: string) => span.tags.find((t) => t.key === key)?.value;
  const parentId = (span: JaegerSpan) => span.references?.find((ref) => ref.refType === 'CHILD_OF')?.spanID;
  const byId = new Map(trace.spans.map((span) => [span.spanID, span]));
  return {
    spans: trace.spans,
    service,
    tag,
    parentId,
    links: (span: JaegerSpan) => (span.references ?? []).filter((ref) => ref.refType === 'FOLLOWS_FROM'),
    find(serviceName: string, name: string | RegExp, where: (span: JaegerSpan) => boolean = () => true): JaegerSpan[] {
      return trace.spans.filter(
        (span) =>
          service(span) === serviceName &&
          (typeof name === 'string' ? span.operationName === name : name.test(span.operationName)) &&
          where(span),
      );
    },
    /** True when `ancestor` is on the span's parent chain. */
    descendsFrom(span: JaegerSpan, ancestor: JaegerSpan): boolean {
      for (let id = parentId(span); id; id = parentId(byId.get(id)!)) {
        if (id === ancestor.spanID) return true;
        if (!byId.has(id)) return false;
      }
      return false;
    },
    services: () => [...new Set(trace.spans.map(service))].sort(),
  };
}
