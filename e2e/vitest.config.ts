import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['src/global-setup.ts'],
    // Each test starts a whole Vitest run on a 2-core machine: one at a time, and patiently.
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 600_000,
    // A flaky verdict must show up, not be retried away.
    retry: 0,
  },
})
