import { createTraceState, type TraceState } from '@opentelemetry/api';

/**
 * The OpenTelemetry `ot` tracestate entry as consistent probability sampling uses it
 * (specification/trace/tracestate-handling.md): `th` the rejection threshold, `rv` the explicit
 * randomness, both 56-bit; other sub-keys are kept as they came.
 */
export interface OtTraceState {
  threshold?: bigint;
  randomness?: bigint;
  /** Sub-keys other than th and rv, `key:value`, in their order. */
  others: string[];
}

const OT_KEY = 'ot';
const DIGITS = 14; // 56 bits
/** 2^56: thresholds and randomness values are below it. */
const SCALE = 1n << 56n;
const MAX_ENTRY_LENGTH = 256;
const HEX = /^[0-9a-f]+$/;

function parseHex(value: string, exactLength: boolean): bigint | undefined {
  if (!HEX.test(value) || value.length > DIGITS || (exactLength && value.length !== DIGITS)) return undefined;
  return BigInt(`0x${value.padEnd(DIGITS, '0')}`);
}

/** The `ot` entry of a tracestate; malformed th or rv values are ignored, as if absent. */
export function readOtTraceState(traceState: TraceState | undefined): OtTraceState {
  const entry = traceState?.get(OT_KEY);
  const state: OtTraceState = { others: [] };
  if (!entry || entry.length > MAX_ENTRY_LENGTH) return state;
  for (const member of entry.split(';')) {
    if (member.startsWith('th:')) state.threshold = parseHex(member.slice(3), false);
    else if (member.startsWith('rv:')) state.randomness = parseHex(member.slice(3), true);
    else if (member) state.others.push(member);
  }
  return state;
}

/** `th` as written: hex without trailing zeros, `0` for "keep everything". */
export function formatThreshold(threshold: bigint): string {
  return threshold === 0n ? '0' : threshold.toString(16).padStart(DIGITS, '0').replace(/0+$/, '');
}

/**
 * The tracestate with its `ot` entry replaced by `state` (removed when empty); other vendors'
 * entries stay. Undefined when there was no tracestate and there is nothing to write.
 */
export function withOtTraceState(traceState: TraceState | undefined, state: OtTraceState): TraceState | undefined {
  const members = [
    ...(state.threshold === undefined ? [] : [`th:${formatThreshold(state.threshold)}`]),
    ...(state.randomness === undefined ? [] : [`rv:${state.randomness.toString(16).padStart(DIGITS, '0')}`]),
    ...state.others,
  ];
  // Over the limit, drop trailing unknown sub-keys first, as the specification advises.
  while (members.join(';').length > MAX_ENTRY_LENGTH) members.pop();
  if (members.length === 0) return traceState?.get(OT_KEY) === undefined ? traceState : traceState.unset(OT_KEY);
  return (traceState ?? createTraceState()).set(OT_KEY, members.join(';'));
}

/** The randomness W3C Trace Context Level 2 puts in a trace id: its least-significant 56 bits. */
export function traceIdRandomness(traceId: string): bigint {
  return BigInt(`0x${traceId.slice(-DIGITS)}`);
}

/** Explicit `rv` when present (it wins), else the trace id's randomness. */
export function randomnessOf(traceId: string, state: OtTraceState): bigint {
  return state.randomness ?? traceIdRandomness(traceId);
}

/** The decision rule of consistent probability sampling: keep when R ≥ T. */
export function keeps(threshold: bigint | undefined, randomness: bigint): boolean {
  return threshold !== undefined && randomness >= threshold;
}

/**
 * Rejection threshold for a sampling probability in [2^-56, 1], rounded to 4 significant hex
 * digits (the SDK default the specification recommends), plus one digit per leading `f` for small
 * probabilities. Undefined for 0, which is not a probability sampler ("never").
 */
export function thresholdFor(probability: number): bigint | undefined {
  if (!(probability > 0)) return undefined;
  if (probability >= 1) return 0n;
  const exponent = Math.floor(Math.log2(probability)) + 1; // frexp: probability = m · 2^exponent, m in [0.5, 1)
  const precision = Math.max(1, Math.min(12, 4 + Math.floor(exponent / -4)));
  const steps = 16 ** precision;
  const digits = Math.min(steps - 1, Math.round((1 - probability) * steps));
  return BigInt(digits) * (SCALE / BigInt(steps));
}
