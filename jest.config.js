/** Unit specs (*.spec.ts) and e2e specs against the running stack (*.e2e-spec.ts), one runner. */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // The monorepo's path aliases (tsconfig.json "paths"), for specs that import the libraries by name.
  moduleNameMapper: { '^@tracehop/(contracts|service-kit|telemetry)$': '<rootDir>/libs/$1/src' },
  testMatch: ['<rootDir>/{test,libs/*/test,apps/*/test}/**/*.spec.ts', '<rootDir>/{test,libs/*/test,apps/*/test}/**/*.e2e-spec.ts'],
  testTimeout: 180_000,
  // Which Kafka the e2e specs use (KAFKA_BROKERS, Redpanda via testcontainers, or the native stack's).
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};
