import { setTimeout as sleep } from 'node:timers/promises';
import { collectorCounter, endpoints } from '../test/support/backends';

/** Samples the agent's resident memory (its own otelcol_process_memory_rss) every second while a scenario runs. */
export class AgentMemory {
  private peakBytes = 0;
  private running: Promise<void> | undefined;
  private stopped = false;

  start(): void {
    this.running = (async () => {
      while (!this.stopped) {
        // The agent is down during some faults: no sample then.
        const rss = await collectorCounter(endpoints.agentMetrics, 'otelcol_process_memory_rss').catch(() => 0);
        this.peakBytes = Math.max(this.peakBytes, rss);
        await sleep(1000);
      }
    })();
  }

  /** Stops sampling; the highest resident memory seen, in MiB. */
  async stop(): Promise<number> {
    this.stopped = true;
    await this.running;
    return Math.round(this.peakBytes / 2 ** 20);
  }
}
