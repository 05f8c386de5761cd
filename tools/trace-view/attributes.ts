/** Attribute names the trace view reads that tracehop itself sets (docs/telemetry.md lists them). */

/** Resource attribute the collector agent stamps on every record it forwards (infra/collector/agent.yaml). */
export const ATTR_TRACEHOP_COLLECTOR_AGENT = 'tracehop.collector.agent' as const;
