/** Unit specs (*.spec.ts) and e2e specs against the running stack (*.e2e-spec.ts), one runner. */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/{test,libs/*/test}/**/*.spec.ts', '<rootDir>/{test,libs/*/test}/**/*.e2e-spec.ts'],
  testTimeout: 180_000,
};
