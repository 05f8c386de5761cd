import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchService, SERVICE_NAMES, stopService, waitUntilReady, type RunningService, type ServiceName } from '../test/support/services';

/**
 * The three services as the chaos run holds them: started like the e2e specs start them (built,
 * telemetry preloaded, test ports), one of them replaceable after a kill.
 */
export class ServiceFleet {
  /** Further instances of a service (a consumer group rebalance), on ports of their own. */
  private readonly extra: RunningService[] = [];

  private constructor(
    private readonly running: Map<ServiceName, RunningService>,
    private readonly env: Record<string, string>,
  ) {}

  static async start(env: Record<string, string>): Promise<ServiceFleet> {
    const fleet = new ServiceFleet(new Map(SERVICE_NAMES.map((name) => [name, launchService(name, env)])), env);
    try {
      await Promise.all([...fleet.running.values()].map((service) => waitUntilReady(service)));
    } catch (error) {
      await fleet.stop();
      throw error;
    }
    return fleet;
  }

  get(name: ServiceName): RunningService {
    return this.running.get(name)!;
  }

  url(name: ServiceName): string {
    return this.get(name).url;
  }

  /** Starts a service again (after it was killed) and waits until it is ready. */
  async relaunch(name: ServiceName): Promise<void> {
    await stopService(this.get(name));
    const service = launchService(name, this.env);
    this.running.set(name, service);
    await waitUntilReady(service);
  }

  /** Starts one more instance of a service (it joins the service's consumer groups) and waits until it is ready. */
  async addInstance(name: ServiceName, port: number): Promise<void> {
    const service = launchService(name, { ...this.env, PORT: String(port) });
    this.extra.push(service);
    await waitUntilReady(service);
  }

  /** Stops the further instances gracefully (they leave their consumer groups). */
  async removeInstances(): Promise<void> {
    await Promise.all(this.extra.map(stopService));
  }

  /** Every instance's stdout and stderr so far, by a label naming it. */
  outputs(): [label: string, output: string][] {
    return [...this.running.values(), ...this.extra].map((service, i) => [
      i < this.running.size ? service.name : `${service.name} (${service.url})`,
      service.output(),
    ]);
  }

  /** Writes each service's stdout and stderr so far to `<dir>/<service>.log` (redacted at the source, like every stdout log). */
  saveOutput(dir: string): void {
    mkdirSync(dir, { recursive: true });
    for (const [label, output] of this.outputs()) writeFileSync(join(dir, `${label.replace(/\W+/g, '-').replace(/-$/, '')}.log`), output);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.running.values(), ...this.extra].map(stopService));
  }
}
