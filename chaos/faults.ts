import { once } from 'node:events';
import { stackCommand } from '../test/support/stack-cli';
import type { ServiceFleet } from './service-fleet';

/** One fault the suite injects while orders flow, and how it is healed. */
export interface Fault {
  name: string;
  /** What happens, in the report's words. */
  description: string;
  /** Seconds between injecting and healing. */
  holdSeconds: number;
  inject(fleet: ServiceFleet): Promise<void>;
  heal(fleet: ServiceFleet): Promise<void>;
}

/** A stack component stopped (its data kept) and started again. */
function componentDown(component: string, holdSeconds: number, description: string): Fault {
  return {
    name: `${component}-down-${holdSeconds}s`,
    description,
    holdSeconds,
    inject: async () => void (await stackCommand('down', component)),
    heal: async () => void (await stackCommand('up', component)),
  };
}

export const FAULTS: Record<string, Fault> = {
  'agent-down-5s': componentDown('agent', 5, 'the OTel Collector agent stopped for 5 s and started again: the SDKs retry'),
  'gateway-down-60s': componentDown('gateway', 60, "the gateway stopped for 60 s: the agent's persistent queue holds, then drains"),
  'jaeger-down-120s': componentDown('jaeger', 120, "Jaeger stopped for 120 s: the gateway's sending queue holds"),
  'search-down-120s': componentDown('search', 120, "OpenSearch stopped for 120 s: Jaeger's and the gateway's queues hold"),
  'kafka-down-30s': componentDown('kafka', 30, 'the Kafka broker stopped for 30 s under load and started again'),
  'postgres-restart': componentDown('postgres', 5, 'Postgres stopped and started again under load'),
  'consumer-killed': {
    name: 'consumer-killed',
    description: 'payment-service killed with SIGKILL mid-batch, restarted 5 s later',
    holdSeconds: 5,
    inject: async (fleet) => {
      const victim = fleet.get('payment-service');
      const exited = once(victim.process, 'exit');
      victim.process.kill('SIGKILL');
      await exited;
    },
    heal: (fleet) => fleet.relaunch('payment-service'),
  },
};

/** The short profile fits CI's time limit; the long one is every fault of issue 11 this suite knows. */
export const PROFILES: Record<'short' | 'long', string[]> = {
  short: ['agent-down-5s', 'consumer-killed'],
  long: Object.keys(FAULTS),
};
