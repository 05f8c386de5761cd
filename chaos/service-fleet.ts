import { launchService, SERVICE_NAMES, stopService, waitUntilReady, type RunningService, type ServiceName } from '../test/support/services';

/**
 * The three services as the chaos run holds them: started like the e2e specs start them (built,
 * telemetry preloaded, test ports), one of them replaceable after a kill.
 */
export class ServiceFleet {
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

  async stop(): Promise<void> {
    await Promise.all([...this.running.values()].map(stopService));
  }
}
