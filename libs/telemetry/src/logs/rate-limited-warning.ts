import { diag } from '@opentelemetry/api';

/**
 * A warning said at most once per interval, with the count of repeats it swallowed: an unreachable
 * collector must not flood a service's logs.
 */
export class RateLimitedWarning {
  private lastSaid = -Infinity;
  private suppressed = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly warn: (message: string) => void = (message) => diag.warn(message),
    private readonly now: () => number = () => Date.now(),
  ) {}

  say(message: string): void {
    if (this.now() - this.lastSaid < this.intervalMs) {
      this.suppressed += 1;
      return;
    }
    const repeats = this.suppressed ? ` (${this.suppressed} more like it since the last warning)` : '';
    this.suppressed = 0;
    this.lastSaid = this.now();
    this.warn(message + repeats);
  }
}
