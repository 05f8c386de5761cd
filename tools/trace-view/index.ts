/**
 * The trace view across async hops: one business transaction read back from Jaeger, with the traces
 * linked to it in either direction, and (optionally) their log lines from VictoriaLogs under their
 * spans, as a terminal waterfall or a self-contained HTML page.
 * README: tools/trace-view/README.md.
 */
export type { SpanKind, TraceSpan, TransactionTrace, Transaction, LogLevel, LogLine, TransactionLogs } from './types';
export { fetchTransaction, MAX_TRACES, type FetchTransactionOptions } from './fetch-transaction';
export { DEFAULT_LOG_LIMIT, type TransactionLogsOptions } from './transaction-logs';
export { renderTerminal, type TerminalOptions } from './terminal';
export { renderHtml, type HtmlOptions } from './html';
