import { qtests } from '@qtests/vitest'
import { defineConfig } from 'vitest/config'

// For CI: repeat every test and fail the run when one leaks, even though every test passes.
//   npx vitest run --config vitest.failon.config.ts
const pool = process.env.QTESTS_EXAMPLE_POOL
if (pool !== undefined && pool !== 'forks' && pool !== 'threads') {
  throw new Error(`QTESTS_EXAMPLE_POOL must be 'forks' or 'threads', got '${pool}'`)
}

export default defineConfig({
  plugins: [qtests({ leaks: { mode: 'hunt', iterations: 24, failOn: 'leak' } })],
  test: pool ? { pool } : {},
})
