import { loadServiceConfig } from '@tracehop/service-kit';

/** user-service's environment (docs/services.md lists every variable). */
export function loadUserServiceConfig(source: NodeJS.ProcessEnv = process.env) {
  return loadServiceConfig('user-service', { port: 3001, database: 'users' }, {}, source);
}

export type UserServiceConfig = ReturnType<typeof loadUserServiceConfig>;
