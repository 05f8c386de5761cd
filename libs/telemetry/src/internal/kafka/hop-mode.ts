import { diag, propagation, ROOT_CONTEXT, trace, type Context, type Link } from '@opentelemetry/api';
import type { HopMode } from '../../types';

// A record over the union: the compiler rejects a hop mode missing here.
const KNOWN: Record<HopMode, true> = { child: true, link: true, 'child+link': true };
export const HOP_MODES = Object.keys(KNOWN) as HopMode[];

export const DEFAULT_HOP_MODE: HopMode = 'child';

/** TRACEHOP_KAFKA_HOP_MODE, or the default with a warning when it holds something else. */
export function hopModeFromEnv(env: NodeJS.ProcessEnv = process.env): HopMode {
  const value = env.TRACEHOP_KAFKA_HOP_MODE?.trim();
  if (!value) return DEFAULT_HOP_MODE;
  if ((HOP_MODES as readonly string[]).includes(value)) return value as HopMode;
  diag.warn(`TRACEHOP_KAFKA_HOP_MODE=${value} is not one of ${HOP_MODES.join(', ')}; using ${DEFAULT_HOP_MODE}`);
  return DEFAULT_HOP_MODE;
}

/** TRACEHOP_KAFKA_HOP_MODES: per consumer group, `group=mode` pairs separated by commas; bad pairs warn and are skipped. */
export function hopModesByGroupFromEnv(env: NodeJS.ProcessEnv = process.env): Record<string, HopMode> {
  const modes: Record<string, HopMode> = {};
  for (const pair of (env.TRACEHOP_KAFKA_HOP_MODES ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [group, mode] = pair.split('=').map((part) => part?.trim());
    if (group && (HOP_MODES as readonly string[]).includes(mode)) modes[group] = mode as HopMode;
    else diag.warn(`TRACEHOP_KAFKA_HOP_MODES: "${pair}" is not group=${HOP_MODES.join('|')}; ignored`);
  }
  return modes;
}

export interface ProcessSpanPlacement {
  /** Context to start the process span in. */
  parent: Context;
  links: Link[];
}

/**
 * Where a process span goes, given the context extracted from the record. Baggage always travels;
 * without a valid producer span context every mode starts a new trace.
 */
export function placeProcessSpan(mode: HopMode, extracted: Context): ProcessSpanPlacement {
  const producer = trace.getSpanContext(extracted);
  const baggage = propagation.getBaggage(extracted);
  const fresh = baggage ? propagation.setBaggage(ROOT_CONTEXT, baggage) : ROOT_CONTEXT;
  if (!producer || !trace.isSpanContextValid(producer)) return { parent: fresh, links: [] };
  switch (mode) {
    case 'child':
      return { parent: extracted, links: [] };
    case 'link':
      return { parent: fresh, links: [{ context: producer }] };
    case 'child+link':
      return { parent: extracted, links: [{ context: producer }] };
  }
}
