/** Injection token of the service's Winston logger (@tracehop/telemetry createLogger). */
export const LOGGER = Symbol('LOGGER');
