import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // QTESTS_VITEST=5: fixtures run under Vitest 5 on Node 22, installed here first.
    globalSetup: ['test/vitestHome.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
  },
})
