/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/subgraphs', '<rootDir>/gateway'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }],
  },
  // jose and graphql-scalars' ESM builds are compiled to CommonJS for the test runtime.
  transformIgnorePatterns: ['/node_modules/(?!(jose)/)'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  // tests' loggers write to the run's log scan (test/log-scan.ts), checked by the global teardown
  setupFiles: ['<rootDir>/test/log-setup.ts'],
  testTimeout: 60000,
  maxWorkers: 2,
};
