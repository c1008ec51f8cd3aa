import { qtests } from '@qtests/vitest'
import { defineConfig } from 'vitest/config'

// The e2e suite runs this example under both of Vitest's pools.
const pool = process.env.QTESTS_EXAMPLE_POOL
if (pool !== undefined && pool !== 'forks' && pool !== 'threads') {
  throw new Error(`QTESTS_EXAMPLE_POOL must be 'forks' or 'threads', got '${pool}'`)
}

export default defineConfig({
  plugins: [qtests()],
  test: pool ? { pool } : {},
})
