import { z } from 'zod';

const percent = z.coerce.number().min(0).max(100);

/**
 * The gateway's baseline threshold for a share in percent: T of OpenTelemetry's consistent
 * probability sampling (keep when the 56-bit randomness R >= T), round((1 - share) * 2^56) as the 14
 * lowercase hex digits the gateway's OTTL condition compares as strings (infra/collector/gateway.yaml,
 * keep-baseline). 0 % is "g": every 14-digit hex string sorts below it, so the baseline keeps nothing.
 */
export function baselineThreshold(sharePercent: string | number): string {
  const share = percent.parse(sharePercent);
  if (share === 0) return 'g';
  // Parts per 10^12 of 2^56, in integers: exact for any percentage with up to ten decimals.
  const rejected = BigInt(Math.round((100 - share) * 1e10));
  const threshold = (rejected * 2n ** 56n + 5n * 10n ** 11n) / 10n ** 12n;
  return threshold.toString(16).padStart(14, '0');
}
