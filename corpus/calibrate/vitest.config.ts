import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['cases/**/*.test.ts'],
    pool: 'forks',
    execArgv: ['--expose-gc'],
    runner: fileURLToPath(new URL('./runner.ts', import.meta.url)),
    testTimeout: 120_000,
  },
})
